# The in-VM benchmark, run in the guest by /init as the
# scenario /vm/scenarios/50-bench.sh: tools/bench/vm-bench.sh packs this
# file there (build-initramfs.sh EXTRA_TREE=), with /vm/bench.conf (the
# sizes, loads, consumers and counts), /vm/recvloop and /vm/udpflood, and
# boots it with skbremap.only=10-insmod,50-bench. It writes raw
# records to /out/bench.csv; the host makes the table (tools/bench/vm-bench.awk).
#
# CPU 0 plays the wire, CPU 1 is the capture host: the generator runs on
# CPU 0 (pktgen's kpktgend_0, udpflood pinned); RPS steers the receive
# processing of vh and lo (the taps: skbremap's hook, AF_PACKET) to CPU 1;
# the unbound workqueues (skbremap's worker) and every consumer are pinned
# to CPU 1. So a consumer's whole cost lands on CPU 1, and a generator
# that is not slowed by it offers every consumer the same rate. The
# backlog CPU 1 takes frames into (net.core.netdev_max_backlog = BACKLOG)
# plays the NIC's receive ring: frames it refuses are lost before any tap
# (pktgen counts them in "errors" and sends others in their place). It is
# raised from 1000 so that the host descheduling a vCPU thread for a few
# ms (TCG on a shared host) does not decide the result.
#
# For every load (pktgen over veth, a UDP flood on lo) and frame size, each
# consumer runs alone against the same load, one after the other:
#   none       no capture: the load's own CPU (the baseline subtracted)
#   bounce ring adaptive remap   remapd --backend kernel --mode M -w /dev/null
#   ring-worker  remapd --mode ring with the module parameter direct_copy=0:
#              the ring path through the queue and the worker (clone, then
#              copy in process context) instead of the copy in the hook
#   tcpdump    tcpdump -w SINK -B <same bytes as remapd's windows>
#   netsniff-ng  netsniff-ng -i IF -o SINK -s -G -Q -S <same bytes> (TPACKET_V3,
#              scatter-gather pcap writes); started per phase: it has no
#              live counters, its final ones are read at SIGINT
#   dumpcap    dumpcap -i IF -w SINK -P -B <same MiB> (libpcap, TPACKET_V3);
#              per phase, as netsniff-ng
#   fanout2    remapd -j 2 (a fanout group of two members), when remapd has it
#   recvfrom   /vm/recvloop: recvfrom() loop on an AF_PACKET socket
#   tcpdump2   tcpdump again, last: the A/A control (its distance from the
#              first tcpdump is the noise of this run)
# SINKS: "null" (-w /dev/null) and "file" (a pcap on ext4 on the virtio disk
# /dev/vdb, mounted at /mnt/cap; FILE_CONSUMERS on FILE_LOADS); the CSV's load column
# says "pktgen" or "pktgen:file". Dirty page cache is bounded (DIRTY_BYTES) so
# a file sink writes at the disk's pace, not into 2 GiB of guest memory.
# Then, with a throttled disk (/dev/vdc, QEMU throttling.bps-total, /mnt/slow):
# the "burst" load (pktgen bursts at a peak above the disk's rate, pauses,
# average below it) and the "over" load (unpaced: average above the disk's
# rate), THROTTLE_CONSUMERS each alone, one start for all bursts.
# Phases per consumer (one start of the consumer for all of them, but
# netsniff-ng and dumpcap: one start per phase):
# CONSUMERS run ROUNDS times in turn (labelled C#2, C#3, ... in the CSV).
#   flood      COUNT frames unpaced (pktgen "delay 0" / udpflood), COUNT from
#              the generator's rate alone (probe) x FLOOD_SECS
#   cpu        pktgen only: paced ("ratep") at G/CPU_DIV, G the rate of the
#              load alone's flood: CPU per packet at a rate every consumer
#              should sustain; the first step of the loss-free search
#   step       pktgen only, when the flood lost packets: bisection steps on a
#              log scale (LADDER_STEPS in all, the cpu step included) between
#              the cpu step's rate and G (or G/CPU_DIV^2 and it, when it lost
#              packets too), for the highest rate at which the consumer loses
#              nothing
# Every phase waits for the consumer to drain, then records (CSV):
#   load,size,consumer,phase,nominal_pps,offered,at_tap,captured,drops,
#   gen_secs,gen_pps,busy_ticks,busy_cpu1_ticks,proc_ticks,backlog_drops,note,
#   user_ticks
#   ,softirq_cpu1_ticks
# busy: /proc/stat user+nice+system+irq+softirq+steal over the phase and its
# drain, all CPUs and CPU 1 alone (USER_HZ ticks: softirqs, kworkers, the
# generator, the consumer); proc: utime+stime of the consumer process
# (/proc/PID/stat): with tick accounting (no IRQ_TIME_ACCOUNTING) a softirq
# that runs while the consumer is current is charged to its stime too;
# user: utime alone, the consumer's own user-space work.
. /vm/lib.sh
. /vm/bench.conf
RECVLOOP=/vm/recvloop
UDPFLOOD=/vm/udpflood
CSV=$OUT/bench.csv
RAW=$OUT/bench-consumers.log
PEER_MAC=02:00:00:00:00:01

