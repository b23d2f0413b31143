# True zero-copy remap (issue 3): packets whose data lie in whole,
# exclusive page frags get those very pages inserted into remapd's window.
# pktgen with "frags N" builds such skbs (its frag pages are order-0
# pages it allocated, offset 0, PAGE_SIZE long: what TCP zerocopy receive
# would map too); over the veth pair (MTU raised to 65000) they reach vh's
# tap with the frags intact. Checks:
#   remap           --mode remap, 1, 2, 4 and 15 frag pages, with and
#                   without extra head bytes: every packet REMAPped, the
#                   pages counted, pcap equal to tcpdump's byte for byte;
#   remap-adaptive  --mode adaptive --copy-threshold 4096 -s 5000: small
#                   frames go to the ring, 2-page frames are remapped up
#                   to the snaplen and their tail is copied; equal to
#                   tcpdump -s 5000;
#   remap-param     the copy_threshold module parameter sets adaptive's
#                   threshold when remapd configures none;
#   remap-sigkill   remapd killed holding remapped windows: every page,
#                   skb and mapping comes back.
. /vm/lib.sh
PKT_COUNT=60
PKT_RATE=100
veth_setup || { fail remap "veth pair setup failed"; exit 0; }
load_module pktgen || { fail remap "modprobe pktgen failed"; exit 0; }
have_module remap && have_remapd remap || exit 0
module_loaded || { fail remap "skbremap is not loaded"; exit 0; }
[ -z "${SKBREMAP_MODE:-}" ] || { skip 36-remap "skbremap.mode=$SKBREMAP_MODE pins one mode"; exit 0; }

$IP link set vh mtu 65000 && $IP -n peer link set vp mtu 65000 ||
	{ fail remap "cannot raise the veth MTU to 65000"; exit 0; }
restore_mtu() { $IP link set vh mtu 9000; $IP -n peer link set vp mtu 9000; }

mac=$(cat /sys/class/net/vh/address)
pg_setup() {
	pgset kpktgend_0 "rem_device_all" && pgset kpktgend_0 "add_device vp" &&
		pgset vp "clone_skb 0" && pgset vp "dst 10.99.0.1" &&
		pgset vp "src_min 10.99.0.2" && pgset vp "src_max 10.99.0.2" &&
		pgset vp "dst_mac $mac" &&
		pgset vp "udp_dst_min $UDP_PORT" && pgset vp "udp_dst_max $UDP_PORT"
}
# pg_send COUNT SIZE FRAGS [RATE]: (no RATE: unpaced) frames of SIZE bytes (pktgen counts
# Ethernet + IPv4 + UDP + its 16-byte header in it), the payload after the
# header in FRAGS page frags; "start" returns when COUNT are sent.
pg_send() {
	pgset vp "count $1" && pgset vp "pkt_size $2" && pgset vp "frags $3" &&
		pgset vp "${4:+ratep $4}${4:-delay 0}" && pgset pgctrl start || return 1
	$IP netns exec peer cat /proc/net/pktgen/vp | grep -E '^Result' | sed 's/^/  pktgen: /'
}
# The frames: 14 + 20 + 8 + 16 bytes of headers in the linear part, then
# N whole pages (SIZE = 58 + N * 4096); "+100" puts 100 more bytes in the
# linear part, so the remapped pages start 158 bytes into the packet.
PAGE=4096
stat_of() {	# stat_of LOG: "<remapped> <pages>" from remapd's summary
	sed -n 's/.* \([0-9]*\) remapped (\([0-9]*\) packet pages inserted).*/\1 \2/p' "$1" | tail -n 1
}

pg_setup || { fail remap "pktgen setup failed"; restore_mtu; exit 0; }
$UDPSEND -l $UDP_PORT >/dev/null 2>&1 &
sink=$!
bg_track $sink

