#!/usr/bin/env bash
# The in-VM benchmark, one command: skbremap.ko in Debian's 6.1 cloud kernel under QEMU (TCG,
# 2 vCPUs, 2 GiB), each capture path against the same load, side by side in one boot:
#   consumers  remapd --mode adaptive (the default) | ring | remap | bounce, remapd -j 2 as
#              "fanout2" (a fanout group of two members, when remapd has -j), and ring-worker
#              (--mode ring with the module parameter direct_copy=0) on request;
#              the peers: tcpdump -w (libpcap 1.10, AF_PACKET TPACKET_V3), netsniff-ng
#              (TPACKET_V3 ring, scatter-gather pcap writes), dumpcap (Wireshark's capture
#              engine, libpcap); recvloop (recvfrom() on an AF_PACKET socket,
#              tools/bench/recvloop.c); each alone, one after the other, plus "none" (the load
#              alone: CPU baseline); tcpdump2 = tcpdump again, last (the A/A control)
#   sinks      /dev/null, and (pktgen load) a pcap file on ext4 on a second virtio disk (a sparse raw image
#              in build/bench, made with mkfs.ext4 on the host; guest dirty page cache bounded
#              to 4 MiB so a writer goes at the disk's pace)
#   loads      pktgen in netns "peer" over a veth pair (frames to an unknown MAC: every tap
#              sees them, IP drops them) and a UDP flood on lo (tools/bench/udpflood.c)
#   sizes      Ethernet frame bytes, default 64 1500 9000 16384 (veth MTU 65000: up to 65000)
#   throttled  a third virtio disk throttled by QEMU (throttling.bps-total, 4 MB/s): pktgen
#              bursts of 1500 B frames at a peak above the disk's rate with pauses between
#              ("burst": average below the disk's rate), and an unpaced flood ("over")
# Per (load, sink, size, consumer): offered, captured, drops, capture ratio, CPU per captured
# packet (CPU 1's /proc/stat busy ticks, user + system + softirq + irq, minus the load-alone
# run: the consumer, its kworkers and the softirq taps on the capture CPU), the consumer
# process's own utime+stime and CPU 1's softirq per packet; for pktgen the loss-free rate (a
# bisection of pktgen "ratep" steps when the unpaced flood lost packets); ratios to tcpdump,
# to recvfrom and to the best peer (tcpdump, netsniff-ng, dumpcap), and the targets as
# verdicts. The guest side is tools/vm/bench-guest.sh.
#
# Usage: tools/bench/vm-bench.sh [--short] [--sizes "64 1500 ..."] [--loads "pktgen lo"]
#                                [--consumers "..."] [--file-consumers "..."] [--no-throttle]
#                                [--rounds N] [--inject] [--timeout SECONDS] [--no-build] [--report]
#   --short     a quick correctness run (2 sizes, 1 s floods, 2 paced steps, fewer consumers)
#   --rounds N  every consumer N times in turn, each cell its best round (the host's
#               interference only makes a run worse): N x the time; default 1
#   --consumers / --file-consumers   the consumers to /dev/null / to the disk file
#               ("" for none); --no-throttle: leave out the throttled disk
#   --inject    pktgen hands each frame to vh's receive path itself ("xmit_mode netif_receive",
#               RPS still queues it to the capture CPU) instead of sending it over the veth
#               pair: a faster generator, for consumers that keep up with the veth one
#   --no-build  take skbremap.ko and remapd/remapctl from $SKBREMAP_VM_DIR as they are (e.g.
#               while someone's half-done change keeps the tree from building)
#   --report    no run: print the table of the last run again (from $SKBREMAP_VM_DIR/bench-results)
# Output: the table on stdout and in build/bench/vm-bench.txt, the rows in
# build/bench/vm-bench.csv, the guest's raw records in build/bench/vm-bench-raw.csv, a chart
# in build/bench/vm-bench.png (when gnuplot is installed: tools/deps.sh bench), QEMU's console
# and the guest's /out in $SKBREMAP_VM_DIR/bench-results/.
# Needs netsniff-ng and wireshark-common (dumpcap) on the host (tools/deps.sh bench): their binaries and libraries
# go into the initramfs (a consumer whose binary is missing is a "n/a" row).
# SKBREMAP_VM_DIR (default build/vm) holds the kernel, module and AOT caches of the VM lane;
# the bench packs its own initramfs there (bench-initramfs.cpio.gz), never the lane's.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
short=0
sizes="64 1500 9000 16384"
loads="pktgen lo"
timeout=
build=1
rounds=1
report=0
pktgen_mode=veth
consumers=
file_consumers=
consumers_set=0
file_consumers_set=0
throttle=1
while [ $# -gt 0 ]; do
	case "$1" in
	--short) short=1 ;;
	--sizes) sizes=$2; shift ;;
	--loads) loads=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--no-build) build=0 ;;
	--rounds) rounds=$2; shift ;;
	--report) report=1 ;;
	--inject) pktgen_mode=inject ;;
	--consumers) consumers=$2; consumers_set=1; shift ;;
	--file-consumers) file_consumers=$2; file_consumers_set=1; shift ;;
	--no-throttle) throttle=0 ;;
	*)
		echo "usage: tools/bench/vm-bench.sh [--short] [--sizes \"64 1500 ...\"] [--loads \"pktgen lo\"] [--consumers \"...\"] [--file-consumers \"...\"] [--no-throttle] [--rounds N] [--inject] [--timeout SECONDS] [--no-build] [--report]" >&2
		exit 2 ;;
	esac
	shift
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
VM=${SKBREMAP_VM_DIR:-$repo/build/vm}
export SKBREMAP_VM_DIR=$VM
out=$repo/build/bench
mkdir -p "$out" "$VM"
start=$(date +%s)
step() { echo "--- vm-bench: $* ($(($(date +%s) - start))s)" >&2; }