have_module bench && have_remapd bench || exit 0
module_loaded || { fail bench "skbremap is not loaded"; exit 0; }
for t in $RECVLOOP $UDPFLOOD; do
	[ -x $t ] || { fail bench "no $t in the initramfs"; exit 0; }
done
NETSNIFF=/usr/sbin/netsniff-ng
DUMPCAP=/usr/bin/dumpcap
: >$CSV
: >$RAW
DIRECT=/sys/module/skbremap/parameters/direct_copy
FEATURES=$($GAUGES version | sed -n 's/.*features=\(0x[0-9a-fA-F]*\).*/\1/p')
note "module features $FEATURES; sizes $SIZES; loads $LOADS; consumers $CONSUMERS"
note "remapd region $WINDOWS windows x ($INFO_PAGES info + $PPW data pages); tcpdump -B $TCPDUMP_KB KiB; recvloop SO_RCVBUF request $RCVBUF"
sysctl -qw net.core.netdev_max_backlog=$BACKLOG

# --- measurement helpers -------------------------------------------------
# busy_ticks [CPU]: all CPUs ("cpu"), or one ("cpu1").
busy_ticks() { awk -v c="${1:-cpu}" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
softirq_ticks() { awk -v c="${1:-cpu}" '$1 == c { print $8; exit }' /proc/stat; }
proc_ticks() { awk '{ print $14 + $15 }' /proc/$1/stat 2>/dev/null || echo 0; }
user_ticks() { awk '{ print $14 }' /proc/$1/stat 2>/dev/null || echo 0; }
now_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
backlog_drops() {
	n=0
	while read -r _ d _; do n=$((n + 0x$d)); done </proc/net/softnet_stat
	echo $n
}
rx_packets() { cat /sys/class/net/$1/statistics/rx_packets; }
calc() { awk "BEGIN { printf \"%d\", $1 }"; }
# isqrt N: the integer square root (busybox awk has no math functions).
isqrt() {
	x=$1
	[ "$x" -gt 1 ] || { echo "$x"; return; }
	y=$(((x + 1) / 2))
	while [ $y -lt $x ]; do
		x=$y
		y=$(((x + $1 / x) / 2))
	done
	echo $x
}

# --- loads ---------------------------------------------------------------
# pktgen_setup SIZE: frames of SIZE bytes (Ethernet header included) from
# vp to an address no one has (PACKET_OTHERHOST on vh: every tap sees it,
# IP drops it at once, no reply, no socket). Above a page, the payload after
# pktgen's 58 header bytes is whole-page frags (pktgen "frags": floor((SIZE -
# 58) / 4096) order-0 pages, offset 0, PAGE_SIZE long; the rest linear): what
# skbremap's remap path takes (docs/architecture.md, tests/vm 36-remap).
#
# PKTGEN_MODE=inject (vm-bench.sh --inject): pktgen in this netns hands each
# frame to vh's receive path itself ("xmit_mode netif_receive"; RPS still
# queues it to CPU 1), skipping veth's transmit: a faster generator, for
# consumers that keep up with the veth one.
PG_DEV=vp
[ "${PKTGEN_MODE:-veth}" = inject ] && PG_DEV=vh
pg() {
	if [ $PG_DEV = vh ]; then
		echo "$2" >/proc/net/pktgen/$1 || { echo "  pktgen: '$2' >$1 failed"; return 1; }
	else
		pgset "$@"
	fi
}
pg_result() {
	if [ $PG_DEV = vh ]; then cat /proc/net/pktgen/vh; else $IP netns exec peer cat /proc/net/pktgen/vp; fi
}
pktgen_setup() {
	frags=$((($1 - 58) / 4096))
	pg kpktgend_0 "rem_device_all" && pg kpktgend_0 "add_device $PG_DEV" &&
		{ [ $PG_DEV = vp ] || pg $PG_DEV "xmit_mode netif_receive"; } &&
		pg $PG_DEV "clone_skb 0" && pg $PG_DEV "pkt_size $1" && pg $PG_DEV "frags $frags" &&
		pg $PG_DEV "dst 10.99.0.1" && pg $PG_DEV "src_min 10.99.0.2" && pg $PG_DEV "src_max 10.99.0.2" &&
		pg $PG_DEV "dst_mac $PEER_MAC" &&
		pg $PG_DEV "udp_dst_min $UDP_PORT" && pg $PG_DEV "udp_dst_max $UDP_PORT"
}
# load_run LOAD SIZE COUNT RATE: sends, sets GEN_SENT GEN_SECS GEN_PPS.
# RATE 0 = as fast as the generator goes.
load_run() {
	GEN_SENT=0 GEN_SECS=0 GEN_PPS=0
	case $1 in
	pktgen)
		# "count 0" would never end.
		[ "${3:-0}" -gt 0 ] 2>/dev/null || { echo "  pktgen: bad count '$3'"; return 1; }
		pg $PG_DEV "count $3" || return 1
		if [ "$4" = 0 ]; then pg $PG_DEV "delay 0"; else pg $PG_DEV "ratep $4"; fi
		pg pgctrl start
		# The write returns early when a signal reaches this shell (e.g.
		# SIGCHLD of a consumer that ended): wait for pktgen's result.
		i=0
		while ! pg_result | grep -q 'Result: OK' && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		res=$(pg_result)
		# Result: OK: 1234567(c..+d..) usec, 2000 (64byte,0frags)
		#   1620pps 0Mb/sec (829440bps) errors: 0
		# pktgen counts a frame the capture CPU's backlog refused (veth
		# returns NET_XMIT_DROP) in "errors" and sends another until COUNT
		# got through: the frames put on the wire are sofar + errors.
		sofar=$(echo "$res" | sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' | head -n 1)
		errors=$(echo "$res" | sed -n 's/.*pps .* errors: \([0-9]*\).*/\1/p' | head -n 1)
		usec=$(echo "$res" | sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p')
		GEN_SENT=$((${sofar:-0} + ${errors:-0}))
		# inject: a refused frame counts in both (netif_receive_skb's
		# NET_RX_DROP), and is not sent again.
		[ $PG_DEV = vh ] && GEN_SENT=${sofar:-0}
		GEN_SECS=$(awk "BEGIN { printf \"%.3f\", ${usec:-0} / 1e6 }")
		GEN_PPS=$(awk "BEGIN { if (${usec:-0} > 0) printf \"%d\", $GEN_SENT * 1e6 / ${usec:-1}; else print 0 }")
		echo "$res" | grep -q 'Result: OK' || echo "  pktgen: $(echo "$res" | grep Result)"
		;;
	lo)
		res=$(taskset 1 $UDPFLOOD 127.0.0.1 $UDP_PORT $(($2 - 42)) $3)
		GEN_SENT=$(echo "$res" | sed -n 's/.*sent \([0-9]*\) datagrams.*/\1/p')
		GEN_SECS=$(echo "$res" | sed -n 's/.* in \([0-9.]*\) s .*/\1/p')
		GEN_PPS=$(echo "$res" | sed -n 's/.*(\([0-9]*\)\/s).*/\1/p')
		;;
	esac
	[ -n "$GEN_SENT" ] && [ "$GEN_SENT" -gt 0 ]
}

# --- consumers -----------------------------------------------------------
# consumer_start C IFACE: sets CPID (empty for none) and CLOG; on failure
# NA says why ("n/a (...)") and it returns 1.
# SINK_PATH: /dev/null, or the consumer's file on the mounted disk (SINK_DIR).
consumer_start() {
	CPID= NA= CLOG=/tmp/consumer.log
	: >$CLOG
	SINK_PATH=/dev/null
	if [ "$SINK" != null ]; then
		SINK_PATH=$SINK_DIR/$1.pcap
		rm -f "$SINK_PATH" "$SINK_DIR"/$1.*.pcap
	fi
	JOBS=
	case $1 in
	none) return 0 ;;
	bounce | ring | ring-worker | remap | adaptive | fanout2)
		case $1 in
		bounce) bit=1 feat=FEAT_BOUNCE ;;
		ring | ring-worker) bit=4 feat=FEAT_RING ;;
		remap) bit=8 feat=FEAT_REMAP ;;
		adaptive | fanout2) bit=16 feat=FEAT_ADAPTIVE ;;
		esac
		# The fanout row: remapd -j 2, when this remapd has it.
		if [ $1 = fanout2 ]; then
			if ! $REMAPD capture --help 2>&1 | grep -qE -- '(-j|--threads)'; then
				NA="n/a (this remapd has no -j/--threads: no fanout row)"
				return 1
			fi
			JOBS="-j 2"
		fi
		if [ $((FEATURES & bit)) -eq 0 ]; then
			NA="n/a (module lacks $feat)"
			return 1
		fi
		if [ $1 = ring-worker ]; then
			[ -w $DIRECT ] || { NA="n/a (no $DIRECT)"; return 1; }
			echo 0 >$DIRECT
		fi
		m=${1%-worker}
		[ $1 = fanout2 ] && m=adaptive
		taskset 2 $REMAPD capture --backend kernel -i "$2" -w "$SINK_PATH" --windows $WINDOWS \
			--pages-per-window $PPW --info-pages ${INFO_PAGES:-0} --mode $m $JOBS -q >$CLOG 2>&1 &
		CPID=$!
		bg_track $CPID
		i=0
		while [ $i -lt 200 ]; do
			if ! kill -0 $CPID 2>/dev/null; then
				wait $CPID
				NA="n/a (remapd exited $?: $(grep -m1 -iE 'error|exception' $CLOG || tail -n 1 $CLOG))"
				CPID=
				return 1
			fi
			$GAUGES captures 2>/dev/null | grep -q "pid=$CPID .*running=1" && return 0
			sleep 0.1
			i=$((i + 1))
		done
		;;
	tcpdump | tcpdump2)
		taskset 2 $TCPDUMP -i "$2" -nn -B $TCPDUMP_KB -Z root -w "$SINK_PATH" >$CLOG 2>&1 &
		CPID=$!
		bg_track $CPID
		wait_for $CLOG 'listening on' 20 && return 0
		;;
	netsniff-ng)
		[ -x $NETSNIFF ] || { NA="n/a (no $NETSNIFF in the initramfs)"; return 1; }
		# -Q: leave IRQ affinities alone; -G: scatter-gather pcap writes.
		taskset 2 $NETSNIFF -i "$2" -o "$SINK_PATH" -s -G -Q -S ${TCPDUMP_KB}KiB >$CLOG 2>&1 &
		CPID=$!
		bg_track $CPID
		wait_for $CLOG 'Running' 20 && return 0
		;;
	dumpcap)
		[ -x $DUMPCAP ] || { NA="n/a (no $DUMPCAP in the initramfs)"; return 1; }
		taskset 2 $DUMPCAP -i "$2" -w "$SINK_PATH" -P -B $((TCPDUMP_KB / 1024)) >$CLOG 2>&1 &
		CPID=$!
		bg_track $CPID
		wait_for $CLOG 'Capturing on' 20 && return 0
		;;
	recvfrom)
		taskset 2 $RECVLOOP "$2" $RCVBUF >$CLOG 2>&1 &
		CPID=$!
		bg_track $CPID
		wait_for $CLOG 'listening on' 20 && return 0
		;;
	esac
	NA="n/a ($1 did not start: $(tail -n 1 $CLOG))"
	return 1
}

