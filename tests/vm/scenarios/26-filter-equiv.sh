# Filter equivalence with tcpdump on live traffic (issue 4): for each of the
# expressions below, tcpdump (the oracle) and remapd with the same
# expression capture the same traffic on the same interface at the same
# time; the host compares every pair packet for packet, byte for byte
# (compare-pcaps.sh EXPECTED "all": every packet, the oracle's count is the
# expected count and must be > 0; "none" for those that must select
# nothing). All captures run at once over one burst of traffic, remapd's
# delivery mode cycling through bounce, ring and adaptive. A tcpdump without
# a filter records the whole burst.
#
# The pair eqh (root netns) - eqp (netns "eq") is this scenario's own and
# carries nothing but the burst: the compare takes every packet, so an ARP,
# a neighbour solicitation or an MLD report at the edges of the captures
# would be a difference. Hence static neighbours, IPv6 without link-local
# addresses, DAD, router solicitations or autoconf, and the addresses set
# up before any capture starts. Every remapd's hook must have seen exactly
# the packets of the unfiltered tcpdump.
#
# Per expression, besides the compare: tcpdump dropped nothing; remapd
# exited 0, lost nothing, and the module's hook did the filtering (its
# `filtered` count, none filtered by remapd's user-space fallback), unless
# the kernel refused libpcap's program: that is reported, and passes only
# for an expression listed in REFUSED_OK.
#
# VLAN tags in skb metadata (veth offloads them): libpcap's live filter in
# the kernel runs on the frame WITHOUT its tag (only `vlan` keywords are
# compiled to the kernel's VLAN metadata loads), so live tcpdump's `icmp`
# also selects tagged ICMP, and its `len` is 4 bytes short on tagged
# frames; tcpdump -r of the same frames (tag in the data) does not.
# skbremap's hook puts the tag back before the program runs and so selects
# as `tcpdump -r` does. For the expressions in VLAN_OFFLOAD, which the
# burst's tagged frames hit, this is reported as a DIFF line and checked
# exactly instead: remapd equals tcpdump -r of the unfiltered capture with
# the expression, byte for byte, and live tcpdump differs from that only
# in tagged frames (their untagged parts compared too); and it must differ,
# so the list cannot go stale. Empty VLAN_OFFLOAD to hold them to live
# tcpdump (they then fail until skbremap matches libpcap's live filter).
. /vm/lib.sh
IF=eqh
NS=eq
# remapd's region: the burst is a few hundred packets of at most 1518
# bytes, but 40 captures hold their regions at once (ring and adaptive
# keep every pool page mapped), so smaller than the lane's default.
BASE_OPTS="--windows 16 --pages-per-window 32"
# 41 tcpdumps at once: lib.sh's 32 MB ring each would be 1.3 GB.
TCPDUMP_BUFFER_KB=2048
# adaptive: ring below 1000 bytes, bounce at or above (no remap in the
# module yet), so one capture takes both paths (calibration alone picks a
# threshold above every frame here).
ADAPTIVE_OPTS="--copy-threshold 1000"
# libpcap compiles protochain to a loop (a backward jump), which classic
# BPF in a kernel forbids: remapd warns and filters in user space, as
# libpcap does for tcpdump.
REFUSED_OK='ip6 protochain 6'
VLAN_OFFLOAD='src net 10.77.0.0/16
udp and not port 5001
icmp
ip[8] = 64
less 100
not ip and not ip6'

# The expressions, one per line (tcpdump's syntax; each is one argument of
# both programs); most are the emulator lane's (FilterEquivalenceTests.cs)
# fitted to this burst. Each selects something of it but those in NONE.
# libpcap refuses 'ip6 and tcp[tcpflags] & tcp-syn != 0' (tcp[] loads are
# IPv4-only), hence the ip6[] spelling of an IPv6 SYN.
EXPRESSIONS='host 10.77.0.11
src host 10.77.0.2 and not icmp
dst host 10.77.0.1 and udp
net 172.20.5.0/24
src net 10.77.0.0/16
port 5001
dst port 5004
portrange 6000-6499
tcp src port 7001
udp and not port 5001
tcp
icmp
icmp6
ip6
ip6 and udp port 5004
host fd00:77::2
ip6 net fd00:77::/64
vlan
vlan 100 and udp
vlan and icmp
udp[8:2] = 0x6465
ip[8] = 64
ip[8] < 64
ip[6:2] & 0x1fff != 0
ip[6] & 0x20 != 0
tcp[tcpflags] & tcp-syn != 0
tcp[tcpflags] & tcp-rst != 0
tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0xc8c9cacb
ip6 and ip6[6] = 6 and ip6[40 + 13] & 2 != 0
len >= 1048
greater 1045
less 100
udp and greater 1000 and less 1050
arp or (udp and len <= 70)
not ip and not ip6
ether broadcast
icmp[icmptype] = icmp-unreach or (icmp6 and ip6[40] = 1)
host 192.0.2.1 or udp port 9
vlan 200
ip6 protochain 6'
NONE='host 192.0.2.1 or udp port 9
vlan 200'

