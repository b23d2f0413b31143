# (c) the same on a veth pair with MTU 9000: the peer lives in a netns and
# sends; remapd and tcpdump capture the root side.
. /vm/lib.sh
grep -q '^veth ' /proc/modules || modprobe veth
$IP netns add peer &&
	$IP link add vh mtu 9000 type veth peer name vp mtu 9000 netns peer &&
	$IP addr add 10.99.0.1/24 dev vh && $IP link set vh up &&
	$IP -n peer addr add 10.99.0.2/24 dev vp && $IP -n peer link set vp up &&
	$IP -n peer link set lo up ||
	{ fail capture-veth "veth pair setup failed"; exit 0; }
$IP -d link show vh | sed 's/^/  /'
have_module capture-veth && have_remapd capture-veth || exit 0
module_loaded || { fail capture-veth "skbremap is not loaded"; exit 0; }
# Resolve ARP before the captures start: only the test traffic is compared.
$IP netns exec peer $PING -q -c 1 10.99.0.1 >/dev/null

tcpdump_start vh $OUT/veth-tcpdump.pcap || { fail capture-veth "tcpdump did not start"; exit 0; }
if ! remapd_start vh $OUT/veth.pcap; then
	fail capture-veth "remapd exited at start"
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
