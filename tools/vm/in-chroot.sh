#!/bin/sh
# Run a command in a Debian trixie chroot with the repo (and any other
# directory named) bind-mounted at the same path, so a kernel whose kbuild
# tools are trixie binaries that need gcc-14 (the 7.3 headers) builds
# modules from a bookworm host:
#
#   tools/vm/in-chroot.sh [-b DIR]... CMD [ARG...]     run CMD (cwd: the current directory)
#   tools/vm/in-chroot.sh --path                       make the chroot, print its path
#
# The chroot is made once per recipe with
#   debootstrap --variant=minbase --include=<PACKAGES> trixie DIR <mirror>
# (~40 s; the mirror is the host's own, tools/vm/debian-mirror.sh) and kept
# OUTSIDE the clone, at ${SKBREMAP_CACHE:-/var/cache/skbremap}/chroot-trixie-<hash>,
# <hash> being a hash of the recipe below: CI runs on one machine reuse it, a
# change of the recipe or a new machine makes a new one. Made under a lock
# and marked done only when complete (a half-made one is made again).
#
# Mounts are made in a private mount namespace (unshare -m) of this one call:
# they vanish with it however it ends, other processes never see them, and
# two callers at once each have their own.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${SKBREMAP_CACHE:-/var/cache/skbremap}
SUITE=trixie
PACKAGES=gcc-14,make,libc6-dev,bc,libelf-dev,kmod,xz-utils,pahole
# Everything that decides what the chroot holds; its hash names the folder.
RECIPE="debootstrap --variant=minbase --include=$PACKAGES $SUITE"
HASH=$(printf '%s\n' "$RECIPE" | sha256sum | cut -c1-16)
DIR=$CACHE/chroot-$SUITE-$HASH

log() { echo "in-chroot: $*" >&2; }
die() { echo "in-chroot: ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount)"

ensure_chroot() {
	[ -f "$DIR/.skbremap-done" ] && return 0
	mkdir -p "$CACHE"
	exec 9>"$DIR.lock"
	flock 9
	# Another caller may have made it while this one waited.
	if [ ! -f "$DIR/.skbremap-done" ]; then
		command -v debootstrap >/dev/null || die "debootstrap missing (tools/deps.sh test)"
		mirror=$("$REPO/tools/vm/debian-mirror.sh") || die "no Debian mirror in the host's apt sources"
		log "making $DIR ($RECIPE, from $mirror)"
		rm -rf "$DIR"
		start=$(date +%s)
		# shellcheck disable=SC2086
		if ! $RECIPE "$DIR" "$mirror" >"$DIR.log" 2>&1; then
			tail -n 20 "$DIR.log" >&2
			rm -rf "$DIR"
			die "debootstrap failed, see $DIR.log"
		fi
		echo "$RECIPE" >"$DIR/.skbremap-done"
		log "made in $(($(date +%s) - start))s"
	fi
	exec 9>&-
}

BINDS="$REPO"
while [ $# -gt 0 ]; do
	case $1 in
	--path)
		ensure_chroot
		echo "$DIR"
		exit 0
		;;
	-b)
		[ $# -ge 2 ] || die "-b needs a directory"
		BINDS="$BINDS $(cd "$2" && pwd)"
		shift 2
		;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "usage: $0 [-b DIR]... CMD [ARG...] | --path"

ensure_chroot
command -v unshare >/dev/null || die "unshare missing (util-linux)"

# The inner shell runs in the new mount namespace: mount, chroot, run. A
# directory already under another bind is not bound again.
# shellcheck disable=SC2016
exec unshare --mount --propagation private sh -eu -c '
	dir=$1 binds=$2 cwd=$3
	shift 3
	mount -t proc proc "$dir/proc"
	mount --rbind /dev "$dir/dev"
	mount -t tmpfs tmpfs "$dir/tmp"
	done_binds=
	for b in $binds; do
		for d in $done_binds; do
			case $b/ in "$d"/*) continue 2 ;; esac
		done
		mkdir -p "$dir$b"
		mount --bind "$b" "$dir$b"
		done_binds="$done_binds $b"
	done
	exec chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 sh -c "cd \"\$1\" && shift && exec \"\$@\"" sh "$cwd" "$@"
' sh "$DIR" "$BINDS" "$(pwd)" "$@"