# consumer_counts C: CAP DROP (cumulative since its start), DONE=1 when it
# holds nothing unprocessed that it knows of (remapd: the module has no
# packet in flight and no window with user space).
consumer_counts() {
	DONE=0
	case $1 in
	none) CAP=0 DROP=0 DONE=1 ;;
	bounce | ring | ring-worker | remap | adaptive | fanout2)
		# Every capture of the process (fanout2: the group's members).
		l=$($GAUGES captures 2>/dev/null | grep " pid=$CPID ")
		CAP=$(echo "$l" | sed -n 's/.* captured=\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
		DROP=$(echo "$l" | sed -n 's/.* drops=\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
		[ -n "$l" ] && ! echo "$l" | grep -vq ' user=0 .* in_flight=0 ' && DONE=1
		;;
	netsniff-ng | dumpcap)
		# Started for this phase: nothing counted yet; the counts come at
		# its end (peer_final).
		CAP=0 DROP=0
		;;
	tcpdump | tcpdump2 | recvfrom)
		nl=$(wc -l <$CLOG)
		kill -USR1 $CPID
		i=0
		while [ "$(wc -l <$CLOG)" -le "$nl" ] && [ $i -lt 30 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		if [ $1 != recvfrom ]; then
			# tcpdump: N packets captured, N packets received by filter, N packets dropped by kernel
			l=$(grep 'captured, ' $CLOG | tail -n 1)
			CAP=$(echo "$l" | sed -n 's/.* \([0-9]*\) packets\{0,1\} captured.*/\1/p')
			DROP=$(echo "$l" | sed -n 's/.* \([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p')
		else
			l=$(grep '^recvloop: packets' $CLOG | tail -n 1)
			CAP=$(echo "$l" | sed -n 's/.*packets \([0-9]*\) .*/\1/p')
			DROP=$(echo "$l" | sed -n 's/.*drops \([0-9]*\) .*/\1/p')
		fi
		;;
	esac
	CAP=${CAP:-0} DROP=${DROP:-0}
}

