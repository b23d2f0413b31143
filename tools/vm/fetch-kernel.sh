#!/bin/sh
# Fetch a Debian cloud kernel (image, modules, headers, kbuild) into the
# clone's build cache without installing anything on the host, and make the
# extracted headers usable as an out-of-tree module build dir (KDIR).
#
#   tools/vm/fetch-kernel.sh [SERIES]      SERIES: 6.1 (default), 6.12, 7.3
#
#   6.1   bookworm's cloud kernel      linux-{image,headers}-cloud-amd64
#   6.12  bookworm-security's 6.12     linux-{image,headers}-6.12-cloud-amd64
#   7.3   trixie-backports' kernel     linux-{image,headers}-cloud-amd64 of
#         trixie-backports, through a private apt configuration under
#         build/vm/apt/ (the host's sources are read for the mirror URI,
#         tools/vm/debian-mirror.sh, never changed); its kbuild tools are
#         trixie binaries, so its module builds run in a trixie chroot
#         (kernel.env says CHROOT=trixie, see tools/vm/in-chroot.sh)
#
# The exact version is what the metapackages depend on today: it changes with
# every security upload, so it is never hard-coded (KERNEL_ABI=<abi> pins one,
# e.g. 6.1.0-57 or 6.12.118+deb12). Writes build/vm/kernels/SERIES/kernel.env
# (SERIES KVER KDIR VMLINUZ MODDIR CHROOT), which the other tools/vm scripts
# source; for 6.1 also build/vm/kernel.env (the default kernel of the tools).
# A second run reuses the cache; REFRESH=1 re-resolves and downloads again.
# With SKBREMAP_KERNEL_ENV=<file> set (another kernel), it only prints that.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
SERIES=${1:-6.1}
FLAVOUR=cloud-amd64

log() { echo "fetch-kernel[$SERIES]: $*" >&2; }
die() { echo "fetch-kernel[$SERIES]: ERROR: $*" >&2; exit 1; }

if [ -n "${SKBREMAP_KERNEL_ENV:-}" ]; then
	[ -f "$SKBREMAP_KERNEL_ENV" ] || die "SKBREMAP_KERNEL_ENV=$SKBREMAP_KERNEL_ENV: no such file"
	log "using $SKBREMAP_KERNEL_ENV, not the cloud kernel"
	cat "$SKBREMAP_KERNEL_ENV"
	exit 0
fi

# Per series: the metapackages that name today's version, the version's
# prefix (a metapackage of another series is a mistake, not a kernel), the
# apt configuration, and the chroot its kbuild tools need.
APT_PRIVATE=
CHROOT=
case $SERIES in
6.1)
	META_IMAGE=linux-image-$FLAVOUR META_HEADERS=linux-headers-$FLAVOUR PREFIX=6.1.0-
	;;
6.12)
	META_IMAGE=linux-image-6.12-$FLAVOUR META_HEADERS=linux-headers-6.12-$FLAVOUR PREFIX=6.12.
	;;
7.3)
	META_IMAGE=linux-image-$FLAVOUR META_HEADERS=linux-headers-$FLAVOUR PREFIX=7.3.
	APT_PRIVATE=trixie-backports CHROOT=trixie
	;;
*) die "unknown series '$SERIES' (6.1, 6.12, 7.3)" ;;
esac

CACHE=$VM/kernels/$SERIES
ENV_FILE=$CACHE/kernel.env
mkdir -p "$CACHE"

cache_valid() {
	[ -f "$ENV_FILE" ] || return 1
	# shellcheck disable=SC1090
	. "$ENV_FILE"
	[ -f "$VMLINUZ" ] && [ -f "$KDIR/Makefile" ] && [ -f "$KDIR/.config" ] &&
		[ -f "$MODDIR/modules.dep" ] && [ -x "$KDIR/scripts/basic/fixdep" ] ||
		return 1
	# The tree lives inside the repo, so a "make M=<repo> clean" deletes its
	# *.ko: check the modules the initramfs takes (and their deps) are there.
	for f in $(grep -E '(^|/)(veth|pktgen|8021q|virtio_pci|virtio_blk)\.ko[^:]*:' \
		"$MODDIR/modules.dep" | tr -d ':'); do
		[ -f "$MODDIR/$f" ] || { log "cache damaged: no $f, extracting again"; return 1; }
	done
}

publish_env() {
	# 6.1 stays the tools' default kernel (build/vm/kernel.env).
	if [ "$SERIES" = 6.1 ]; then
		cp "$ENV_FILE" "$VM/kernel.env.tmp" && mv "$VM/kernel.env.tmp" "$VM/kernel.env"
	fi
	cat "$ENV_FILE"
}

