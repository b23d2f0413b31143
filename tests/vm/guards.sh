#!/bin/sh
# The VM lane's guards, each shown to fail: fake result folders (no QEMU
# boot) fed to the host-side checker (tests/vm/check-results.sh), and
# run-qemu.sh driven by a stand-in qemu-system-x86_64 that prints the
# guest's PASS marker with or without writing results.
#
#   tests/vm/guards.sh        (tools/test.sh vm runs it first; ~15 s)
#
# Each case states the result it must get. A complete fake run must pass
# (so a failing case fails for its own reason, not a broken fake), and each
# broken one must fail with the reason expected:
#   no results / a PASS marker with no results behind it
#   compare list missing, a comparison with 0 packets, an expected
#   comparison absent, a scenario that exited 1 without a FAIL line, a
#   scenario with no status, a skip in CI (and the same skip named in
#   SKBREMAP_EXPECTED_SKIPS, or outside CI: counted, passes);
#   and a module whose W=1 build warns (tools/vm/build-module.sh).
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

# The lane's test traffic (tests/vm/lib.sh): one UDP datagram to port
# 47474 in a pcap (little-endian, Ethernet), made byte by byte.
pcap_header() {
	printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000'
}
pcap_udp() {
	pcap_header
	# record: ts 1 s, caplen = len = 46
	printf '\001\000\000\000\000\000\000\000\056\000\000\000\056\000\000\000'
	# Ethernet: dst, src, IPv4
	printf '\002\000\000\000\000\002\002\000\000\000\000\001\010\000'
	# IPv4: 45 00 len=32 id 0 ttl 64 udp, 10.99.0.1 -> 10.99.0.2
	printf '\105\000\000\040\000\000\000\000\100\021\000\000\012\143\000\001\012\143\000\002'
	# UDP: sport 40000, dport 47474 (0xb972), len 12, csum 0; 4 bytes
	printf '\234\100\271\162\000\014\000\000abcd'
}

# fake_run DIR: a complete, passing result folder: one scenario "g-scn"
# that passed, exited 0 and left its one expected comparison "g-cmp"
# (1 packet, identical).
fake_run() {
	o=$1/out
	mkdir -p "$o/logs"
	echo g-scn >"$o/scenarios.txt"
	echo "g-scn 0 3" >"$o/status.txt"
	echo "g-scn 3s SCENARIO g-check: PASS (pcaps compared on the host)" >"$o/results.txt"
	echo "SCENARIO g-check: PASS (pcaps compared on the host)" >"$o/logs/g-scn.log"
	echo ok >"$o/verdict"
	echo "[    0.0] booted" >"$o/dmesg.txt"
	pcap_udp >"$o/g.pcap"
	pcap_udp >"$o/g-tcpdump.pcap"
	echo "g-cmp g.pcap g-tcpdump.pcap 1" >"$o/compare.list"
}
echo "g-scn g-cmp" >"$T/expected"

# expect pass|fail WHY CASE-NAME [ENV=VALUE...]: check-results.sh on $T/case,
# and for "fail" the output must say WHY.
expect() {
	want=$1 why=$2 name=$3
	shift 3
	rc=0
	env EXPECTED_COMPARES="$T/expected" CI= SKBREMAP_STRICT_SKIPS= SKBREMAP_EXPECTED_SKIPS= "$@" \
		"$REPO/tests/vm/check-results.sh" "$T/case" >"$T/out.txt" 2>&1 || rc=$?
	verdict() {
		passed=$((passed + 1))
		echo "guard $name: PASS ($1)"
	}
	if [ "$want" = pass ] && [ $rc -eq 0 ]; then
		verdict "passes: $(tail -n 1 "$T/out.txt")"
	elif [ "$want" = fail ] && [ $rc -ne 0 ] && grep -q -- "$why" "$T/out.txt"; then
		verdict "fails: $(grep -m1 -- "$why" "$T/out.txt")"
	else
		failed=$((failed + 1))
		echo "guard $name: FAIL (want $want${why:+ saying '$why'}, exit $rc):"
		sed 's/^/    /' "$T/out.txt"
	fi
	rm -rf "$T/case"
}

