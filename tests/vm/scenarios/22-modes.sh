# Every delivery path on lo, each against tcpdump: bounce (copied into a
# zeroed page of its own), ring (copied packed into pages mapped once) and
# remap (the packet's own pages inserted where they qualify). The default
# (adaptive, which picks per packet) is what 20-capture-lo runs. A mode the
# module does not offer fails here with remapd's reason.
. /vm/lib.sh
UDP_MAX=8972
have_module modes && have_remapd modes || exit 0
module_loaded || { fail modes "skbremap is not loaded"; exit 0; }
[ -z "${SKBREMAP_MODE:-}" ] || { pass modes "skipped: skbremap.mode=$SKBREMAP_MODE pins one mode"; exit 0; }
base_opts=$REMAPD_OPTS
for mode in bounce ring remap; do
	REMAPD_OPTS="$base_opts --mode $mode"
	tcpdump_start lo $OUT/mode-$mode-tcpdump.pcap || { fail mode-$mode "tcpdump did not start"; continue; }
	if ! remapd_start lo $OUT/mode-$mode.pcap; then
		fail mode-$mode "remapd --mode $mode exited at start: $(remapd_why)"
		tcpdump_stop mode-$mode $OUT/mode-$mode-tcpdump.pcap
		continue
	fi
	traffic 127.0.0.1
	failed_before=${SCENARIO_FAILED:-}
	SCENARIO_FAILED=
	remapd_stop mode-$mode $OUT/mode-$mode.pcap
	tcpdump_stop mode-$mode $OUT/mode-$mode-tcpdump.pcap
	compare_later mode-$mode mode-$mode.pcap mode-$mode-tcpdump.pcap "$(expected_packets)"
	[ -z "${SCENARIO_FAILED:-}" ] && pass mode-$mode "pcaps compared on the host"
	SCENARIO_FAILED=${SCENARIO_FAILED:-$failed_before}
done
dmesg_clean modes
