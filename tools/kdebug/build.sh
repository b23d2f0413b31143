#!/bin/sh
# Build (once per machine) the debug kernel the adversarial lane boots:
# linux-source-6.1's x86_64_defconfig + tools/kdebug/debug.config, then
# modules_prepare so that out-of-tree modules build against it.
#
# The tree lives outside the clone, keyed by a hash of debug.config, RECIPE
# below and the linux-source-6.1 version, so CI runs on the same machine
# reuse it and a changed config builds anew (~16 min on 2 idle cores):
#   ${SKBREMAP_CACHE:-/var/cache/skbremap}/kdebug-<hash>/linux-source-6.1
# Prints the path of an env file (KVER KDIR VMLINUZ MODDIR) for the lane.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${SKBREMAP_CACHE:-/var/cache/skbremap}
FRAG=$REPO/tools/kdebug/debug.config

log() { echo "kdebug: $*" >&2; }
die() { echo "kdebug: ERROR: $*" >&2; exit 1; }

SRC=/usr/src/linux-source-6.1.tar.xz
[ -f "$SRC" ] || die "$SRC missing (apt-get install linux-source-6.1)"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
# Bump RECIPE when a change to the build steps below must rebuild the kernel.
RECIPE=1
hash=$( (cat "$FRAG"; echo "recipe $RECIPE linux-source-6.1 $srcver") | sha256sum | cut -c1-16)
DIR=$CACHE/kdebug-$hash
KD=$DIR/linux-source-6.1
ENV_FILE=$DIR/kernel.env

mkdir -p "$DIR"
if [ -z "${SKBREMAP_KDEBUG_LOCKED:-}" ] && command -v flock >/dev/null; then
	export SKBREMAP_KDEBUG_LOCKED=1
	exec flock "$DIR/.lock" "$0" "$@"
fi

if [ -f "$ENV_FILE" ] && [ -f "$KD/arch/x86/boot/bzImage" ] && [ -f "$KD/.done" ]; then
	log "cached: $DIR"
	echo "$ENV_FILE"
	exit 0
fi

log "building the debug kernel in $DIR (linux-source-6.1 $srcver)"
for t in flex bison bc; do
	command -v $t >/dev/null || die "$t missing (tools/deps.sh test installs it)"
done
rm -rf "$KD"
tar -xJf "$SRC" -C "$DIR"
cd "$KD"
make -s x86_64_defconfig
./scripts/kconfig/merge_config.sh -m .config "$FRAG" >/dev/null
make -s olddefconfig
# Every option the fragment asks for must have survived olddefconfig.
grep -E '^CONFIG_[A-Z0-9_]+=' "$FRAG" | while read -r line; do
	grep -qx "$line" .config || die "olddefconfig dropped $line"
done
nice -n 5 make -s -j"$(nproc)" bzImage modules modules_prepare >"$DIR/build.log" 2>&1 ||
	{ tail -n 40 "$DIR/build.log" >&2; die "kernel build failed (log: $DIR/build.log)"; }
KVER=$(make -s kernelrelease)
rm -rf "$DIR/modroot"
make -s INSTALL_MOD_PATH="$DIR/modroot" modules_install >/dev/null
cat >"$ENV_FILE" <<ENV
KVER=$KVER
KDIR=$KD
VMLINUZ=$KD/arch/x86/boot/bzImage
MODDIR=$DIR/modroot/lib/modules/$KVER
ENV
touch "$KD/.done"
log "built $KVER"
echo "$ENV_FILE"