fake_run "$T/case"
expect pass "" complete-run

mkdir -p "$T/case"
expect fail "no results came back" no-results

fake_run "$T/case"
rm "$T/case/out/status.txt" "$T/case/out/results.txt"
expect fail "out/status.txt missing" no-status-file

fake_run "$T/case"
rm "$T/case/out/compare.list"
expect fail "compare.list missing or empty" no-compare-list

fake_run "$T/case"
: >"$T/case/out/compare.list"
expect fail "compare.list missing or empty" empty-compare-list

fake_run "$T/case"
pcap_header >"$T/case/out/g.pcap"
pcap_header >"$T/case/out/g-tcpdump.pcap"
echo "g-cmp g.pcap g-tcpdump.pcap 0" >"$T/case/out/compare.list"
expect fail "0 packets compared" zero-packets-compared

fake_run "$T/case"
echo "g-scn g-cmp g-cmp2" >"$T/expected"
expect fail "expected comparison g-cmp2 is absent" expected-comparison-absent
fake_run "$T/case"
echo "SKIP: g-cmp2: module lacks FEAT_X" >>"$T/case/out/logs/g-scn.log"
expect fail "unexpected skips in CI" expected-comparison-skipped-in-ci CI=true
fake_run "$T/case"
echo "SKIP: g-cmp2: module lacks FEAT_X" >>"$T/case/out/logs/g-scn.log"
expect pass "" expected-comparison-skipped-and-expected CI=true SKBREMAP_EXPECTED_SKIPS=g-cmp2
echo "g-scn g-cmp" >"$T/expected"

fake_run "$T/case"
echo "g-scn 1 3" >"$T/case/out/status.txt"
expect fail "g-scn: exited 1" scenario-exit-1-without-fail-line

fake_run "$T/case"
echo "other 0 1" >"$T/case/out/status.txt"
expect fail "g-scn: no exit status recorded" scenario-without-status

fake_run "$T/case"
echo "g-scn 3s SCENARIO g-check2: FAIL (broken)" >>"$T/case/out/results.txt"
expect fail "g-scn: SCENARIO g-check2: FAIL" scenario-fail-line

fake_run "$T/case"
echo "SKIP: mode-x: module lacks FEAT_X" >>"$T/case/out/logs/g-scn.log"
expect fail "unexpected skips in CI" skip-in-ci CI=true
fake_run "$T/case"
echo "SKIP: mode-x: module lacks FEAT_X" >>"$T/case/out/logs/g-scn.log"
expect fail "unexpected skips in CI" skip-strict-flag SKBREMAP_STRICT_SKIPS=1
fake_run "$T/case"
echo "SKIP: mode-x: module lacks FEAT_X" >>"$T/case/out/logs/g-scn.log"
expect pass "" skip-in-ci-expected CI=true SKBREMAP_EXPECTED_SKIPS=other,mode-x
fake_run "$T/case"
echo "MODE SKIP: ring not offered by the module (EOPNOTSUPP)" >"$T/case/out/logs/smoke.log"
expect fail "unexpected skips in CI" smoke-mode-skip-in-ci CI=true
fake_run "$T/case"
echo "SKIP: mode-x: module lacks FEAT_X" >>"$T/case/out/logs/g-scn.log"
expect pass "" skip-outside-ci-counted