# The remapd region and the buffers the other consumers get: the same bytes. remapd's own
# window (64 data pages, 256 KiB: the size of tcpdump's TPACKET_V3 block) and its default info
# pages for that: one entry per 128 B of data, 25 pages = 2,133 entries (one info page
# describes only 84 packets, so at 64 B the entries, not the bytes, bound what is in flight);
# 32 windows. tcpdump -B and recvloop get the whole region, info pages included: 32 x 89 pages
# = 11.1 MiB. Windows of 16 pages cost remapd 2.4x the process time per 16 KiB packet (a
# window, and its poll, hand-over and release, per 3 packets; docs/performance.md).
# BENCH_WINDOWS / BENCH_PPW / BENCH_INFO_PAGES override.
windows=${BENCH_WINDOWS:-32}
ppw=${BENCH_PPW:-64}
# WindowGeometry.DefaultInfoPages: ceil((64 + 48 * ceil(ppw * 4096 / 128)) / 4096), 1..64.
info_default=$(((64 + 48 * ppw * 32 + 4095) / 4096))
[ $info_default -le 64 ] || info_default=64
info_pages=${BENCH_INFO_PAGES:-$info_default}
region_kb=$((windows * (ppw + info_pages) * 4))

results=$VM/bench-results
if [ $report = 0 ]; then
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
tools/vm/fetch-kernel.sh >/dev/null
if [ $build = 1 ]; then
	step "build skbremap.ko, publish remapd (the VM lane's steps and caches)"
	tools/vm/build-module.sh >/dev/null || { tail -n 30 "$VM/module-build.log" >&2; exit 1; }
	tools/vm/publish-aot.sh
fi
for f in "$VM/skbremap.ko" "$VM/aot/remapd"; do
	[ -f "$f" ] || { echo "vm-bench: no $f (run without --no-build)" >&2; exit 1; }
done

step "initramfs with the bench scenario"
tree=$VM/bench-tree
rm -rf "$tree"
mkdir -p "$tree/vm/scenarios"
cp tools/vm/bench-guest.sh "$tree/vm/scenarios/50-bench.sh"
for t in recvloop udpflood; do
	gcc -static -O2 -Wall -Wextra -Werror -o "$tree/vm/$t" "tools/bench/$t.c"
