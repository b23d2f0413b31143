# STOP and START of an adaptive capture while user space holds windows
# whose slots showed remapped skb pages (skbremap-smoke restart): after
# the restart every marked packet must arrive byte for byte, also in the
# slots that showed skb pages before, and no WARN. The calibration under
# TCG never picks a threshold the remap path can take, so the test-only
# module parameter test_calibrated_threshold stands in for a host where
# remapping is cheaper; pktgen's 2-frag frames over the veth pair are the
# remappable packets (as in 36-remap).
. /vm/lib.sh
SMOKE=/vm/skbremap-smoke
PAGE=4096
have_module restart || exit 0
[ -x $SMOKE ] || { fail restart "no skbremap-smoke in the initramfs"; exit 0; }
module_loaded || { fail restart "skbremap is not loaded"; exit 0; }
veth_setup || { fail restart "veth pair setup failed"; exit 0; }
load_module pktgen || { fail restart "modprobe pktgen failed"; exit 0; }
PARAM=/sys/module/skbremap/parameters/test_calibrated_threshold
[ -w $PARAM ] || { fail restart "no $PARAM"; exit 0; }

$IP link set vh mtu 65000 && $IP -n peer link set vp mtu 65000 ||
	{ fail restart "cannot raise the veth MTU to 65000"; exit 0; }
mac=$(cat /sys/class/net/vh/address)
pgset kpktgend_0 "rem_device_all" && pgset kpktgend_0 "add_device vp" &&
	pgset vp "clone_skb 0" && pgset vp "dst 10.99.0.1" &&
	pgset vp "src_min 10.99.0.2" && pgset vp "src_max 10.99.0.2" &&
	pgset vp "dst_mac $mac" && pgset vp "udp_dst_min $UDP_PORT" &&
	pgset vp "udp_dst_max $UDP_PORT" && pgset vp "count 8" &&
	pgset vp "pkt_size $((58 + 2 * PAGE))" && pgset vp "frags 2" &&
	pgset vp "ratep 50" || { fail restart "pktgen setup failed"; exit 0; }
$UDPSEND -l $UDP_PORT >/dev/null 2>&1 &
bg_track $!

echo $PAGE >$PARAM
$SMOKE restart vh 10.99.0.2 \
	"$IP netns exec peer sh -c 'echo start >/proc/net/pktgen/pgctrl'" \
	>/tmp/restart.log 2>&1
rc=$?
echo 0 >$PARAM
$IP link set vh mtu 9000; $IP -n peer link set vp mtu 9000
cp /tmp/restart.log $OUT/logs/ 2>/dev/null
grep -E '^(held|restarted|restart|adaptive):|FAIL' /tmp/restart.log | head -n 30 | sed 's/^/  /'
[ $rc -eq 0 ] || fail restart "skbremap-smoke restart failed"
gauges_zero restart 10
dmesg_clean restart
[ -z "${SCENARIO_FAILED:-}" ] && pass restart "$(grep '^restart:' /tmp/restart.log)"
exit 0
