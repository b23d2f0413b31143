#!/bin/sh
# The VM-kernel lane: skbremap.ko in each supported Debian cloud kernel
# (6.1, 6.12, 7.3) under QEMU (TCG), with remapd/remapctl published as
# NativeAOT binaries and tcpdump in the same VM as the oracle.
#
#   tests/vm/run.sh [--kernel SERIES]... [EXTRA_KERNEL_CMDLINE]
#	--kernel 6.1 --kernel 7.3, or --kernel 6.1,7.3; default: 6.1,6.12,7.3
#	e.g. tests/vm/run.sh --kernel 6.1 skbremap.only=00-harness,20-capture-lo
#
#   SKBREMAP_KERNEL_ENV=<file>  one other kernel instead of the cloud ones
#                               (see tests/vm/README.md, "A debug kernel")
#   SKBREMAP_VM_TIMEOUT=<s>     QEMU's hard timeout (default 900)
#   SKBREMAP_EXPECTED_SKIPS=... skips the lane was told about (tests/vm/skips.sh;
#                               in CI any other skip fails the lane)
#   SKBREMAP_NO_FILTER_SMOKE=1  leave out step 7
#
# Per kernel (results in build/vm/results/SERIES/):
# 1. fetch the kernel (cached in build/vm/kernels/SERIES)   tools/vm/fetch-kernel.sh
# 2. build skbremap.ko against its headers, W=1, no warning, vermagic = the kernel
#                                                  tools/vm/build-module.sh
# 3. publish remapd, remapctl (cached by hash)      tools/vm/publish-aot.sh (once)
# 4. pack the initramfs                             tools/vm/build-initramfs.sh
# 5. boot, run tests/vm/scenarios/*.sh, bring /out back   tools/vm/run-qemu.sh
# 6. on the host: every scenario's status, the expected comparisons, every
#    remapd pcap against tcpdump's, skips (tests/vm/check-results.sh)
# 7. the hook's filter against libpcap, every mode (tests/kernel/filter-smoke.sh)
# then a table: per kernel its verdict, lane time and packets compared.
#
# A kernel whose module does not build is not booted (its scenarios could
# only fail); the lane exits non-zero on any failure of any kernel.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
ALL_SERIES="6.1 6.12 7.3"
start=$(date +%s)

series=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel)
		[ $# -ge 2 ] || { echo "usage: $0 [--kernel SERIES]... [EXTRA_CMDLINE]" >&2; exit 2; }
		series="$series $(echo "$2" | tr ',' ' ')"
		shift 2
		;;
	--kernel=*) series="$series $(echo "${1#*=}" | tr ',' ' ')"; shift ;;
	--) shift; break ;;
	-*) echo "usage: $0 [--kernel SERIES]... [EXTRA_CMDLINE]" >&2; exit 2 ;;
	*) break ;;
	esac
done
EXTRA=${1:-}
if [ -n "${SKBREMAP_KERNEL_ENV:-}" ]; then
	[ -z "$series" ] || { echo "vm lane: SKBREMAP_KERNEL_ENV and --kernel exclude each other" >&2; exit 2; }
	series=custom
fi
[ -n "$series" ] || series=$ALL_SERIES
[ "$series" = " all" ] && series=$ALL_SERIES
for s in $series; do
	case " $ALL_SERIES custom " in
	*" $s "*) ;;
	*) echo "vm lane: unknown kernel series '$s' ($ALL_SERIES)" >&2; exit 2 ;;
	esac
done

step() { echo "--- vm lane [$S]: $* ($(($(date +%s) - start))s)"; }
failures=
failed() { kfail="$kfail $1"; echo "--- vm lane [$S]: FAILED: $1"; }

