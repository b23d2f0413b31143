#!/bin/sh
# Lay out skbremap's DKMS source tree, as DKMS expects it:
#   DESTDIR/usr/src/skbremap-<version>/{dkms.conf,Kbuild,VERSION,kernel/}
# <version> is the repository's VERSION (the one version of the product);
# dkms.conf's #MODULE_VERSION# is replaced by it. Sources only: no objects of
# an in-tree build. Prints the directory.
#
#   tools/packaging/dkms-source.sh [DESTDIR]     (default: /, i.e. /usr/src)
#   then: dkms install skbremap/$(cat VERSION)
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
DESTDIR=${1:-}
VERSION=$(cat "$REPO/VERSION")
case $VERSION in
'' | *[!0-9A-Za-z.+~]*) echo "dkms-source: bad VERSION '$VERSION'" >&2; exit 1 ;;
esac
DIR=$DESTDIR/usr/src/skbremap-$VERSION

rm -rf "$DIR"
mkdir -p "$DIR"
(cd "$REPO" && find Kbuild VERSION kernel -type f \( -name Kbuild -o -name Makefile \
	-o -name VERSION -o -name '*.c' -o -name '*.h' \) ! -name '*.mod.c' -print |
	LC_ALL=C sort | tar cf - --no-recursion --owner=0 --group=0 -T -) |
	(cd "$DIR" && tar xf - --no-same-owner)
sed "s/#MODULE_VERSION#/$VERSION/" "$REPO/dkms.conf" >"$DIR/dkms.conf"
find "$DIR" -type d -exec chmod 755 {} + && find "$DIR" -type f -exec chmod 644 {} +
echo "$DIR"
