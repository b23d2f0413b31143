#!/usr/bin/env bash
# remapd's output path, copy vs gather, side by side in one run (docs/performance.md, "Output path"):
# remapd --backend emulator over the synthetic lossless source, writing a pcap to a tmpfs file
# (/dev/shm) and to a file on the disk (build/bench, on /), once with every packet copied into
# the writer's batch (--gather-min 262145) and once with every packet written from its window in
# place (--gather-min 1), plus a second copy run as the A/A control (the noise between two runs
# of the same thing). Per packet: process CPU (user + sys, bash's time; the source thread's frame
# generation is in every column alike), median of the interleaved repetitions; and the write
# system calls (strace -f -c -e trace=write,pwrite64,writev,pwritev,pwritev2, one run each).
#
# Usage: tools/bench/output.sh [--short] [--reps N] [--sizes "64 1500 ..."]
#   --short   CI: one repetition of tiny counts; checks every file with capinfos, times nothing.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
short=0
reps=3
sizes="64 256 512 1024 1500 2048 4096 9000"
while [ $# -gt 0 ]; do
	case "$1" in
	--short) short=1; reps=1 ;;
	--reps) reps=$2; shift ;;
	--sizes) sizes=$2; shift ;;
	*) echo "usage: tools/bench/output.sh [--short] [--reps N] [--sizes \"64 1500 ...\"]" >&2; exit 2 ;;
	esac
	shift
done
remapd=daemon/remapd/bin/Release/net10.0/remapd
[ -x "$remapd" ] || { echo "output.sh: build remapd first (dotnet build -c Release daemon/remapd/remapd.csproj)" >&2; exit 1; }
command -v strace >/dev/null || { echo "output.sh: strace is needed (tools/deps.sh bench)" >&2; exit 1; }
mkdir -p build/bench
tmpfs=$(mktemp -d /dev/shm/remapd-output.XXXXXX)
disk=$(mktemp -d "$repo/build/bench/output.XXXXXX")
log=$(mktemp)
trap 'rm -rf "$tmpfs" "$disk" "$log"' EXIT

count_for() {
	if [ $short = 1 ]; then echo 2000; return; fi
	case $1 in
	64|256) echo 300000 ;;
	512|1024|1500) echo 150000 ;;
	2048|4096|9000) echo 40000 ;;
	16384) echo 20000 ;;
	*) echo 8000 ;;
	esac
}

# run VARIANT SIZE COUNT FILE: remapd once; prints "user sys"
run() {
	local gather=$1 size=$2 count=$3 file=$4 t
	TIMEFORMAT='%U %S'
	t=$( { time nice "$remapd" --backend emulator -q -w "$file" --gather-min "$gather" \
		--queue-limit 32 --source "synthetic:count=$count,min=$size,max=$size,rate=0,lossless=1" \
		2>"$log" ; } 2>&1 )
	grep -q "nothing lost" "$log" || { echo "output.sh: remapd lost packets:" >&2; cat "$log" >&2; exit 1; }
	local n
	n=$(capinfos -M -c -T "$file" | tail -1 | cut -f2)
	[ "$n" = "$count" ] || { echo "output.sh: $file holds $n packets, not $count" >&2; exit 1; }
	echo "$t"
}

# syscalls GATHER SIZE COUNT FILE: write-family system calls of one run
syscalls() {
	local gather=$1 size=$2 count=$3 file=$4
	strace -f -c -o "$log.strace" -e trace=write,pwrite64,writev,pwritev,pwritev2 \
		"$remapd" --backend emulator -q -w "$file" --gather-min "$gather" --queue-limit 32 \
		--source "synthetic:count=$count,min=$size,max=$size,rate=0,lossless=1" 2>/dev/null
	# the total row: % time, seconds, usecs/call, calls, [errors,] "total"
	awk '$NF == "total" { print (NF >= 6 ? $(NF-2) : $(NF-1)) }' "$log.strace"
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "# tools/bench/output.sh at $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'): $(nproc) CPUs, kernel $(uname -r)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# CPU: ns of user + sys per packet, whole remapd process, median of $reps interleaved runs; copy' = a second copy run (A/A)"
echo "# calls: write-family system calls per packet (strace -f -c, one run)"
printf '%-6s %-5s %8s %8s %8s %8s  %11s %11s\n' size where copy "copy'" gather "g/copy" "copy calls" "gather calls"
for size in $sizes; do
	count=$(count_for "$size")
	for where in tmpfs disk; do
		dir=$tmpfs
		[ $where = disk ] && dir=$disk
		declare -A cpu=()
		for rep in $(seq "$reps"); do
			for variant in copy copy2 gather; do
				g=262145
				[ $variant = gather ] && g=1
				ut=$(run "$g" "$size" "$count" "$dir/$variant.pcap")
				cpu[$variant]+="$(awk -v t="$ut" -v n="$count" 'BEGIN { split(t, a, " "); printf "%.0f", (a[1] + a[2]) * 1e9 / n }') "
				rm -f "$dir/$variant.pcap"
			done
		done
		c=$(echo "${cpu[copy]}" | median)
		c2=$(echo "${cpu[copy2]}" | median)
		g=$(echo "${cpu[gather]}" | median)
		sc=$(syscalls 262145 "$size" "$count" "$dir/s.pcap")
		sg=$(syscalls 1 "$size" "$count" "$dir/s.pcap")
		rm -f "$dir/s.pcap"
		printf '%-6s %-5s %8s %8s %8s %8s  %11s %11s\n' "$size" "$where" "$c" "$c2" "$g" \
			"$(awk -v a="$g" -v b="$c" 'BEGIN { printf "%.2f", a / b }')" \
			"$(awk -v s="$sc" -v n="$count" 'BEGIN { printf "%.4f", s / n }')" \
			"$(awk -v s="$sg" -v n="$count" 'BEGIN { printf "%.4f", s / n }')"
		unset cpu
	done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