have_module_src=
if ls "$REPO"/kernel/*.c >/dev/null 2>&1 && [ -f "$REPO/Kbuild" ]; then
	have_module_src=1
fi

S=all
step "publish remapd, remapctl (NativeAOT)"
aot_ok=1
"$REPO/tools/vm/publish-aot.sh" || aot_ok=

table=
for S in $series; do
	k0=$(date +%s)
	kfail=
	[ -n "$aot_ok" ] || failed publish-aot
	R=$VM/results/$S
	rm -rf "$R"
	mkdir -p "$R"

	step "fetch kernel"
	if [ "$S" = custom ]; then
		KENV=$SKBREMAP_KERNEL_ENV
	else
		KENV=$VM/kernels/$S/kernel.env
		"$REPO/tools/vm/fetch-kernel.sh" "$S" >/dev/null || failed fetch-kernel
	fi
	KVER=
	if [ -f "$KENV" ]; then
		# shellcheck disable=SC1090
		KVER=$(. "$KENV" && echo "$KVER")
	fi
	KO=$R/skbremap.ko
	if [ -z "$kfail" ]; then
		step "build skbremap.ko for $KVER (W=1)"
		if [ -n "$have_module_src" ]; then
			if ! SKBREMAP_KERNEL_ENV=$KENV SKBREMAP_MODULE_KO=$KO SKBREMAP_MODULE_LOG=$R/module-build.log \
				"$REPO/tools/vm/build-module.sh" >/dev/null 2>"$R/module-build.err"; then
				grep -E 'error|warning|ERROR' "$R/module-build.log" "$R/module-build.err" | head -n 20
				failed "build-module (see $R/module-build.log)"
			fi
		else
			echo "vm lane: NOTE: no kernel/*.c or Kbuild yet: no module to test"
		fi
	fi
	# Boot only a kernel whose module built (the scenarios could only fail).
	if [ -z "$kfail" ]; then
		step "initramfs"
		ko=
		[ -f "$KO" ] && ko=$KO
		SKBREMAP_KERNEL_ENV=$KENV MODULE_KO=$ko SKBREMAP_INITRAMFS=$R/initramfs.cpio.gz \
			"$REPO/tools/vm/build-initramfs.sh" 2>"$R/initramfs.log" || failed "initramfs (see $R/initramfs.log)"
	fi
	if [ -z "$kfail" ]; then
		step "boot QEMU ($KVER) and run the scenarios"
		qemu_rc=0
		SKBREMAP_KERNEL_ENV=$KENV SKBREMAP_INITRAMFS=$R/initramfs.cpio.gz \
			"$REPO/tools/vm/run-qemu.sh" -o "$R/guest" -t "${SKBREMAP_VM_TIMEOUT:-900}" -a "$EXTRA" \
			>"$R/qemu.log" 2>&1 || qemu_rc=$?
		grep -E '^(run-qemu|SKBREMAP-VM|SCENARIO|SKIP: )' "$R/qemu.log" | grep -v '^SKBREMAP-VM: kernel'
		[ $qemu_rc -eq 0 ] || failed "guest-run (a scenario failed, a kernel warning, or no results: see above)"
		# The guest ran the kernel the module was built for.
		booted=$(sed -n 's/^SKBREMAP-VM: kernel \([^,]*\),.*/\1/p' "$R/guest/console.log" 2>/dev/null | head -n 1)
		[ "$booted" = "$KVER" ] || failed "booted kernel '${booted:-none}' is not $KVER"
		if [ -f "$KO" ]; then
			vm=$(modinfo -F vermagic "$KO" 2>/dev/null)
			case $vm in
			"$KVER "*) ;;
			*) failed "skbremap.ko vermagic '$vm' is not $KVER" ;;
			esac
		fi

		step "check results, compare captures on the host"
		"$REPO/tests/vm/check-results.sh" "$R/guest" >"$R/check.log" 2>&1 || failed "check-results"
		cat "$R/check.log"

		echo "=== vm lane [$S] scenario results ==="
		if [ -f "$R/guest/out/results.txt" ]; then
			# "<scenario> <secs> SCENARIO <check>: PASS|FAIL ..." or "<scenario> <secs> SKIP: ..."
			awk '{ printf "  %-18s %5s  ", $1, $2; $1 = $2 = ""; sub(/^ +/, ""); sub(/^SCENARIO /, ""); print }' \
				"$R/guest/out/results.txt"
		else
			echo "  (no scenario results came back: see $R/guest/console.log)"
		fi

		if [ "${SKBREMAP_NO_FILTER_SMOKE:-0}" != 1 ] && [ -f "$KO" ]; then
			step "hook filter vs libpcap, every mode (filter-smoke)"
			SKBREMAP_KERNEL_ENV=$KENV MODULE_KO=$KO OUT=$R/filter-smoke \
				sh "$REPO/tests/kernel/filter-smoke.sh" >"$R/filter-smoke.log" 2>&1 || failed filter-smoke
			grep -E '^filter-smoke|SKIP: |SKBREMAP-FILTER (PASS|FAIL)|FILTER-SMOKE' "$R/filter-smoke.log"
		fi
	fi

	secs=$(($(date +%s) - k0))
	COMPARED=0 HARNESS=0 COMPARISONS=0 SKIPS=0
	# shellcheck disable=SC1091
	[ -f "$R/guest/summary.env" ] && . "$R/guest/summary.env"
	fskips=$(sed -n 's/^filter-smoke: skips: \([0-9]*\).*/\1/p' "$R/filter-smoke.log" 2>/dev/null)
	SKIPS=$((SKIPS + ${fskips:-0}))
	if [ -n "$kfail" ]; then
		verdict=FAIL
		failures="$failures $S"
	else
		verdict=PASS
	fi
	table="$table$(printf '  %-6s %-28s %-4s %5ss  %7s packets compared in %3s comparisons (harness %s), %s skips' \
		"$S" "${KVER:-?}" "$verdict" "$secs" "$COMPARED" "$COMPARISONS" "$HARNESS" "$SKIPS")
"
	[ -z "$kfail" ] || table="$table         failed:$kfail
"
done

echo "=== vm lane: per kernel (results in $VM/results/<series>/) ==="
printf '%s' "$table"
echo "  wall time: $(($(date +%s) - start))s"
if [ -n "$failures" ]; then
	echo "=== vm lane: FAIL:$failures"
	exit 1
fi
echo "=== vm lane: PASS"
