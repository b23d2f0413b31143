# Sourced by the VM lane's scenarios (tests/vm/scenarios/*.sh) inside the
# guest. Each scenario reports one or more checks as lines
#   SCENARIO <check>: PASS [(detail)]
#   SCENARIO <check>: FAIL (reason)
#   SKIP: <check>: reason
# and /init fails the scenario file when any check fails, none is reported,
# or it exits non-zero.
# Packet captures to compare on the host are listed in /out/compare.list.

# Debian's busybox runs its own applets before anything on PATH: the real
# tools are called by full path.
IP=/usr/sbin/ip
TCPDUMP=/usr/bin/tcpdump
PING=/usr/bin/ping
REMAPD=/opt/remap/remapd
REMAPCTL=/opt/remap/remapctl
UDPSEND=/vm/udpsend
GAUGES=/vm/skbremap-gauges
SKBREMAP_KO=/vm/skbremap.ko
OUT=/out

# The test traffic: UDP to this port (the compare filter keys on it) and
# ICMP echo with this payload pattern.
UDP_PORT=47474
PING_PATTERN=5ca95ca9
UDP_MIN=1
UDP_MAX=${UDP_MAX:-8972}
PING_COUNT=20

# remapd's region: room for a few hundred jumbo frames in flight, so a slow
# TCG guest does not drop (this lane checks content, not drop behaviour).
# skbremap.mode=M on the kernel command line (tests/vm/run.sh skbremap.mode=M)
# pins remapd's --mode; by default remapd picks, as for a user.
REMAPD_OPTS=${REMAPD_OPTS:---windows 32 --pages-per-window 64}
[ -z "${SKBREMAP_MODE:-}" ] || REMAPD_OPTS="$REMAPD_OPTS --mode $SKBREMAP_MODE"

# Background processes a scenario starts are killed when it ends, however
# it ends: /init's console pipe must not stay open behind it.
BG_PIDS=
bg_track() { BG_PIDS="$BG_PIDS $1"; }
bg_cleanup() {
	for p in $BG_PIDS; do
		kill -9 "$p" 2>/dev/null
	done
}
trap bg_cleanup EXIT
trap 'bg_cleanup; exit 143' TERM INT

pass() { echo "SCENARIO $1: PASS${2:+ ($2)}"; }
# skip CHECK REASON: CHECK did not run. The host counts every skip; in CI
# (CI=true) a skip fails the lane unless SKBREMAP_EXPECTED_SKIPS names it
# (tests/vm/skips.sh). A skip is never a pass.
skip() { echo "SKIP: $1: $2"; }
fail() { echo "SCENARIO $1: FAIL ($2)"; SCENARIO_FAILED=1; }
note() { echo "  $*"; }

# have_module|have_remapd|have_remapctl CHECK: it is in the image; a
# missing one fails CHECK with the reason instead of a confusing error later.
have_module() {
	[ -f "$SKBREMAP_KO" ] && return 0
	fail "$1" "no skbremap.ko in the initramfs (not built: see build/vm/module-build.log)"
	return 1
}
have_remapd() {
	[ -x "$REMAPD" ] && return 0
	fail "$1" "no remapd in the initramfs (NativeAOT publish of daemon/remapd missing)"
	return 1
}
have_remapctl() {
	[ -x "$REMAPCTL" ] && return 0
	fail "$1" "no remapctl in the initramfs (NativeAOT publish of tools/remapctl missing)"
	return 1
}
module_loaded() { grep -q '^skbremap ' /proc/modules; }

# load_module NAME: modprobe NAME unless it is loaded or built into the
# kernel (a debug kernel may have veth or virtio built in).
load_module() {
	grep -q "^$1 " /proc/modules && return 0
	grep -qE "(^|/)$1\.ko\$" /lib/modules/"$(uname -r)"/modules.builtin 2>/dev/null && return 0
	modprobe "$1"
}

# wait_for FILE REGEX SECONDS: until FILE has a line matching REGEX.
wait_for() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# stop_pid PID SIGNAL SECONDS: signal, wait up to SECONDS, then SIGKILL.
# Returns the process's exit status (137 if it had to be killed).
stop_pid() {
	kill -"$2" "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $(($3 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "  pid $1 still alive ${3}s after SIG$2: SIGKILL"
		kill -9 "$1" 2>/dev/null
	fi
	wait "$1"
}

