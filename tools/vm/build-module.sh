#!/bin/sh
# Build skbremap.ko out of tree against a cached kernel's headers:
#   make -C $KDIR M=<copy> W=1 CC=<the kernel's compiler> modules  ->  build/vm/skbremap.ko
#
# The sources (Kbuild, kernel/) are copied into build/vm/module/<kver>, so
# the lane never races a developer's in-tree build (make -C kernel) and
# leaves no objects in the work tree; the copy keeps the source mtimes, so
# a rebuild is incremental. Any compiler or modpost warning fails the
# build (W=1 must be clean). The log is build/vm/module-build.log.
# A kernel whose kernel.env says CHROOT=trixie (7.3: its kbuild tools are
# trixie binaries, its compiler gcc-14) is built inside tools/vm/in-chroot.sh.
# The compiler is the one the kernel was built with (CONFIG_CC_VERSION_TEXT).
#
#   SKBREMAP_KERNEL_ENV=FILE  the kernel (default build/vm/kernel.env, 6.1)
#   SKBREMAP_MODULE_KO=FILE   where the module goes (default build/vm/skbremap.ko)
#   SKBREMAP_MODULE_LOG=FILE  the build log (default build/vm/module-build.log)
#   MODULE_SRC=DIR            build another tree in place instead (self-test)
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
LOG=${SKBREMAP_MODULE_LOG:-$VM/module-build.log}
KO_OUT=${SKBREMAP_MODULE_KO:-$VM/skbremap.ko}

die() { echo "build-module: ERROR: $*" >&2; exit 1; }

# SKBREMAP_KERNEL_ENV: another kernel (e.g. a KASAN/lockdep build), see
# tests/vm/README.md; default: the cloud kernel of fetch-kernel.sh.
KENV=${SKBREMAP_KERNEL_ENV:-$VM/kernel.env}
[ -f "$KENV" ] || die "no $KENV: run tools/vm/fetch-kernel.sh first"
# shellcheck disable=SC1090
. "$KENV"

if [ -n "${MODULE_SRC:-}" ]; then
	SRC=$MODULE_SRC
else
	[ -f "$REPO/Kbuild" ] || die "no $REPO/Kbuild (expected top-level 'obj-m := kernel/')"
	SRC=$VM/module/$KVER
	mkdir -p "$SRC"
	# Sources only; objects of an in-tree build stay behind.
	(cd "$REPO" && tar cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='modules.order' \
		--exclude='Module.symvers' --exclude='.tmp_versions' Kbuild VERSION kernel) |
		(cd "$SRC" && tar xf -)
fi
[ -f "$SRC/Kbuild" ] || [ -f "$SRC/Makefile" ] || die "no Kbuild in $SRC"

jobs=$(nproc)
[ "$jobs" -le 2 ] || jobs=2
# The kernel's own compiler (e.g. x86_64-linux-gnu-gcc-14 for 7.3): another
# one makes kbuild warn and the module's vermagic/ABI differ.
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$KDIR/.config")
RUN=
case ${CHROOT:-} in
"") ;;
trixie)
	# The header tree may live outside the repo (SKBREMAP_VM_DIR): bind it too.
	root=$(cd "$KDIR/../../.." && pwd)
	RUN="$REPO/tools/vm/in-chroot.sh -b $root -b $SRC"
	;;
*) die "kernel.env says CHROOT=$CHROOT: unknown (trixie)" ;;
esac
status=0
echo "build-module: $KVER, CC=${cc:-default}${RUN:+, in the ${CHROOT} chroot}" >"$LOG"
$RUN make -C "$KDIR" M="$SRC" W=1 ${cc:+CC="$cc"} -j"$jobs" modules >>"$LOG" 2>&1 || status=$?
cat "$LOG"
[ "$status" -eq 0 ] || die "make failed ($status), see $LOG"
# gcc says "warning:", modpost "WARNING: modpost:".
if grep -niE 'warning:' "$LOG" >&2; then
	die "warnings in the module build (W=1 must be clean), see $LOG"
fi
[ -n "${MODULE_SRC:-}" ] && exit 0
KO=$SRC/kernel/skbremap.ko
[ -f "$KO" ] || die "$KO was not produced"
vermagic=$(modinfo -F vermagic "$KO")
case $vermagic in
"$KVER "*) ;;
*) die "vermagic '$vermagic' does not match $KVER" ;;
esac
mkdir -p "$(dirname "$KO_OUT")"
cp "$KO" "$KO_OUT"
echo "build-module: $KO_OUT ($vermagic)"