# drain C: until the consumer's counts stop moving (remapd: until the module
# says it is done), at least MIN_DRAIN_CS, tcpdump at least 1.3 s (its
# TPACKET_V3 block is handed over after tcpdump's 1 s timeout); at most 20 s.
drain() {
	t0=$(now_cs)
	min=$MIN_DRAIN_CS
	case $1 in tcpdump* | netsniff-ng | dumpcap) min=130 ;; esac
	last=-1 still=0
	while :; do
		consumer_counts $1
		t=$(($(now_cs) - t0))
		cur=$((CAP + DROP))
		# netsniff-ng, dumpcap: no live counters; done when their CPU time
		# and their file stop growing.
		case $1 in netsniff-ng | dumpcap)
			cur="$(proc_ticks $CPID) $(stat -c %s "$SINK_PATH" 2>/dev/null)" ;;
		esac
		if [ "$cur" = "$last" ]; then still=$((still + 1)); else still=0; fi
		last=$cur
		[ $t -ge $min ] && { [ $DONE = 1 ] || [ $still -ge 2 ]; } && break
		[ $t -ge 2000 ] && { echo "  $1: still moving after 20 s"; break; }
		sleep 0.3
	done
}

# peer_final C: stops netsniff-ng or dumpcap with SIGINT and reads its
# final counts into CAP DROP (since its start, i.e. this phase).
peer_final() {
	stop_pid $CPID INT 20 >/dev/null
	{
		echo "=== $LOAD $SIZE $1 (phase)"
		cat $CLOG
	} >>$RAW
	CAP=0 DROP=0
	case $1 in
	netsniff-ng)
		# "N  packets passed filter", "N  packets failed filter (out of space)"
		f=$(tr '\r' '\n' <$CLOG)
		CAP=$(echo "$f" | sed -n 's/^ *\([0-9]*\)  packets passed filter.*/\1/p' | tail -n 1)
		DROP=$(echo "$f" | sed -n 's/^ *\([0-9]*\)  packets failed filter.*/\1/p' | tail -n 1)
		# On lo it counts each datagram's outgoing copy, which it does not
		# keep, as "failed": what is left over beyond those is the loss.
		if [ $LOAD = lo ]; then
			DROP=$(((${DROP:-0} - ${CAP:-0}) / 2))
			[ $DROP -ge 0 ] || DROP=0
		fi
		;;
	dumpcap)
		# "Packets captured: N", "Packets received/dropped on interface 'vh': R/D (...)"
		f=$(tr '\r' '\n' <$CLOG)
		CAP=$(echo "$f" | sed -n 's/^Packets captured: \([0-9]*\).*/\1/p' | tail -n 1)
		DROP=$(echo "$f" | sed -n "s/^Packets received\/dropped on interface .*: [0-9]*\/\([0-9]*\) .*/\\1/p" | tail -n 1)
		;;
	esac
	CAP=${CAP:-0} DROP=${DROP:-0}
	CPID=
}

