#!/bin/sh
# Run a command as root in a throwaway copy of the cached bookworm chroot
# (tools/packaging/bookworm-chroot.sh): an overlay whose upper layer is
# deleted afterwards, in a private mount namespace, so neither the cache nor
# the host keeps anything the command did. The repository is bind-mounted
# at its own path, /proc and a fresh /tmp are mounted, and the host's
# resolv.conf is copied in (apt-get can fetch into the throwaway layer).
#
#   tools/packaging/chroot-run.sh CMD [ARG...]
#   SKBREMAP_CHROOT_ROOT=<dir>   another chroot as the lower layer (the
#                                trixie one of tools/vm/in-chroot.sh --path)
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
ROOT=${SKBREMAP_CHROOT_ROOT:-$("$REPO/tools/packaging/bookworm-chroot.sh")}
[ -d "$ROOT/usr" ] || { echo "chroot-run: no chroot at $ROOT" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/skbremap-chroot.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/upper" "$WORK/work" "$WORK/merged"
status=0
unshare --mount --propagation private sh -eu -c '
	root=$1 work=$2 repo=$3
	shift 3
	mount -t overlay overlay \
		-o "lowerdir=$root,upperdir=$work/upper,workdir=$work/work" "$work/merged"
	mount -t proc proc "$work/merged/proc"
	mount -t tmpfs tmpfs "$work/merged/tmp"
	rm -f "$work/merged/etc/resolv.conf"
	cp /etc/resolv.conf "$work/merged/etc/resolv.conf"
	mkdir -p "$work/merged$repo"
	mount --bind "$repo" "$work/merged$repo"
	exec chroot "$work/merged" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
' sh "$ROOT" "$WORK" "$REPO" "$@" || status=$?
exit $status
