#!/bin/sh
# A minimal Debian bookworm chroot for the packaging test, made once with
# debootstrap and cached outside the clone:
#   ${SKBREMAP_CACHE:-/var/cache/skbremap}/chroot-bookworm-<hash>
# <hash> covers the recipe (suite, variant, packages, the post-steps' RECIPE
# number), so a changed recipe makes a new chroot. It holds what
# skbremap-dkms and remapd depend on (dkms and its compiler, adduser,
# libpcap0.8; libelf1, xz-utils, zstd and dwarves (pahole, for 6.12's BTF)
# as a kernel's headers need), so the test installs the .debs with plain
# dpkg -i and no network. Prints the chroot's path. Needs root and
# debootstrap.
set -eu

CACHE=${SKBREMAP_CACHE:-/var/cache/skbremap}
MIRROR=${SKBREMAP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
INCLUDE=dkms,adduser,libpcap0.8,kmod,udev,libelf1,xz-utils,zstd,dwarves
RECIPE=1	# bump when the steps after debootstrap change

log() { echo "bookworm-chroot: $*" >&2; }
die() { echo "bookworm-chroot: ERROR: $*" >&2; exit 1; }

hash=$(echo "bookworm minbase $INCLUDE $RECIPE" | sha256sum | cut -c1-16)
ROOT=$CACHE/chroot-bookworm-$hash
if [ -f "$ROOT/.complete" ]; then
	log "cached: $ROOT"
	echo "$ROOT"
	exit 0
fi
command -v debootstrap >/dev/null || die "debootstrap not installed (tools/deps.sh package)"
mkdir -p "$CACHE"
rm -rf "$ROOT.tmp"
log "debootstrap bookworm ($INCLUDE) into $ROOT"
debootstrap --variant=minbase --include="$INCLUDE" bookworm "$ROOT.tmp" "$MIRROR" \
	>"$CACHE/chroot-bookworm-$hash.log" 2>&1 ||
	die "debootstrap failed, see $CACHE/chroot-bookworm-$hash.log"
# No daemons start inside the chroot (udev's postinst, dkms's triggers).
printf '#!/bin/sh\nexit 101\n' >"$ROOT.tmp/usr/sbin/policy-rc.d"
chmod 755 "$ROOT.tmp/usr/sbin/policy-rc.d"
rm -rf "$ROOT.tmp/var/cache/apt/archives/"*.deb
touch "$ROOT.tmp/.complete"
# Older recipes' chroots are left behind: drop them.
for old in "$CACHE"/chroot-bookworm-*; do
	case $old in
	"$ROOT.tmp" | "$CACHE/chroot-bookworm-$hash.log") ;;
	*) rm -rf "$old" ;;
	esac
done
mv "$ROOT.tmp" "$ROOT"
log "ready: $ROOT"
echo "$ROOT"
