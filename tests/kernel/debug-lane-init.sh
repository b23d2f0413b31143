#!/bin/sh
# /init of the debug lane's adversarial boot (tests/kernel/debug-lane.sh
# fills in the @...@ figures). Every step that fails prints "FAIL: ..." and
# the lane fails; the last line is "ADV-LANE PASS" only when all passed.
export PATH=/bin
IP=/usr/sbin/ip
SEED=@SEED@
ADV="/adversarial --seed"
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
failed=0
fail() { echo "FAIL: $*"; failed=1; }
give_up() { echo "FAIL: $*"; dmesg | tail -n 40; sync; reboot -f; }
memfree() { sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
echo "debug-lane: seed $SEED, $(nproc) CPUs, kernel $(uname -r)"
[ "$(nproc)" -ge 2 ] || fail "$(nproc) CPU: the races need two"
t0=$(cut -d. -f1 /proc/uptime)

# Whatever kmemleak found before the module existed is not ours: clear it,
# so that the scans at the end must find nothing at all.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
else
	fail "no kmemleak in this kernel"
fi
[ -r /proc/lockdep_stats ] || fail "no lockdep in this kernel"
if [ -f /modules.list ]; then
	for m in $(cat /modules.list); do insmod "$m" || give_up "insmod $m"; done
	sleep 1
fi

$IP link set lo up
insmod /pktgen.ko || give_up "insmod pktgen"
sync
echo 3 >/proc/sys/vm/drop_caches
mem0=$(memfree)
insmod /skbremap.ko || give_up "insmod skbremap"
PARAMS=/sys/module/skbremap/parameters

# The capture interface: vh (root netns, 10.99.0.1) - vp (netns peer),
# flooded by pktgen in peer with frames whose payload is one whole page
# frag (the pages REMAP may insert), 58 + 4096 bytes.
$IP netns add peer &&
	$IP link add vh mtu 9000 type veth peer name vp mtu 9000 netns peer &&
	$IP addr add 10.99.0.1/24 dev vh && $IP link set vh up &&
	$IP -n peer addr add 10.99.0.2/24 dev vp && $IP -n peer link set vp up &&
	$IP -n peer link set lo up || give_up "veth setup"
pgset() { $IP netns exec peer sh -c "echo '$2' >/proc/net/pktgen/$1" || fail "pktgen: $2"; }
pgset kpktgend_0 "rem_device_all"
pgset kpktgend_0 "add_device vp"
pgset vp "count 0"
pgset vp "clone_skb 0"
pgset vp "pkt_size 4154"
pgset vp "frags 1"
pgset vp "ratep ${PKTGEN_RATE:-4000}"
pgset vp "dst 10.99.0.1"
pgset vp "src_min 10.99.0.2"
pgset vp "src_max 10.99.0.2"
pgset vp "dst_mac $(cat /sys/class/net/vh/address)"
pgset vp "udp_dst_min 9"
pgset vp "udp_dst_max 9"
$IP netns exec peer sh -c 'echo start >/proc/net/pktgen/pgctrl' &
pg=$!
sleep 1

# lane mode -> module mode, direct_copy, copy_threshold and
# test_calibrated_threshold (a calibration's result replaced: under TCG the
# measurement always says "never remap")
for lm in bounce ring-worker ring-direct remap adaptive adaptive-calibrated; do
	tct=0
	case $lm in
	bounce) mode=bounce dc=1 ct=0 ;;
	ring-worker) mode=ring dc=0 ct=0 ;;
	ring-direct) mode=ring dc=1 ct=0 ;;
	remap) mode=remap dc=1 ct=0 ;;
	adaptive) mode=adaptive dc=1 ct=1000 ;;
	adaptive-calibrated) mode=adaptive dc=1 ct=0 tct=1000 ;;
	esac
	echo $dc >$PARAMS/direct_copy || fail "direct_copy=$dc"
	echo $ct >$PARAMS/copy_threshold || fail "copy_threshold=$ct"
	echo $tct >$PARAMS/test_calibrated_threshold || fail "test_calibrated_threshold=$tct"
	echo "== $lm: mode $mode, direct_copy $dc, copy_threshold $ct, test_calibrated_threshold $tct"
	s=$((SEED + 1))
	for step in "scribble vh $mode @WRITES@" "canary vh $mode @MIB@" \
		"mm vh $mode /dev/vda" "kill vh $mode @KILLS@"; do
		s=$((s + 1))
		case " @STEPS@ " in *" ${step%% *} "*) ;; *) continue ;; esac
		if ADV_LABEL=$lm $ADV $s $step; then
			echo "ADV-MODE $lm ${step%% *} PASS (at $(cut -d" " -f1 /proc/uptime) s)"
		else
			fail "$lm: adversarial --seed $s $step"
		fi
		/adversarial global 10 >/tmp/g.log || { cat /tmp/g.log; fail "$lm ${step%% *}: gauges not 0"; }
	done
