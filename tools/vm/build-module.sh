#!/bin/sh
# Build skbremap.ko out of tree against the cached cloud kernel headers:
#   make -C $KDIR M=$REPO W=1 modules   ->  kernel/skbremap.ko
# Any compiler or modpost "warning:" fails the build. The log is
# build/vm/module-build.log. MODULE_SRC=<dir> builds another tree (self-test).
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
SRC=${MODULE_SRC:-$REPO}
LOG=$VM/module-build.log

die() { echo "build-module: ERROR: $*" >&2; exit 1; }

[ -f "$VM/kernel.env" ] || die "no $VM/kernel.env: run tools/vm/fetch-kernel.sh first"
# shellcheck disable=SC1091
. "$VM/kernel.env"
[ -f "$SRC/Kbuild" ] || [ -f "$SRC/Makefile" ] ||
	die "no Kbuild in $SRC (expected top-level 'obj-m := kernel/')"

mkdir -p "$VM"
status=0
make -C "$KDIR" M="$SRC" W=1 -j"$(nproc)" modules >"$LOG" 2>&1 || status=$?
cat "$LOG"
[ "$status" -eq 0 ] || die "make failed ($status), see $LOG"
if grep -n 'warning:' "$LOG" >&2; then
	die "warnings in the module build (W=1 must be clean), see $LOG"
fi
[ -n "${MODULE_SRC:-}" ] && exit 0
[ -f "$REPO/kernel/skbremap.ko" ] || die "kernel/skbremap.ko was not produced"
vermagic=$(modinfo -F vermagic "$REPO/kernel/skbremap.ko")
case $vermagic in
"$KVER "*) ;;
*) die "vermagic '$vermagic' does not match $KVER" ;;
esac
echo "build-module: kernel/skbremap.ko ($vermagic)"
