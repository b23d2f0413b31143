#!/usr/bin/env bash
# The delivery-path benchmarks of issue 3, one command (docs/performance.md reads its output):
#   1. primitives  copy into a ring vs remap (mmap MAP_FIXED of memfd pages + the zap) vs
#                  recv() into a buffer, per packet size and per pages per mmap call, consumer
#                  on the same CPU and on the other CPU           (tools/bench/primitives.c)
#   2. emulator    delivery CPU per packet through libskbremap_emu in each mode, adaptive vs
#                  the best single path, remap vs ring at 64 KiB  (tools/bench/emulator.c)
#   3. ParseBench  remapd's InfoPageReader: packets/s on one core, bytes allocated per packet
#                                                                  (tools/bench/ParseBench)
#   4. remapd      end to end: remapd -w /dev/null over the emulator's synthetic lossless source
#                  in each mode; process CPU (user + sys, the source thread included) per packet
# Prints the tables (also saved to build/bench/results.txt) and draws build/bench/delivery.png.
# Every number is a median of interleaved repetitions; read the ratios: the machine is shared.
#
# Usage: tools/bench/run.sh [--short] [--reps N]
#        tools/bench/run.sh --output [ARGS]  remapd's output path, copy vs gather (tools/bench/output.sh)
#        tools/bench/run.sh --vm [ARGS]   the in-VM benchmark instead (the real module under
#                                         QEMU vs tcpdump vs recvfrom): tools/bench/vm-bench.sh
#   --short   CI: every mode's bytes checked through the emulator with tiny counts, the
#             primitives and the parser exercised once, remapd's output path checked byte for
#             byte in every mode and format (output_bytes); no timing is asserted.
#   --output  remapd's output path, copy vs gather per packet size (tools/bench/output.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
short=0
reps=()
while [ $# -gt 0 ]; do
	case "$1" in
	--short) short=1 ;;
	--reps) reps=(--reps "$2"); shift ;;
	--vm) shift; exec "$repo/tools/bench/vm-bench.sh" "$@" ;;
	--output) shift; exec "$repo/tools/bench/output.sh" "$@" ;;
	*) echo "usage: tools/bench/run.sh [--short] [--reps N] | --vm [--short] [vm-bench.sh options] | --output [output.sh options]" >&2; exit 2 ;;
	esac
	shift
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ $short = 1 ]; then
	tools/deps.sh run
else
	tools/deps.sh bench
fi
make -s -C tools/emulator
make -s -C tools/bench
dotnet build -c Release -v q -nologo tools/bench/ParseBench/ParseBench.csproj >/dev/null
parse=(dotnet tools/bench/ParseBench/bin/Release/net10.0/ParseBench.dll)
out=build/bench

# remapd's output path, every delivery mode: a pcap replayed through remapd (--source pcap:)
# must come out byte for byte as it went in, as pcap and as pcapng (compared as pcap after
# editcap), with every packet copied, every packet written from its window in place, and the
# default crossover; capinfos counts every file.
output_bytes() {
	local remapd=daemon/remapd/bin/Release/net10.0/remapd dir mode fmt g n want
	dotnet build -c Release -v q -nologo daemon/remapd/remapd.csproj >/dev/null
	dir=$(mktemp -d)
	# The input: 3000 UDP frames of 60..9000 B (tcpdump reads them: the independent check).
	"$remapd" --backend emulator -q -w "$dir/in.pcap" \
		--source "synthetic:count=3000,min=60,max=9000,rate=0,lossless=1" 2>/dev/null
	want=$(tcpdump -r "$dir/in.pcap" 2>/dev/null | wc -l)
	[ "$want" = 3000 ] || { echo "output: the input holds $want packets, not 3000" >&2; exit 1; }
	editcap -F pcap "$dir/in.pcap" "$dir/in.cmp"
	for mode in bounce ring remap adaptive; do
		for fmt in pcap pcapng; do
			for g in 262145 1 0; do
				"$remapd" --backend emulator -q --mode "$mode" --gather-min "$g" -w "$dir/out.$fmt" \
					--source "pcap:$dir/in.pcap" 2>"$dir/log" \
					|| { echo "output: remapd --mode $mode --gather-min $g ($fmt) failed" >&2; cat "$dir/log" >&2; exit 1; }
				grep -q "nothing lost" "$dir/log" || { echo "output: --mode $mode ($fmt) lost packets" >&2; cat "$dir/log" >&2; exit 1; }
				n=$(capinfos -M -c -T "$dir/out.$fmt" | tail -1 | cut -f2)
				[ "$n" = 3000 ] || { echo "output: --mode $mode --gather-min $g $fmt holds $n packets" >&2; exit 1; }
				if [ $fmt = pcap ]; then
					cmp -s "$dir/in.pcap" "$dir/out.pcap"
				else
					editcap -F pcap "$dir/out.pcapng" "$dir/out.cmp" && cmp -s "$dir/in.cmp" "$dir/out.cmp"
				fi || { echo "output: --mode $mode --gather-min $g: the $fmt file differs from the input" >&2; exit 1; }
			done
		done
	done
	rm -rf "$dir"
	echo "output: ok (every mode, pcap and pcapng, copied / in place / default: byte for byte the replayed input)"
}

