#!/bin/sh
# Build the Debian packages skbremap-dkms and remapd with the Debian tools
# (dpkg-buildpackage -us -uc -b, debian/ with dh --with dkms), on a copy of
# the tree so the work tree gets no build residue:
#   build/deb/skbremap-<version>/   the copy (git's tracked and untracked,
#                                   not ignored, files)
#   build/deb/*.deb, *.buildinfo, *.changes, build.log
# remapd's NativeAOT publish reuses build/vm/aot when its source hash matches
# (tools/vm/publish-aot.sh). Then lintian over the .debs: any error fails,
# its warnings are listed (build/deb/lintian.txt). Prints the .debs.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$REPO/build/deb
VERSION=$(cat "$REPO/VERSION")
SRC=$OUT/skbremap-$VERSION

log() { echo "build-debs: $*" >&2; }
die() { echo "build-debs: ERROR: $*" >&2; exit 1; }

for t in dpkg-buildpackage dh dh_dkms lintian git dotnet; do
	command -v $t >/dev/null || die "$t not found (tools/deps.sh package)"
done

rm -rf "$OUT"
mkdir -p "$SRC"
(cd "$REPO" && git ls-files -co --exclude-standard -z | xargs -0 tar cf - --no-recursion) |
	(cd "$SRC" && tar xf -)
log "source copy: $SRC ($(find "$SRC" -type f | wc -l) files)"

export SKBREMAP_VM_DIR=${SKBREMAP_VM_DIR:-$REPO/build/vm}
log "dpkg-buildpackage -us -uc -b (log: $OUT/build.log)"
if ! (cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1; then
	tail -n 40 "$OUT/build.log" >&2
	die "dpkg-buildpackage failed, see $OUT/build.log"
fi
ls "$OUT"/skbremap-dkms_"$VERSION"_all.deb "$OUT"/remapd_"$VERSION"_amd64.deb >/dev/null ||
	die "the .debs were not produced"

# lintian: errors fail; warnings and the rest are listed.
lintian --info --display-info "$OUT"/*.changes >"$OUT/lintian.txt" 2>&1 || true
if grep -q '^E: ' "$OUT/lintian.txt"; then
	grep '^E: ' "$OUT/lintian.txt" >&2
	die "lintian reports errors (all: $OUT/lintian.txt)"
fi
log "lintian: $(grep -c '^E: ' "$OUT/lintian.txt") errors, $(grep -c '^W: ' "$OUT/lintian.txt") warnings, $(grep -c '^I: ' "$OUT/lintian.txt") info"
grep -E '^[WI]: ' "$OUT/lintian.txt" | sed 's/^/  /' >&2 || true
ls "$OUT"/*.deb
echo "packaging build-debs: PASS ($(cd "$OUT" && ls ./*.deb | xargs -n1 basename | tr '\n' ' ')lintian: 0 errors, $(grep -c '^W: ' "$OUT/lintian.txt") warnings)"
