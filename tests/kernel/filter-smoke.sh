#!/bin/sh
# The module's filter program (SKBREMAP_IOC_SET_FILTER) in the VM, against
# libpcap as the oracle: filter-oracle (host, libpcap) compiles every
# expression of tests/c/mix.h and writes libpcap's verdict on every frame
# of the mix; skbremap-filter (static, in the VM) installs each program,
# sends the mix over a veth pair (tagged frames arrive with the tag in skb
# metadata) and checks that exactly the frames libpcap keeps arrive, cut to
# the verdict; then the ioctl's refusals and programs swapped during
# traffic; in every delivery mode the module offers (MODES=...); rmmod,
# dmesg clean. Passes only on the marker
# "FILTER-SMOKE PASS" (console log: build/filter-smoke/console.log).
#
# Every mode of MODES must pass, or print "SKIP: ..." (counted; a failure in
# CI unless expected, tests/vm/skips.sh).
# Needs: tools/vm/fetch-kernel.sh done, the module built against it
# (tools/vm/build-module.sh -> build/vm/skbremap.ko, or MODULE_KO=...),
# libpcap-dev, busybox-static, gcc, cpio, qemu-system-x86.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$REPO/build/filter-smoke}
STAGE=$OUT/initramfs.d
TIMEOUT=${TIMEOUT:-300}

die() { echo "filter-smoke: ERROR: $*" >&2; exit 1; }

# SKBREMAP_KERNEL_ENV: the kernel (tests/vm/run.sh passes each series'); default 6.1.
KENV=${SKBREMAP_KERNEL_ENV:-$REPO/build/vm/kernel.env}
[ -f "$KENV" ] || die "no $KENV: run tools/vm/fetch-kernel.sh first"
# shellcheck disable=SC1090
. "$KENV"
MODULE_KO=${MODULE_KO:-$REPO/build/vm/skbremap.ko}
[ -f "$MODULE_KO" ] || die "no $MODULE_KO: run tools/vm/build-module.sh"

mkdir -p "$OUT"
CFLAGS="-O2 -g -Wall -Wextra -Werror -I$REPO/kernel/include/uapi -I$REPO/tests/c"
# shellcheck disable=SC2086
gcc $CFLAGS -o "$OUT/filter-oracle" "$REPO/tests/kernel/filter-oracle.c" -lpcap
# shellcheck disable=SC2086
gcc $CFLAGS -static -pthread -o "$OUT/skbremap-filter" \
	"$REPO/tests/kernel/skbremap-filter.c"
"$OUT/filter-oracle" >"$OUT/cases.txt"

rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/proc" "$STAGE/sys" "$STAGE/dev" "$STAGE/tmp"
cp /bin/busybox "$STAGE/bin/busybox"
for a in sh mount insmod rmmod dmesg ip sleep cat grep echo reboot sync; do
	ln -s busybox "$STAGE/bin/$a"
done
cp "$MODULE_KO" "$STAGE/skbremap.ko"
# veth.ko, or veth.ko.xz (6.12, 7.3): busybox insmod reads plain .ko only.
veth=$(ls "$MODDIR"/kernel/drivers/net/veth.ko* 2>/dev/null | head -n 1)
case $veth in
*.ko) cp "$veth" "$STAGE/veth.ko" ;;
*.ko.xz) xz -dc "$veth" >"$STAGE/veth.ko" ;;
*) die "no veth.ko(.xz) in $MODDIR/kernel/drivers/net" ;;
esac
cp "$OUT/skbremap-filter" "$OUT/cases.txt" "$STAGE/"
cat >"$STAGE/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
fail() { echo "FILTER-SMOKE FAIL: $*"; sync; reboot -f; }
insmod /skbremap.ko || fail "insmod skbremap"
insmod /veth.ko || fail "insmod veth"
# Fewer strangers on the wire (router solicitations, MLD).
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
ip link add ft0 type veth peer name ft1 || fail "ip link add"
# busybox ip may name the peer differently: find it by its iflink.
peer=
for n in /sys/class/net/*; do
	[ "$(cat "$n/iflink")" = "$(cat /sys/class/net/ft0/ifindex)" ] &&
		[ "${n##*/}" != ft0 ] && peer=${n##*/}
done
[ -n "$peer" ] || fail "no veth peer"
ip link set ft0 up
ip link set "$peer" up
sleep 1
for mode in MODES; do
	/skbremap-filter /cases.txt ft0 "$peer" $mode || fail "skbremap-filter $mode"
done
ip link del ft0
rmmod skbremap || fail rmmod
if dmesg | grep -E "WARNING|BUG|Oops|sleeping function|Call Trace"; then
	fail "kernel complained"
fi
echo "FILTER-SMOKE PASS"
sync
reboot -f
INIT
MODES=${MODES:-default bounce remap ring adaptive}
sed -i "s/MODES/$MODES/" "$STAGE/init"
chmod +x "$STAGE/init"
(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"

timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m "${MEM:-1G}" -smp 2 -nographic \
	-no-reboot -kernel "$VMLINUZ" -initrd "$OUT/initramfs.cpio.gz" \
	-append "console=ttyS0 no_timer_check panic=-1 quiet ${APPEND:-}" >"$OUT/console.log" 2>&1 || true
grep -E "FILTER|skbremap" "$OUT/console.log" || true
grep -q "FILTER-SMOKE PASS" "$OUT/console.log" || die "no success marker"
# Every mode passed or said why it did not run: one that the module does
# not offer prints "SKIP: ...", counted, and in CI a failure unless
# SKBREMAP_EXPECTED_SKIPS names it (tests/vm/skips.sh).
. "$REPO/tests/vm/skips.sh"
nmodes=$(echo $MODES | wc -w)
passed=$(grep -c "SKBREMAP-FILTER PASS" "$OUT/console.log")
judge_skips "filter-smoke: " "$OUT/console.log"
echo "filter-smoke: skips: $SKIPS, modes passed: $passed of $nmodes"
[ $((passed + SKIPS)) -eq "$nmodes" ] || die "$passed of $nmodes modes passed and $SKIPS skipped"
[ "$passed" -gt 0 ] || die "no mode ran"
[ "$SKIPS_UNEXPECTED" -eq 0 ] || die "$SKIPS_UNEXPECTED unexpected skips in CI"
echo "filter-smoke: PASS"