# run-qemu.sh's verdict: a stand-in QEMU prints the guest's PASS marker;
# with no results on the results disk the run must fail, with them pass.
mkdir -p "$T/bin" "$T/vm" "$T/guest/out"
cat >"$T/kernel.env" <<EOF
KVER=0.0-guard
KDIR=$T
VMLINUZ=$T/vmlinuz
MODDIR=$T
EOF
: >"$T/vmlinuz"
: >"$T/initrd"
cat >"$T/bin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
# Stand-in: prints what a guest prints; writes a tar of $GUARD_OUT onto
# the results disk when GUARD_OUT is set.
for a in "$@"; do
	case $a in file=*) disk=${a#file=}; disk=${disk%%,*} ;; esac
done
echo "SKBREMAP-VM: kernel 0.0-guard, 2 cpus"
[ -n "${GUARD_OUT:-}" ] && tar cf "$disk" -C "$GUARD_OUT" out
echo "SKBREMAP-VM: results written to /dev/vda"
echo "SKBREMAP-VM: PASS (1 scenarios)"
EOF
chmod +x "$T/bin/qemu-system-x86_64"
fake_run "$T/guest"
qemu_case() {
	want=$1 name=$2
	shift 2
	rc=0
	env PATH="$T/bin:$PATH" SKBREMAP_VM_DIR="$T/vm" SKBREMAP_KERNEL_ENV="$T/kernel.env" \
		SKBREMAP_INITRAMFS="$T/initrd" "$@" "$REPO/tools/vm/run-qemu.sh" -t 20 -o "$T/res" \
		>"$T/out.txt" 2>&1 || rc=$?
	if { [ "$want" = pass ] && [ $rc -eq 0 ]; } || { [ "$want" = fail ] && [ $rc -ne 0 ]; }; then
		passed=$((passed + 1))
		echo "guard $name: PASS (run-qemu exit $rc: $(grep -m1 -E 'FAIL|PASS$' "$T/out.txt" | sed 's/^run-qemu: //'))"
	else
		failed=$((failed + 1))
		echo "guard $name: FAIL (want $want, run-qemu exit $rc):"
		sed 's/^/    /' "$T/out.txt"
	fi
}
qemu_case fail pass-marker-without-results
qemu_case pass pass-marker-with-results GUARD_OUT="$T/guest"
rm "$T/guest/out/status.txt"
qemu_case fail results-without-status GUARD_OUT="$T/guest"

# The W=1 build: a warning in the module build log fails it. A two-line
# module with an unused variable against 6.1's headers (fetched and cached
# as the lane does), and the same without it as the control (~10 s).
if "$REPO/tools/vm/fetch-kernel.sh" 6.1 >/dev/null 2>"$T/fetch.txt"; then
	mkdir -p "$T/mod"
	echo 'obj-m := guard.o' >"$T/mod/Kbuild"
	for variant in clean warning; do
		extra=
		[ $variant = warning ] && extra='int unused;'
		cat >"$T/mod/guard.c" <<EOF
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
static int __init guard_init(void) { $extra return 0; }
static void __exit guard_exit(void) { }
module_init(guard_init);
module_exit(guard_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("W=1 guard");
EOF
		rc=0
		SKBREMAP_KERNEL_ENV="$REPO/build/vm/kernels/6.1/kernel.env" MODULE_SRC="$T/mod" \
			SKBREMAP_MODULE_LOG="$T/mod/build.log" "$REPO/tools/vm/build-module.sh" >"$T/out.txt" 2>&1 || rc=$?
		if { [ $variant = clean ] && [ $rc -eq 0 ]; } ||
			{ [ $variant = warning ] && [ $rc -ne 0 ] && grep -q 'warnings in the module build' "$T/out.txt"; }; then
			passed=$((passed + 1))
			echo "guard w1-build-$variant: PASS (build-module exit $rc${extra:+: $(grep -m1 'warning:' "$T/out.txt" | sed 's/.*warning: //')})"
		else
			failed=$((failed + 1))
			echo "guard w1-build-$variant: FAIL (build-module exit $rc):"
			tail -n 20 "$T/out.txt" | sed 's/^/    /'
		fi
	done
else
	failed=$((failed + 1))
	echo "guard w1-build: FAIL (cannot fetch the 6.1 kernel: $(tail -n 1 "$T/fetch.txt"))"
fi

echo "guards: $passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
