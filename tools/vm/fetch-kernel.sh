#!/bin/sh
# Fetch Debian bookworm's current cloud kernel (image, headers, kbuild) into
# build/vm/kernel without installing anything on the host, and make the
# extracted headers usable as an out-of-tree module build dir (KDIR).
#
# Writes build/vm/kernel.env (KVER, KDIR, VMLINUZ, MODDIR), which the other
# tools/vm scripts source. A second run reuses the cache; REFRESH=1
# re-resolves the ABI and downloads again. KERNEL_ABI=6.1.0-NN pins one.
# With SKBREMAP_KERNEL_ENV=<file> set (another kernel), it only prints that.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
CACHE=$VM/kernel
ENV_FILE=$VM/kernel.env
FLAVOUR=cloud-amd64

log() { echo "fetch-kernel: $*" >&2; }
die() { echo "fetch-kernel: ERROR: $*" >&2; exit 1; }

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

if [ -n "${SKBREMAP_KERNEL_ENV:-}" ]; then
	[ -f "$SKBREMAP_KERNEL_ENV" ] || die "SKBREMAP_KERNEL_ENV=$SKBREMAP_KERNEL_ENV: no such file"
	log "using $SKBREMAP_KERNEL_ENV, not the cloud kernel"
	cat "$SKBREMAP_KERNEL_ENV"
	exit 0
fi

# One fetch at a time: the module build and the lane may both call this.
mkdir -p "$VM"
if [ -z "${SKBREMAP_FETCH_LOCKED:-}" ] && command -v flock >/dev/null; then
	export SKBREMAP_FETCH_LOCKED=1
	exec flock "$VM/.fetch.lock" "$0" "$@"
fi

if [ "${REFRESH:-0}" != 1 ] && cache_valid; then
	log "cached: $KVER"
	cat "$ENV_FILE"
	exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (Debian bookworm host expected)"

# The ABI (6.1.0-NN) is whatever the linux-*-cloud-amd64 metapackages depend on
# today; it changes with every security upload, so it is never hard-coded.
resolve_abi() {
	apt-cache depends "linux-headers-$FLAVOUR" 2>/dev/null |
		sed -n "s/^ *Depends: linux-headers-\(.*\)-$FLAVOUR\$/\1/p" | head -n 1
}

ABI=${KERNEL_ABI:-}
if [ -z "$ABI" ]; then
	ABI=$(resolve_abi)
	if [ -z "$ABI" ]; then
		log "apt lists do not know linux-headers-$FLAVOUR: apt-get update"
		apt-get update -qq >&2 || die "apt-get update failed"
		ABI=$(resolve_abi)
	fi
fi
[ -n "$ABI" ] || die "cannot resolve the cloud kernel ABI from apt-cache"
img_abi=$(apt-cache depends "linux-image-$FLAVOUR" 2>/dev/null |
	sed -n "s/^ *Depends: linux-image-\(.*\)-$FLAVOUR\$/\1/p" | head -n 1)
if [ -z "${KERNEL_ABI:-}" ] && [ -n "$img_abi" ] && [ "$img_abi" != "$ABI" ]; then
	die "image ABI $img_abi != headers ABI $ABI (mirror mid-update? retry later)"
fi
KVER=$ABI-$FLAVOUR
log "kernel $KVER"

PKGS="linux-image-$KVER-unsigned linux-headers-$KVER linux-headers-$ABI-common linux-kbuild-6.1"

mkdir -p "$CACHE/debs"
for p in $PKGS; do
	if ls "$CACHE/debs/${p}_"*.deb >/dev/null 2>&1; then
		log "have $p"
		continue
	fi
	log "download $p"
	# apt-get download drops privileges to _apt; the cache dir may be root-only.
	(cd "$CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$p" >&2) ||
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

KDIR=$ROOT/usr/src/linux-headers-$KVER
COMMON=$ROOT/usr/src/linux-headers-$ABI-common
tmp_kdir=$ROOT.tmp/usr/src/linux-headers-$KVER

# The flavour headers' Makefile is "include /usr/src/linux-headers-<abi>-common/Makefile":
# point it at the cache's copy, or make would use (or miss) the host's.
grep -q "^include /usr/src/linux-headers-$ABI-common/Makefile" "$tmp_kdir/Makefile" ||
	die "unexpected $tmp_kdir/Makefile: $(cat "$tmp_kdir/Makefile")"
sed -i "s|/usr/src/linux-headers-$ABI-common/|$COMMON/|g" "$tmp_kdir/Makefile"
if grep -q '^include /usr/' "$tmp_kdir/Makefile"; then
	die "absolute /usr/src path left in $tmp_kdir/Makefile"
fi

# lib/modules/<kver>/{build,source} are absolute symlinks into the host's /usr/src.
rm -f "$ROOT.tmp/lib/modules/$KVER/build" "$ROOT.tmp/lib/modules/$KVER/source"

rm -rf "$ROOT"
mv "$ROOT.tmp" "$ROOT"
ln -sfn "$KDIR" "$ROOT/lib/modules/$KVER/build"
ln -sfn "$COMMON" "$ROOT/lib/modules/$KVER/source"

# scripts/ and tools/ of both header trees are relative symlinks into
# usr/lib/linux-kbuild-6.1; check they land inside the cache, not on the host.
for t in "$KDIR" "$COMMON"; do
	for l in scripts tools; do
		real=$(readlink -f "$t/$l")
		case $real in
		"$ROOT"/*) ;;
		*) die "$t/$l resolves outside the cache: $real" ;;
		esac
	done
done
[ -x "$KDIR/scripts/basic/fixdep" ] || die "kbuild tools missing: $KDIR/scripts/basic/fixdep"

# The image package ships no modules.dep (its postinst runs depmod); make one
# inside the cache for build-initramfs.sh.
depmod -b "$ROOT" "$KVER" || die "depmod -b $ROOT $KVER failed"

# Drop roots of older ABIs.
for old in "$CACHE"/root-*; do
	[ "$old" = "$ROOT" ] || rm -rf "$old"
done

cat >"$ENV_FILE" <<ENV
KVER=$KVER
KDIR=$KDIR
VMLINUZ=$ROOT/boot/vmlinuz-$KVER
MODDIR=$ROOT/lib/modules/$KVER
ENV
cache_valid || die "cache incomplete after extraction"
log "wrote $ENV_FILE"
cat "$ENV_FILE"
