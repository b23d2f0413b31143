#!/usr/bin/env bash
# The capture fleet on one machine (loopback only, as root): a hub of three nats-servers, three
# sensor hosts each with its own leaf server and its own remapd capturing into its own store
# through the emulator, then remapctl fleet steering them and asking them for packets.
#
#   bash tools/fleet/demo.sh [SECONDS]      (default 60: how long the sensors run before the queries)
#
# sensor1 captures lo with a filter nothing on lo matches (udp port 7): what the fleet costs a
# host with no traffic. sensor2 and sensor3 capture the emulator's synthetic
# traffic (2,000 and 500 packets/s). The demo prints fleet status, sets a filter for all hosts
# through the hub's KV bucket and shows that each applies it, finds and extracts one flow's
# packets across the hosts (checked against tcpdump -r over the three stores), and prints what
# each host published per minute and how fast the extract ran. Exits 1 when any step fails.
# Everything lives under build/fleet-demo/ and is stopped at the end (also on Ctrl-C).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
[[ $seconds =~ ^[0-9]+$ ]] && ((seconds >= 15)) || { echo "demo: SECONDS: a whole number, at least 15" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "demo: run as root (capture needs it)" >&2; exit 2; }

"$repo/tools/deps.sh" run
command -v nats-server >/dev/null || apt-get install -y -q nats-server >/dev/null
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
make -s -C "$repo/tools/emulator"
dotnet build -c Release -v quiet -nologo "$repo/daemon/remapd/remapd.csproj" >/dev/null
dotnet build -c Release -v quiet -nologo "$repo/tools/remapctl/remapctl.csproj" >/dev/null
remapd=$repo/daemon/remapd/bin/Release/net10.0/remapd
remapctl=$repo/tools/remapctl/bin/Release/net10.0/remapctl

dir=$repo/build/fleet-demo
base=${FLEET_DEMO_BASE:-24222}
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	bash "$repo/tools/fleet/servers.sh" stop "$dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
bash "$repo/tools/fleet/servers.sh" stop "$dir" >/dev/null 2>&1 || true
rm -rf "$dir"
mkdir -p "$dir"

echo "demo: a hub of 3 nats-servers and a leaf per sensor (tools/fleet/servers.sh, base port $base)"
bash "$repo/tools/fleet/servers.sh" start "$dir" --hosts "sensor1 sensor2 sensor3" --base "$base"
hub="nats://127.0.0.1:$base,nats://127.0.0.1:$((base + 1)),nats://127.0.0.1:$((base + 2))"
export REMAPD_FLEET_SERVER=$hub

sensor() { # HOST INDEX SOURCE [EXPRESSION...]
	local host=$1 k=$2 source=$3
	shift 3
	mkdir -p "$dir/$host"
	"$remapd" capture --backend emulator --source "$source" -i lo -q \
		--store "$dir/$host/store" -G 10 --fleet "nats://127.0.0.1:$((base + 100 + k))" --fleet-host "$host" \
		"$@" 2>"$dir/$host/remapd.log" &
	pids+=($!)
}
sensor sensor1 0 afpacket udp port 7
sensor sensor2 1 "synthetic:rate=2000,flows=8,min=60,max=1500,step=7"
sensor sensor3 2 "synthetic:rate=500,flows=4,min=60,max=600,step=11"
started=$(date +%s)

echo "demo: waiting for the three heartbeats in the hub's remapd-alive bucket"
for _ in $(seq 60); do
	n=$("$remapctl" fleet status --json 2>/dev/null | python3 -c 'import json,sys; print(sum(1 for h in json.load(sys.stdin) if h["alive"]))' || echo 0)
	[ "$n" = 3 ] && break
	sleep 1
done
[ "$n" = 3 ] || { echo "demo: error: $n of 3 sensors alive after 60 s (logs: $dir/*/remapd.log)" >&2; exit 1; }
"$remapctl" fleet status

filter="udp port 40000 or udp port 40001 or udp port 40002"
echo "demo: remapctl fleet config set filter='$filter' (every host; sensor1 keeps its own, udp port 7)"
"$remapctl" fleet config set "filter=$filter"
"$remapctl" fleet config set --host sensor1 "filter=udp port 7"
for _ in $(seq 30); do
	n=$("$remapctl" fleet status --json | F="$filter" python3 -c 'import json,os,sys; print(sum(1 for h in json.load(sys.stdin) if h.get("status",{}).get("filter") in (os.environ["F"], "udp port 7") and h["status"]["config"]["applied"] and h["status"]["config"]["all_revision"] > 0))')
	[ "$n" = 3 ] && break
	sleep 1
done
[ "$n" = 3 ] || { echo "demo: error: $n of 3 sensors applied the filter" >&2; exit 1; }
"$remapctl" fleet status
applied=$(date +%s)

left=$((started + seconds - $(date +%s)))
if ((left > 0)); then
	echo "demo: capturing for $left s more"
	sleep "$left"
fi
# The range ends 12 s ago: every file of it is complete (-G 10) and indexed at the hub.
to=$(($(date +%s) - 12))
sleep 2

echo "demo: remapctl fleet find --from $started --to $to 'udp port 40001' (the hub's index records only)"
"$remapctl" fleet find --from "$started" --to "$to" udp port 40001
echo "demo: remapctl fleet extract --from $started --to $to -w $dir/flow.pcap 'udp port 40001'"
t0=$(date +%s.%N)
"$remapctl" fleet extract --from "$started" --to "$to" -w "$dir/flow.pcap" udp port 40001
t1=$(date +%s.%N)
got=$(tcpdump -r "$dir/flow.pcap" 2>/dev/null | wc -l)
want=0
for f in "$dir"/sensor*/store/*.pcap; do
	want=$((want + $(tcpdump -tt -r "$f" 'udp port 40001' 2>/dev/null |
		awk -v a="$started" -v b="$to" '$1 >= a && $1 < b' | wc -l)))
done
echo "demo: fleet extract wrote $got packets; tcpdump -r over the three stores selects $want"
[ "$got" -gt 0 ] && [ "$got" = "$want" ] || { echo "demo: error: the extract is not what tcpdump selects" >&2; exit 1; }

echo "demo: the whole range from every host (throughput of fleet extract)"
t0=$(date +%s.%N)
"$remapctl" fleet extract --from "$started" --to "$to" -w "$dir/all.pcap"
t1=$(date +%s.%N)
bytes=$(stat -c %s "$dir/all.pcap")
python3 -c "import sys; b=$bytes; s=$t1-$t0; print(f'demo: extract: {b} bytes in {s:.2f} s = {b/s/1e6:.1f} MB/s')"

echo "demo: what each host published (statistics every 5 s, index records, events), per minute"
"$remapctl" fleet status --json | python3 -c '
import json, sys, time
for h in json.load(sys.stdin):
    s = h["status"]
    host, packets = h["host"], s["packets"]
    minutes = (s["time_ns"] / 1e9 - int(sys.argv[1])) / 60
    kind = "idle" if packets == 0 else "under load"
    messages, nbytes = s["messages_published"] / minutes, s["bytes_published"] / minutes
    print(f"  {host} ({kind}, {packets} packets): {messages:.1f} messages/min, {nbytes:.0f} bytes/min over {minutes:.2f} min")
' "$started"
echo "demo: done; the stores and logs stay in $dir"