# listed LIST EXPR: EXPR is one of LIST's lines.
listed() {
	case "
$1
" in
	*"
$2
"*) return 0 ;;
	esac
	return 1
}

have_module filter-equiv && have_remapd filter-equiv || exit 0
module_loaded || { fail filter-equiv "skbremap is not loaded"; exit 0; }
start=$(date +%s)
elapsed() { echo "$(($(date +%s) - start))s"; }

# --- the pair, quiet ---------------------------------------------------
# eqh 10.77.0.1 10.77.0.11 172.20.5.1 fd00:77::1, eqh.100 10.77.100.1
# eqp 10.77.0.2 172.20.5.2 fd00:77::2, eqp.100 10.77.100.2
v6conf() { # NETNS|"" DEV: IPv6 on, but nothing it would say on its own
	for kv in addr_gen_mode=1 accept_ra=0 router_solicitations=0 accept_dad=0 disable_ipv6=0; do
		${1:+$IP netns exec $1} sysctl -qw "net.ipv6.conf.$2.$kv" || return 1
	done
}
eq_setup() {
	load_module veth && load_module 8021q || return 1
	$IP netns add $NS || return 1
	# A new netns gets IPv6's defaults (enabled, autoconf), not init's.
	$IP netns exec $NS sysctl -qw net.ipv6.conf.default.disable_ipv6=1 &&
		$IP netns exec $NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
		$IP link add $IF type veth peer name eqp netns $NS &&
		$IP link add link $IF name $IF.100 type vlan id 100 &&
		$IP -n $NS link add link eqp name eqp.100 type vlan id 100 &&
		v6conf "" $IF && v6conf $NS eqp || return 1
	hmac=$(cat /sys/class/net/$IF/address)
	pmac=$($IP -n $NS link show eqp | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	[ -n "$hmac" ] && [ -n "$pmac" ] || return 1
	$IP addr add 10.77.0.1/24 dev $IF && $IP addr add 10.77.0.11/24 dev $IF &&
		$IP addr add 172.20.5.1/24 dev $IF && $IP -6 addr add fd00:77::1/64 dev $IF nodad &&
		$IP addr add 10.77.100.1/24 dev $IF.100 &&
		$IP -n $NS addr add 10.77.0.2/24 dev eqp && $IP -n $NS addr add 172.20.5.2/24 dev eqp &&
		$IP -n $NS -6 addr add fd00:77::2/64 dev eqp nodad &&
		$IP -n $NS addr add 10.77.100.2/24 dev eqp.100 || return 1
	for a in 10.77.0.2 172.20.5.2 fd00:77::2; do
		$IP neigh replace $a lladdr "$pmac" nud permanent dev $IF || return 1
	done
	$IP neigh replace 10.77.100.2 lladdr "$pmac" nud permanent dev $IF.100 || return 1
	for a in 10.77.0.1 10.77.0.11 172.20.5.1 fd00:77::1; do
		$IP -n $NS neigh replace $a lladdr "$hmac" nud permanent dev eqp || return 1
	done
	$IP -n $NS neigh replace 10.77.100.1 lladdr "$hmac" nud permanent dev eqp.100 &&
		$IP link set $IF up && $IP link set $IF.100 up &&
		$IP -n $NS link set eqp up && $IP -n $NS link set eqp.100 up && $IP -n $NS link set lo up
}
eq_setup || { fail filter-equiv "veth pair eqh/eqp setup failed"; exit 0; }
$IP addr show dev $IF | sed 's/^/  /'

# The sinks: every UDP port the burst uses but 5999/5998 (closed: ICMP
# and ICMPv6 port unreachable) and TCP 7001 (7002 is closed: SYN, RST).
for p in 5001 5002 5003 5004 6000 6500; do
	$UDPSEND -l6 $p >/dev/null 2>&1 &
	bg_track $!
done
$UDPSEND -tl 7001 >/dev/null 2>&1 &
bg_track $!
# Whatever the setup set off (MLD reports for the solicited-node groups
# of the new addresses go out within ~1 s of the link coming up) is over
# before anything captures: eqh's counters stand still for a second.
counters() { cat /sys/class/net/$IF/statistics/rx_packets /sys/class/net/$IF/statistics/tx_packets | tr '\n' ' '; }
n=0
last=
while [ "$(counters)" != "$last" ]; do
	[ $n -lt 15 ] || { fail filter-equiv "$IF not quiet after 15 s (rx, tx: $(counters))"; exit 0; }
	last=$(counters)
	sleep 1
	n=$((n + 1))
done
note "$IF quiet after ${n}s (packets so far rx, tx: $last)"

# --- every capture, at once ---------------------------------------------
# Launched in the background and then waited for together (the 81 start
# in ~10 s under TCG). tcpdump runs as tcpdump_start runs it (see lib.sh
# for why each option); remapd's mode cycles bounce, ring, adaptive.
ALL=feq-all-tcpdump.pcap
$TCPDUMP -i $IF -nn -U --immediate-mode -B $TCPDUMP_BUFFER_KB -Z root \
	-w $OUT/$ALL >$OUT/$ALL.log 2>&1 &
apid=$!
bg_track $apid
: >/tmp/feq.list
i=0
while IFS= read -r expr; do
	i=$((i + 1))
	id=$(printf 'feq-%02d' $i)
	case $((i % 3)) in
	1) mode=bounce ;;
	2) mode=ring ;;
	0) mode=adaptive ;;
	esac
	# skbremap.mode=M on the kernel command line pins every capture.
	mode=${SKBREMAP_MODE:-$mode}
	$TCPDUMP -i $IF -nn -U --immediate-mode -B $TCPDUMP_BUFFER_KB -Z root \
		-w $OUT/$id-tcpdump.pcap "$expr" >$OUT/$id-tcpdump.pcap.log 2>&1 &
	tpid=$!
	bg_track $tpid
	opts="$BASE_OPTS --mode $mode"
	[ "$mode" = adaptive ] && opts="$opts $ADAPTIVE_OPTS"
	$REMAPD capture --backend kernel -i $IF -w $OUT/$id.pcap $opts \
		-F "$expr" >$OUT/$id.pcap.log 2>&1 &
	rpid=$!
	bg_track $rpid
	echo "$id $mode $tpid $rpid $expr" >>/tmp/feq.list
