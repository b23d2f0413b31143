#!/usr/bin/env bash
# Install what building and testing RemapDaemon needs on Debian bookworm.
# Idempotent: installs only what is missing. Usage: tools/deps.sh [run|test|bench|package]
set -euo pipefail
want=(gcc make libpcap-dev tcpdump)
if [ "${1:-run}" = test ]; then
	want+=(tshark qemu-system-x86 busybox-static cpio iproute2 iputils-ping kmod
	       xz-utils linux-source-6.1 zlib1g-dev
	       debootstrap	# tools/vm/in-chroot.sh: the trixie chroot the 7.3 headers build in
	       dwarves		# pahole: BTF of modules built against 6.12's headers
	       debian-archive-keyring	# trixie's keys, for the 7.3 kernel's private apt
	       flex bison bc libelf-dev libssl-dev	# the debug kernel (tools/kdebug)
	       prometheus	# the metrics endpoint scraped by a real Prometheus (emulator lane)
	       strace	# remapd's write system calls per packet (OutputPathTests)
	       nats-server curl	# the capture fleet's hub and leaves; servers.sh polls their monitor (tools/fleet/)
	       man-db groff-base)	# the man pages rendered and checked (emulator lane)
fi
if [ "${1:-run}" = test ] || [ "${1:-run}" = package ]; then
	# Debian packages and DKMS (tools/packaging/): the build, the checks,
	# the chroot the .debs are installed into.
	want+=(debhelper dh-dkms dkms dpkg-dev lintian debootstrap libpcap-dev zlib1g-dev
	       scdoc	# the man pages (docs/man/*.scd), built by debian/rules
	       systemd-container)	# systemd-nspawn: remapd@.service under a real systemd
fi
if [ "${1:-run}" = bench ]; then
	want+=(gnuplot-nox	# tools/bench/run.sh draws its chart with it
	       strace tshark	# tools/bench/output.sh: system calls per packet, capinfos
	       netsniff-ng wireshark-common)	# tools/bench/vm-bench.sh: the peers netsniff-ng and dumpcap
fi
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "deps: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
