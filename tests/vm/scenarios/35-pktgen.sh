# pktgen in the peer netns sends PKTGEN_COUNT UDP frames of random sizes
# (60..9014 bytes, flag TXSIZE_RND) at PKTGEN_RATE packets/s over the veth pair: traffic
# the socket layer never built. remapd and tcpdump capture them on vh.
. /vm/lib.sh
PKTGEN_COUNT=2000
PKTGEN_RATE=500
veth_setup || { fail pktgen "veth pair setup failed"; exit 0; }
load_module pktgen || { fail pktgen "modprobe pktgen failed"; exit 0; }
have_module pktgen && have_remapd pktgen || exit 0
module_loaded || { fail pktgen "skbremap is not loaded"; exit 0; }

mac=$(cat /sys/class/net/vh/address)
pgset kpktgend_0 "rem_device_all" && pgset kpktgend_0 "add_device vp" &&
	pgset vp "count $PKTGEN_COUNT" && pgset vp "clone_skb 0" &&
	pgset vp "min_pkt_size 60" && pgset vp "max_pkt_size 9014" &&
	pgset vp "flag TXSIZE_RND" && pgset vp "ratep $PKTGEN_RATE" &&
	pgset vp "dst 10.99.0.1" && pgset vp "src_min 10.99.0.2" && pgset vp "src_max 10.99.0.2" &&
	pgset vp "dst_mac $mac" &&
	pgset vp "udp_dst_min $UDP_PORT" && pgset vp "udp_dst_max $UDP_PORT" ||
	{ fail pktgen "pktgen setup failed"; exit 0; }

tcpdump_start vh $OUT/pktgen-tcpdump.pcap || { fail pktgen "tcpdump did not start"; exit 0; }
if ! remapd_start vh $OUT/pktgen.pcap; then
	fail pktgen "remapd exited at start: $(remapd_why)"
	tcpdump_stop pktgen $OUT/pktgen-tcpdump.pcap
	exit 0
fi
$UDPSEND -l $UDP_PORT >/dev/null 2>&1 &
sink=$!
bg_track $sink
# "start" returns when the count is sent.
pgset pgctrl start
$IP netns exec peer cat /proc/net/pktgen/vp | grep -E 'Result|pkts-sofar' | sed 's/^/  pktgen: /'
sleep 2
kill $sink
remapd_stop pktgen $OUT/pktgen.pcap
tcpdump_stop pktgen $OUT/pktgen-tcpdump.pcap
compare_later pktgen pktgen.pcap pktgen-tcpdump.pcap $PKTGEN_COUNT
dmesg_clean pktgen
[ -z "${SCENARIO_FAILED:-}" ] && pass pktgen "$PKTGEN_COUNT frames, pcaps compared on the host"