# tcpdump_start IFACE FILE [NETNS]: sets TCPDUMP_PID; waits until tcpdump
# listens; TCPDUMP_FILTER, if set, is its filter expression; TCPDUMP_OPTS,
# if set, more options (e.g. -s). -Z root: no privilege drop (the file is in /out); -B: a 32 MB
# buffer so a slow guest drops nothing; --immediate-mode: no TPACKET_V3
# block timeout, or the packets of the last, part-full block are still in
# the ring when SIGINT ends the loop (seen: 22 of 2040 missing); -U: write
# each packet out.
tcpdump_start() {
	log=$2.log
	if [ -n "${3:-}" ]; then
		$IP netns exec "$3" $TCPDUMP -i "$1" -nn -U --immediate-mode -B 32768 -Z root -w "$2" \
			${TCPDUMP_OPTS:-} ${TCPDUMP_FILTER:+"$TCPDUMP_FILTER"} >"$log" 2>&1 &
	else
		$TCPDUMP -i "$1" -nn -U --immediate-mode -B 32768 -Z root -w "$2" \
			${TCPDUMP_OPTS:-} ${TCPDUMP_FILTER:+"$TCPDUMP_FILTER"} >"$log" 2>&1 &
	fi
	TCPDUMP_PID=$!
	bg_track $TCPDUMP_PID
	wait_for "$log" 'listening on' 20 || { cat "$log"; return 1; }
}

# tcpdump_stop CHECK FILE: SIGINT, and fail CHECK if it dropped anything.
tcpdump_stop() {
	stop_pid "$TCPDUMP_PID" INT 20
	rc=$?
	cat "$2.log" | sed 's/^/  tcpdump: /'
	if [ $rc -ne 0 ]; then
		fail "$1" "tcpdump exited $rc"
		return 1
	fi
	if ! grep -q '^0 packets dropped by kernel' "$2.log"; then
		fail "$1" "tcpdump dropped packets: $(grep 'dropped by kernel' "$2.log")"
		return 1
	fi
}

# remapd_start IFACE FILE [LOG]: sets REMAPD_PID; waits until the module
# reports the capture running (or 20 s). Its stdout/stderr go to LOG
# (default FILE.log). REMAPD_FILTER, if set, is passed as -F EXPRESSION.
remapd_start() {
	REMAPD_LOG=${3:-$2.log}
	if [ -n "${REMAPD_FILTER:-}" ]; then
		$REMAPD capture --backend kernel -i "$1" -w "$2" $REMAPD_OPTS \
			-F "$REMAPD_FILTER" >"$REMAPD_LOG" 2>&1 &
	else
		$REMAPD capture --backend kernel -i "$1" -w "$2" $REMAPD_OPTS >"$REMAPD_LOG" 2>&1 &
	fi
	REMAPD_PID=$!
	bg_track $REMAPD_PID
	i=0
	while [ $i -lt 200 ]; do
		kill -0 "$REMAPD_PID" 2>/dev/null || { cat "$REMAPD_LOG"; return 1; }
		if [ -x "$GAUGES" ] && $GAUGES captures 2>/dev/null | grep -q "pid=$REMAPD_PID .*running=1"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "  remapd (pid $REMAPD_PID) not seen running after 20 s, going on"
}

# remapd_why: remapd's first error line, for a FAIL reason.
remapd_why() {
	grep -m1 -iE 'error|unhandled|exception' "$REMAPD_LOG" 2>/dev/null || tail -n 1 "$REMAPD_LOG"
}

# remapd_stop CHECK FILE: SIGTERM (flush, drain, summary), expect exit 0.
# Not SIGINT: a non-interactive shell starts background jobs with SIGINT
# ignored, and the .NET runtime keeps an inherited SIG_IGN (tcpdump
# installs its own handler and stops on SIGINT; remapd did not).
remapd_stop() {
	stop_pid "$REMAPD_PID" TERM 30
	rc=$?
	sed 's/^/  remapd: /' "$REMAPD_LOG" | tail -n 20
	if [ $rc -ne 0 ]; then
		fail "$1" "remapd exited $rc after SIGTERM"
		return 1
	fi
}

# gauges_zero CHECK SECONDS: the module-wide gauges of SKBREMAP_IOC_GLOBAL
# (read by the static skbremap-gauges, not by remapctl) reach zero: no
# capture but the reader's own, no page, skb or mapping held.
gauges_zero() {
	i=0
	while :; do
		g=$($GAUGES global 2>&1)
		echo "$g" | grep -qE '^captures=[01] pages_held=0 skbs_held=0 mappings=0$' && break
		if [ $i -ge $(($2 * 10)) ]; then
			fail "$1" "module gauges not back to 0 after ${2}s: $g"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	note "module gauges: $g (captures=1 is the reader itself)"
}