done
echo 1 >$PARAMS/direct_copy
echo 0 >$PARAMS/copy_threshold
echo 0 >$PARAMS/test_calibrated_threshold

echo "== ioctl fuzzing"
$ADV $((SEED + 100)) ioctl vh @IOCTLS@ || fail "adversarial --seed $((SEED + 100)) ioctl vh @IOCTLS@"
/adversarial global 10 || fail "ioctl: gauges not 0"

echo "== fanout groups: the ioctl's rules, join/leave races under the flood"
$ADV $((SEED + 102)) fanout vh 30 || fail "adversarial --seed $((SEED + 102)) fanout vh 30"
/adversarial global 10 || fail "fanout: gauges not 0"

echo "== rmmod while capturing"
$ADV $((SEED + 101)) busy vh ring || fail "adversarial busy"
lsmod | grep -q '^skbremap' || give_up "skbremap went away while busy"

# The bound interface deleted; the netns of its veth peer destroyed
# (cleanup_net unregisters the peer, which takes the bound end with it).
gone() {	# gone NAME NS NET HOW
	$IP netns add "$2" &&
		$IP link add "$1" type veth peer name "$1p" netns "$2" &&
		$IP addr add "10.$3.0.1/24" dev "$1" && $IP link set "$1" up &&
		$IP -n "$2" addr add "10.$3.0.2/24" dev "$1p" &&
		$IP -n "$2" link set "$1p" up || { fail "gone $4: setup"; return; }
	/skbremap-smoke gone "$1" "10.$3.0.2" >/tmp/gone.log 2>&1 &
	g=$!
	i=0
	while ! grep -q GONE-READY /tmp/gone.log; do
		sleep 1; i=$((i + 1))
		[ $i -lt 60 ] || { cat /tmp/gone.log; fail "gone $4 did not start"; kill $g; return; }
	done
	case $4 in
	link-del) $IP link del "$1" ;;
	netns-del) $IP netns del "$2" ;;
	esac
	if wait $g; then echo "ADV-GONE $4 PASS"; else cat /tmp/gone.log; fail "gone $4"; fi
	$IP netns del "$2" 2>/dev/null
}
echo "== bound interface deleted"
gone vg gone1 98 link-del
echo "== peer netns destroyed"
gone vn gone2 97 netns-del

$IP netns exec peer sh -c 'echo stop >/proc/net/pktgen/pgctrl'
wait $pg
$IP netns exec peer cat /proc/net/pktgen/vp | grep -E 'Result|pkts-sofar'

echo "== the end: gauges, kmemleak, rmmod"
/adversarial global 10 || fail "gauges not 0 at the end"
echo scan >/sys/kernel/debug/kmemleak
sleep 5
echo scan >/sys/kernel/debug/kmemleak
# (debugfs files report size 0: read it out first)
cat /sys/kernel/debug/kmemleak >/tmp/kmemleak
if [ ! -w /sys/kernel/debug/kmemleak ]; then
	fail "no kmemleak"
elif [ -s /tmp/kmemleak ]; then
	cat /tmp/kmemleak
	fail "kmemleak reports"
else
	echo "kmemleak: empty after two scans"
fi
if rmmod skbremap; then echo "rmmod: ok"; else fail "rmmod"; fi
grep -E "debug_locks|lock-classes" /proc/lockdep_stats
grep -qE "debug_locks: +1" /proc/lockdep_stats || fail "lockdep turned itself off"
sync
echo 3 >/proc/sys/vm/drop_caches
mem1=$(memfree)
echo "MemFree: before ${mem0} kB, after ${mem1} kB, delta $((mem1 - mem0)) kB"
# Generous: kmemleak's and lockdep's own bookkeeping grows over the run.
[ $((mem0 - mem1)) -lt 65536 ] || fail "MemFree fell by $((mem0 - mem1)) kB"
echo "debug-lane: guest time $(($(cut -d. -f1 /proc/uptime) - t0)) s"
[ $failed -eq 0 ] && echo "ADV-LANE PASS"
sync
reboot -f
