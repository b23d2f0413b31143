#!/bin/sh
# What poll() and the take-back cost at many windows, one build of the
# module against another: skbremap.ko built from revision A and from B (or
# the work tree), loaded in turn in ONE boot of the Debian 6.1 cloud kernel
# under QEMU, ROUNDS times A B A B ...; tools/bench/takeback/pollbench.c per load: a ring-mode
# capture of 256 one-page windows on lo, every window published and held,
#   held     poll(0) with all 256 held, none released: ns per call
#   release  release the oldest window + poll(0) (which takes it back):
#            ns per step, 256 steps
# A against A (round 1 vs the others) is the noise.
#
#   tools/bench/takeback/poll-run.sh [-a REV] [-b REV] [ROUNDS]
#       default: -a HEAD~, -b the work tree, ROUNDS 6
#
# Needs tools/vm/fetch-kernel.sh done, busybox-static, gcc, cpio, qemu.
# Output: build/bench/pollbench/ (table.txt, console.log).
set -eu

REPO=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=$REPO/build/bench/pollbench
STAGE=$OUT/initramfs.d
A=HEAD~
B=
while getopts a:b: opt; do
	case $opt in
	a) A=$OPTARG ;;
	b) B=$OPTARG ;;
	*) echo "usage: $0 [-a REV] [-b REV] [ROUNDS]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
ROUNDS=${1:-6}

die() { echo "pollbench: ERROR: $*" >&2; exit 1; }
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
[ -f "$VM/kernel.env" ] || die "run tools/vm/fetch-kernel.sh first"
# shellcheck disable=SC1091
. "$VM/kernel.env"

# The module of a revision (or of the work tree: empty REV), W=1 clean.
build() {
	src=$OUT/src-$1
	rm -rf "$src"
	mkdir -p "$src"
	if [ -n "$2" ]; then
		(cd "$REPO" && git archive "$2" Kbuild VERSION kernel) | (cd "$src" && tar xf -)
	else
		(cd "$REPO" && tar cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
			--exclude='*.mod.c' --exclude='.*.cmd' Kbuild VERSION kernel) | (cd "$src" && tar xf -)
	fi
	MODULE_SRC=$src SKBREMAP_MODULE_LOG=$OUT/build-$1.log "$REPO/tools/vm/build-module.sh" >/dev/null ||
		die "module $1 (${2:-work tree}) does not build: $OUT/build-$1.log"
	cp "$src/kernel/skbremap.ko" "$STAGE/skbremap-$1.ko"
}
rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/proc" "$STAGE/sys" "$STAGE/dev"
build a "$A"
build b "$B"
gcc -O2 -static -Wall -Wextra -Werror -I"$REPO/kernel/include/uapi" -o "$STAGE/pollbench" \
	"$REPO/tools/bench/takeback/pollbench.c"
cp /bin/busybox "$STAGE/bin/busybox"
for a in sh mount insmod rmmod dmesg grep reboot sync ip seq; do
	ln -s busybox "$STAGE/bin/$a"
done
cat >"$STAGE/init" <<INIT
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
ip link set lo up
echo "POLLBENCH kernel \$(cat /proc/sys/kernel/osrelease), a=${A} b=${B:-work tree}"
for r in \$(seq 1 $ROUNDS); do
	for m in a b; do
		insmod /skbremap-\$m.ko || echo "POLLBENCH FAIL: insmod \$m"
		/pollbench \$m || echo "POLLBENCH FAIL: run \$m"
		rmmod skbremap || echo "POLLBENCH FAIL: rmmod \$m"
	done
done
if dmesg | grep -E "WARNING|BUG|Oops|Call Trace"; then
	echo "POLLBENCH FAIL: kernel complained"
fi
echo "POLLBENCH DONE"
sync
reboot -f
INIT
chmod +x "$STAGE/init"
(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"

timeout "${TIMEOUT:-900}" qemu-system-x86_64 -accel tcg -m 512M -smp 2 -nographic \
	-no-reboot -kernel "$VMLINUZ" -initrd "$OUT/initramfs.cpio.gz" \
	-append "console=ttyS0 no_timer_check panic=-1 quiet" >"$OUT/console.log" 2>&1 || true
tr -d '\r' <"$OUT/console.log" | sed -n 's/.*\(POLLBENCH \)/\1/p' >"$OUT/raw.txt"
! grep -q "POLLBENCH FAIL" "$OUT/raw.txt" || { cat "$OUT/raw.txt"; die "failed (console: $OUT/console.log)"; }
grep -q "^POLLBENCH DONE" "$OUT/raw.txt" || die "no result (console: $OUT/console.log)"
# Per build: every round, the median, and the ratio b/a of the medians.
awk '$2 == "a" || $2 == "b" { h[$2] = h[$2] " " $6; r[$2] = r[$2] " " $8; n[$2]++; H[$2, n[$2]] = $6; R[$2, n[$2]] = $8; w = $4 }
function med(m, X,    i, j, t, v) {
	for (i = 1; i <= n[m]; i++) v[i] = X[m, i]
	for (i = 1; i <= n[m]; i++) for (j = i + 1; j <= n[m]; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	return (n[m] % 2) ? v[(n[m] + 1) / 2] : (v[n[m] / 2] + v[n[m] / 2 + 1]) / 2
}
END {
	printf "%d windows, ns per call; rounds in boot order\n", w
	printf "  a held   %s  (median %d)\n", h["a"], med("a", H)
	printf "  b held   %s  (median %d)\n", h["b"], med("b", H)
	printf "  a release%s  (median %d)\n", r["a"], med("a", R)
	printf "  b release%s  (median %d)\n", r["b"], med("b", R)
	printf "  b/a: held %.2f, release %.2f\n", med("b", H) / med("a", H), med("b", R) / med("a", R)
}' "$OUT/raw.txt" | tee "$OUT/table.txt"
head -n 1 "$OUT/raw.txt"