done
if [ $short = 1 ]; then
	[ "$sizes" = "64 1500 9000 16384" ] && sizes="64 16384"
	flood_secs=1 probe=2000 ladder=2 step_secs=1
	[ $consumers_set = 1 ] || consumers="tcpdump netsniff-ng dumpcap adaptive fanout2 tcpdump2"
	[ $file_consumers_set = 1 ] || file_consumers="tcpdump netsniff-ng dumpcap adaptive"
	bursts=2
else
	flood_secs=3 probe=20000 ladder=5 step_secs=1.5
	[ $consumers_set = 1 ] || consumers="tcpdump netsniff-ng dumpcap bounce ring adaptive remap fanout2 recvfrom tcpdump2"
	[ $file_consumers_set = 1 ] || file_consumers="tcpdump netsniff-ng dumpcap adaptive fanout2 tcpdump2"
	bursts=4
fi
throttle_consumers="adaptive tcpdump netsniff-ng dumpcap"
[ $throttle = 1 ] || throttle_consumers=
# The throttled disk's rate (4 MB/s) and the bursts (1500 B frames): 6,000 frames (9 MB) paced
# at 20,000 pps (30 MB/s, 0.3 s), 4 s apart: ~2 MB/s on average; a consumer must hold ~8 MB of a
# burst (its ring or region: 11.1 MiB, plus 4 MiB of dirty page cache) while the disk catches
# up. "over": 30,000 frames (45 MB) unpaced, far above the disk's rate.
throttle_bps=${BENCH_THROTTLE_BPS:-4000000}
cat >"$tree/vm/bench.conf" <<CONF
# written by tools/bench/vm-bench.sh
SIZES="$sizes"
LOADS="$loads"
CONSUMERS="none $consumers"
FILE_CONSUMERS="$file_consumers"
FILE_LOADS="pktgen"
THROTTLE_CONSUMERS="$throttle_consumers"
THROTTLE_BPS=$throttle_bps
DIRTY_BYTES=4194304
BURST_SIZE=1500
BURST_PPS=20000
BURST_COUNT=6000
BURSTS=$bursts
BURST_PAUSE=4
OVER_COUNT=30000
ROUNDS=$rounds
PKTGEN_MODE=$pktgen_mode
WINDOWS=$windows
PPW=$ppw
INFO_PAGES=$info_pages
TCPDUMP_KB=$region_kb
RCVBUF=$((region_kb * 1024 / 2))
FLOOD_SECS=$flood_secs
PROBE_COUNT=$probe
MIN_COUNT=1000
MAX_COUNT=1000000
LADDER_STEPS=$ladder
STEP_SECS=$step_secs
CPU_DIV=8
MIN_STEP_COUNT=500
MIN_DRAIN_CS=30
BACKLOG=10000
CONF
chmod 755 "$tree/vm/scenarios/50-bench.sh" "$tree"/vm/recvloop "$tree"/vm/udpflood
initrd=$VM/bench-initramfs.cpio.gz
peers=
for b in /usr/sbin/netsniff-ng /usr/bin/dumpcap; do
	if [ -x $b ]; then peers="$peers $b"; else echo "vm-bench: no $b on the host: its rows will say n/a" >&2; fi
done
SKBREMAP_INITRAMFS=$initrd EXTRA_TREE=$tree MODULE_KO=$VM/skbremap.ko EXTRA_BINS="$peers" EXTRA_MODULES=ext4 \
	tools/vm/build-initramfs.sh

# The capture disks: ext4 made here (no mkfs in the guest), fresh each run; sparse.
step "capture disks (ext4): build/bench/capture-disk.img, throttled-disk.img ($throttle_bps B/s)"
rm -f "$out/capture-disk.img"
mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$out/capture-disk.img" 6G >/dev/null
rm -f "$out/throttled-disk.img"
mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$out/throttled-disk.img" 2G >/dev/null
export SKBREMAP_QEMU_DRIVES="-drive file=$out/capture-disk.img,format=raw,if=virtio,cache=unsafe
	-drive file=$out/throttled-disk.img,format=raw,if=virtio,cache=unsafe,throttling.bps-total=$throttle_bps"

