# What a capture that never releases a window holds is bounded and
# accounted (skbremap-smoke bound): bounce skbs are freed once copied;
# skbs (truesize) and per-packet pool pages stay within held_limit_kb, a
# packet beyond it counted in drop_mem_limit; pool pages are charged to
# the opener's memory cgroup (memory.current is the exact witness; MemFree
# is judged only where there is no cgroup).
#   memory-bounce  bounce mode on lo, an unpaced UDP flood of 1..8972
#                  bytes, in a memory cgroup of its own: skbs_held 0,
#                  memory.current grew by the pool pages held
#   memory-limit   remap mode on vh, pktgen 2-frag frames (the skbs are
#                  kept: their pages are shown) with held_limit_kb=32:
#                  drop_mem_limit > 0, skb_bytes_held <= 32 KiB
. /vm/lib.sh
SMOKE=/vm/skbremap-smoke
PAGE=4096
have_module memory || exit 0
[ -x $SMOKE ] || { fail memory "no skbremap-smoke in the initramfs"; exit 0; }
module_loaded || { fail memory "skbremap is not loaded"; exit 0; }
LIMIT=/sys/module/skbremap/parameters/held_limit_kb
[ -w $LIMIT ] || note "no $LIMIT: a module without the memory bound (the checks below fail)"
default_limit=$(cat $LIMIT 2>/dev/null)

# --- bounce mode on lo, in a memory cgroup of its own
CG=/sys/fs/cgroup
grep -q cgroup2 /proc/mounts || mount -t cgroup2 none $CG 2>/dev/null
memcg=
if echo +memory >$CG/cgroup.subtree_control 2>/dev/null && mkdir -p $CG/skbremap-smoke; then
	memcg=$CG/skbremap-smoke
else
	note "no cgroup v2 memory controller: the memcg check is skipped"
fi
$UDPSEND -l $UDP_PORT >/dev/null 2>&1 &
bg_track $!
SCENARIO_FAILED=
SMOKE_MODE=bounce SMOKE_MEMCG=$memcg sh -c "${memcg:+echo \$\$ >$memcg/cgroup.procs;} exec $SMOKE bound lo '$UDPSEND 127.0.0.1 $UDP_PORT 1 8972 0 >/dev/null'" \
	>/tmp/memory-bounce.log 2>&1
rc=$?
cp /tmp/memory-bounce.log $OUT/logs/ 2>/dev/null
grep -E '^memory:|FAIL|^global:|^bound: memlimit' /tmp/memory-bounce.log | sed 's/^/  /'
[ $rc -eq 0 ] || fail memory-bounce "skbremap-smoke bound lo (bounce) failed"
gauges_zero memory-bounce 10
dmesg_clean memory-bounce
[ -z "${SCENARIO_FAILED:-}" ] && pass memory-bounce "$(grep '^memory: during' /tmp/memory-bounce.log | cut -c 1-160)"

# --- remap mode on vh with a small bound: skbs kept for their pages
SCENARIO_FAILED=
veth_setup || { fail memory-limit "veth pair setup failed"; exit 0; }
load_module pktgen || { fail memory-limit "modprobe pktgen failed"; exit 0; }
$IP link set vh mtu 65000 && $IP -n peer link set vp mtu 65000 ||
	{ fail memory-limit "cannot raise the veth MTU to 65000"; exit 0; }
mac=$(cat /sys/class/net/vh/address)
pgset kpktgend_0 "rem_device_all" && pgset kpktgend_0 "add_device vp" &&
	pgset vp "clone_skb 0" && pgset vp "dst 10.99.0.1" &&
	pgset vp "src_min 10.99.0.2" && pgset vp "src_max 10.99.0.2" &&
	pgset vp "dst_mac $mac" && pgset vp "udp_dst_min $UDP_PORT" &&
	pgset vp "udp_dst_max $UDP_PORT" && pgset vp "count 200" &&
	pgset vp "pkt_size $((58 + 2 * PAGE))" && pgset vp "frags 2" &&
	pgset vp "ratep 200" || { fail memory-limit "pktgen setup failed"; exit 0; }
[ -w $LIMIT ] && echo 32 >$LIMIT
SMOKE_MODE=remap SMOKE_EXPECT_MEM_LIMIT=1 $SMOKE bound vh \
	"$IP netns exec peer sh -c 'echo start >/proc/net/pktgen/pgctrl'" \
	>/tmp/memory-limit.log 2>&1
rc=$?
[ -w $LIMIT ] && echo $default_limit >$LIMIT
$IP link set vh mtu 9000; $IP -n peer link set vp mtu 9000
cp /tmp/memory-limit.log $OUT/logs/ 2>/dev/null
grep -E '^memory:|FAIL|^global:|^bound: memlimit' /tmp/memory-limit.log | sed 's/^/  /'
[ $rc -eq 0 ] || fail memory-limit "skbremap-smoke bound vh (remap, held_limit_kb=32) failed"
gauges_zero memory-limit 10
dmesg_clean memory-limit
[ -z "${SCENARIO_FAILED:-}" ] && pass memory-limit "$(grep '^bound: memlimit' /tmp/memory-limit.log)"
exit 0
