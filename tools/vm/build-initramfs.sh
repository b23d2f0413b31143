#!/bin/sh
# Pack the VM lane's initramfs: build/vm/initramfs.cpio.gz
#
#   /init                     tools/vm/init.sh
#   /bin/busybox + applets    static busybox
#   /usr/sbin/ip /usr/bin/tcpdump /usr/bin/ping + shared libs (ldd)
#                             iproute2, the oracle, iputils ping
#   /lib/modules/<kver>/      veth, pktgen, 8021q, virtio_pci, virtio_blk + deps
#   /vm/skbremap.ko           build/vm/skbremap.ko from build-module.sh (MODULE_KO= to change, empty to omit)
#   /opt/remap/{remapd,remapctl}   NativeAOT binaries from build/vm/aot (if published)
#   /vm/lib.sh /vm/scenarios/*.sh  tests/vm
#   /vm/udpsend               tools/vm/udpsend.c, gcc -static
#   /vm/tstamp-hold           tools/vm/tstamp-hold.c, gcc -static
#   /vm/skbremap-gauges       tools/vm/skbremap-gauges.c, gcc -static
#   /vm/skbremap-smoke        tests/kernel/skbremap-smoke.c, gcc -static, if present
#
# Knobs (environment), all optional:
#   SKBREMAP_INITRAMFS=FILE   write FILE instead of build/vm/initramfs.cpio.gz (staged in
#                             FILE's name with .d for .cpio.gz), so a variant (the in-VM
#                             benchmark) never clobbers the lane's image; run-qemu.sh boots it
#   EXTRA_TREE=DIR            copy DIR's contents over the staged tree last (what
#                             tools/bench/vm-bench.sh adds: vm/scenarios/50-bench.sh, its tools)
#   EXTRA_BINS="PATH ..."     more host binaries, each with its shared libraries (ldd)
#   EXTRA_MODULES="NAME ..."  more kernel modules (with their dependencies)
#
# Missing module or AOT binaries are left out with a note; the scenarios
# that need them then fail with a message saying so.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
VM=${SKBREMAP_VM_DIR:-$REPO/build/vm}
OUT=${SKBREMAP_INITRAMFS:-$VM/initramfs.cpio.gz}
STAGE=${OUT%.cpio.gz}.d
AOT=$VM/aot
MODULE_KO=${MODULE_KO-$VM/skbremap.ko}
BUSYBOX=${BUSYBOX:-/usr/bin/busybox}

log() { echo "build-initramfs: $*" >&2; }
die() { echo "build-initramfs: ERROR: $*" >&2; exit 1; }

# SKBREMAP_KERNEL_ENV: another kernel (e.g. a KASAN/lockdep build), see
# tests/vm/README.md; default: the cloud kernel of fetch-kernel.sh.
KENV=${SKBREMAP_KERNEL_ENV:-$VM/kernel.env}
[ -f "$KENV" ] || die "no $KENV: run tools/vm/fetch-kernel.sh first"
# shellcheck disable=SC1090
. "$KENV"

