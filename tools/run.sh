#!/usr/bin/env bash
# Build and run remapd on a fresh Debian bookworm machine. With no module
# loaded, remapd uses the embedded default: the workqueue remap emulation.
#
#   tools/run.sh                 demo: capture lo for 10 s into capture.pcap
#                                while pinging 127.0.0.1, then show it
#   tools/run.sh ARGS...         run remapd with ARGS, e.g.
#                                tools/run.sh capture -i eth0 -w eth0.pcap
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
echo "demo: remapd capture -i lo -w $out -d 10 (emulator backend), pinging 127.0.0.1"
ping -q -i 0.2 -c 50 127.0.0.1 >/dev/null 2>&1 &
pinger=$!
trap 'kill $pinger 2>/dev/null || true' EXIT
"$remapd" capture -i lo -w "$out" -d 10
echo "demo: first packets of $out as tcpdump reads them:"
tcpdump -nn -r "$out" -c 5 2>/dev/null
