# Fanout groups on the real module: remapd -j 2 opens two captures of one
# SKBREMAP_IOC_FANOUT group (hash, rollover) on vh, one consumer thread
# each. Traffic: UDP both ways (root -> peer and peer -> root, port
# UDP_PORT), 20 TCP connections (udpsend -t: 20 flows, each both ways) and
# ping, over the veth pair; tcpdump captures the same ("udp or tcp", the
# filter in both, so ARP and ICMP stay out of the files). Checks:
#   fanout          remapd -j 2 -w fo.pcap: fo.0.pcap and fo.1.pcap; each
#                   equals, packet for packet, tcpdump's capture cut to the
#                   flows that member holds; together they hold every packet
#                   of tcpdump's (the union is the oracle, none twice); no
#                   flow in both files (both directions in one member);
#                   both members got flows; remapctl status shows the group
#   fanout-merge    remapd -j 2 --merge -w fom.pcap (another group, at the
#                   same time): one file in timestamp order equal to
#                   tcpdump's capture
. /vm/lib.sh
EXPR='udp or tcp'
UDP_MAX=600
TCP_PORT=47475
veth_setup || { fail fanout "veth pair setup failed"; exit 0; }
have_module fanout && have_remapd fanout || exit 0
module_loaded || { fail fanout "skbremap is not loaded"; exit 0; }
FO_OPTS="$REMAPD_OPTS -j 2 --fanout-mode hash"

TCPDUMP_FILTER=$EXPR tcpdump_start vh $OUT/fo-tcpdump.pcap ||
	{ fail fanout "tcpdump did not start"; exit 0; }
if ! REMAPD_FILTER=$EXPR REMAPD_OPTS="$FO_OPTS --merge" remapd_start vh $OUT/fom.pcap; then
	fail fanout-merge "remapd -j 2 --merge exited at start: $(remapd_why)"
	tcpdump_stop fanout $OUT/fo-tcpdump.pcap
	exit 0
fi
merge_pid=$REMAPD_PID merge_log=$REMAPD_LOG
if ! REMAPD_FILTER=$EXPR REMAPD_OPTS="$FO_OPTS" remapd_start vh $OUT/fo.pcap; then
	fail fanout "remapd -j 2 exited at start: $(remapd_why)"
	tcpdump_stop fanout $OUT/fo-tcpdump.pcap
	exit 0
fi
$REMAPCTL status 2>&1 | grep -E '^CAPTURE|fanout' | sed 's/^/  remapctl: /' | tee $OUT/fo-status.txt
members=$(grep -c 'fanout .*group' $OUT/fo-status.txt)
[ "$members" -ge 4 ] || fail fanout "remapctl status shows $members group members, want 4 (2 per remapd)"

$UDPSEND -l $UDP_PORT >/dev/null 2>&1 &
bg_track $!
$IP netns exec peer $UDPSEND -l $UDP_PORT >/dev/null 2>&1 &
bg_track $!
$IP netns exec peer $UDPSEND -tl $TCP_PORT >/dev/null 2>&1 &
bg_track $!
sleep 0.5
$UDPSEND 10.99.0.2 $UDP_PORT 1 $UDP_MAX | sed 's/^/  /'
$IP netns exec peer $UDPSEND 10.99.0.1 $UDP_PORT 1 $UDP_MAX | sed 's/^/  /'
$UDPSEND -t 10.99.0.2 $TCP_PORT 20 3000 | sed 's/^/  /'
$PING -q -c 5 -i 0.05 10.99.0.2 | sed 's/^/  /'
sleep 2

remapd_stop fanout $OUT/fo.pcap
REMAPD_PID=$merge_pid REMAPD_LOG=$merge_log remapd_stop fanout-merge $OUT/fom.pcap
tcpdump_stop fanout $OUT/fo-tcpdump.pcap

# The flows of a file: "A.p B.q" with the two ends in sorted order.
flows() {
	$TCPDUMP -r "$1" -nn 2>/dev/null | awk '$2 == "IP" || $2 == "IP6" {
		a = $3; b = $5; sub(/:$/, "", b)
		if (a > b) { t = a; a = b; b = t }
		print a, b }' | sort -u
}
# A tcpdump filter for a list of flows (host and port of both ends).
flow_filter() {
	awk '{ na = split($1, a, "."); nb = split($2, b, ".")
		ha = a[1] "." a[2] "." a[3] "." a[4]; hb = b[1] "." b[2] "." b[3] "." b[4]
		printf "%s(host %s and host %s and port %s and port %s)", (NR > 1 ? " or " : ""), ha, hb, a[na], b[nb] }' "$1"
}
total=$($TCPDUMP -r $OUT/fo-tcpdump.pcap -nn 2>/dev/null | wc -l)
sum=0
for k in 0 1; do
	f=$OUT/fo.$k.pcap
	[ -s "$f" ] || { fail fanout "no $f"; continue; }
	n=$($TCPDUMP -r "$f" -nn 2>/dev/null | wc -l)
	sum=$((sum + n))
	flows "$f" >$OUT/fo.$k.flows
	note "member $k: $n packets, $(wc -l <$OUT/fo.$k.flows) flows"
	if [ -s $OUT/fo.$k.flows ]; then
		$TCPDUMP -r $OUT/fo-tcpdump.pcap -w $OUT/fo-tcpdump.$k.pcap "$(flow_filter $OUT/fo.$k.flows)" 2>/dev/null ||
			fail fanout "cannot cut tcpdump's capture to member $k's flows"
		compare_later fanout-$k fo.$k.pcap fo-tcpdump.$k.pcap all
	else
		fail fanout "member $k got no flow (the hash put all $(flows $OUT/fo-tcpdump.pcap | wc -l) on the other)"
	fi
done
split=$(cat $OUT/fo.0.flows $OUT/fo.1.flows 2>/dev/null | sort | uniq -d | wc -l)
note "tcpdump: $total packets, $(flows $OUT/fo-tcpdump.pcap | wc -l) flows; members together: $sum; flows in both: $split"
[ "$split" -eq 0 ] || fail fanout "$split flows split over both members: $(cat $OUT/fo.0.flows $OUT/fo.1.flows | sort | uniq -d | head -n 3 | tr '\n' ';')"
[ "$total" -gt 0 ] && [ "$sum" -eq "$total" ] ||
	fail fanout "the members hold $sum packets, tcpdump $total"
compare_later fanout-merge fom.pcap fo-tcpdump.pcap all
grep -E 'member|fanout' $OUT/fo.pcap.log $merge_log | sed 's/^/  /' | tail -n 12
dmesg_clean fanout
[ -z "${SCENARIO_FAILED:-}" ] && pass fanout "2 members, $sum packets, no flow split; pcaps compared on the host"
