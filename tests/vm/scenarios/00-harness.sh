# The harness checks itself, with no skbremap involved: the network modules
# load, tcpdump captures, and two independent tcpdumps of the same lo traffic
# agree on the host (proves the oracle and the host-side compare).
. /vm/lib.sh
UDP_MAX=2000

if load_module veth && load_module pktgen; then
	pass modules-veth-pktgen "$(grep -E '^(veth|pktgen) ' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')"
else
	fail modules-veth-pktgen "modprobe veth/pktgen failed"
fi

if ! tcpdump_start lo $OUT/harness-a.pcap; then
	fail harness-oracle "first tcpdump did not start"
	exit 0
fi
a=$TCPDUMP_PID
if ! tcpdump_start lo $OUT/harness-b.pcap; then
	fail harness-oracle "second tcpdump did not start"
	exit 0
fi
b=$TCPDUMP_PID
traffic 127.0.0.1
TCPDUMP_PID=$a tcpdump_stop harness-oracle $OUT/harness-a.pcap &&
TCPDUMP_PID=$b tcpdump_stop harness-oracle $OUT/harness-b.pcap &&
	pass harness-oracle "two tcpdumps of lo, compared on the host"
compare_later harness-lo harness-a.pcap harness-b.pcap "$(expected_packets)"