# consumer_stop C: stops it as its user would; its final words go to RAW
# and set PATHS (remapd: how many packets each path carried).
consumer_stop() {
	PATHS=
	[ -w $DIRECT ] && echo 1 >$DIRECT	# ring-worker's 0 ends with it
	[ -n "$CPID" ] || return 0
	case $1 in
	tcpdump*) stop_pid $CPID INT 20 >/dev/null ;;
	*) stop_pid $CPID TERM 30 >/dev/null ;;
	esac
	{
		echo "=== $LOAD $SIZE $1"
		cat $CLOG
	} >>$RAW
	PATHS=$(sed -n 's/.*delivery: mode \([a-z]*\).* \([0-9]*\) copied into the ring, \([0-9]*\) remapped.*, \([0-9]*\) bounced.*/\1: ring \2 remap \3 bounce \4/p' $CLOG)
	# skbremap's drops by reason (remapd's summary), no commas (CSV).
	why=$(sed -n 's/.*dropped [0-9]* (queue full \([0-9]*\), no window \([0-9]*\), no memory \([0-9]*\), too big \([0-9]*\)).*/drops: queue full \1 no window \2 no memory \3 too big \4/p' $CLOG)
	[ -n "$why" ] && PATHS="$PATHS; $why"
	LO_WRITTEN=$(sed -n 's/^remapd: \([0-9]*\) packets written to.*/\1/p' $CLOG | awk '{ n += $1 } END { if (NR) print n }')
	# The output path's own words (a writer's queue, output drops), if any.
	outw=$(grep -iE 'queue|too slow|output' $CLOG | tr ',\n' '; ' | cut -c1-300)
	[ -n "$outw" ] && PATHS="$PATHS; output: $outw"
	CPID=
}

