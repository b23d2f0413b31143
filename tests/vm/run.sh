#!/bin/sh
# The VM-kernel lane: skbremap.ko in Debian bookworm's 6.1 cloud kernel under
# QEMU (TCG), with remapd/remapctl published as NativeAOT binaries and
# tcpdump in the same VM as the oracle.
#
#   tests/vm/run.sh [EXTRA_KERNEL_CMDLINE]
#	e.g. tests/vm/run.sh skbremap.only=00-harness,20-capture-lo
#
#   SKBREMAP_KERNEL_ENV=<file>  another kernel instead of the cloud one
#                               (see tests/vm/README.md, "A debug kernel")
#   SKBREMAP_VM_TIMEOUT=<s>     QEMU's hard timeout (default 900)
#
# 1. fetch the kernel (cached in build/vm/kernel)   tools/vm/fetch-kernel.sh
# 2. build skbremap.ko against its headers         tools/vm/build-module.sh
# 3. publish remapd, remapctl (cached by hash)      tools/vm/publish-aot.sh
# 4. pack the initramfs                             tools/vm/build-initramfs.sh
# 5. boot, run tests/vm/scenarios/*.sh, bring /out back   tools/vm/run-qemu.sh
# 6. on the host: compare every remapd pcap with tcpdump's
#    (tests/vm/compare-pcaps.sh), print per-scenario results and wall time.
#
# A step that cannot run yet (no module sources, no remapd project) is left
# out with a note and the scenarios needing it fail with the reason; the
# lane exits non-zero on any failure. Results: build/vm/results/.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
RESULTS=$VM/results
EXTRA=${1:-}
start=$(date +%s)
failures=

step() { echo "--- vm lane: $* ($(($(date +%s) - start))s)"; }
failed() { failures="$failures $1"; echo "--- vm lane: FAILED: $1"; }

step "fetch kernel"
"$REPO/tools/vm/fetch-kernel.sh" >/dev/null || { echo "vm lane: cannot fetch the kernel" >&2; exit 1; }

step "build skbremap.ko"
rm -f "$VM/skbremap.ko"
if ls "$REPO"/kernel/*.c >/dev/null 2>&1 && [ -f "$REPO/Kbuild" ]; then
	if ! "$REPO/tools/vm/build-module.sh" >/dev/null; then
		tail -n 40 "$VM/module-build.log"
		failed build-module
	fi
else
	echo "vm lane: NOTE: no kernel/*.c or Kbuild yet: no module to test"
fi

step "publish remapd, remapctl (NativeAOT)"
"$REPO/tools/vm/publish-aot.sh" || failed publish-aot

step "initramfs"
MODULE_KO=$VM/skbremap.ko "$REPO/tools/vm/build-initramfs.sh" || { echo "vm lane: initramfs failed" >&2; exit 1; }

step "boot QEMU and run the scenarios"
qemu_rc=0
"$REPO/tools/vm/run-qemu.sh" -o "$RESULTS" -t "${SKBREMAP_VM_TIMEOUT:-900}" -a "$EXTRA" \
	>"$VM/qemu.log" 2>&1 || qemu_rc=$?
grep -E '^(run-qemu|SKBREMAP-VM|SCENARIO)' "$VM/qemu.log" | grep -v '^SKBREMAP-VM: kernel'
[ $qemu_rc -eq 0 ] || failed "guest-run (a scenario failed, a kernel warning, or no verdict: see above)"

step "compare captures on the host"
compared=0
harness=0
if [ -f "$RESULTS/out/compare.list" ]; then
	while read -r name cand oracle expected; do
		if "$REPO/tests/vm/compare-pcaps.sh" "$name" "$RESULTS/out/$cand" \
			"$RESULTS/out/$oracle" "$expected" >"$RESULTS/compare-$name.txt" 2>&1; then
			n=$(sed -n 's/.*PASS: \([0-9]*\) packets identical.*/\1/p' "$RESULTS/compare-$name.txt")
			case $name in
			harness*) harness=$((harness + ${n:-0})) ;;
			*) compared=$((compared + ${n:-0})) ;;
			esac
		else
			failed "compare-$name"
		fi
		cat "$RESULTS/compare-$name.txt"
		# remapd's own account of the capture (seen/captured/dropped).
		grep -h 'skbremap: seen' "$RESULTS/out/$cand.log" 2>/dev/null | sed "s/^/  $name /"
	done <"$RESULTS/out/compare.list"
else
	echo "vm lane: no compare.list came back from the guest"
fi

secs=$(($(date +%s) - start))
echo "=== vm lane results ==="
if [ -f "$RESULTS/out/results.txt" ]; then
	# "<scenario> <secs> SCENARIO <check>: PASS|FAIL ..."
	awk '{ printf "  %-18s %5s  ", $1, $2; $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' \
		"$RESULTS/out/results.txt"
else
	echo "  (no scenario results came back: see $RESULTS/console.log)"
fi
for f in "$RESULTS"/compare-*.txt; do
	[ -f "$f" ] && grep -E '^compare [^ ]+: (PASS|FAIL)' "$f" | sed 's/^/  /'
done
echo "  packets compared, remapd vs tcpdump, byte for byte: $compared (harness self-check, tcpdump vs tcpdump: $harness)"
echo "  wall time: ${secs}s (console log: $RESULTS/console.log)"
if [ -n "$failures" ]; then
	echo "=== vm lane: FAIL:$failures"
	exit 1
fi
echo "=== vm lane: PASS"
