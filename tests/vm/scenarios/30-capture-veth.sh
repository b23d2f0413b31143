# (c) the same on a veth pair with MTU 9000: the peer lives in a netns and
# sends; remapd and tcpdump capture the root side.
. /vm/lib.sh
veth_setup || { fail capture-veth "veth pair setup failed"; exit 0; }
$IP -d link show vh | sed 's/^/  /'
have_module capture-veth && have_remapd capture-veth || exit 0
module_loaded || { fail capture-veth "skbremap is not loaded"; exit 0; }

tcpdump_start vh $OUT/veth-tcpdump.pcap || { fail capture-veth "tcpdump did not start"; exit 0; }
if ! remapd_start vh $OUT/veth.pcap; then
	fail capture-veth "remapd exited at start: $(remapd_why)"
	tcpdump_stop capture-veth $OUT/veth-tcpdump.pcap
	exit 0
fi
traffic 10.99.0.1 peer
$GAUGES captures 2>&1 | sed 's/^/  gauges: /'
remapd_stop capture-veth $OUT/veth.pcap
tcpdump_stop capture-veth $OUT/veth-tcpdump.pcap
compare_later capture-veth veth.pcap veth-tcpdump.pcap "$(expected_packets)"
dmesg_clean capture-veth
[ -z "${SCENARIO_FAILED:-}" ] && pass capture-veth "pcaps compared on the host"