# phase C KIND NOMINAL COUNT RATE: one measured run of the load against the
# running consumer; appends a CSV record; sets LOSSLESS=1/0.
phase() {
	case $1 in netsniff-ng | dumpcap)
		if [ -z "$CPID" ]; then
			consumer_start $1 $IFACE || { note "$LOAD $SIZE $1: $NA"; LOSSLESS=0; return; }
			sleep 0.5
		fi ;;
	esac
	consumer_counts $1
	cap0=$CAP drop0=$DROP
	s0=$(softirq_ticks cpu1)
	b0=$(busy_ticks) c0=$(busy_ticks cpu1) p0=0 u0=0 q0=$(backlog_drops)
	[ -n "$CPID" ] && p0=$(proc_ticks $CPID) u0=$(user_ticks $CPID)
	rx0=$(rx_packets $IFACE)
	load_run $LOAD $SIZE $4 $5 || echo "  $LOAD: load failed"
	drain $1
	b1=$(busy_ticks) c1=$(busy_ticks cpu1) p1=0 u1=0 q1=$(backlog_drops)
	s1=$(softirq_ticks cpu1)
	[ -n "$CPID" ] && p1=$(proc_ticks $CPID) u1=$(user_ticks $CPID)
	case $1 in netsniff-ng | dumpcap) peer_final $1 ;; esac
	rx=$(($(rx_packets $IFACE) - rx0))
	cap=$((CAP - cap0)) drop=$((DROP - drop0))
	LOSSLESS=0
	[ $drop -eq 0 ] && [ $cap -ge $GEN_SENT ] && LOSSLESS=1
	[ $1 = none ] && cap= drop=
	echo "$LOAD$SINK_TAG,$SIZE,${CL:-$1},$2,$3,$GEN_SENT,$rx,$cap,$drop,$GEN_SECS,$GEN_PPS,$((b1 - b0)),$((c1 - c0)),$((p1 - p0)),$((q1 - q0)),$PHASE_NOTE,$((u1 - u0)),$((s1 - s0))" >>$CSV
	note "$(printf '%-6s%s %5s %-8s %-5s %7s/s  offered %7s  at tap %7s  captured %7s  drops %7s  %6ss  %7s pps  busy %4s cpu1 %4s  proc %4s  backlog drops %s' \
		$LOAD "$SINK_TAG" $SIZE ${CL:-$1} $2 $3 $GEN_SENT $rx "${cap:--}" "${drop:--}" $GEN_SECS $GEN_PPS $((b1 - b0)) $((c1 - c0)) $((p1 - p0)) $((q1 - q0)))"
}

# --- the run ---------------------------------------------------------------
start=$(now_cs)
veth_setup || { fail bench "veth pair setup failed"; exit 0; }
load_module pktgen || { fail bench "modprobe pktgen failed"; exit 0; }
# Jumbo frames up to 64 KiB: both ends (veth checks the receiver's MTU).
$IP link set vh mtu 65000 && $IP -n peer link set vp mtu 65000 ||
	{ fail bench "cannot set the veth MTU to 65000"; exit 0; }
# CPU 1 is the capture host (see the top of this file).
for d in vh lo; do
	echo 2 >/sys/class/net/$d/queues/rx-0/rps_cpus ||
		{ fail bench "cannot steer $d's receive processing to CPU 1 (RPS)"; exit 0; }
done
echo 2 >/sys/devices/virtual/workqueue/cpumask ||
	{ fail bench "cannot pin the unbound workqueues to CPU 1"; exit 0; }
command -v taskset >/dev/null || { fail bench "no taskset (busybox applet) in the initramfs"; exit 0; }
note "RPS of vh and lo on CPU 1, unbound workqueues on CPU $(cat /sys/devices/virtual/workqueue/cpumask), pktgen on CPU 0"

# The file sinks: ext4 on /dev/vdb (full speed) and /dev/vdc (throttled by
# QEMU), made on the host (vm-bench.sh). Page cache bounded: a writer blocks
# at the disk's pace once DIRTY_BYTES are waiting, as on a busy sensor.
SINK_DIR=/mnt/cap SINK=null SINK_TAG=
if [ -n "${FILE_CONSUMERS:-}" ] || [ -n "${THROTTLE_CONSUMERS:-}" ]; then
	load_module ext4 || fail bench "modprobe ext4 failed"
	sysctl -qw vm.dirty_bytes=$DIRTY_BYTES vm.dirty_background_bytes=$((DIRTY_BYTES / 4))
fi
if [ -n "${FILE_CONSUMERS:-}" ]; then
	mkdir -p /mnt/cap
	mount -t ext4 -o noatime /dev/vdb /mnt/cap ||
		{ fail bench "cannot mount the capture disk /dev/vdb"; FILE_CONSUMERS=; }
fi

