#!/bin/sh
# Boot the Debian cloud kernel under QEMU (TCG) with a tiny busybox
# initramfs holding skbremap.ko and skbremap-smoke, and run the module's
# smoke scenarios: the ABI smoke test on lo, a capture of ping on lo,
# kill -9 mid-capture with the gauges back to zero, rmmod, and a dmesg
# free of WARN/BUG/Oops/"sleeping function". Passes only on the marker
# "KMOD-SMOKE PASS" in the console log (build/kmod-smoke/console.log).
#
# Needs: tools/vm/fetch-kernel.sh done, kernel/skbremap.ko built against it
# (make -C kernel KDIR=...), busybox-static, gcc, cpio, qemu-system-x86.
#
# Another kernel (the debug lane, tests/kernel/debug-lane.sh, runs it on
# its KASAN/lockdep build of linux-source-6.1):
#   KERNEL_IMAGE=<bzImage> MODULE_KO=<skbremap.ko built for it> OUT=<dir>
#   MODULES_DIR=<its /lib/modules/VER> (8021q for the VLAN check)
# REQUIRE_ALL=1 (the debug lane sets it): a check that would be skipped
# (no veth/8021q, no kmemleak, no lockdep) fails the run instead.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$REPO/build/kmod-smoke}
STAGE=$OUT/initramfs.d
TIMEOUT=${TIMEOUT:-300}

die() { echo "kmod-smoke: ERROR: $*" >&2; exit 1; }

if [ -n "${KERNEL_IMAGE:-}" ]; then
	VMLINUZ=$KERNEL_IMAGE
	MODDIR=${MODULES_DIR:-}
else
	[ -f "$REPO/build/vm/kernel.env" ] || die "run tools/vm/fetch-kernel.sh first"
	# shellcheck disable=SC1091
	. "$REPO/build/vm/kernel.env"
fi
MODULE_KO=${MODULE_KO:-$REPO/kernel/skbremap.ko}
[ -f "$MODULE_KO" ] || die "build kernel/skbremap.ko first"

mkdir -p "$OUT"
make -s -C "$REPO/tests/kernel" skbremap-smoke

rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/proc" "$STAGE/sys" "$STAGE/dev" "$STAGE/tmp"
cp /bin/busybox "$STAGE/bin/busybox"
for a in sh mount insmod rmmod lsmod dmesg ping ip sleep kill cat grep \
	echo reboot ls sync mkdir; do
	ln -s busybox "$STAGE/bin/$a"
done
cp "$MODULE_KO" "$STAGE/skbremap.ko"
cp "$REPO/tests/kernel/skbremap-smoke" "$STAGE/"
if [ -n "${MODDIR:-}" ]; then
	# insmod order: dependencies first (modules.dep); a kernel with one
	# of them built in has no .ko for it.
	for m in drivers/net/dummy drivers/net/veth net/llc/llc net/802/stp \
		net/802/garp net/802/mrp net/8021q/8021q; do
		[ -f "$MODDIR/kernel/$m.ko" ] || continue
		cp "$MODDIR/kernel/$m.ko" "$STAGE/"
		echo "/$(basename "$m").ko" >>"$STAGE/modules.list"
	done
fi
echo "${REQUIRE_ALL:-0}" >"$STAGE/require_all"
cat >"$STAGE/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
ip link set lo up
fail() { echo "KMOD-SMOKE FAIL: $*"; sync; reboot -f; }
# busybox ip names a veth peer its own way: find it by its iflink.
veth_peer() {
	for n in /sys/class/net/*; do
		case ${n##*/} in "$1" | "$1".*) continue ;; esac
		[ "$(cat "$n/iflink")" = "$(cat "/sys/class/net/$1/ifindex")" ] &&
			echo "${n##*/}"
	done | head -n 1
}
echo 8 > /proc/sys/kernel/printk
insmod /skbremap.ko || fail insmod
[ -c /dev/skbremap ] || fail "no /dev/skbremap"
ls -l /dev/skbremap

echo "== smoke ($(/skbremap-smoke features))"
/skbremap-smoke run || fail "smoke run"
# Each delivery mode: correct packets, counters that add up, gauges back to
# 0; a mode the module does not advertise must be refused (MODE SKIP).
for m in bounce ring remap adaptive; do
	echo "== smoke, mode $m"
	/skbremap-smoke run $m || fail "smoke run $m"
done
# A configured threshold: ring below it, bounce (into resident pages) above.
echo "== smoke, mode adaptive, copy_threshold 1000"
SMOKE_THRESHOLD=1000 /skbremap-smoke run adaptive || fail "smoke adaptive 1000"

echo "== watch lo while ping -c 50"
/skbremap-smoke watch lo 12 > /tmp/watch.log 2>&1 &
w=$!
sleep 1
ping -c 50 -i 0.2 127.0.0.1 > /tmp/ping.log || fail ping
tail -n 2 /tmp/ping.log
wait $w || { cat /tmp/watch.log; fail watch; }
cat /tmp/watch.log
grep -q "ICMP" /tmp/watch.log || fail "no ICMP line"

