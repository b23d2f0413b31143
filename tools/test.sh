#!/usr/bin/env bash
# Run every test lane of RemapDaemon on a fresh Debian bookworm machine.
# Installs what it needs (apt packages, the 6.1, 6.12 and 7.3 cloud kernels
# for the VM lane into build/vm/kernels/, a trixie chroot for 7.3's module
# build under ${SKBREMAP_CACHE:-/var/cache/skbremap}, NuGet packages).
# .ci/run calls exactly this.
#
#   lane 1  host unit tests: checkpatch of the module, the shared C core + emulator (ASan/UBSan),
#           the C# ABI mirror, info-page parser and pcap writer
#   lane 2  emulator lane: remapd/remapctl against the emulator end to end (with the capture
#           fleet on loopback: a 3-node NATS hub, leaves and three remapd sensors);
#           tools/bench/run.sh --short (every delivery mode, byte checks)
#   lane 3  VM-kernel lane: the lane's guards (tests/vm/guards.sh), then skbremap.ko
#           in Debian's 6.1, 6.12 and 7.3 cloud kernels under QEMU (scenarios vs
#           tcpdump, then the hook filter vs libpcap: tests/kernel/filter-smoke.sh)
#   packaging  DKMS build per supported kernel, the .debs (dpkg-buildpackage,
#           lintian), dpkg -i/-r/--purge in a bookworm chroot (tools/packaging/test.sh);
#           remapd@.service under systemd in a container (tests/service/systemd-nspawn.sh)
#   debug   kmod-smoke and the adversarial suite on a KASAN/lockdep/kmemleak
#           build of linux-source-6.1 (tests/kernel/debug-lane.sh; the kernel
#           is built once per machine, ~16 min, then cached)
#
# Usage: tools/test.sh [lane...]   (lanes: unit emulator vm packaging debug;
#        default all of them)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
lanes=("$@")
[ ${#lanes[@]} -gt 0 ] || lanes=(unit emulator vm packaging debug)
start=$(date +%s)

tools/deps.sh test
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

declare -A took
for lane in "${lanes[@]}"; do
	t0=$(date +%s)
	echo "=== lane: $lane ==="
	case "$lane" in
	unit)
		make -C kernel check	# checkpatch --no-tree -f: no ERROR or WARNING
		make -C tests/c check
		dotnet test tests/RemapDaemon.Tests/RemapDaemon.Tests.csproj \
			--logger "console;verbosity=normal"
		;;
	emulator)
		make -C tools/emulator
		tools/bench/run.sh --short	# every mode's bytes; no timings
		dotnet test tests/RemapDaemon.EmulatorLane.Tests/RemapDaemon.EmulatorLane.Tests.csproj \
			--logger "console;verbosity=normal"
		;;
	vm)
		# The lane's own guards first (fake results, no boot: ~15 s).
		tests/vm/guards.sh
		# Every kernel (6.1, 6.12, 7.3): scenarios vs tcpdump, then the
		# hook's cBPF filter against libpcap's verdicts, every mode.
		tests/vm/run.sh
		;;
	packaging)
		tools/packaging/test.sh
		# remapd@.service from the .deb under a real systemd (PID 1 of a
		# systemd-nspawn container): ready, reload, watchdog restart, refusal, stop.
		tests/service/systemd-nspawn.sh
		;;
	debug)
		tests/kernel/debug-lane.sh
		;;
	*)
		echo "unknown lane: $lane (lanes: unit emulator vm packaging debug)" >&2
		exit 2
		;;
	esac
	took[$lane]=$(( $(date +%s) - t0 ))
done

echo "=== all lanes passed ==="
for lane in "${lanes[@]}"; do
	printf '  %-9s %4ss\n' "$lane" "${took[$lane]}"
done
printf '  %-9s %4ss\n' total "$(( $(date +%s) - start ))"