# One fetch per series at a time: the module build and the lane may both call this.
if [ -z "${SKBREMAP_FETCH_LOCKED:-}" ] && command -v flock >/dev/null; then
	export SKBREMAP_FETCH_LOCKED=1
	exec flock "$CACHE/.fetch.lock" "$0" "$@"
fi

if [ "${REFRESH:-0}" != 1 ] && cache_valid; then
	log "cached: $KVER"
	publish_env
	exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (Debian bookworm host expected)"

# apt: the host's configuration, or a private one (sources, lists, cache
# under build/vm/apt/<suite>) for a suite the host does not use.
APT_OPTS=
if [ -n "$APT_PRIVATE" ]; then
	A=$VM/apt/$APT_PRIVATE
	mirror=$("$REPO/tools/vm/debian-mirror.sh") || die "no Debian mirror in the host's apt sources"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -f /usr/share/keyrings/debian-archive-trixie-stable.gpg ] ||
		die "debian-archive-keyring has no trixie keys (install debian-archive-keyring >= 2023.3)"
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
	echo "deb [signed-by=$keyring] $mirror $APT_PRIVATE main" >"$A/sources.list"
	APT_OPTS="-o Dir::Etc::sourcelist=$A/sources.list -o Dir::Etc::sourceparts=/dev/null
		-o Dir::Etc::preferencesparts=/dev/null -o Dir::State::Lists=$A/lists
		-o Dir::Cache=$A/cache -o Dir::State::status=/dev/null"
	log "private apt: $APT_PRIVATE from $mirror"
fi
# shellcheck disable=SC2086
apt_get() { apt-get $APT_OPTS "$@"; }
# shellcheck disable=SC2086
apt_cache() { apt-cache $APT_OPTS "$@"; }

# depends_on PKG REGEX: PKG's first dependency matching REGEX.
depends_on() {
	apt_cache depends "$1" 2>/dev/null | sed -n "s/^ *Depends: \($2\)\$/\1/p" | head -n 1
}
resolve() {
	h=$(depends_on "$META_HEADERS" "linux-headers-.*-$FLAVOUR")
	h=${h#linux-headers-}
	echo "${h%-"$FLAVOUR"}"
}

ABI=${KERNEL_ABI:-}
if [ -z "$ABI" ]; then
	[ -z "$APT_PRIVATE" ] || [ -n "$(ls "$A/lists" 2>/dev/null | grep -v partial)" ] || REFRESH=1
	[ "${REFRESH:-0}" = 1 ] && [ -n "$APT_PRIVATE" ] && { apt_get update -qq >&2 || die "apt-get update ($APT_PRIVATE) failed"; }
	ABI=$(resolve)
	if [ -z "$ABI" ]; then
		log "apt lists do not know $META_HEADERS: apt-get update"
		apt_get update -qq >&2 || die "apt-get update failed"
		ABI=$(resolve)
	fi
	[ -n "$ABI" ] || die "cannot resolve the kernel version from $META_HEADERS"
	img=$(depends_on "$META_IMAGE" "linux-image-.*-$FLAVOUR")
	if [ "$img" != "linux-image-$ABI-$FLAVOUR" ]; then
		die "$META_IMAGE depends on '$img', $META_HEADERS on $ABI (mirror mid-update? retry later)"
	fi
fi
case $ABI in
"$PREFIX"*) ;;
*) die "version $ABI is not of series $SERIES" ;;
esac
KVER=$ABI-$FLAVOUR
log "kernel $KVER"

# The image: linux-image-<kver> itself (bookworm), or, where it is only a
# dependency package (7.3), the linux-binary (vmlinuz), linux-modules and
# linux-base (modules.builtin, config) it pulls in. The headers: linux-headers-<kver> and what it depends on of
# ours (-common, linux-kbuild-*), so no kbuild version is hard-coded.
IMAGE_PKGS=$(apt_cache depends "linux-image-$KVER" 2>/dev/null |
	sed -n "s/^ *Depends: \(linux-\(binary\|modules\|base\)-$ABI-$FLAVOUR\)\$/\1/p" | sort -u | tr '\n' ' ')
[ -n "$IMAGE_PKGS" ] || IMAGE_PKGS=linux-image-$KVER
HDR_DEPS=$(apt_cache depends "linux-headers-$KVER" 2>/dev/null |
	sed -n "s/^ *Depends: \(linux-headers-$ABI-common\|linux-kbuild-[0-9][^ ]*\)\$/\1/p" | sort -u | tr '\n' ' ')
case $HDR_DEPS in
*linux-kbuild-*) ;;
*) die "linux-headers-$KVER depends on no linux-kbuild package (apt-cache: '$HDR_DEPS')" ;;
esac
PKGS="$IMAGE_PKGS linux-headers-$KVER $HDR_DEPS"
log "packages: $PKGS"

