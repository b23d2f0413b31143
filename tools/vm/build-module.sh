#!/bin/sh
# Build skbremap.ko out of tree against the cached cloud kernel headers:
#   make -C $KDIR M=<copy> W=1 modules   ->  build/vm/skbremap.ko
#
# The sources (Kbuild, kernel/) are copied into build/vm/module/<kver>, so
# the lane never races a developer's in-tree build (make -C kernel) and
# leaves no objects in the work tree; the copy keeps the source mtimes, so
# a rebuild is incremental. Any compiler or modpost warning fails the
# build (W=1 must be clean). The log is build/vm/module-build.log.
# MODULE_SRC=<dir> builds another tree in place instead (self-test).
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
LOG=$VM/module-build.log

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
status=0
make -C "$KDIR" M="$SRC" W=1 -j"$jobs" modules >"$LOG" 2>&1 || status=$?
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
cp "$KO" "$VM/skbremap.ko"
echo "build-module: $VM/skbremap.ko ($vermagic)"