if [ -f /modules.list ]; then
	for m in $(cat /modules.list); do insmod "$m" || fail "insmod $m"; done
fi

echo "== VLAN tag from skb metadata"
if ip link add vt0 type veth peer name vt1 &&
	ip link add link vt0 name vt0.5 type vlan id 5; then
	peer=$(veth_peer vt0)
	echo "veth pair: vt0 <-> ${peer:-?}"
	ip link set vt0 up
	ip link set "$peer" up
	ip link set vt0.5 up
	ip addr add 10.5.5.1/24 dev vt0.5
	/skbremap-smoke vlan vt0 10.5.5.2 5 || fail vlan
	ip link del vt0
else
	echo "VLAN SKIPPED: no veth/8021q in this kernel"
	[ "$(cat /require_all)" = 0 ] || fail "VLAN check skipped"
fi

echo "== bound interface unregistered"
if ! ip link add sr0 type dummy; then
	ip link add sr0 type veth peer name sr1 || fail "ip link add"
	ip link set "$(veth_peer sr0)" up
fi
[ -d /sys/class/net/sr0 ] || { ls /sys/class/net; fail "no sr0"; }
ip addr add 10.9.9.1/24 dev sr0
ip link set sr0 up
: > /tmp/gone.log
/skbremap-smoke gone sr0 10.9.9.2 > /tmp/gone.log 2>&1 &
g=$!
i=0
while ! grep -q GONE-READY /tmp/gone.log; do
	sleep 1; i=$((i + 1)); [ $i -lt 60 ] || { cat /tmp/gone.log; fail "gone did not start"; }
done
ip link del sr0 || fail "ip link del"
wait $g || { cat /tmp/gone.log; fail gone; }
cat /tmp/gone.log

echo "== stress"
/skbremap-smoke stress ${STRESS_SECONDS:-10} || fail stress
for m in bounce ring; do
	echo "== stress, mode $m"
	SMOKE_MODE=$m /skbremap-smoke stress 4 || fail "stress $m"
done
echo "== stress, mode adaptive, copy_threshold 1000"
SMOKE_THRESHOLD=1000 SMOKE_MODE=adaptive /skbremap-smoke stress 4 || fail "stress adaptive 1000"

echo "== kill -9 mid-capture"
: > /tmp/hold.log
/skbremap-smoke hold all > /tmp/hold.log 2>&1 &
h=$!
ping -i 0.05 127.0.0.1 > /dev/null &
p=$!
i=0
while ! grep -q HOLDING /tmp/hold.log; do
	sleep 1; i=$((i + 1)); [ $i -lt 60 ] || fail "hold did not start"
done
cat /tmp/hold.log
grep -q FAIL /tmp/hold.log && fail "hold checks"
/skbremap-smoke global && fail "gauges zero while holding?"
kill -9 $h
sleep 1
kill $p
sleep 1
/skbremap-smoke global || fail "gauges after kill -9"

# Debug kernels: kmemleak must find nothing of ours (scanned while the
# module is loaded, so that its symbols resolve).
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	if grep -q skbremap /sys/kernel/debug/kmemleak; then
		cat /sys/kernel/debug/kmemleak
		fail "kmemleak: leaks from skbremap"
	fi
	echo "kmemleak: $(grep -c unreferenced /sys/kernel/debug/kmemleak) reports, none from skbremap"
else
	echo "kmemleak SKIPPED: not in this kernel"
	[ "$(cat /require_all)" = 0 ] || fail "kmemleak check skipped"
fi

echo "== rmmod"
rmmod skbremap || fail rmmod
dmesg | grep skbremap
if dmesg | grep -E "WARNING|BUG|Oops|sleeping function|Call Trace"; then
	fail "kernel complained"
fi
# Lockdep kernels: still validating at the end (a splat turns it off).
if [ -r /proc/lockdep_stats ]; then
	grep -E "debug_locks|lock-classes" /proc/lockdep_stats
	grep -qE "debug_locks: +1" /proc/lockdep_stats || fail "lockdep off"
else
	echo "lockdep SKIPPED: not in this kernel"
	[ "$(cat /require_all)" = 0 ] || fail "lockdep check skipped"
fi
echo "KMOD-SMOKE PASS"
sync
reboot -f
INIT
sed -i "s/\${STRESS_SECONDS:-10}/${STRESS_SECONDS:-10}/" "$STAGE/init"
chmod +x "$STAGE/init"
(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"

timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -m ${MEM:-1G} -smp 2 -nographic \
	-no-reboot -kernel "$VMLINUZ" -initrd "$OUT/initramfs.cpio.gz" \
	-append "console=ttyS0 no_timer_check panic=-1 quiet ${APPEND:-}" >"$OUT/console.log" 2>&1 || true
cat "$OUT/console.log"
grep -q "KMOD-SMOKE PASS" "$OUT/console.log" || die "no success marker"
if [ "${REQUIRE_ALL:-0}" != 0 ] && grep -n "SKIP" "$OUT/console.log"; then
	die "checks skipped (above) where every one must run"
fi
echo "kmod-smoke: PASS"
