#!/bin/sh
# The take-back benchmark: skbremap.ko's old take-back (zap_page_range() on
# the VMA) against its new one (unmap_mapping_range() on the capture's own
# address_space), ns per page released, batches of 1..64 pages, in ONE boot
# of the Debian 6.1 cloud kernel under QEMU (the old method exists only
# before 6.3). Per round and batch, the pairs old/new, old/old', new/new'
# interleaved (takeback.c); old/old' and new/new' are the A/A noise.
# docs/performance.md quotes its table.
#
#   tools/bench/takeback/run.sh [ROUNDS]     (default 1000, ~2 min)
#
# Needs what tests/kernel/kmod-smoke.sh needs: tools/vm/fetch-kernel.sh done,
# busybox-static, gcc, cpio, qemu-system-x86. Output: build/bench/takeback/.
set -eu

REPO=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=$REPO/build/bench/takeback
STAGE=$OUT/initramfs.d
ROUNDS=${1:-1000}

die() { echo "takeback: ERROR: $*" >&2; exit 1; }

[ -f "$REPO/build/vm/kernel.env" ] || die "run tools/vm/fetch-kernel.sh first"
# shellcheck disable=SC1091
. "$REPO/build/vm/kernel.env"

# The module, built in a copy (no objects in the work tree); W=1 clean.
mkdir -p "$OUT/mod"
cp "$REPO/tools/bench/takeback/Kbuild" "$REPO/tools/bench/takeback/tbench.c" "$OUT/mod/"
make -s -C "$KDIR" M="$OUT/mod" W=1 modules >"$OUT/build.log" 2>&1 ||
	{ cat "$OUT/build.log"; die "module build failed"; }
if grep -E 'warning:|error:' "$OUT/build.log"; then
	die "module build warnings"
fi
gcc -O2 -static -Wall -Wextra -Werror -o "$OUT/takeback" "$REPO/tools/bench/takeback/takeback.c" -lm

rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/proc" "$STAGE/sys" "$STAGE/dev"
cp /bin/busybox "$STAGE/bin/busybox"
for a in sh mount insmod rmmod dmesg grep reboot sync; do
	ln -s busybox "$STAGE/bin/$a"
done
cp "$OUT/mod/skbremap_tbench.ko" "$OUT/takeback" "$STAGE/"
cat >"$STAGE/init" <<INIT
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
insmod /skbremap_tbench.ko || echo "TAKEBACK FAIL: insmod"
/takeback $ROUNDS || echo "TAKEBACK FAIL: run"
rmmod skbremap_tbench || echo "TAKEBACK FAIL: rmmod"
if dmesg | grep -E "WARNING|BUG|Oops|Call Trace"; then
	echo "TAKEBACK FAIL: kernel complained"
fi
sync
reboot -f
INIT
chmod +x "$STAGE/init"
(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"

timeout "${TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -m 512M -smp 2 -nographic \
	-no-reboot -kernel "$VMLINUZ" -initrd "$OUT/initramfs.cpio.gz" \
	-append "console=ttyS0 no_timer_check panic=-1 quiet" >"$OUT/console.log" 2>&1 || true
# (the table's first line may follow the firmware's escape codes)
tr -d '\r' <"$OUT/console.log" | sed -n 's/.*\(TAKEBACK rounds\)/\1/; /^TAKEBACK rounds/,/^TAKEBACK DONE/p' |
	tee "$OUT/table.txt"
! grep -q "TAKEBACK FAIL" "$OUT/console.log" || { grep "TAKEBACK FAIL" "$OUT/console.log"; die "failed (console: $OUT/console.log)"; }
grep -q "^TAKEBACK DONE" "$OUT/table.txt" || die "no table (console: $OUT/console.log)"
echo "kernel: $KVER"