# exit_gauges_zero CHECK: after rmmod, the module's own last word
# ("skbremap: unloaded: captures=0 pages_held=0 skbs_held=0 mappings=0").
exit_gauges_zero() {
	line=$(dmesg | grep 'skbremap: unloaded:' | tail -n 1)
	note "exit gauges: ${line:-none}"
	case $line in
	*"unloaded: captures=0 pages_held=0 skbs_held=0 mappings=0"*) return 0 ;;
	esac
	fail "$1" "module exit gauges not all 0: ${line:-no 'skbremap: unloaded:' line in dmesg}"
	return 1
}

# dmesg_clean CHECK: no WARN/BUG/Oops/... in the kernel log so far.
DMESG_BAD='WARNING:|BUG:|Oops|sleeping function called|KASAN|general protection|Kernel panic|Call Trace:|blocked for more than'
dmesg_clean() {
	if dmesg | grep -E "$DMESG_BAD" >/dev/null; then
		dmesg | grep -E -A 20 "$DMESG_BAD" | head -n 60 | sed 's/^/  dmesg: /'
		fail "$1" "kernel log has a warning or oops"
		return 1
	fi
}

# traffic DST [NETNS]: ICMP echo and UDP sizes UDP_MIN..UDP_MAX to DST,
# sent from NETNS if given, with a UDP sink on DST so no ICMP errors
# double the traffic. Both captures must see exactly
# expected_packets of it.
expected_packets() { echo $((2 * PING_COUNT + UDP_MAX - UDP_MIN + 1)); }
traffic() {
	ns=${2:+$IP netns exec $2}
	$UDPSEND -l $UDP_PORT >/dev/null 2>&1 &
	sink=$!
	$ns $PING -q -c $PING_COUNT -i 0.05 -p $PING_PATTERN "$1" | sed 's/^/  /'
	$ns $UDPSEND "$1" $UDP_PORT $UDP_MIN $UDP_MAX | sed 's/^/  /'
	# Let the last frames reach both taps (and the module's retire timeout
	# publish its last window) before anyone stops capturing.
	sleep 2
	kill $sink
	wait $sink 2>/dev/null
}

# veth_setup: the pair vh (root netns, 10.99.0.1) - vp (netns "peer",
# 10.99.0.2), MTU 9000, and VLAN 100 on top (vh.100 10.99.100.1 - vp.100
# 10.99.100.2). Idempotent: later scenarios reuse the pair.
veth_setup() {
	$IP link show vh >/dev/null 2>&1 && return 0
	load_module veth || return 1
	load_module 8021q || return 1
	$IP netns add peer &&
		$IP link add vh mtu 9000 type veth peer name vp mtu 9000 netns peer &&
		$IP addr add 10.99.0.1/24 dev vh && $IP link set vh up &&
		$IP -n peer addr add 10.99.0.2/24 dev vp && $IP -n peer link set vp up &&
		$IP -n peer link set lo up &&
		$IP link add link vh name vh.100 type vlan id 100 &&
		$IP addr add 10.99.100.1/24 dev vh.100 && $IP link set vh.100 up &&
		$IP -n peer link add link vp name vp.100 type vlan id 100 &&
		$IP -n peer addr add 10.99.100.2/24 dev vp.100 &&
		$IP -n peer link set vp.100 up || return 1
	# Resolve ARP before any capture starts.
	$IP netns exec peer $PING -q -c 1 -W 5 10.99.0.1 >/dev/null &&
		$IP netns exec peer $PING -q -c 1 -W 5 10.99.100.1 >/dev/null
}

# pgset FILE CMD: a pktgen command for the peer netns's /proc/net/pktgen/FILE
# (pktgen answers each in the file's "Result:" line).
pgset() {
	$IP netns exec peer sh -c "echo '$2' >/proc/net/pktgen/$1" ||
		{ echo "  pktgen: '$2' >$1 failed"; return 1; }
}

# compare_later NAME REMAPD_PCAP TCPDUMP_PCAP EXPECTED: the host compares
# them packet for packet and byte for byte (tests/vm/compare-pcaps.sh).
compare_later() {
	echo "$1 $2 $3 $4" >>$OUT/compare.list
}