done <<EOF
$EXPRESSIONS
EOF
note "$i expressions: $((2 * i + 1)) captures launched ($(elapsed))"

# Every tcpdump listening and every remapd's capture running (the module's
# own word, through skbremap-gauges), or give up after 60 s.
waited=0
while :; do
	$GAUGES captures >/tmp/feq.gauges 2>&1
	missing=
	grep -q 'listening on' $OUT/$ALL.log || missing=" feq-all-tcpdump"
	while read -r id mode tpid rpid expr; do
		grep -q 'listening on' $OUT/$id-tcpdump.pcap.log || missing="$missing $id-tcpdump"
		grep -q "pid=$rpid .*running=1" /tmp/feq.gauges || missing="$missing $id-remapd"
	done </tmp/feq.list
	[ -z "$missing" ] && break
	if [ $waited -ge 600 ]; then
		fail filter-equiv "not started after 60 s:$missing"
		for p in $missing; do
			case $p in
			*-tcpdump) f=$OUT/${p%-tcpdump}-tcpdump.pcap.log ;;
			*) f=$OUT/${p%-remapd}.pcap.log ;;
			esac
			tail -n 3 "$f" | sed "s/^/  $p: /"
		done
		exit 0
	fi
	sleep 0.1
	waited=$((waited + 1))
done
note "all captures running ($(elapsed)); $(free | awk '/Mem:/ { print "memory used " int($3 / 1024) " of " int($2 / 1024) " MB" }')"