if [ $short = 1 ]; then
	"$out/primitives" --short >/dev/null
	echo "primitives: ok (every variant ran; --short times nothing)"
	"$out/emulator" --check
	"${parse[@]}" --short
	output_bytes
	echo "=== bench --short passed ==="
	exit 0
fi

# remapd end to end: CPU (user + sys of the whole process, bash's time) per packet, each mode,
# interleaved, median of 3; ratio to ring; the paths remapd's summary reports.
e2e() {
	local remapd=daemon/remapd/bin/Release/net10.0/remapd size count mode rep t log
	local -A cpu
	log=$(mktemp)
	echo
	echo "## remapd end to end (--backend emulator, synthetic lossless, --queue-limit 32, -w /dev/null):"
	echo "##   process CPU per packet incl. frame generation, median of 3; ratio to ring"
	printf '%-6s %-9s %10s %8s  %s\n' size mode "ns/packet" "/ring" "paths (remapd summary)"
	for size in 64 1500 65535; do
		case $size in 64) count=200000 ;; 1500) count=100000 ;; *) count=20000 ;; esac
		for rep in 1 2 3; do
			for mode in bounce ring remap adaptive; do
				TIMEFORMAT='%U %S'
				# --queue-limit 32: see tools/bench/emulator.c (the skb pool runs dry)
				t=$( { time "$remapd" --backend emulator -q -w /dev/null --mode "$mode" \
					--queue-limit 32 \
					--source "synthetic:count=$count,min=$size,max=$size,rate=0,lossless=1" \
					2>"$log.$mode" ; } 2>&1 )
				cpu[$mode]+="$(awk -v t="$t" -v n=$count 'BEGIN { split(t, a, " ");
					printf "%.0f ", (a[1] + a[2]) * 1e9 / n }') "
			done
		done
		local ring
		ring=$(echo ${cpu[ring]} | tr ' ' '\n' | sort -n | sed -n 2p)
		for mode in bounce ring remap adaptive; do
			local med paths
			med=$(echo ${cpu[$mode]} | tr ' ' '\n' | sort -n | sed -n 2p)
			paths=$(grep -o '[0-9]* copied into the ring, [0-9]* remapped.*bounced' "$log.$mode" || true)
			printf '%-6s %-9s %10s %8s  %s\n' "$size" "$mode" "$med" \
				"$(awk -v a="$med" -v b="$ring" 'BEGIN { printf "%.2f", a / b }')" "$paths"
			cpu[$mode]=
		done
	done
	rm -f "$log" "$log".*
}

dotnet build -c Release -v q -nologo daemon/remapd/remapd.csproj >/dev/null
{
	echo "# tools/bench/run.sh on $(hostname) at $(date -u +%FT%TZ): $(nproc) CPUs,"\
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
	echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	"$out/primitives" "${reps[@]}" --data "$out/primitives.dat"
	"$out/emulator" "${reps[@]}" --data "$out/emulator.dat"
	echo
	"${parse[@]}"
	e2e
	echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/results.txt"
gnuplot -e "prim='$out/primitives.dat'; emu='$out/emulator.dat'; out='$out/delivery.png'" \
	tools/bench/chart.gp
echo "tables: $out/results.txt  chart: $out/delivery.png"
