#!/usr/bin/env bash
# Build and run remapd on a fresh Debian bookworm machine. With no module
# loaded, remapd uses the embedded default: the workqueue remap emulation.
#
#   tools/run.sh                 demo: capture lo for 10 s into capture.pcap
#                                while sending UDP datagrams to 127.0.0.1
#                                (bash's /dev/udp: nothing to install), then
#                                show it; exits 1 if the traffic could not be
#                                sent or the file holds none of it
#   tools/run.sh ARGS...         run remapd with ARGS, e.g.
#                                tools/run.sh capture -i eth0 -w eth0.pcap
# Environment: OUT (the file, capture.pcap), DEMO_SECONDS (10), and
# DEMO_TRAFFIC=none (send nothing: the check that an empty capture fails).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/tools/deps.sh" run
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
make -s -C "$repo/tools/emulator"
dotnet build -c Release -v quiet -nologo "$repo/daemon/remapd/remapd.csproj" >/dev/null
remapd="$repo/daemon/remapd/bin/Release/net10.0/remapd"

if [ $# -gt 0 ]; then
	exec "$remapd" "$@"
fi

out=${OUT:-capture.pcap}
seconds=${DEMO_SECONDS:-10}

# Traffic on lo for the capture to see: one UDP datagram to the discard port
# every 0.2 s (lo answers each with an ICMP port unreachable), from bash
# itself. Its errors are shown, and its exit status is checked below.
send_traffic() {
	local i
	sleep 0.5	# remapd is capturing by then
	for ((i = 0; i < seconds * 5; i++)); do
		echo "remapd demo $i" >/dev/udp/127.0.0.1/9 || return 1
		sleep 0.2
	done
}

echo "demo: remapd capture -i lo -w $out -d $seconds (emulator backend), sending UDP to 127.0.0.1:9"
if [ "${DEMO_TRAFFIC:-udp}" = none ]; then
	echo "demo: DEMO_TRAFFIC=none: sending nothing"
	sender=
else
	send_traffic &
	sender=$!
	trap 'kill $sender 2>/dev/null || true' EXIT
fi
"$remapd" capture -i lo -w "$out" -d "$seconds"
if [ -n "$sender" ] && ! wait "$sender"; then
	echo "demo: error: sending traffic to 127.0.0.1 failed" >&2
	exit 1
fi
trap - EXIT

# Judged by the demo's own datagrams, not by whatever else crossed lo (a
# test runner's own loopback sockets would make an empty capture look full).
packets=$(tcpdump -nn -r "$out" 2>/dev/null | wc -l)
ours=$(tcpdump -nn -r "$out" 'udp and dst host 127.0.0.1 and dst port 9' 2>/dev/null | wc -l)
if [ "$ours" -eq 0 ]; then
	echo "demo: error: $out holds no packet of the demo's traffic (udp to 127.0.0.1:9;" \
		"tcpdump -r reads $packets packets in all)" >&2
	exit 1
fi
echo "demo: $out holds $packets packets, $ours of them the demo's datagrams; the first as tcpdump reads them:"
tcpdump -nn -r "$out" -c 5 2>/dev/null