mkdir -p "$CACHE/debs"
for p in $PKGS; do
	if ls "$CACHE/debs/${p}_"*.deb >/dev/null 2>&1; then
		log "have $p"
		continue
	fi
	log "download $p"
	# apt-get download drops privileges to _apt; the cache dir may be root-only.
	(cd "$CACHE/debs" && apt_get download -q -o APT::Sandbox::User=root "$p" >&2) ||
		die "apt-get download $p failed"
done

# Extract into a fresh root so a half-finished earlier run leaves no residue.
ROOT=$CACHE/root-$KVER
rm -rf "$ROOT.tmp"
mkdir -p "$ROOT.tmp"
for p in $PKGS; do
	deb=$(ls "$CACHE/debs/${p}_"*.deb | sort -V | tail -n 1)
	log "extract $(basename "$deb")"
	dpkg-deb -x "$deb" "$ROOT.tmp"
done
# trixie's packages are usr-merged (usr/lib/modules); depmod -b and the
# initramfs look in lib/modules.
if [ ! -e "$ROOT.tmp/lib" ] && [ -d "$ROOT.tmp/usr/lib/modules/$KVER" ]; then
	ln -s usr/lib "$ROOT.tmp/lib"
fi

KDIR=$ROOT/usr/src/linux-headers-$KVER
COMMON=$ROOT/usr/src/linux-headers-$ABI-common
tmp_kdir=$ROOT.tmp/usr/src/linux-headers-$KVER

# The flavour headers' Makefile is "include /usr/src/linux-headers-<abi>-common/Makefile":
# point it at the cache's copy, or make would use (or miss) the host's.
grep -q "^include /usr/src/linux-headers-$ABI-common/Makefile" "$tmp_kdir/Makefile" ||
	die "unexpected $tmp_kdir/Makefile: $(cat "$tmp_kdir/Makefile")"
# trixie's also sets KBUILD_OUTPUT=/usr/src/linux-headers-<kver>.
sed -i -e "s|/usr/src/linux-headers-$ABI-common/|$COMMON/|g" \
	-e "s|^KBUILD_OUTPUT=/usr/src/linux-headers-$KVER\$|KBUILD_OUTPUT=$KDIR|" "$tmp_kdir/Makefile"
if grep -qE '(^|[ =])/usr/src' "$tmp_kdir/Makefile"; then
	die "absolute /usr/src path left in $tmp_kdir/Makefile: $(cat "$tmp_kdir/Makefile")"
fi

# lib/modules/<kver>/{build,source} are absolute symlinks into the host's /usr/src.
rm -f "$ROOT.tmp/lib/modules/$KVER/build" "$ROOT.tmp/lib/modules/$KVER/source"

rm -rf "$ROOT"
mv "$ROOT.tmp" "$ROOT"
ln -sfn "$KDIR" "$ROOT/lib/modules/$KVER/build"
ln -sfn "$COMMON" "$ROOT/lib/modules/$KVER/source"

# scripts/ and tools/ of both header trees are relative symlinks into
# usr/lib/linux-kbuild-*; check they land inside the cache, not on the host.
for t in "$KDIR" "$COMMON"; do
	for l in scripts tools; do
		[ -e "$t/$l" ] || [ -L "$t/$l" ] || continue
		real=$(readlink -f "$t/$l")
		case $real in
		"$ROOT"/*) ;;
		*) die "$t/$l resolves outside the cache: $real" ;;
		esac
	done
done
[ -x "$KDIR/scripts/basic/fixdep" ] || die "kbuild tools missing: $KDIR/scripts/basic/fixdep"

VMLINUZ=$ROOT/boot/vmlinuz-$KVER
[ -f "$VMLINUZ" ] || VMLINUZ=$ROOT/lib/modules/$KVER/vmlinuz
[ -f "$VMLINUZ" ] || die "no vmlinuz in $PKGS"

# The image package ships no modules.dep (its postinst runs depmod); make one
# inside the cache for build-initramfs.sh.
depmod -b "$ROOT" "$KVER" || die "depmod -b $ROOT $KVER failed"

# Drop roots of older versions of this series.
for old in "$CACHE"/root-*; do
	[ "$old" = "$ROOT" ] || rm -rf "$old"
done

cat >"$ENV_FILE.tmp" <<ENV
SERIES=$SERIES
KVER=$KVER
KDIR=$KDIR
VMLINUZ=$VMLINUZ
MODDIR=$ROOT/lib/modules/$KVER
CHROOT=$CHROOT
ENV
mv "$ENV_FILE.tmp" "$ENV_FILE"
cache_valid || die "cache incomplete after extraction"
log "wrote $ENV_FILE"
publish_env
