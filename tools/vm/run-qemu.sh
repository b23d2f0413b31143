#!/bin/sh
# Boot the cached cloud kernel with the VM lane's initramfs under QEMU (TCG),
# let /init run the scenarios, and bring the guest's /out back.
#
#   tools/vm/run-qemu.sh [-t SECONDS] [-o OUTDIR] [-a "EXTRA CMDLINE"]
#
#   -t  hard timeout for the whole run (default 900); QEMU is killed after it
#   -o  where the console log and the guest's /out go (default build/vm/results)
#   -a  extra kernel command line, e.g. "skbremap.only=00-harness,10-insmod"
#
# SKBREMAP_INITRAMFS=FILE boots FILE instead of build/vm/initramfs.cpio.gz
# (a variant packed by build-initramfs.sh with the same variable).
# SKBREMAP_QEMU_DRIVES="-drive ... -drive ...": more disks after the results
# disk (the guest sees them as /dev/vdb, /dev/vdc, ...; the in-VM benchmark's
# capture disks).
#
# Results come back on a second raw virtio disk: the guest writes a tar of
# /out onto /dev/vda (the cloud kernel has no 9p), the host untars it.
#
# Passes only if the console shows the explicit marker "SKBREMAP-VM: PASS",
# the guest's /out came back with its verdict "ok" and the files the host
# checks (scenarios.txt, status.txt, results.txt, dmesg.txt), and no kernel
# warning: a WARN() does not stop the guest (no panic_on_warn,
# so every later scenario still runs and the dmesg is complete) but fails
# the run here; an Oops panics at once (oops=panic, panic=-1 reboots,
# -no-reboot turns that into QEMU exiting) instead of hanging on whatever
# lock the dead task held until the timeout.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
TIMEOUT=900
OUTDIR=$VM/results
EXTRA=

while getopts t:o:a: opt; do
	case $opt in
	t) TIMEOUT=$OPTARG ;;
	o) OUTDIR=$OPTARG ;;
	a) EXTRA=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-o OUTDIR] [-a EXTRA_CMDLINE]" >&2; exit 2 ;;
	esac
done

log() { echo "run-qemu: $*" >&2; }
die() { echo "run-qemu: ERROR: $*" >&2; exit 1; }

# SKBREMAP_KERNEL_ENV: another kernel (e.g. a KASAN/lockdep build), see
# tests/vm/README.md; default: the cloud kernel of fetch-kernel.sh.
KENV=${SKBREMAP_KERNEL_ENV:-$VM/kernel.env}
[ -f "$KENV" ] || die "no $KENV: run tools/vm/fetch-kernel.sh first"
# shellcheck disable=SC1090
. "$KENV"
INITRD=${SKBREMAP_INITRAMFS:-$VM/initramfs.cpio.gz}
[ -f "$INITRD" ] || die "no $INITRD: run tools/vm/build-initramfs.sh first"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"

rm -rf "$OUTDIR"
mkdir -p "$OUTDIR"
CONSOLE=$OUTDIR/console.log
DISK=$OUTDIR/results.img
# Sparse; the captures of the lane are ~200 MB.
truncate -s 1G "$DISK"

# console=ttyS0: everything on the serial console, no "quiet" (WARN is
# KERN_WARNING and must reach the console log). mitigations=off: page-table
# isolation and friends cost a lot under TCG and test nothing here.
# no_timer_check: a loaded host slows TCG enough for the kernel's IO-APIC
# timer check to fail and panic the boot ("IO-APIC + timer doesn't work").
APPEND="console=ttyS0 no_timer_check panic=-1 oops=panic mitigations=off random.trust_cpu=on $EXTRA"

log "booting $KVER (tcg, 2 cpus, 2G), timeout ${TIMEOUT}s, console $CONSOLE"
start=$(date +%s)
rc=0
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 \
	-accel tcg -m 2G -smp 2 \
	-nographic -no-reboot \
	-kernel "$VMLINUZ" -initrd "$INITRD" -append "$APPEND" \
	-drive file="$DISK",format=raw,if=virtio,cache=unsafe \
	${SKBREMAP_QEMU_DRIVES:-} \
	-nic none \
	</dev/null 2>&1 | tee "$CONSOLE" || true
# tee's status hides QEMU's: timeout(1) says 124 when it fired.
grep -q 'SKBREMAP-VM: results written' "$CONSOLE" || rc=1
secs=$(($(date +%s) - start))
log "QEMU ran ${secs}s"

if tar xf "$DISK" -C "$OUTDIR" 2>/dev/null && [ -d "$OUTDIR/out" ]; then
	log "guest /out is in $OUTDIR/out ($(du -sh "$OUTDIR/out" | cut -f1))"
else
	log "no results tar on the results disk"
fi
rm -f "$DISK"

verdict=0
# The console carries the kernel log too; the guest's dmesg.txt is checked
# as well in case the console dropped lines. Besides WARN/BUG/Oops: any
# stack dump (a hung task, an RCU stall, a failed allocation that warns)
# and a task blocked too long are failures too.
BAD='WARNING:|BUG:|Oops|sleeping function called|KASAN|general protection|Kernel panic|Call Trace:|blocked for more than'
for f in "$CONSOLE" "$OUTDIR/out/dmesg.txt"; do
	[ -f "$f" ] || continue
	if grep -nE "$BAD" "$f" >"$OUTDIR/kernel-problems.txt"; then
		log "FAIL: kernel problems in $(basename "$f"):"
		# On stdout: CI keeps stdout, and the first report with its
		# registers and stack is what a failure on another machine needs.
		head -n 20 "$OUTDIR/kernel-problems.txt"
		first=$(head -n 1 "$OUTDIR/kernel-problems.txt" | cut -d: -f1)
		log "the first report, from line $first of $(basename "$f"):"
		sed -n "$((first > 5 ? first - 5 : 1)),$((first + 45))p" "$f"
		verdict=1
		break
	fi
done
[ -s "$OUTDIR/kernel-problems.txt" ] || rm -f "$OUTDIR/kernel-problems.txt"
if ! grep -q '^SKBREMAP-VM: PASS' "$CONSOLE"; then
	if [ $rc -ne 0 ] && ! grep -q '^SKBREMAP-VM: \(PASS\|FAIL\) (' "$CONSOLE"; then
		log "FAIL: no verdict marker (kernel panic, hang, or the ${TIMEOUT}s timeout); the console's last lines:"
		tail -n 30 "$CONSOLE"
	else
		log "FAIL: no 'SKBREMAP-VM: PASS' marker"
	fi
	verdict=1
fi
# The marker alone proves nothing: the guest's results must have come
# back, with the files the host checks (tests/vm/check-results.sh).
for f in verdict scenarios.txt status.txt results.txt dmesg.txt; do
	if [ ! -s "$OUTDIR/out/$f" ]; then
		log "FAIL: no results: out/$f missing or empty on the results disk"
		verdict=1
		break
	fi
done
if [ -f "$OUTDIR/out/verdict" ] && [ "$(cat "$OUTDIR/out/verdict")" != ok ]; then
	log "FAIL: the guest's verdict: $(cat "$OUTDIR/out/verdict")"
	verdict=1
fi
[ $verdict -eq 0 ] && log "PASS" || true
exit $verdict
