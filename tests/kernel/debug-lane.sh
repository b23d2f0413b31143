#!/bin/sh
# The debug-kernel lane: skbremap.ko on a KASAN + PROVE_LOCKING +
# DEBUG_KMEMLEAK + KFENCE + DEBUG_ATOMIC_SLEEP + DEBUG_VM build of
# linux-source-6.1 (tools/kdebug/build.sh, cached outside the clone), under
# QEMU TCG, attacked by tests/kernel/adversarial.c under a pktgen flood.
#
#   tests/kernel/debug-lane.sh [--seed N]
#
# 1. the module built against the debug kernel, W=1, SKBREMAP_DEBUG=y
#    (-DDEBUG and the invariant checks); any compiler warning fails;
# 2. tests/kernel/kmod-smoke.sh on that kernel (REQUIRE_ALL=1: a check it
#    would skip fails instead);
# 3. one boot running the adversarial suite, every delivery mode (bounce,
#    ring through the worker with direct_copy=0, ring copied in the hook,
#    remap of pktgen's frag pages, adaptive with the copy_threshold module
#    parameter): hostile control-part writes, ioctl fuzzing from two
#    processes, fanout groups (the ioctl's rules, join/leave races under
#    traffic), mm attacks, SIGKILLs while holding windows, the no-leak
#    canary, rmmod while capturing, the bound interface deleted and its
#    peer's netns destroyed; then the module's gauges at 0, kmemleak scanned
#    twice and empty, rmmod.
#
# Passes only on positive evidence: every "ADV ... PASS" line present with
# figures at or above the thresholds below, the guest's "ADV-LANE PASS"
# marker, and a console free of KASAN, lockdep, kmemleak, WARN, BUG, Oops
# and "sleeping function called from invalid context" reports.
# Output: build/kdebug-lane/{console.log,smoke/console.log}. The seed is
# printed; --seed N (or ADV_SEED=N) replays its choices.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$REPO/build/kdebug-lane
STAGE=$OUT/initramfs.d
SEED=${ADV_SEED:-}
[ "${1:-}" != --seed ] || SEED=$2
[ -n "$SEED" ] || SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
TIMEOUT=${TIMEOUT:-1800}
# Thresholds the figures must reach.
WRITES=1000000		# hostile control-part writes per mode
IOCTLS=100000		# random ioctls
# DEBUG_LANE_IOCTLS=N: fewer, for working on the suite (the verdict fails).
RUN_IOCTLS=${DEBUG_LANE_IOCTLS:-$IOCTLS}
KILLS_PER_MODE=17	# x 6 modes = 102 SIGKILLs
CANARY_MIB=${CANARY_MIB:-192}

log() { echo "debug-lane: $*" >&2; }
die() { echo "debug-lane: ERROR: $*" >&2; exit 1; }

t_start=$(date +%s)
# DEBUG_LANE_KERNEL_ENV=<kernel.env>: another kernel, for working on the
# suite itself (e.g. build/vm/kernel.env, the cloud kernel: it boots in
# seconds; the lane then fails for want of kmemleak and lockdep).
ENV_FILE=${DEBUG_LANE_KERNEL_ENV:-}
[ -n "$ENV_FILE" ] || ENV_FILE=$(sh "$REPO/tools/kdebug/build.sh") ||
	die "the debug kernel did not build"
# shellcheck disable=SC1090
. "$ENV_FILE"
[ -f "$VMLINUZ" ] && [ -d "$MODDIR" ] || die "$ENV_FILE names no kernel/modules"
log "kernel $KVER ($VMLINUZ)"