# --- remap: every frame remapped
want_pkts=0 want_pages=0
tcpdump_start vh $OUT/remap-tcpdump.pcap || { fail remap "tcpdump did not start"; restore_mtu; exit 0; }
if REMAPD_OPTS="$REMAPD_OPTS --mode remap" remapd_start vh $OUT/remap.pcap; then
	for spec in 1:0 2:0 4:0 15:0 2:100 15:100; do
		n=${spec%:*} extra=${spec#*:}
		pg_send $PKT_COUNT $((58 + extra + n * PAGE)) $n $PKT_RATE ||
			fail remap "pktgen run of $n frags failed"
		want_pkts=$((want_pkts + PKT_COUNT))
		want_pages=$((want_pages + PKT_COUNT * n))
	done
	sleep 2
	remapd_stop remap $OUT/remap.pcap
	tcpdump_stop remap $OUT/remap-tcpdump.pcap
	compare_later remap remap.pcap remap-tcpdump.pcap $want_pkts
	got=$(stat_of $OUT/remap.pcap.log)
	note "remapped, pages: ${got:-none} (want $want_pkts $want_pages)"
	[ "$got" = "$want_pkts $want_pages" ] ||
		fail remap "remapd's summary says '${got:-nothing}' remapped/pages, want '$want_pkts $want_pages'"
else
	fail remap "remapd --mode remap exited at start: $(remapd_why)"
	tcpdump_stop remap $OUT/remap-tcpdump.pcap
fi
dmesg_clean remap
[ -z "${SCENARIO_FAILED:-}" ] && pass remap "$want_pkts frames of 1..15 frag pages, $want_pages pages remapped"

# --- adaptive: ring below the threshold, remap + copied tail above it
SCENARIO_FAILED=
SNAP=5000
TCPDUMP_OPTS="-s $SNAP" tcpdump_start vh $OUT/remap-adaptive-tcpdump.pcap ||
	{ fail remap-adaptive "tcpdump did not start"; restore_mtu; exit 0; }
if REMAPD_OPTS="$REMAPD_OPTS --mode adaptive --copy-threshold $PAGE -s $SNAP" \
	remapd_start vh $OUT/remap-adaptive.pcap; then
	pg_send $PKT_COUNT 60 0 $PKT_RATE && pg_send $PKT_COUNT $((58 + 2 * PAGE)) 2 $PKT_RATE ||
		fail remap-adaptive "pktgen failed"
	sleep 2
	remapd_stop remap-adaptive $OUT/remap-adaptive.pcap
	tcpdump_stop remap-adaptive $OUT/remap-adaptive-tcpdump.pcap
	compare_later remap-adaptive remap-adaptive.pcap remap-adaptive-tcpdump.pcap $((2 * PKT_COUNT))
	# 58 + 4096 <= 5000: the first page is whole within the snaplen and
	# remapped; the second is cut: its first 846 bytes are copied.
	got=$(stat_of $OUT/remap-adaptive.pcap.log)
	note "remapped, pages: ${got:-none} (want $PKT_COUNT $PKT_COUNT)"
	[ "$got" = "$PKT_COUNT $PKT_COUNT" ] ||
		fail remap-adaptive "remapd's summary says '${got:-nothing}' remapped/pages, want '$PKT_COUNT $PKT_COUNT'"
	grep -q " $PKT_COUNT copied\|$PKT_COUNT copied" $OUT/remap-adaptive.pcap.log ||
		note "copied count not $PKT_COUNT: $(grep -o '[0-9]* copied' $OUT/remap-adaptive.pcap.log | tail -n 1)"
else
	fail remap-adaptive "remapd --mode adaptive exited at start: $(remapd_why)"
	tcpdump_stop remap-adaptive $OUT/remap-adaptive-tcpdump.pcap
fi
dmesg_clean remap-adaptive
[ -z "${SCENARIO_FAILED:-}" ] && pass remap-adaptive "$PKT_COUNT ring + $PKT_COUNT remapped frames cut at $SNAP"

# --- the module parameter: the threshold of captures that configure none
SCENARIO_FAILED=
PARAM=/sys/module/skbremap/parameters/copy_threshold
if echo $PAGE >$PARAM && REMAPD_OPTS="$REMAPD_OPTS --mode adaptive" \
	remapd_start vh /dev/null $OUT/remap-param.log; then
	pg_send 20 $((58 + 2 * PAGE)) 2 $PKT_RATE || fail remap-param "pktgen failed"
	sleep 1
	remapd_stop remap-param /dev/null
	grep -q "copy threshold $PAGE bytes" $OUT/remap-param.log ||
		fail remap-param "remapd's summary does not show the module's copy_threshold $PAGE: $(grep -o 'copy threshold [0-9]* bytes' $OUT/remap-param.log)"
	got=$(stat_of $OUT/remap-param.log)
	[ "$got" = "20 40" ] || fail remap-param "remapped/pages '${got:-nothing}', want '20 40'"
	[ -z "${SCENARIO_FAILED:-}" ] && pass remap-param "copy_threshold=$PAGE from the module parameter: 20 frames remapped"
else
	fail remap-param "no $PARAM or remapd exited at start: $(remapd_why)"
fi
echo 0 >$PARAM 2>/dev/null

# --- SIGKILL with remapped pages in user space
SCENARIO_FAILED=
if REMAPD_OPTS="$REMAPD_OPTS --mode remap" remapd_start vh /dev/null $OUT/remap-sigkill.log; then
	# Unpaced: windows are full of skb pages when it dies.
	pgset vp "count 0" && pgset vp "pkt_size $((58 + 4 * PAGE))" &&
		pgset vp "frags 4" && pgset vp "delay 0" || fail remap-sigkill "pktgen setup failed"
	$IP netns exec peer sh -c 'echo start >/proc/net/pktgen/pgctrl' &
	pg=$!
	bg_track $pg
	# Kill it while it holds skbs (remapped windows in user space).
	i=0
	while [ $i -lt 50 ]; do
		held=$($GAUGES global 2>&1)
		case $held in *skbs_held=0*) ;; *) [ $i -ge 10 ] && break ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 $REMAPD_PID
	wait $REMAPD_PID 2>/dev/null
	note "at SIGKILL: $held"
	$IP netns exec peer sh -c 'echo stop >/proc/net/pktgen/pgctrl'
	wait $pg 2>/dev/null
	gauges_zero remap-sigkill 10 && dmesg_clean remap-sigkill &&
		[ -z "${SCENARIO_FAILED:-}" ] && pass remap-sigkill "killed holding ${held#captures=* }; gauges back to 0"
else
	fail remap-sigkill "remapd exited at start: $(remapd_why)"
fi
kill $sink
restore_mtu
