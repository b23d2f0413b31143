#!/bin/sh
# Compare two captures of the same traffic packet for packet and byte for
# byte, as tcpdump reads them (so the file format is checked too):
#
#   tests/vm/compare-pcaps.sh NAME CANDIDATE.pcap ORACLE.pcap EXPECTED
#
# Only the lane's test traffic is compared (UDP to the marker port and ICMP
# echo with the marker pattern; see tests/vm/lib.sh): both captures run
# around it, and whatever else the edges caught (ARP, a late frame of a
# previous scenario) is reported but not compared. Timestamps are left out;
# every other byte, link-layer header included (-xx), is compared. The
# oracle must hold exactly EXPECTED test packets (nothing dropped), and the
# candidate the same packets in the same order (up to a few packets a few
# places apart: see reordered() below).
#
# EXPECTED "all" instead of a number (the filter-equivalence scenario,
# whose oracle is tcpdump with a filter expression and whose interface
# carries only the scenario's own traffic): every packet of both files is
# compared, markers or not, and the oracle's own packet count is the
# expected count, which must be above 0 (an empty match proves nothing).
# EXPECTED "none": every packet, and the oracle must hold none.
#
# Prints "compare NAME: N packets identical" or the first differences;
# exits non-zero on any difference.
set -eu
[ $# -eq 4 ] || { echo "usage: $0 NAME CANDIDATE ORACLE EXPECTED|all|none" >&2; exit 2; }
name=$1 cand=$2 oracle=$3 expected=$4
UDP_PORT=47474
PING_PATTERN=5ca95ca9
# ICMP echo request/reply whose payload after the 16-byte timeval
# starts with the pattern (iputils ping -p fills the payload with it).
# The same behind one 802.1Q tag (the VLAN scenario: the tag must be back
# in the data, where libpcap puts it from the skb's metadata).
TEST="(udp dst port $UDP_PORT) or (icmp and (icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply) and icmp[24:4] == 0x$PING_PATTERN)"
FILTER="$TEST or (vlan and ($TEST))"
what="test packets"
case $expected in
all | none)
	FILTER=
	what="packets compared"
	;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One line per packet: the summary (without timestamp) and all bytes.
flatten() {
	tcpdump -r "$1" -nn -t -xx ${FILTER:+"$FILTER"} 2>"$tmp/err" |
		awk '/^\t0x/ { sub(/^\t0x[0-9a-f]+:  */, ""); gsub(/ /, ""); line = line $0; next }
		     { if (line != "") print line; line = $0 "\t" }
		     END { if (line != "") print line }'
	if [ -s "$tmp/err" ] && grep -v '^reading from file' "$tmp/err" >&2; then
		return 1
	fi
}
all() { tcpdump -r "$1" -nn 2>/dev/null | wc -l; }

for f in "$cand" "$oracle"; do
	[ -s "$f" ] || { echo "compare $name: FAIL: $f missing or empty"; exit 1; }
done
flatten "$cand" >"$tmp/cand" || { echo "compare $name: FAIL: tcpdump cannot read $cand"; exit 1; }
flatten "$oracle" >"$tmp/oracle" || { echo "compare $name: FAIL: tcpdump cannot read $oracle"; exit 1; }
nc=$(wc -l <"$tmp/cand")
no=$(wc -l <"$tmp/oracle")
case $expected in
all)
	# The oracle says how many; it must have selected something.
	expected=$no
	if [ "$no" -eq 0 ]; then
		echo "compare $name: FAIL: the oracle selected no packet (an empty match proves nothing)"
		exit 1
	fi
	;;
none) expected=0 ;;
esac
echo "compare $name: $(basename "$cand"): $(all "$cand") packets, $nc $what;" \
	"$(basename "$oracle"): $(all "$oracle") packets, $no $what; expected $expected"

lt_c=$(tcpdump -r "$cand" -c 1 2>&1 >/dev/null | sed -n 's/.*link-type \([^ ]*\).*/\1/p' | head -n 1)
lt_o=$(tcpdump -r "$oracle" -c 1 2>&1 >/dev/null | sed -n 's/.*link-type \([^ ]*\).*/\1/p' | head -n 1)
status=0
if [ "$lt_c" != "$lt_o" ]; then
	echo "compare $name: FAIL: link types differ: $lt_c vs $lt_o"
	status=1
