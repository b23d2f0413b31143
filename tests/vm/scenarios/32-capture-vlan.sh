# VLAN 100 over the veth pair: the sender's 802.1Q tag travels in skb
# metadata (veth offloads it), so the taps on vh never see it in the data.
# tcpdump (libpcap) puts it back from the metadata; remapd must too
# (SKBREMAP_PKT_VLAN), byte for byte.
. /vm/lib.sh
UDP_MAX=3000
veth_setup || { fail capture-vlan "veth/VLAN setup failed"; exit 0; }
have_module capture-vlan && have_remapd capture-vlan || exit 0
module_loaded || { fail capture-vlan "skbremap is not loaded"; exit 0; }

tcpdump_start vh $OUT/vlan-tcpdump.pcap || { fail capture-vlan "tcpdump did not start"; exit 0; }
if ! remapd_start vh $OUT/vlan.pcap; then
	fail capture-vlan "remapd exited at start: $(remapd_why)"
	tcpdump_stop capture-vlan $OUT/vlan-tcpdump.pcap
	exit 0
fi
traffic 10.99.100.1 peer
remapd_stop capture-vlan $OUT/vlan.pcap
tcpdump_stop capture-vlan $OUT/vlan-tcpdump.pcap
compare_later capture-vlan vlan.pcap vlan-tcpdump.pcap "$(expected_packets)"
dmesg_clean capture-vlan
[ -z "${SCENARIO_FAILED:-}" ] && pass capture-vlan "pcaps compared on the host"
