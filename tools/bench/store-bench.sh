#!/usr/bin/env bash
# The capture store's cost and benefit, measured side by side in one run:
#   1. index cost at capture time: the same pcap (tools/bench/store-traffic.c:
#      COUNT frames of 60..1000 bytes in FLOWS flows, spread over SPAN seconds)
#      replayed by the emulator into a store with the index and with --no-index,
#      alternately, RUNS times each; user+sys CPU per packet of each (the
#      difference is the index; the spread between runs of one kind is the noise),
#      and index bytes per packet;
#   2. query speed-up over that store (>= 1 GB with the defaults): one flow in a
#      1-minute window, by tcpdump -r over every file (a scan), by remapd query
#      --no-index, and by remapd query with the index: wall time and bytes read,
#      warm page cache (the second of two runs) and, as root, cold
#      (drop_caches before each). The answers are checked equal.
# Usage: tools/bench/store-bench.sh   (env: COUNT, FLOWS, SPAN, RUNS, DIR, REMAPD)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
COUNT=${COUNT:-2000000} FLOWS=${FLOWS:-256} SPAN=${SPAN:-1800} RUNS=${RUNS:-2}
START=1796126400	# 2026-12-01T12:00:00Z
DIR=${DIR:-$repo/build/store-bench}
REMAPD=${REMAPD:-$repo/daemon/remapd/bin/Debug/net10.0/remapd}
mkdir -p "$DIR"
gcc -O2 -Wall -Wextra -Werror -o "$DIR/store-traffic" "$repo/tools/bench/store-traffic.c"
"$DIR/store-traffic" "$DIR/traffic.pcap" "$COUNT" "$SPAN" "$FLOWS" "$START"
echo "input: $COUNT packets, $(stat -c %s "$DIR/traffic.pcap") bytes, $FLOWS flows over $SPAN s"

t() { /usr/bin/time -f '%U %S %e' -o "$DIR/time" "$@"; cat "$DIR/time"; }
for run in $(seq 1 "$RUNS"); do
	for kind in index no-index; do
		store=$DIR/store-$kind
		rm -rf "$store"
		opt=
		[ $kind = no-index ] && opt=--no-index
		read -r user sys wall < <(t "$REMAPD" --backend emulator --source "pcap:$DIR/traffic.pcap" \
			--store "$store" --rotate-seconds 60 --rotate-size 1G -q $opt 2>"$DIR/capture.err")
		packets=$(grep -oP 'remapd: \d+ packets written' "$DIR/capture.err" | grep -oP '\d+')
		data=$(find "$store" -name '*.pcap' -printf '%s\n' | awk '{s += $1} END {print s}')
		idx=$(find "$store" -name '*.idx' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
		awk -v k=$kind -v r=$run -v u="$user" -v s="$sys" -v w="$wall" -v p="$packets" -v d="$data" -v i="$idx" 'BEGIN {
			printf "capture %-8s run %d: %d packets, %.0f s wall, user %.2f s + sys %.2f s = %.3f us/packet; data %d bytes, index %d bytes = %.2f bytes/packet (%.2f%% of the data)\n",
				k, r, p, w, u, s, (u + s) * 1e6 / p, d, i, i / p, 100 * i / d }'
	done
done

store=$DIR/store-index
expr="udp and host 10.1.0.37 and port 20037"
from=$((START + 600)) to=$((START + 660))
total=$(find "$store" -name '*.pcap' -printf '%s\n' | awk '{s += $1} END {print s}')
echo "store: $(find "$store" -name '*.pcap' | wc -l) files, $total bytes; query: '$expr' from $from to $to (one minute)"
tcpdump_scan() {
	for f in $(find "$store" -name '*.pcap' | sort); do
		tcpdump -r "$f" -w - "$expr" 2>/dev/null | editcap -A "$from" -B "$to" - - 2>/dev/null | tcpdump -r - -nn -tt 2>/dev/null
	done >"$DIR/tcpdump.txt"
}
query() { "$REMAPD" query --store "$store" --from "$from" --to "$to" -w "$DIR/q.pcap" "$@" -- $expr 2>"$DIR/query.err"; }
cold() { [ "$(id -u)" = 0 ] && sync && echo 3 >/proc/sys/vm/drop_caches; }
for cache in warm cold; do
	[ $cache = cold ] && [ "$(id -u)" != 0 ] && { echo "cold cache: skipped (needs root for drop_caches)"; continue; }
	for way in tcpdump no-index index; do
		[ $cache = warm ] && case $way in tcpdump) tcpdump_scan ;; no-index) query --no-index ;; index) query ;; esac
		cold
		case $way in
		tcpdump) read -r u s w < <(t bash -c "$(declare -f tcpdump_scan); store=$store expr='$expr' from=$from to=$to DIR=$DIR tcpdump_scan"); bytes=$total ;;
		no-index) read -r u s w < <(t bash -c "$(declare -f query); REMAPD=$REMAPD store=$store from=$from to=$to DIR=$DIR expr='$expr' query --no-index")
			bytes=$(grep -oP '\d+ bytes read' "$DIR/query.err" | grep -oP '\d+') ;;
		index) read -r u s w < <(t bash -c "$(declare -f query); REMAPD=$REMAPD store=$store from=$from to=$to DIR=$DIR expr='$expr' query")
			bytes=$(grep -oP '\d+ bytes read' "$DIR/query.err" | grep -oP '\d+') ;;
		esac
		[ $way != tcpdump ] && n=$(tcpdump -r "$DIR/q.pcap" -nn -tt 2>/dev/null | tee "$DIR/$way.txt" | wc -l) || n=$(wc -l <"$DIR/tcpdump.txt")
		echo "query $cache $way: $n packets, $w s wall (user $u + sys $s), $bytes bytes read"
	done
done
cmp -s "$DIR/tcpdump.txt" "$DIR/index.txt" && cmp -s "$DIR/tcpdump.txt" "$DIR/no-index.txt" &&
	echo "answers: identical ($(wc -l <"$DIR/tcpdump.txt") packets)" || { echo "answers DIFFER"; exit 1; }