fi
if [ "$no" -ne "$expected" ]; then
	echo "compare $name: FAIL: the oracle has $no $what, not $expected (it dropped some, or the traffic did not run)"
	status=1
fi
# Two taps of one SMP guest can see a few packets in different orders: each
# tap runs in turn on the same skb, and a vCPU descheduled between the taps
# (host load, KASAN) lets the other vCPU hand both taps later packets first
# (seen: tcpdump had 2442 before 2439; remapd's order was the sent order).
# The same packets, none moved by more than MAX_SHIFT places and at most
# MAX_MOVED of them, pass with a note; a consumer bug (a window delivered
# out of order) moves whole windows of packets and fails.
MAX_SHIFT=8 MAX_MOVED=16
reordered() {
	[ "$(sort "$tmp/cand" | md5sum)" = "$(sort "$tmp/oracle" | md5sum)" ] || return 1
	awk -v maxs=$MAX_SHIFT -v maxm=$MAX_MOVED '
		NR == FNR { pos[$0] = pos[$0] " " FNR; next }
		{
			split(pos[$0], p, " "); j = p[1]; sub(/^ [0-9]+/, "", pos[$0])
			d = FNR > j ? FNR - j : j - FNR
			if (d) moved++
			if (d > worst) worst = d
		}
		END {
			printf "%d %d\n", moved, worst > "/dev/stderr"
			exit !(worst <= maxs && moved <= maxm)
		}' "$tmp/oracle" "$tmp/cand" 2>"$tmp/moved"
}
if ! cmp -s "$tmp/cand" "$tmp/oracle" && reordered; then
	read -r moved worst <"$tmp/moved"
	echo "compare $name: NOTE: same $nc packets; $moved of them in another place than in the" \
		"oracle, none by more than $worst (two taps on an SMP guest; limit $MAX_SHIFT places, $MAX_MOVED packets)"
	cp "$tmp/oracle" "$tmp/cand"
fi
if ! cmp -s "$tmp/cand" "$tmp/oracle"; then
	status=1
	if [ "$nc" -eq $((2 * no)) ]; then
		echo "compare $name: hint: the candidate has every packet twice; on lo libpcap" \
			"skips PACKET_OUTGOING copies (the tap sees each frame leave and arrive)"
		if uniq "$tmp/cand" | cmp -s - "$tmp/oracle"; then
			echo "compare $name: with each duplicate dropped, the candidate's $no packets" \
				"are identical to the oracle's"
		else
			echo "compare $name: even with duplicates dropped, the packets differ"
		fi
	fi
	if [ "$(sort "$tmp/cand" | md5sum)" = "$(sort "$tmp/oracle" | md5sum)" ]; then
		echo "compare $name: FAIL: same $nc packets, different order" \
			"($(cat "$tmp/moved" 2>/dev/null | awk '{ print $1 " moved, up to " $2 " places" }'))"
	else
		echo "compare $name: FAIL: packets differ"
	fi
	# The first few differing packets, and where in the packet they differ.
	awk -F '\t' 'NR == FNR { os[FNR] = $1; oh[FNR] = $2; n = FNR; next }
	     {
		sc = $1; hc = $2
		so = (FNR in os) ? os[FNR] : "(none)"; ho = (FNR in oh) ? oh[FNR] : ""
		if (sc == so && hc == ho) next
		at = -1
		for (i = 1; i <= length(hc) || i <= length(ho); i += 2)
			if (substr(hc, i, 2) != substr(ho, i, 2)) { at = (i - 1) / 2; break }
		printf "  packet %d: candidate \"%s\" (%d bytes), oracle \"%s\" (%d bytes)", FNR, sc, length(hc) / 2, so, length(ho) / 2
		if (at >= 0) printf "; first difference at byte %d: %s vs %s", at, substr(hc, 2 * at + 1, 8), substr(ho, 2 * at + 1, 8)
		printf "\n"
		if (++shown == 5) exit
	     }
	     END { if (FNR < n && shown < 5) printf "  oracle has %d more packets\n", n - FNR }' "$tmp/oracle" "$tmp/cand"
	exit 1
fi
[ $status -eq 0 ] || exit 1
echo "compare $name: PASS: $nc packets identical (every byte but the timestamps)"