# run_consumer C: one consumer (already in CL) through the phases of LOAD SIZE.
run_consumer() {
	C=$1
	PHASE_NOTE=
	if ! consumer_start $C $IFACE; then
		note "$LOAD$SINK_TAG $SIZE $CL: $NA"
		echo "$LOAD$SINK_TAG,$SIZE,$CL,na,,,,,,,,,,,,$NA" >>$CSV
		return
	fi
	sleep 0.5
	phase $C flood 0 $COUNT 0
	flood_lossless=$LOSSLESS
	# The load alone (first, /dev/null's table) gives the rate the ladder
	# is scaled to, for both tables.
	[ $C = none ] && [ "$SINK" = null ] && G=$GEN_PPS
	if [ $LOAD = pktgen ]; then
		# CPU step: paced at G/CPU_DIV, a rate each consumer should
		# sustain; CPU 1's busy time per packet is measured here (the
		# paced pktgen spins on CPU 0 between frames). It is also the
		# first step of the loss-free search.
		r=$((G / CPU_DIV))
		n=$(calc "$r * $STEP_SECS")
		[ $n -ge $MIN_STEP_COUNT ] || n=$MIN_STEP_COUNT
		phase $C cpu $r $n $r
		if [ $C != none ] && [ $flood_lossless = 0 ]; then
			# Bisection on a log scale between the CPU step and the
			# flood (or G/CPU_DIV^2 and the CPU step when it lost
			# packets too).
			if [ $LOSSLESS = 1 ]; then lo=$r hi=$G; else lo=$((r / CPU_DIV)) hi=$r; fi
			k=1
			while [ $k -lt $LADDER_STEPS ]; do
				r=$(isqrt $((lo * hi)))
				n=$(calc "$r * $STEP_SECS")
				[ $n -ge $MIN_STEP_COUNT ] || n=$MIN_STEP_COUNT
				phase $C step $r $n $r
				if [ $LOSSLESS = 1 ]; then lo=$r; else hi=$r; fi
				k=$((k + 1))
			done
		fi
	fi
	consumer_stop $C
	# After the stop: what the consumer still held in its buffers is written.
	FILE_BYTES=$(cat "$SINK_DIR/$C.pcap" "$SINK_DIR"/$C.*.pcap 2>/dev/null | wc -c)
	# lo: remapd writes each frame once (the outgoing copy skipped, as
	# libpcap does) but the module counts both copies; its written
	# count is the captured count.
	if [ $LOAD = lo ] && [ -n "$LO_WRITTEN" ]; then
		echo "$LOAD$SINK_TAG,$SIZE,$CL,written,,,,$LO_WRITTEN,,,,,,,," >>$CSV
	fi
	[ -n "$PATHS" ] && echo "$LOAD$SINK_TAG,$SIZE,$CL,paths,,,,,,,,,,,,$PATHS" >>$CSV
	if [ "$SINK" = file ]; then
		# The file must have grown: a sink that wrote nothing is no result.
		echo "$LOAD$SINK_TAG,$SIZE,$CL,filebytes,,,,$FILE_BYTES,,,,,,,," >>$CSV
		[ "$C" = none ] || [ "${FILE_BYTES:-0}" -gt 24 ] ||
			fail bench "$LOAD $SIZE $CL wrote nothing to $SINK_DIR"
		rm -f "$SINK_DIR/$C.pcap" "$SINK_DIR"/$C.*.pcap
	fi
}

for LOAD in $LOADS; do
	case $LOAD in
	pktgen) IFACE=vh ;;
	lo) IFACE=lo ;;
	*) fail bench "unknown load $LOAD"; continue ;;
	esac
	for SIZE in $SIZES; do
		[ $LOAD = pktgen ] && { pktgen_setup $SIZE || { fail bench "pktgen setup for $SIZE failed"; continue; }; }
		# The generator's own rate, no consumer: sizes the flood (about
		# FLOOD_SECS at full speed) and bounds the ladder.
		load_run $LOAD $SIZE $PROBE_COUNT 0
		G=$GEN_PPS
		COUNT=$(calc "$G * $FLOOD_SECS")
		[ $COUNT -ge $MIN_COUNT ] || COUNT=$MIN_COUNT
		[ $COUNT -le $MAX_COUNT ] || COUNT=$MAX_COUNT
		note "$LOAD $SIZE B: generator alone $G pps (probe of $PROBE_COUNT); flood count $COUNT"
		for ROUND in $(seq 1 $ROUNDS); do
		for SINK in null file; do
			if [ $SINK = null ]; then
				SINK_TAG= list=$CONSUMERS
			else
				SINK_TAG=:file list=${FILE_CONSUMERS:-}
				# FILE_LOADS: the loads written to the disk too.
				echo " ${FILE_LOADS:-pktgen} " | grep -q " $LOAD " || list=
				# The load alone again: its own CPU baseline for this table.
				[ -n "$list" ] && list="none $list"
			fi
			for C in $list; do
				# CSV label: the consumer, with #ROUND from the second round on.
				CL=$C
				[ $ROUND = 1 ] || CL="$C#$ROUND"
				run_consumer $C
			done
		done
		done
		SINK=null SINK_TAG=
		note "$LOAD $SIZE B done at $((($(now_cs) - start) / 100)) s"
	done
