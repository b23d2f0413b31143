#!/usr/bin/env bash
# Soak of the capture store: remapd capture --store on the emulator's synthetic
# source, at a rate that fills a small --retain-bytes quota many times over, for
# MINUTES minutes. It checks
#   - while capturing: the store (capture files, indexes, files being written)
#     never exceeds the quota, at every rotation (and every poll between them);
#     every complete file is whole (its index says as many packets as its bytes);
#   - at the end: every packet the source produced is in the store, counted as
#     deleted by retention (the packets of each deleted file, from its index), or
#     counted under a drop reason (skbremap's, or the store's "disk full"):
#         seen = in store + deleted + dropped, exactly;
#   - remapd query over the final store matches tcpdump -r over the same files,
#     packet for packet, for a set of expressions, whole and in a 1-minute window
#     (from the second after the oldest packet kept).
# Prints one line of figures at the end ("soak: ...") and exits non-zero on any
# failed check.
#
# Usage: tools/soak/store-soak.sh [--minutes N | --seconds N] [--rate PPS] [--quota BYTES]
#        [--rotate BYTES] [--flows N] [--dir DIR] [--remapd PATH]
# Defaults: 30 minutes, 5000 packets/s of 60..1000 bytes in 64 flows, quota 8 MB
# (8000000), files of 512 kB (and a file per 10 s), store under build/soak/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
minutes=30 seconds= rate=5000 quota=8000000 rotate=512000 flows=64
dir="$repo/build/soak/store"
remapd="${REMAPD:-$repo/daemon/remapd/bin/Debug/net10.0/remapd}"
while [ $# -gt 0 ]; do
	case "$1" in
	--minutes) minutes=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--quota) quota=$2; shift 2 ;;
	--rotate) rotate=$2; shift 2 ;;
	--flows) flows=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	--remapd) remapd=$2; shift 2 ;;
	*) echo "store-soak: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -x "$remapd" ] || { echo "store-soak: no remapd at $remapd (dotnet build daemon/remapd)" >&2; exit 2; }
[ -f "$repo/build/emulator/libskbremap_emu.so" ] || make -C "$repo/tools/emulator" >/dev/null

rm -rf "$dir"
mkdir -p "$dir"
work=$(dirname "$dir")/work
rm -rf "$work"
mkdir -p "$work"
[ -n "$seconds" ] || seconds=$(( 60 * minutes ))
[ "$seconds" -gt 0 ] || { echo "store-soak: --minutes/--seconds: more than 0" >&2; exit 2; }
count=$(( rate * seconds ))
fail=0
failed() { echo "store-soak: FAIL: $*" >&2; fail=1; }

