#!/bin/sh
# The packaging lane: skbremap installs as out-of-tree modules do.
#   1. DKMS: for each kernel series (SKBREMAP_PACKAGING_SERIES, default
#      "6.1 6.12 7.3"; headers from tools/vm/fetch-kernel.sh SERIES), the
#      DKMS source tree is added, built and installed with dkms -k KVER
#      --kernelsourcedir, and modinfo of the .ko checked (vermagic, version,
#      every parameter described). Bookworm's kernels build in a throwaway
#      bookworm chroot; a series whose kbuild needs trixie (kernel.env says
#      CHROOT=trixie: 7.3, gcc-14) in a throwaway layer over the trixie
#      chroot of tools/vm/in-chroot.sh, with trixie's dkms put in it.
#   2. A kernel outside BUILD_EXCLUSIVE_KERNEL (5.10, 8.0) is refused by
#      dkms build with exit 77 and DKMS's message, before any compiler.
#   3. The .debs (tools/packaging/build-debs.sh: dpkg-buildpackage, lintian
#      without errors), then dpkg -i / -r / --purge in a throwaway bookworm
#      chroot (tools/packaging/in-chroot-checks.sh debs).
# Prints "packaging <check>: PASS|FAIL" lines and "N passed, N failed".
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
CHECKS=$REPO/tools/packaging/in-chroot-checks.sh
RUN=$REPO/tools/packaging/chroot-run.sh
LOG=$REPO/build/packaging
mkdir -p "$LOG"
start=$(date +%s)

# run NAME CMD...: one step; its PASS/FAIL lines count.
run() {
	name=$1
	shift
	echo "--- packaging: $name ($(($(date +%s) - start))s)"
	"$@" >"$LOG/$name.log" 2>&1
	rc=$?
	grep -vE '^packaging [^ ]+: (PASS|FAIL)' "$LOG/$name.log" | tail -n 40
	grep -E '^packaging [^ ]+: (PASS|FAIL)' "$LOG/$name.log" | tee -a "$LOG/results.txt"
	if [ $rc -ne 0 ] && ! grep -qE '^packaging [^ ]+: FAIL' "$LOG/$name.log"; then
		echo "packaging $name: FAIL (exited $rc)" | tee -a "$LOG/results.txt"
	fi
}

: >"$LOG/results.txt"
"$REPO/tools/packaging/bookworm-chroot.sh" >/dev/null || {
	echo "packaging chroot: FAIL (no bookworm chroot)" | tee -a "$LOG/results.txt"
}

kdir61=
for series in ${SKBREMAP_PACKAGING_SERIES:-6.1 6.12 7.3}; do
	if ! "$REPO/tools/vm/fetch-kernel.sh" "$series" >"$LOG/fetch-$series.log" 2>&1; then
		tail -n 5 "$LOG/fetch-$series.log"
		echo "packaging dkms-$series: FAIL (no headers: tools/vm/fetch-kernel.sh $series)" | tee -a "$LOG/results.txt"
		continue
	fi
	env=$VM/kernels/$series/kernel.env
	[ -f "$env" ] || env=$VM/kernel.env	# a fetch-kernel.sh of one series only
	KVER= KDIR= CHROOT=
	# shellcheck disable=SC1090
	. "$env"
	case $KVER in
	"$series".*) ;;
	*) echo "packaging dkms-$series: FAIL ($env is $KVER, not $series)" | tee -a "$LOG/results.txt"; continue ;;
	esac
	[ "$series" = 6.1 ] && kdir61=$KDIR
	if [ "${CHROOT:-}" = trixie ]; then
		# dkms goes into the throwaway layer over the trixie chroot.
		troot=$("$REPO/tools/vm/in-chroot.sh" --path) || troot=
		SKBREMAP_CHROOT_ROOT=$troot run "dkms-$series" "$RUN" sh -c \
			"apt-get update -qq && apt-get install -y -qq --no-install-recommends dkms xz-utils zstd >/dev/null && exec $CHECKS dkms $KVER $KDIR"
	else
		run "dkms-$series" "$RUN" "$CHECKS" dkms "$KVER" "$KDIR"
	fi
done

# Out of range: the 6.1 header tree, asked for as another kernel.
if [ -n "$kdir61" ]; then
	for kver in 5.10.0-30-amd64 8.0.0-1-amd64; do
		run "refuse-$kver" "$RUN" "$CHECKS" refuse "$kver" "$kdir61"
	done
fi

run build-debs "$REPO/tools/packaging/build-debs.sh"
if ls "$REPO"/build/deb/*.deb >/dev/null 2>&1; then
	run debs "$RUN" "$CHECKS" debs "$REPO"/build/deb/skbremap-dkms_*_all.deb "$REPO"/build/deb/remapd_*_amd64.deb
fi

passed=$(grep -c ': PASS' "$LOG/results.txt")
failed=$(grep -c ': FAIL' "$LOG/results.txt")
echo "=== packaging lane ($(($(date +%s) - start))s):"
echo "packaging: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
