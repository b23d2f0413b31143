# remapd's filter expression, compiled by libpcap and run in skbremap's
# hook, selects the same packets tcpdump's own copy of the expression does:
# ICMP echo and UDP frames of 3000 bytes or more, on lo. The module must
# count the rest as filtered (they are never queued or remapped).
. /vm/lib.sh
UDP_MAX=4000
EXPR='icmp or (udp and greater 3000)'
have_module filter && have_remapd filter || exit 0
module_loaded || { fail filter "skbremap is not loaded"; exit 0; }

TCPDUMP_FILTER=$EXPR tcpdump_start lo $OUT/filter-tcpdump.pcap ||
	{ fail filter "tcpdump did not start"; exit 0; }
if ! REMAPD_FILTER=$EXPR remapd_start lo $OUT/filter.pcap; then
	fail filter "remapd exited at start: $(remapd_why)"
	tcpdump_stop filter $OUT/filter-tcpdump.pcap
	exit 0
fi
traffic 127.0.0.1
remapd_stop filter $OUT/filter.pcap
tcpdump_stop filter $OUT/filter-tcpdump.pcap
# Frame length 14 + 20 + 8 + payload >= 3000: payloads 2958..UDP_MAX.
compare_later filter filter.pcap filter-tcpdump.pcap $((2 * PING_COUNT + UDP_MAX - 2958 + 1))
dmesg_clean filter
[ -z "${SCENARIO_FAILED:-}" ] && pass filter "'$EXPR' in remapd, pcaps compared on the host"

# The brief: the filter runs in the kernel, so unselected packets are never
# queued or remapped. remapd falls back to filtering in user space (with a
# warning) when the module lacks SKBREMAP_FEAT_FILTER: that is a failure here.
filtered=$(sed -n 's/.*skbremap: seen.* filtered \([0-9]*\),.*/\1/p' $OUT/filter.pcap.log | tail -n 1)
note "$($GAUGES version 2>&1); packets the module's hook filtered: ${filtered:-?}"
if [ "${filtered:-0}" -gt 0 ]; then
	pass filter-in-hook "$filtered packets rejected in skbremap's hook"
else
	fail filter-in-hook "skbremap's hook filtered nothing: $(grep -o 'cannot run filters[^:]*' $OUT/filter.pcap.log || echo 'see filter.pcap.log')"
fi