# Bytes of the store's own files, as --retain-bytes counts them.
usage() {
	# A file deleted between find's listing and its stat is not counted (find then exits 1).
	{ find "$dir" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.idx' -o -name '*.part' \) \
		-printf '%s\n' 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}'
}

start=$(date +%s)
"$remapd" --backend emulator \
	--source "synthetic:count=$count,min=60,max=1000,rate=$rate,flows=$flows" \
	--store "$dir" --store-name soak --rotate-size "$rotate" --rotate-seconds 10 \
	--retain-bytes "$quota" --windows 64 -q 2>"$work/remapd.err" &
pid=$!

polls=0 rotations=0 max_usage=0 over=0 last=""
while kill -0 "$pid" 2>/dev/null; do
	u=$(usage)
	polls=$((polls + 1))
	[ "$u" -gt "$max_usage" ] && max_usage=$u
	if [ "$u" -gt "$quota" ]; then
		over=$((over + 1))
		failed "store at $u bytes, above --retain-bytes $quota"
	fi
	newest=$({ find "$dir" -maxdepth 1 -name '*.pcap' -printf '%f\n' 2>/dev/null || true; } | sort | tail -1)
	if [ -n "$newest" ] && [ "$newest" != "$last" ]; then
		rotations=$((rotations + 1))
		last=$newest
	fi
	sleep 0.2
done
wait "$pid" || failed "remapd exited $? ($(tail -3 "$work/remapd.err"))"
elapsed=$(( $(date +%s) - start ))

summary=$(cat "$work/remapd.err")
num() { grep -oP "$1" <<<"$summary" | head -1 | grep -oP '\d+' | head -1; }
written=$(num 'remapd: \d+ packets written')
seen=$(num 'skbremap: seen \d+')
dropped=$(grep -oP 'skbremap: seen \d+, captured \d+ \(\d+ bytes\), filtered \d+, dropped \d+' <<<"$summary" | grep -oP '\d+$')
deleted_files=$(num 'deleted \d+ for --retain-bytes')
deleted_packets=$(grep -oP 'for --retain-age \(\d+ packets' <<<"$summary" | grep -oP '\d+')
files_written=$(num 'store [^:]+: \d+ files written')
diskfull=$(grep -oP 'lost \d+ packets: disk full' <<<"$summary" | grep -oP '\d+' || echo 0)
[ -n "$written" ] && [ -n "$seen" ] && [ -n "$deleted_packets" ] || { failed "no summary from remapd:"; echo "$summary" >&2; exit 1; }

# Packets still in the store, by reading the files (tcpdump's count, not the index's).
in_store=0
mapfile -t files < <(find "$dir" -maxdepth 1 -name '*.pcap' | sort)
for f in "${files[@]}"; do
	n=$(tcpdump -r "$f" 2>/dev/null | wc -l)
	in_store=$((in_store + n))
done
[ "$(find "$dir" -maxdepth 1 -name '.*.part' | wc -l)" -eq 0 ] || failed "a part file is left"
[ "$seen" -eq "$count" ] || failed "the source produced $count packets, skbremap saw $seen"
[ $((in_store + deleted_packets + diskfull)) -eq "$written" ] ||
	failed "written $written != in store $in_store + deleted $deleted_packets + disk full $diskfull"
[ $((written + dropped)) -eq "$seen" ] || failed "seen $seen != written $written + dropped $dropped"

# Queries against tcpdump -r over the same files.
queries=0
exprs=("udp src port 40003" "not udp port 40001" "greater 500" "udp[0:2] >= 40060" "src port 40000 or src port 40005" "")
first_ts=$(tcpdump -tt -r "${files[0]}" -c 1 2>/dev/null | awk '{print int($1)}')
from=$((first_ts + 1)) to=$((first_ts + 61))
for e in "${exprs[@]}"; do
	for window in whole minute; do
		if [ $window = whole ]; then
			"$remapd" query --store "$dir" -q -w "$work/q.pcap" -- $e
			for f in "${files[@]}"; do tcpdump -r "$f" -w - $e 2>/dev/null | tcpdump -r - -nn -tt -xx 2>/dev/null; done >"$work/expected.txt"
		else
			"$remapd" query --store "$dir" -q --from "$from" --to "$to" -w "$work/q.pcap" -- $e
			for f in "${files[@]}"; do
				editcap -A "$from" -B "$to" "$f" "$work/cut.pcap" >/dev/null 2>&1
				tcpdump -r "$work/cut.pcap" -w - $e 2>/dev/null | tcpdump -r - -nn -tt -xx 2>/dev/null
			done >"$work/expected.txt"
		fi
		tcpdump -r "$work/q.pcap" -nn -tt -xx >"$work/actual.txt" 2>/dev/null
		n=$(grep -c '^[0-9]' "$work/expected.txt" || true)
		if ! cmp -s "$work/expected.txt" "$work/actual.txt"; then
			failed "query '$e' ($window) differs from tcpdump -r"
		elif [ "$n" -eq 0 ] && [ -n "$e" ]; then
			failed "query '$e' ($window) compared no packets"
		fi
		queries=$((queries + 1))
	done
done

echo "soak: $seconds s of traffic ($elapsed s) at $rate pkt/s in $flows flows: seen $seen, written $written, dropped $dropped (skbremap), disk full $diskfull;" \
	"files written $files_written, deleted $deleted_files ($deleted_packets packets), in store ${#files[@]} files / $in_store packets;" \
	"quota $quota bytes, max usage $max_usage bytes over $polls polls ($rotations rotations seen), $over over quota;" \
	"$queries queries matched tcpdump -r; $([ $fail -eq 0 ] && echo PASS || echo FAIL)"
exit $fail
