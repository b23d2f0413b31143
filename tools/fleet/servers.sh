#!/usr/bin/env bash
# Start, stop or show a capture fleet's NATS servers on this machine (loopback only):
# a JetStream hub of 3 nodes (domain "hub") and one leaf per sensor host (domain = host).
#
#   servers.sh start  DIR [--hosts "a b c"] [--base PORT]
#   servers.sh stop   DIR
#   servers.sh status DIR
#
# start writes the configurations with nats-conf.sh into DIR, starts every server in the
# background (DIR/NAME.pid, DIR/NAME.log), waits until each answers on its monitor port,
# the hub's JetStream cluster has a meta leader and every leaf is connected to the hub,
# then prints each server's client URL. status exits 1 unless all run and a leader exists.
# Ports from BASE (default 14222): hub clients BASE..BASE+2, cluster routes BASE+10..+12,
# leafnode listeners BASE+20..+22, hub monitors BASE+30..+32; leaf K (0-based, at most
# 50) client BASE+100+K, monitor BASE+200+K. Default hosts: "sensor1 sensor2".
# stop sends SIGTERM to every server started in DIR and waits (SIGKILL after 10 s).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
die() {
	echo "servers: $*" >&2
	exit 2
}
usage() {
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2
hosts="sensor1 sensor2" base=14222
while [ $# -gt 0 ]; do
	case $1 in
	--hosts) [ $# -ge 2 ] || usage; hosts=$2; shift 2 ;;
	--base) [ $# -ge 2 ] || usage; base=$2; shift 2 ;;
	*) die "unknown argument '$1'" ;;
	esac
done
[[ $base =~ ^[0-9]{1,5}$ ]] && ((10#$base >= 1024 && 10#$base + 250 <= 65535)) ||
	die "--base $base: needs 1024..65285 (the fleet uses BASE..BASE+250)"
base=$((10#$base))
read -r -a hostv <<<"$hosts"
((${#hostv[@]} >= 1 && ${#hostv[@]} <= 50)) || die "--hosts: 1 to 50 host names"
command -v nats-server >/dev/null || die "nats-server is not installed (apt-get install nats-server)"
command -v curl >/dev/null || die "curl is not installed"

list=$dir/servers.list # NAME CLIENT_URL MONITOR_PORT, one server a line

running() { # PID: a nats-server process that has not exited (a zombie has)
	local comm st
	comm=$(cat "/proc/$1/comm" 2>/dev/null) && [ "$comm" = nats-server ] || return 1
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) && [ "$st" != Z ]
}
alive() { [ -s "$dir/$1.pid" ] && running "$(cat "$dir/$1.pid")"; }

wait_for() { # SECONDS DESCRIPTION COMMAND...: retry COMMAND every 0.2 s
	local deadline=$((SECONDS + $1)) what=$2
	shift 2
	until "$@" >/dev/null; do
		((SECONDS < deadline)) || die "timed out after ${deadline}s waiting for $what"
		sleep 0.2
	done
}

healthy() { # NAME MONITOR_PORT: the process runs and /healthz says ok
	alive "$1" || die "$1 exited; see $dir/$1.log"
	curl -fs --max-time 2 "http://127.0.0.1:$2/healthz?js-enabled-only=true" | grep -q '"ok"'
}

uplinked() { # MONITOR_PORT: the leaf has its leafnode connection to the hub
	curl -fs --max-time 2 "http://127.0.0.1:$1/leafz" | grep -Eq '"leafnodes": *[1-9]'
}

meta_leader() { # MONITOR_PORT: prints the hub's JetStream meta leader, fails without one
	local l
	l=$(curl -fs --max-time 2 "http://127.0.0.1:$1/jsz" |
		tr -d '\n' | grep -o '"meta_cluster": *{[^}]*' | grep -o '"leader": *"[^"]*"' | cut -d'"' -f4)
	[ -n "$l" ] && echo "$l"
}

start() {
	local i n name conf urls=() pids=()
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	list=$dir/servers.list
	[ ! -s "$list" ] || while read -r name _; do
		! alive "$name" || die "$name already runs from $dir (servers.sh stop $dir first)"
	done <"$list"
	for h in "${hostv[@]}"; do
		[ "$(printf '%s\n' "${hostv[@]}" | grep -cxF -- "$h")" = 1 ] || die "host '$h' is named twice"
	done
	: >"$list.tmp"
	for n in 1 2 3; do
		conf=$("$here/nats-conf.sh" hub "$dir" $n $base $((base + 10)) $((base + 20)) $((base + 30)))
		echo "hub-$n nats://127.0.0.1:$((base + n - 1)) $((base + 30 + n - 1)) $conf" >>"$list.tmp"
		urls+=("127.0.0.1:$((base + 20 + n - 1))")
	done
	i=0
	for h in "${hostv[@]}"; do
		conf=$("$here/nats-conf.sh" leaf "$dir" "$h" $((base + 100 + i)) \
			"$(IFS=,; echo "${urls[*]}")" $((base + 200 + i)))
		echo "$h nats://127.0.0.1:$((base + 100 + i)) $((base + 200 + i)) $conf" >>"$list.tmp"
		i=$((i + 1))
	done
	mv "$list.tmp" "$list"
	while read -r name _ _ conf; do
		nohup nats-server -c "$conf" >"$dir/$name.log" 2>&1 </dev/null &
		echo $! >"$dir/$name.pid"
	done <"$list"
	while read -r name _ mon _; do
		wait_for 30 "$name to answer on port $mon" healthy "$name" "$mon"
	done <"$list"
	wait_for 30 "the hub's JetStream meta leader" meta_leader $((base + 30))
	while read -r name _ mon _; do
		[[ $name == hub-[123] ]] || wait_for 30 "$name's leafnode connection to the hub" uplinked "$mon"
	done <"$list"
	echo "hub meta leader: $(meta_leader $((base + 30)))"
	while read -r name url _; do
		echo "$name $url"
	done <"$list"
}

stop() {
	local name pid deadline
	[ -s "$list" ] || die "no servers.list in $dir"
	while read -r name _; do
		if alive "$name"; then kill "$(cat "$dir/$name.pid")"; fi
	done <"$list"
	deadline=$((SECONDS + 10))
	while read -r name _; do
		[ -s "$dir/$name.pid" ] || continue
		pid=$(cat "$dir/$name.pid")
		while running "$pid"; do
			if ((SECONDS >= deadline)); then
				echo "servers: $name ($pid) ignored SIGTERM for 10 s; SIGKILL" >&2
				kill -9 "$pid" 2>/dev/null || true
			fi
			sleep 0.1
		done
		rm -f "$dir/$name.pid"
		echo "$name stopped"
	done <"$list"
}

status() {
	local name url mon state rc=0
	[ -s "$list" ] || die "no servers.list in $dir"
	while read -r name url mon _; do
		if ! alive "$name"; then
			state=stopped rc=1
		elif curl -fs --max-time 2 "http://127.0.0.1:$mon/healthz?js-enabled-only=true" | grep -q '"ok"'; then
			state=ok
		else
			state=unhealthy rc=1
		fi
		echo "$name $url $state"
	done <"$list"
	for mon in $(awk '$1 ~ /^hub-/ { print $3 }' "$list"); do
		if name=$(meta_leader "$mon"); then
			echo "hub meta leader: $name"
			return $rc
		fi
	done
	echo "hub meta leader: none"
	return 1
}

case $cmd in
start) start ;;
stop) stop ;;
status) status ;;
*) usage ;;
esac