# QEMU's hard timeout: up to ~40 min a round (full), with room.
[ -n "$timeout" ] || timeout=$((3000 * rounds + 900))
step "boot QEMU (TCG) and run the bench (console: $results/console.log)"
qemu_rc=0
SKBREMAP_INITRAMFS=$initrd tools/vm/run-qemu.sh -o "$results" -t "$timeout" \
	-a "skbremap.only=10-insmod,50-bench skbremap.scenario_timeout=$((timeout - 120))" \
	>"$VM/bench-qemu.log" 2>&1 || qemu_rc=$?
grep -E '^(SCENARIO|SKBREMAP-VM: (PASS|FAIL)|run-qemu: FAIL)' "$VM/bench-qemu.log" >&2 || true
[ -s "$results/out/bench.csv" ] || { echo "vm-bench: no results came back (see $VM/bench-qemu.log)" >&2; exit 1; }
kver=$(. "${SKBREMAP_KERNEL_ENV:-$VM/kernel.env}" && echo "$KVER")
# The run's own facts, for this table and a later --report.
{
	echo "# tools/bench/vm-bench.sh$([ $short = 1 ] && echo ' --short')$([ $rounds = 1 ] || echo " --rounds $rounds")$([ $pktgen_mode = inject ] && echo ' --inject') on $(hostname)" \
		"at $(date -u +%FT%TZ): guest $kver under QEMU TCG (2 vCPUs, 2 GiB), host $(nproc) CPUs," \
		"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); host load average at start $load_start," \
		"at end $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# wall time $(($(date +%s) - start))s (build, initramfs, boot and run); guest verdict:" \
		"$(grep -oE '^SKBREMAP-VM: (PASS|FAIL).*' "$VM/bench-qemu.log" | tail -n 1)"
} >"$results/bench-run.txt"
else
	qemu_rc=0
	[ -s "$results/out/bench.csv" ] || { echo "vm-bench: no earlier run in $results" >&2; exit 1; }
fi
raw=$results/out/bench.csv
cp "$raw" "$out/vm-bench-raw.csv"

step "table"
{
	cat "$results/bench-run.txt" 2>/dev/null
	mib=$(awk -v k=$region_kb 'BEGIN { printf "%.1f", k / 1024 }')
	echo "# consumers each alone on the same load; sink /dev/null for all; remapd region $windows windows x ($info_pages info + $ppw data pages)" \
		"($mib MiB), tcpdump -B $region_kb (TPACKET_V3: $((region_kb / 256)) blocks of 256 KiB)," \
		"recvloop SO_RCVBUF $mib MiB (charged by skb truesize)"
	echo "# guest CPU 0 = the generator (pktgen kthread, udpflood), CPU 1 = the capture host (RPS of vh and lo," \
		"skbremap's unbound workqueue, every consumer pinned there); net.core.netdev_max_backlog 10000"
	awk -F, -v csv="$out/vm-bench.csv" -f tools/bench/vm-bench.awk "$raw"
	if [ -s "$results/out/bench-calibration.txt" ]; then
		echo
		echo "## the module's START-time calibration (adaptive; per page: copy vs remap = insert + take-back), last lines of dmesg"
		sed 's/^\[[ 0-9.]*\] */  /' "$results/out/bench-calibration.txt"
	fi
} | tee "$out/vm-bench.txt"
if command -v gnuplot >/dev/null; then
	gnuplot -e "data='$out/vm-bench.csv'; out='$out/vm-bench.png'" tools/bench/vm-chart.gp 2>/dev/null &&
		echo "chart: $out/vm-bench.png" >&2 || echo "vm-bench: gnuplot failed, no chart" >&2
fi
echo "tables: $out/vm-bench.txt  rows: $out/vm-bench.csv" >&2
[ $qemu_rc -eq 0 ] || echo "vm-bench: the guest run did not pass cleanly (see $VM/bench-qemu.log)" >&2
exit $qemu_rc
