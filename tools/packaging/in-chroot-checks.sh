#!/bin/sh
# The packaging test's checks, run as root inside a throwaway bookworm chroot
# (tools/packaging/chroot-run.sh; tools/packaging/test.sh drives them).
#
#   in-chroot-checks.sh dkms KVER KDIR   DKMS source tree from the repo,
#        dkms add/build/install against the header tree KDIR for KVER, then
#        modinfo of the built .ko: vermagic is KVER, version is VERSION,
#        every parameter has a description
#   in-chroot-checks.sh refuse KVER KDIR   dkms build for a kernel outside
#        BUILD_EXCLUSIVE_KERNEL must stop with exit 77 and DKMS's message
#   in-chroot-checks.sh debs DEB...   dpkg -i, check what is there (dpkg -L
#        against the filesystem's difference), dpkg -r, dpkg --purge: every
#        path the packages or their scripts added is gone, /etc/group as before
# Each check prints "packaging <check>: PASS|FAIL (...)"; exits 1 on a FAIL.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(cat "$REPO/VERSION")
failed=0
pass() { echo "packaging $1: PASS${2:+ ($2)}"; }
fail() { echo "packaging $1: FAIL ($2)"; failed=1; }

dkms_check() {
	kver=$1 kdir=$2
	series=$(echo "$kver" | cut -d. -f1,2)
	"$REPO/tools/packaging/dkms-source.sh" >/dev/null || { fail "dkms-$series" "dkms-source.sh failed"; return; }
	dkms add "skbremap/$VERSION" >/tmp/dkms-add.log 2>&1 ||
		{ cat /tmp/dkms-add.log; fail "dkms-$series" "dkms add failed"; return; }
	if ! dkms build "skbremap/$VERSION" -k "$kver" --kernelsourcedir "$kdir" >/tmp/dkms-build.log 2>&1; then
		cat /tmp/dkms-build.log
		cat "/var/lib/dkms/skbremap/$VERSION/build/make.log" 2>/dev/null | tail -n 30
		fail "dkms-$series" "dkms build -k $kver failed"
		return
	fi
	if grep -iE 'warning:' "/var/lib/dkms/skbremap/$VERSION/build/make.log" 2>/dev/null; then
		fail "dkms-$series" "warnings in the DKMS build"
	fi
	# The kernel itself is not installed here: its modules directory stands in.
	mkdir -p "/lib/modules/$kver"
	if ! dkms install "skbremap/$VERSION" -k "$kver" --kernelsourcedir "$kdir" >/tmp/dkms-install.log 2>&1; then
		cat /tmp/dkms-install.log
		fail "dkms-$series" "dkms install -k $kver failed"
		return
	fi
	ko=$(ls /lib/modules/"$kver"/updates/dkms/skbremap.ko* 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { fail "dkms-$series" "no skbremap.ko in /lib/modules/$kver/updates/dkms"; return; }
	case $ko in
	*.xz) xz -dc "$ko" >/tmp/skbremap.ko && ko=/tmp/skbremap.ko ;;
	*.zst) zstd -qdc "$ko" >/tmp/skbremap.ko && ko=/tmp/skbremap.ko ;;
	esac
	modinfo "$ko" | grep -E '^(filename|version|license|vermagic|parm|srcversion):' | sed 's/^/  modinfo: /'
	vermagic=$(modinfo -F vermagic "$ko")
	case $vermagic in
	"$kver "*) ;;
	*) fail "dkms-$series" "vermagic '$vermagic' is not $kver"; return ;;
	esac
	[ "$(modinfo -F version "$ko")" = "$VERSION" ] ||
		{ fail "dkms-$series" "version '$(modinfo -F version "$ko")' is not VERSION $VERSION"; return; }
	nparm=$(modinfo -F parm "$ko" | grep -c .)
	# "name:description (type)"; without MODULE_PARM_DESC modinfo prints "name:type".
	bare=$(modinfo -F parm "$ko" | grep -vcE '^[a-z_0-9]+:.*[[:alpha:]].* \([a-z_0-9]+\)$')
	nnames=$(grep -ho 'module_param_named([a-z_0-9]*\|module_param([a-z_0-9]*' "$REPO"/kernel/*.c | wc -l)
	if [ "$nparm" -eq 0 ] || [ "$bare" -ne 0 ] || [ "$nparm" -ne "$nnames" ]; then
		fail "dkms-$series" "parameters: $nparm parm lines, $nnames in the source, $bare without a description"
		return
	fi
	pass "dkms-$series" "dkms build+install -k $kver: vermagic $vermagic, version $VERSION, $nparm parameters all described"
}

refuse_check() {
	kver=$1 kdir=$2
	[ -d "/var/lib/dkms/skbremap/$VERSION" ] || {
		"$REPO/tools/packaging/dkms-source.sh" >/dev/null && dkms add "skbremap/$VERSION" >/dev/null 2>&1
	}
	dkms build "skbremap/$VERSION" -k "$kver" --kernelsourcedir "$kdir" >/tmp/refuse.log 2>&1
	rc=$?
	sed 's/^/  dkms: /' /tmp/refuse.log
	if [ $rc -eq 77 ] && grep -q 'BUILD_EXCLUSIVE directive which does not match this kernel' /tmp/refuse.log &&
		! [ -e "/var/lib/dkms/skbremap/$VERSION/build/make.log" ]; then
		pass "refuse-$kver" "exit 77, DKMS's BUILD_EXCLUSIVE message, no compiler run"
	else
		fail "refuse-$kver" "dkms build -k $kver exited $rc"
	fi
}

# The filesystem as paths with type, mode, owner (not dpkg's own database).
snapshot() {
	find / -xdev \( -path /var/lib/dpkg -o -path /var/cache/debconf -o -path /var/log \
		-o -path /run -o -path /root \) -prune -o -printf '%y %m %u:%g %p\n' | LC_ALL=C sort
}

debs_check() {
	snapshot >/tmp/fs-before
	cp /etc/group /tmp/group-before
	if dpkg -i "$@" >/tmp/dpkg-i.log 2>&1; then
		sed 's/^/  dpkg -i: /' /tmp/dpkg-i.log
		pass debs-install "dpkg -i $(echo "$@" | xargs -n1 basename | tr '\n' ' ')"
	else
		sed 's/^/  dpkg -i: /' /tmp/dpkg-i.log
		fail debs-install "dpkg -i failed"
		return
	fi
	dpkg -l skbremap-dkms remapd | grep -E '^ii' | sed 's/^/  /'
	snapshot >/tmp/fs-installed
	# dpkg -L's paths as the filesystem has them (/lib is /usr/lib here).
	dpkg -L skbremap-dkms remapd | grep -v '^/\.$' | while read -r p; do
		echo "$(readlink -f "$(dirname "$p")")/$(basename "$p")"
	done | sed 's|^//|/|' | LC_ALL=C sort -u >/tmp/dpkg-L
	LC_ALL=C comm -13 /tmp/fs-before /tmp/fs-installed | awk '{print $4}' | LC_ALL=C sort -u >/tmp/fs-new
	missing=$(while read -r p; do [ -e "$p" ] || [ -L "$p" ] || echo "$p"; done </tmp/dpkg-L)
	notlisted=$(LC_ALL=C comm -23 /tmp/fs-new /tmp/dpkg-L)
	echo "  dpkg -L lists $(wc -l </tmp/dpkg-L) paths; the filesystem has $(wc -l </tmp/fs-new) new or changed"
	echo "$notlisted" | sed -n '/./s/^/  not in dpkg -L (scripts, dkms): /p'
	[ -z "$missing" ] || fail debs-files "dpkg -L paths missing: $missing"
	for p in /usr/src/skbremap-$VERSION/dkms.conf /usr/src/skbremap-$VERSION/Kbuild \
		/usr/src/skbremap-$VERSION/VERSION /usr/src/skbremap-$VERSION/kernel/main.c \
		/lib/udev/rules.d/60-skbremap.rules /etc/modprobe.d/skbremap.conf \
		/usr/bin/remapd /usr/bin/remapctl /usr/lib/remapd/libskbremap_emu.so; do
		[ -e "$p" ] || fail debs-files "no $p"
	done
	grep -q "^PACKAGE_VERSION=\"$VERSION\"" /usr/src/skbremap-$VERSION/dkms.conf ||
		fail debs-files "dkms.conf's PACKAGE_VERSION is not $VERSION"
	dkms status skbremap | sed 's/^/  dkms status: /'
	dkms status skbremap | grep -q "skbremap/$VERSION: added" ||
		fail debs-dkms "skbremap/$VERSION is not added to DKMS"
	getent group skbcapture >/dev/null || fail debs-group "no group skbcapture after install"
	# remapd runs with no module: the emulator library is found next to it.
	out=$(remapd capture --backend emulator --source synthetic:count=200 -w /tmp/syn.pcap 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ -s /tmp/syn.pcap ]; then
		pass debs-remapd-emulator "remapd --backend emulator: exit 0, $(stat -c %s /tmp/syn.pcap) bytes of pcap"
	else
		echo "$out" | tail -n 5 | sed 's/^/  remapd: /'
		fail debs-remapd-emulator "remapd on the emulator exited $rc"
	fi
	remapctl --help >/dev/null 2>&1 || fail debs-remapctl "remapctl --help failed"
	[ $failed -eq 0 ] && pass debs-files "every dpkg -L path present; group skbcapture; DKMS added"

	dpkg -r skbremap-dkms remapd >/tmp/dpkg-r.log 2>&1 || { cat /tmp/dpkg-r.log; fail debs-remove "dpkg -r failed"; return; }
	snapshot >/tmp/fs-removed
	left=$(LC_ALL=C comm -13 /tmp/fs-before /tmp/fs-removed | awk '{print $4}')
	echo "$left" | sed -n '/./s/^/  left after dpkg -r: /p'
	# Conffiles and the group stay until purge; nothing else.
	extra=$(echo "$left" | grep -vxE '/etc/modprobe.d/skbremap.conf|/etc/(group|gshadow)-?|' || true)
	[ -z "$extra" ] && pass debs-remove "dpkg -r leaves only the conffile and the group" ||
		fail debs-remove "dpkg -r left: $extra"
	dkms status skbremap | grep -q . && fail debs-remove "DKMS still knows skbremap: $(dkms status skbremap)"

	dpkg --purge skbremap-dkms remapd >/tmp/dpkg-purge.log 2>&1 || { cat /tmp/dpkg-purge.log; fail debs-purge "dpkg --purge failed"; return; }
	snapshot >/tmp/fs-purged
	left=$(LC_ALL=C diff /tmp/fs-before /tmp/fs-purged | grep '^[<>]' || true)
	echo "$left" | sed -n '/./s/^/  differs after purge: /p'
	if [ -z "$left" ] && cmp -s /etc/group /tmp/group-before; then
		pass debs-purge "the filesystem is as before dpkg -i (paths, modes, owners); /etc/group as before"
	else
		fail debs-purge "after purge the filesystem or /etc/group differs from before"
	fi
}

case ${1:-} in
dkms) dkms_check "$2" "$3" ;;
refuse) refuse_check "$2" "$3" ;;
debs) shift; debs_check "$@" ;;
*) echo "usage: $0 dkms KVER KDIR | refuse KVER KDIR | debs DEB..." >&2; exit 2 ;;
esac
exit $failed