# --- 1. the module, W=1, debug checks, in a copy (kernel/skbremap.ko stays
# the VM lane's)
mkdir -p "$OUT"
MB=$OUT/module
rm -rf "$MB"
mkdir -p "$MB"
cp -r "$REPO/kernel" "$REPO/Kbuild" "$REPO/VERSION" "$MB/"
rm -f "$MB"/kernel/*.o "$MB"/kernel/*.ko "$MB"/kernel/core/*.o "$MB"/kernel/.*.cmd
make -s -C "$KDIR" M="$MB" W=1 SKBREMAP_DEBUG=y modules >"$OUT/module-build.log" 2>&1 ||
	{ cat "$OUT/module-build.log"; die "module build failed"; }
# modules_prepare leaves no Module.symvers: modpost's "undefined!" lines
# are expected (resolved at insmod); every other warning fails.
if grep -v 'undefined!' "$OUT/module-build.log" | grep -i 'warning'; then
	die "W=1 warnings building the module for the debug kernel"
fi
KO=$MB/kernel/skbremap.ko
[ -f "$KO" ] || die "no $KO"
# DEBUG_LANE_KO=<skbremap.ko>: boot that module instead (e.g. one broken
# on purpose, to see a guard fail); DEBUG_LANE_STEPS="canary ...": only
# those per-mode steps (the verdict then fails for the missing ones).
KO=${DEBUG_LANE_KO:-$KO}
STEPS=${DEBUG_LANE_STEPS:-scribble canary mm kill}
make -s -C "$REPO/tests/kernel" skbremap-smoke adversarial

# --- 2. kmod-smoke on the debug kernel (SKIP_SMOKE=1: not, for working
# on the suite; the verdict then fails)
log "kmod-smoke on the debug kernel"
[ -n "${SKIP_SMOKE:-}" ] || KERNEL_IMAGE=$VMLINUZ MODULE_KO=$KO MODULES_DIR=$MODDIR OUT=$OUT/smoke \
	REQUIRE_ALL=1 MEM=2G TIMEOUT=1200 APPEND=acpi=ht sh "$REPO/tests/kernel/kmod-smoke.sh" >"$OUT/smoke.log" 2>&1 ||
	{ tail -n 60 "$OUT/smoke.log"; die "kmod-smoke failed on the debug kernel"; }
t_smoke=$(($(date +%s) - t_start))
[ ! -f "$OUT/smoke.log" ] || tail -n 3 "$OUT/smoke.log"

# --- 3. the adversarial boot
rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/proc" "$STAGE/sys" "$STAGE/dev" "$STAGE/tmp" \
	"$STAGE/run/netns" "$STAGE/var/run"
cp /bin/busybox "$STAGE/bin/busybox"
for a in $(busybox --list); do
	case $a in ip | busybox) ;; *) ln -sf busybox "$STAGE/bin/$a" ;; esac
done
# iproute2's ip (netns, veth peers named right), with its libraries.
copy_with_libs() {
	mkdir -p "$STAGE$(dirname "$1")"
	cp -L "$1" "$STAGE$1"
	ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
		while read -r lib; do
			mkdir -p "$STAGE$(dirname "$lib")"
			cp -L "$lib" "$STAGE$lib"
		done
}
copy_with_libs /usr/sbin/ip
cp "$KO" "$STAGE/skbremap.ko"
cp "$MODDIR/kernel/net/core/pktgen.ko" "$STAGE/pktgen.ko" || die "no pktgen.ko in $MODDIR"
# veth and virtio are built into the debug kernel, modules elsewhere
# (loaded in this order by /init when present).
for m in drivers/net/veth drivers/virtio/virtio_ring drivers/virtio/virtio \
	drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev \
	drivers/virtio/virtio_pci drivers/block/virtio_blk; do
	[ -f "$MODDIR/kernel/$m.ko" ] || continue
	cp "$MODDIR/kernel/$m.ko" "$STAGE/"
	echo "/${m##*/}.ko" >>"$STAGE/modules.list"
done
cp "$REPO/tests/kernel/adversarial" "$REPO/tests/kernel/skbremap-smoke" "$STAGE/"
sed -e "s/@SEED@/$SEED/g" -e "s/@WRITES@/$WRITES/g" -e "s/@IOCTLS@/$RUN_IOCTLS/g" \
	-e "s/@KILLS@/$KILLS_PER_MODE/g" -e "s/@MIB@/$CANARY_MIB/g" \
	-e "s/@STEPS@/$STEPS/g" \
	"$REPO/tests/kernel/debug-lane-init.sh" >"$STAGE/init"