# /init runs before any library could be found: busybox must be static.
[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
	die "$BUSYBOX is missing or not static (apt-get install busybox-static)"
for t in /usr/sbin/ip /usr/bin/tcpdump /usr/bin/ping gcc cpio gzip ldd; do
	command -v "$t" >/dev/null || die "missing host tool $t"
done

rm -rf "$STAGE"
mkdir -p "$STAGE"
cd "$STAGE"
mkdir -p bin sbin usr/bin usr/sbin lib lib64 etc proc sys dev run tmp out \
	var opt/remap vm/scenarios "lib/modules/$KVER"
ln -s ../run var/run

# busybox and its applets as symlinks (/init runs before anything could
# "busybox --install" them).
cp "$BUSYBOX" bin/busybox
for applet in $("$BUSYBOX" --list-full); do
	[ -e "$applet" ] || ln -s /bin/busybox "$applet"
done

# A dynamically linked host binary at the same path, with the libraries ldd
# finds (at their paths as ldd prints them, plus the loader).
copy_with_libs() {
	src=$1
	dst=${2:-$1}
	mkdir -p "$STAGE$(dirname "$dst")"
	rm -f "$STAGE$dst"
	cp -L "$src" "$STAGE$dst"
	ldd "$src" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
		while read -r lib; do
			[ -e "$STAGE$lib" ] && continue
			mkdir -p "$STAGE$(dirname "$lib")"
			cp -L "$lib" "$STAGE$lib"
		done
}
# Debian's busybox prefers its own "ip" applet over PATH: scripts call these
# by full path. busybox's "ip link add ... type veth peer name" misnames the pair.
copy_with_libs /usr/sbin/ip
copy_with_libs /usr/bin/tcpdump
copy_with_libs /usr/bin/ping /usr/bin/ping
[ -d /etc/iproute2 ] && cp -r /etc/iproute2 etc/
# util-linux's unshare (busybox's lacks --map-root-user) and setpriv (run as
# another uid with chosen groups): the permission scenarios (5x-*).
copy_with_libs /usr/bin/unshare
copy_with_libs /usr/bin/setpriv
for b in ${EXTRA_BINS:-}; do
	[ -x "$b" ] || die "EXTRA_BINS: no $b"
	copy_with_libs "$b"
done

# tcpdump drops privileges to its own user and needs it in passwd/group.
cat >etc/passwd <<'PW'
root:x:0:0:root:/root:/bin/sh
tcpdump:x:101:102::/nonexistent:/bin/false
capuser:x:1000:1000:member of skbcapture:/tmp:/bin/sh
outsider:x:1001:1001:in no capture group:/tmp:/bin/sh
ctr:x:1100:1100:a container's root, outside:/tmp:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat >etc/group <<'GR'
root:x:0:
tcpdump:x:102:
skbcapture:x:990:capuser
capuser:x:1000:
outsider:x:1001:
ctr:x:1100:
nogroup:x:65534:
GR
echo "127.0.0.1 localhost" >etc/hosts

# Kernel modules with their dependencies, per the kernel's modules.dep
# (made by fetch-kernel.sh; "make modules_install" for another kernel).
# .ko.xz/.ko.zst are unpacked: busybox's modprobe reads plain .ko only. A
# module built into the kernel (modules.builtin) needs nothing; the guest's
# load_module skips it.
MODS="veth pktgen 8021q virtio_pci virtio_blk ${EXTRA_MODULES:-}"
: >"lib/modules/$KVER/modules.dep"
cp "$MODDIR/modules.builtin" "lib/modules/$KVER/" 2>/dev/null || : >"lib/modules/$KVER/modules.builtin"
for m in $MODS; do
	if ! line=$(grep -E "(^|/)$m\.ko(\.xz|\.zst|\.gz)?:" "$MODDIR/modules.dep"); then
		grep -qE "(^|/)$m\.ko\$" "lib/modules/$KVER/modules.builtin" ||
			die "module $m neither in $MODDIR/modules.dep nor built in"
		log "$m is built into the kernel"
		continue
	fi
	for f in $(echo "$line" | tr -d ':'); do
		plain=$(echo "$f" | sed -E 's/\.(xz|zst|gz)$//')
		grep -q "^$plain:" "lib/modules/$KVER/modules.dep" && continue
		mkdir -p "lib/modules/$KVER/$(dirname "$plain")"
		case $f in
		*.xz) xz -dc "$MODDIR/$f" >"lib/modules/$KVER/$plain" ;;
		*.zst) zstd -qdc "$MODDIR/$f" >"lib/modules/$KVER/$plain" ;;
		*.gz) gzip -dc "$MODDIR/$f" >"lib/modules/$KVER/$plain" ;;
		*) cp "$MODDIR/$f" "lib/modules/$KVER/$plain" ;;
		esac
		deps=$(grep -E "^$f:" "$MODDIR/modules.dep" | cut -d: -f2 | sed -E 's/\.(xz|zst|gz)( |$)/\2/g')
		echo "$plain:$deps" >>"lib/modules/$KVER/modules.dep"
	done