# --- the burst ---------------------------------------------------------
# From netns eq to the root side (the replies come back): ICMP echo over
# IPv4 (TTL 64 and 32), IPv6 and VLAN 100; UDP to several ports and hosts,
# over IPv4, IPv6 and VLAN 100, sizes across the len/greater/less
# boundaries (frames 62..162 and 1042..1052; 1990..1993 bytes are
# fragmented at MTU 1500); UDP to closed ports (ICMP errors); TCP
# connections with data over IPv4 and IPv6 and to a closed port (SYN,
# RST); ARP requests from the root side.
ns="$IP netns exec $NS"
arping -c 2 -I $IF 10.77.0.2 >/tmp/feq.arping 2>&1 &
arp=$!
{
	$ns $PING -q -c 3 -i 0.2 -p $PING_PATTERN 10.77.0.1
	$ns $PING -q -c 3 -i 0.2 -t 32 10.77.0.11
	$ns $PING -q -6 -c 3 -i 0.2 fd00:77::1
	$ns $PING -q -c 3 -i 0.2 10.77.100.1
	$ns $UDPSEND 10.77.0.1 5001 20 120 2000
	$ns $UDPSEND 10.77.0.11 5002 1000 1010 2000
	$ns $UDPSEND 10.77.0.1 5002 1990 1993 2000
	$ns $UDPSEND 10.77.100.1 5003 30 60 2000
	$ns $UDPSEND fd00:77::1 5004 10 50 2000
	$ns $UDPSEND fd00:77::1 5004 1400 1405 2000
	$ns $UDPSEND 172.20.5.1 6000 10 20 2000
	$ns $UDPSEND 172.20.5.1 6500 10 15 2000
	$ns $UDPSEND 10.77.0.1 5999 1 3 20000
	$ns $UDPSEND fd00:77::1 5998 1 2 20000
	$ns $UDPSEND -t 10.77.0.1 7001 3 200
	$ns $UDPSEND -t fd00:77::1 7001 2 300
	$ns $UDPSEND -t 10.77.0.1 7002 2
} 2>&1 | grep -vE '^(PING|$|---)' | sed 's/^/  /'
wait $arp
sed 's/^/  /' /tmp/feq.arping
# The last frames reach every tap, and the module's retire timeout
# publishes each capture's part-full window, before anyone stops.
sleep 2
note "burst sent ($(elapsed))"

# --- stop: every remapd (one SIGTERM each: a second one ends remapd at
# once, without the drain), then every tcpdump --------------------------
while read -r id mode tpid rpid expr; do
	kill -TERM $rpid 2>/dev/null
done </tmp/feq.list
# wait_gone PID SECONDS: until PID has exited; its status, 137 if killed.
wait_gone() {
	j=0
	while kill -0 "$1" 2>/dev/null && [ $j -lt $(($2 * 10)) ]; do
		sleep 0.1
		j=$((j + 1))
	done
	kill -0 "$1" 2>/dev/null && { echo "  pid $1 still alive after ${2}s: SIGKILL"; kill -9 "$1"; }
	wait "$1"
}
: >/tmp/feq.rc
while read -r id mode tpid rpid expr; do
	wait_gone $rpid 30
	echo "$id remapd $?" >>/tmp/feq.rc
done </tmp/feq.list
kill -INT $apid 2>/dev/null
while read -r id mode tpid rpid expr; do
	kill -INT $tpid 2>/dev/null
done </tmp/feq.list
wait_gone $apid 20
arc=$?
while read -r id mode tpid rpid expr; do
	wait_gone $tpid 20
	echo "$id tcpdump $?" >>/tmp/feq.rc
done </tmp/feq.list
note "all captures stopped ($(elapsed))"