chmod +x "$STAGE/init"
(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"
DISK=$OUT/odirect.img
rm -f "$DISK"
truncate -s 64M "$DISK"

log "adversarial boot (seed $SEED)"
t0=$(date +%s)
# loglevel=5: warnings and worse reach the console as they happen.
# acpi=ht: the CPUs from ACPI's tables (acpi=off leaves one), no ACPI
# interpreter (slow under TCG); power-off then halts: the guest reboot -f's.
# init_on_alloc=0 init_on_free=0: the allocator must hand the module dirty
# pages, or the canary (freed memory full of a marker) could not see a
# page the module forgot to zero.
timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m 2G -smp 2 -nographic \
	-no-reboot -kernel "$VMLINUZ" -initrd "$OUT/initramfs.cpio.gz" \
	-drive file="$DISK",if=virtio,format=raw \
	-append "console=ttyS0 no_timer_check panic=-1 oops=panic acpi=ht loglevel=5 init_on_alloc=0 init_on_free=0" \
	>"$OUT/console.log" 2>&1 || true
t_adv=$(($(date +%s) - t0))
# The serial console ends its lines with CR LF.
tr -d '\r' <"$OUT/console.log" >"$OUT/console.txt"
C=$OUT/console.txt
grep -E '^(adversarial |ADV|  |FAIL|debug-lane|MemFree|kmemleak)' "$C" || true

# --- the verdict, from the console alone
bad=0
complain() { echo "debug-lane: FAIL: $*" >&2; bad=1; }
if grep -nE 'BUG:|KASAN|KFENCE|WARNING:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|Oops|general protection|sleeping function called from invalid context|scheduling while atomic|unreferenced object|kmemleak: [0-9]+ new suspected|list_add corruption|list_del corruption|Kernel panic|hung_task|blocked for more than' "$C"; then
	complain "the kernel reported a problem (above)"
fi
grep -q '^ADV-LANE PASS' "$C" || complain "no ADV-LANE PASS marker (tail: $(tail -n 5 "$C" | tr '\n' '|'))"
grep -q '^FAIL' "$C" && complain "checks failed in the guest"
# fig LINE-PREFIX KEY: the KEY= values of every matching PASS line.
fig() { grep "^$1" "$C" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
MODES="bounce ring-worker ring-direct remap adaptive adaptive-calibrated"
for m in $MODES; do
	grep -q "^ADV-MODE $m scribble PASS" "$C" ||
		complain "no scribble PASS for $m"
	grep -q "^ADV-MODE $m canary PASS" "$C" || complain "no canary PASS for $m"
	# Each mode took the paths it names (remap: pktgen's frag pages).
	line=$(grep "^ADV scribble PASS label=$m " "$C" | tr ' ' '\n')
	n() { echo "$line" | sed -n "s/^$1=//p"; }
	case $m in
	bounce) [ "$(n bounced)" -gt 0 ] 2>/dev/null || complain "$m: nothing bounced" ;;
	ring-*) [ "$(n copied)" -gt 0 ] 2>/dev/null || complain "$m: nothing copied" ;;
	*) [ "$(n remapped)" -gt 0 ] 2>/dev/null || complain "$m: nothing remapped" ;;
	esac
	grep -q "^ADV-MODE $m mm PASS" "$C" || complain "no mm PASS for $m"
	grep -q "^ADV-MODE $m kill PASS" "$C" || complain "no kill PASS for $m"
done
writes_min=$(fig "ADV scribble PASS" writes | sort -n | head -n 1)
[ "${writes_min:-0}" -ge $WRITES ] || complain "scribble writes ${writes_min:-none} < $WRITES"
[ "$(fig "ADV scribble PASS" writes | wc -l)" -eq 6 ] || complain "not 6 scribble runs"
pk_min=$(fig "ADV scribble PASS" packets | sort -n | head -n 1)
[ "${pk_min:-0}" -gt 0 ] || complain "a scribble run captured nothing"
ops=$(fig "ADV ioctl PASS" ops)
[ "${ops:-0}" -ge $IOCTLS ] || complain "ioctls ${ops:-none} < $IOCTLS"
kills=$(fig "ADV kill PASS" kills | awk '{s += $1} END {print s + 0}')
[ "$kills" -ge 100 ] || complain "SIGKILLs $kills < 100"
held_min=$(fig "ADV kill PASS" held_min | sort -n | head -n 1)
[ "${held_min:-0}" -gt 0 ] || complain "a kill found no window held"
[ "$(fig "ADV canary PASS" hits | grep -c '^0$')" -eq 6 ] || complain "not 6 clean canary runs"
cw=$(fig "ADV canary PASS" windows | sort -n | head -n 1)
[ "${cw:-0}" -gt 0 ] || complain "a canary run scanned no window"
grep -q '^ADV busy PASS' "$C" || complain "no rmmod-while-capturing PASS"
fo_joined=$(fig "ADV fanout PASS" joined)
fo_packets=$(fig "ADV fanout PASS" packets)
[ "${fo_joined:-0}" -ge 6 ] && [ "${fo_packets:-0}" -ge 100 ] ||
	complain "fanout: joined ${fo_joined:-none} packets ${fo_packets:-none} (need >= 6 joins and >= 100 packets)"
grep -q '^ADV-GONE link-del PASS' "$C" || complain "no PASS for the bound interface deleted"
grep -q '^ADV-GONE netns-del PASS' "$C" || complain "no PASS for the peer netns destroyed"
grep -q '^ADV global captures=0 pages_held=0 skbs_held=0 mappings=0' "$C" || complain "gauges not back to 0"
grep -q '^kmemleak: empty' "$C" || complain "kmemleak not scanned empty"
grep -q '^KMOD-SMOKE PASS' "$OUT/smoke/console.log" 2>/dev/null || complain "kmod-smoke did not pass"
grep -q '^rmmod: ok' "$C" || complain "rmmod at the end did not succeed"

echo "debug-lane: seed $SEED; figures: writes/mode >= ${writes_min:-?}, ioctls ${ops:-?}, SIGKILLs $kills (held >= ${held_min:-?} windows each), $(grep '^MemFree' "$C" | tail -n 1)"
echo "debug-lane: QEMU time: kmod-smoke + build ${t_smoke}s, adversarial boot ${t_adv}s; total $(($(date +%s) - t_start))s"
[ $bad -eq 0 ] || die "failed (console: $C; replay: tests/kernel/debug-lane.sh --seed $SEED)"
echo "debug-lane: PASS"