done

# --- the throttled disk ----------------------------------------------------
# pktgen frames of BURST_SIZE bytes to a disk QEMU throttles to THROTTLE_BPS:
#   burst  BURSTS bursts of BURST_COUNT frames paced at BURST_PPS (a peak above
#          the disk's rate), each followed by BURST_PAUSE seconds of nothing:
#          the average is below the disk's rate, so a consumer that buffers a
#          burst loses nothing
#   over   OVER_COUNT frames unpaced: the average is above the disk's rate,
#          loss is certain; who counts it, under which reason
# One start of each consumer for the whole load.
# burst_run N COUNT RATE PAUSE: N times COUNT frames at RATE (0 = unpaced).
burst_run() {
	sent=0 t0=$(now_cs) b=0
	while [ $b -lt $1 ]; do
		load_run pktgen $BURST_SIZE $2 $3 || echo "  pktgen: burst failed"
		sent=$((sent + GEN_SENT))
		[ $b -lt $(($1 - 1)) ] && sleep $4
		b=$((b + 1))
	done
	GEN_SENT=$sent
	GEN_SECS=$(awk "BEGIN { printf \"%.3f\", ($(now_cs) - $t0) / 100 }")
	GEN_PPS=$(awk "BEGIN { printf \"%d\", $sent / $GEN_SECS }")
}
if [ -n "${THROTTLE_CONSUMERS:-}" ] && grep -q 'pktgen' /proc/modules; then
	mkdir -p /mnt/slow
	if mount -t ext4 -o noatime /dev/vdc /mnt/slow; then
		SINK_DIR=/mnt/slow SINK=slow SINK_TAG= IFACE=vh
		pktgen_setup $BURST_SIZE || fail bench "pktgen setup for $BURST_SIZE failed"
		note "throttled disk: $THROTTLE_BPS B/s; $BURSTS bursts of $BURST_COUNT x $BURST_SIZE B at $BURST_PPS pps, $BURST_PAUSE s apart; over: $OVER_COUNT unpaced"
		for LOAD in burst over; do
			SIZE=$BURST_SIZE
			for C in $THROTTLE_CONSUMERS; do
				CL=$C
				if ! consumer_start $C vh; then
					echo "$LOAD,$SIZE,$CL,na,,,,,,,,,,,,$NA" >>$CSV
					continue
				fi
				sleep 0.5
				consumer_counts $C
				cap0=$CAP drop0=$DROP p0=$(proc_ticks $CPID)
				if [ $LOAD = burst ]; then
					burst_run $BURSTS $BURST_COUNT $BURST_PPS $BURST_PAUSE
					peak=$BURST_PPS
				else
					burst_run 1 $OVER_COUNT 0 0
					peak=$GEN_PPS
				fi
				drain $C
				p1=$(proc_ticks $CPID)
				case $C in netsniff-ng | dumpcap) peer_final $C ;; esac
				cap=$((CAP - cap0)) drop=$((DROP - drop0))
				consumer_stop $C
				FILE_BYTES=$(cat "$SINK_DIR/$C.pcap" "$SINK_DIR"/$C.*.pcap 2>/dev/null | wc -c)
				echo "$LOAD,$SIZE,$CL,flood,$peak,$GEN_SENT,,$cap,$drop,$GEN_SECS,$GEN_PPS,,,$((p1 - p0)),,,,," >>$CSV
				[ -n "$PATHS" ] && echo "$LOAD,$SIZE,$CL,paths,,,,,,,,,,,,$PATHS" >>$CSV
				echo "$LOAD,$SIZE,$CL,filebytes,,,,$FILE_BYTES,,,,,,,," >>$CSV
				note "$LOAD $CL: offered $GEN_SENT captured $cap drops $drop file $FILE_BYTES B; $PATHS"
				rm -f "$SINK_DIR/$C.pcap" "$SINK_DIR"/$C.*.pcap
				sync
			done
		done
		umount /mnt/slow
	else
		fail bench "cannot mount the throttled disk /dev/vdc"
	fi
fi
[ -n "${FILE_CONSUMERS:-}" ] && umount /mnt/cap 2>/dev/null

# The module's START-time calibration (ADAPTIVE): copy vs remap per page.
dmesg | grep -E 'calibration' | tail -n 12 >$OUT/bench-calibration.txt
dmesg_clean bench
[ -z "${SCENARIO_FAILED:-}" ] && pass bench "$(wc -l <$CSV) records in $((($(now_cs) - start) / 100)) s"
