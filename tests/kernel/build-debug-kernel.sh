#!/bin/sh
# Build a debug kernel from Debian's linux-source-6.1 for the module's
# debug lane: x86_64_defconfig + KASAN, PROVE_LOCKING, DEBUG_ATOMIC_SLEEP,
# DEBUG_KMEMLEAK, KFENCE, DEBUG_VM, DEBUG_LIST, VETH, NET_PKTGEN, VLAN_8021Q
# (the VM scenarios' veth setup loads 8021q); then the
# module against it (make debug: -DDEBUG and the invariant checks) and the
# QEMU smoke run on it:
#
#   tests/kernel/build-debug-kernel.sh          # ~40 min on 2 busy cores
#   -> build/kdebug/linux-source-6.1/arch/x86/boot/bzImage
#   -> build/kmod-smoke-debug/{skbremap.ko,console.log}
#
# Needs linux-source-6.1, flex, bison, libelf-dev, bc, libssl-dev.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
KD=$REPO/build/kdebug/linux-source-6.1
OUT=$REPO/build/kmod-smoke-debug

if [ ! -f "$KD/arch/x86/boot/bzImage" ]; then
	mkdir -p "$REPO/build/kdebug"
	[ -d "$KD" ] || tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$REPO/build/kdebug"
	cd "$KD"
	make -s x86_64_defconfig
	./scripts/config -e KASAN -e KASAN_INLINE -e PROVE_LOCKING \
		-e DEBUG_ATOMIC_SLEEP -e DEBUG_KMEMLEAK -e KFENCE -e VETH \
		-m NET_PKTGEN -m VLAN_8021Q -e DEBUG_VM -e LOCKDEP -e DEBUG_LIST \
		-d DEBUG_INFO -d DEBUG_INFO_DWARF5 \
		-d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -e DEBUG_INFO_NONE \
		-e MODULES -e MODULE_UNLOAD -e DEVTMPFS -e DEVTMPFS_MOUNT \
		-e BLK_DEV_INITRD
	make -s olddefconfig
	nice -n 10 make -j"$(nproc)" bzImage modules_prepare
fi

# modules_prepare leaves no Module.symvers: modpost warns about unresolved
# symbols; the kernel resolves them at insmod (no MODVERSIONS).
mkdir -p "$OUT"
make -C "$KD" M="$REPO" W=1 SKBREMAP_DEBUG=y modules
cp "$REPO/kernel/skbremap.ko" "$OUT/skbremap.ko"
# Leave kernel/skbremap.ko built for the cloud kernel again if we can.
if [ -f "$REPO/build/vm/kernel.env" ]; then
	# shellcheck disable=SC1091
	. "$REPO/build/vm/kernel.env"
	make -C "$REPO/kernel" KDIR="$KDIR"
fi

KERNEL_IMAGE=$KD/arch/x86/boot/bzImage MODULE_KO=$OUT/skbremap.ko OUT=$OUT \
	MEM=2G TIMEOUT=1200 sh "$REPO/tests/kernel/kmod-smoke.sh"