# --- verdicts ----------------------------------------------------------
# captured LOG: tcpdump's count of packets it wrote.
captured() { sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$1"; }
# count PCAP [EXPR]: packets in PCAP (that EXPR selects), as tcpdump -r reads it.
count() { $TCPDUMP -r "$1" -nn ${2:+"$2"} 2>/dev/null | wc -l; }
sed 's/^/  tcpdump (no filter): /' $OUT/$ALL.log
total=$(captured $OUT/$ALL.log)
if [ "$arc" != 0 ] || ! grep -q '^0 packets dropped by kernel' $OUT/$ALL.log || [ "${total:-0}" -le 0 ]; then
	fail filter-equiv "the unfiltered tcpdump exited $arc, dropped packets or saw none"
	total=
fi
note "the burst: ${total:-?} packets on $IF"

printf '  %-7s %-8s %8s %7s %7s %6s  %s\n' id mode tcpdump remapd hook user expression
while read -r id mode tpid rpid expr; do
	tlog=$OUT/$id-tcpdump.pcap.log
	rlog=$OUT/$id.pcap.log
	tn=$(captured $tlog)
	rn=$(sed -n 's/^remapd: \([0-9]*\) packets\{0,1\} written.*/\1/p' $rlog)
	seen=$(sed -n 's/.*skbremap: seen \([0-9]*\),.*/\1/p' $rlog)
	hook=$(sed -n "s/.*: \([0-9]*\) filtered in skbremap's hook.*/\1/p" $rlog)
	user=$(sed -n "s/.*hook, \([0-9]*\) filtered by remapd.*/\1/p" $rlog)
	paths=$(sed -n 's/.*; \([0-9]*\) copied into the ring, \([0-9]*\) remapped .*, \([0-9]*\) bounced$/ring \1, remap \2, bounce \3/p' $rlog)
	printf '  %-7s %-8s %8s %7s %7s %6s  %s\n' $id $mode "${tn:-?}" "${rn:-?}" "${hook:-?}" "${user:-?}" "$expr"
	why=
	trc=$(sed -n "s/^$id tcpdump //p" /tmp/feq.rc)
	rrc=$(sed -n "s/^$id remapd //p" /tmp/feq.rc)
	[ "$trc" = 0 ] || why="$why; tcpdump exited $trc"
	grep -q '^0 packets dropped by kernel' $tlog || why="$why; tcpdump dropped: $(grep 'dropped by kernel' $tlog)"
	[ "$rrc" = 0 ] || why="$why; remapd exited $rrc: $(REMAPD_LOG=$rlog remapd_why)"
	grep -q 'nothing lost' $rlog || why="$why; remapd lost packets: $(grep -m1 'skbremap: seen' $rlog)"
	# The same traffic: the hook saw the whole burst, and nothing else.
	[ -n "$total" ] && [ "${seen:-x}" != "$total" ] &&
		why="$why; skbremap's hook saw ${seen:-?} packets, the unfiltered tcpdump $total"
	if listed "$NONE" "$expr"; then
		[ "${tn:-x}" = 0 ] || why="$why; tcpdump selected ${tn:-?} packets, expected none"
		expect=none
	else
		[ "${tn:-0}" -gt 0 ] 2>/dev/null || why="$why; tcpdump selected nothing (an empty match proves nothing)"
		expect=all
	fi
	# Where the filter ran: in the hook (the program refused nothing and
	# remapd filtered nothing itself) or, refused, in remapd.
	if grep -qE 'rejected the filter program|cannot run filters' $rlog; then
		echo "  REFUSED $id '$expr': $(grep -m1 -oE '(rejected|cannot run) .*' $rlog)"
		if listed "$REFUSED_OK" "$expr"; then
			note "$id: the kernel refused libpcap's program, as expected; remapd filtered ${user:-?} packets in user space"
		else
			why="$why; the kernel refused the program, so remapd filtered in user space"
		fi
	else
		[ "${user:-x}" = 0 ] || why="$why; remapd filtered ${user:-?} packets in user space"
		[ "${hook:-0}" -gt 0 ] 2>/dev/null || why="$why; the hook filtered nothing"
	fi
	against=$id-tcpdump.pcap
	if listed "$VLAN_OFFLOAD" "$expr"; then
		# tcpdump -r of the whole burst (tags in the data) with the
		# expression, and the untagged frames of both selections.
		$TCPDUMP -r $OUT/$ALL -w $OUT/$id-wire.pcap "$expr" 2>/dev/null
		$TCPDUMP -r $OUT/$id-wire.pcap -w $OUT/$id-wire-untagged.pcap 'not vlan' 2>/dev/null
		$TCPDUMP -r $OUT/$id-tcpdump.pcap -w $OUT/$id-live-untagged.pcap 'not vlan' 2>/dev/null
		wn=$(count $OUT/$id-wire.pcap)
		echo "  DIFF $id '$expr': live tcpdump $tn packets, tcpdump -r of the burst $wn" \
			"(of them tagged: live $(count $OUT/$id-tcpdump.pcap vlan), -r $(count $OUT/$id-wire.pcap vlan));" \
			"remapd $rn must equal tcpdump -r's"
		[ "${tn:-x}" != "$wn" ] ||
			why="$why; listed in VLAN_OFFLOAD but live tcpdump and tcpdump -r agree ($wn): take it off the list"
		against=$id-wire.pcap
		compare_later harness-$id-untagged $id-live-untagged.pcap $id-wire-untagged.pcap all
	fi
	compare_later $id $id.pcap $against $expect
	if [ -n "$why" ]; then
		fail $id "'$expr', $mode${why}"
	else
		pass $id "'$expr', $mode ($paths): tcpdump ${tn} remapd ${rn}, hook filtered ${hook}; compared with ${against%.pcap} on the host"
	fi
done </tmp/feq.list

# Leave the lane as it was: later scenarios have their own pair.
$IP link del $IF 2>/dev/null
$IP netns del $NS 2>/dev/null
dmesg_clean filter-equiv
[ -z "${SCENARIO_FAILED:-}" ] && pass filter-equiv "$i expressions over a burst of ${total:-?} packets, every capture at once ($(elapsed))"
exit 0