done
log "kernel modules: $(cut -d: -f1 "lib/modules/$KVER/modules.dep" | xargs -n1 basename | tr '\n' ' ')"

# The module under test.
if [ -n "$MODULE_KO" ] && [ -f "$MODULE_KO" ]; then
	cp "$MODULE_KO" vm/skbremap.ko
	log "skbremap.ko: $(modinfo -F vermagic "$MODULE_KO")"
else
	log "NOTE: no skbremap.ko (${MODULE_KO:-omitted}): module scenarios will fail"
fi

# NativeAOT daemon and CLI; P/Invoked libraries (dlopen) are not seen by
# ldd, so libpcap comes along explicitly when present.
for b in remapd remapctl; do
	if [ -x "$AOT/$b" ]; then
		copy_with_libs "$AOT/$b" "/opt/remap/$b"
		log "$b: $(stat -c %s "$AOT/$b") bytes"
	else
		log "NOTE: no $AOT/$b (not published): scenarios needing it will fail"
	fi
done
for so in "$AOT"/*.so; do
	[ -f "$so" ] && cp "$so" opt/remap/
done
for lib in /usr/lib/x86_64-linux-gnu/libpcap.so.0.8; do
	[ -e "$lib" ] || continue
	[ -e "$STAGE$lib" ] || { mkdir -p "$STAGE$(dirname "$lib")"; cp -L "$lib" "$STAGE$lib"; }
	ln -sf "$(basename "$lib")" "$STAGE$(dirname "$lib")/libpcap.so"
done

# Traffic source and the tests.
gcc -static -O2 -Wall -Wextra -Werror -o vm/udpsend "$REPO/tools/vm/udpsend.c"
gcc -static -O2 -Wall -Wextra -Werror -o vm/tstamp-hold "$REPO/tools/vm/tstamp-hold.c"
gcc -static -O2 -Wall -Wextra -Werror -I"$REPO/kernel/include/uapi" \
	-o vm/skbremap-gauges "$REPO/tools/vm/skbremap-gauges.c"
# The module's own ABI smoke test, built here (not in tests/kernel/) with
# the flags of tests/kernel/Makefile.
if [ -f "$REPO/tests/kernel/skbremap-smoke.c" ]; then
	gcc -static -O2 -g -Wall -Wextra -Werror -I"$REPO/kernel/include/uapi" \
		-o vm/skbremap-smoke "$REPO/tests/kernel/skbremap-smoke.c" ||
		die "tests/kernel/skbremap-smoke.c does not build"
else
	log "NOTE: no tests/kernel/skbremap-smoke.c: left out"
fi
cp "$REPO/tools/vm/init.sh" init
cp "$REPO/tests/vm/lib.sh" vm/lib.sh
cp "$REPO"/tests/vm/scenarios/*.sh vm/scenarios/
chmod 755 init vm/udpsend vm/tstamp-hold vm/skbremap-gauges vm/lib.sh vm/scenarios/*.sh
if [ -n "${EXTRA_TREE:-}" ]; then
	[ -d "$EXTRA_TREE" ] || die "EXTRA_TREE=$EXTRA_TREE is not a directory"
	# --remove-destination: a file of the tree replaces a staged applet link
	# (e.g. usr/bin/taskset -> /bin/busybox) instead of writing through it
	# into the host's /bin/busybox.
	cp -a --remove-destination "$EXTRA_TREE"/. .
	log "extra tree: $EXTRA_TREE ($(cd "$EXTRA_TREE" && find . -type f | sed 's|^\./||' | tr '\n' ' '))"
fi

find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0 | gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT ($(du -h "$OUT" | cut -f1))"
