#!/bin/sh
# /init of the VM lane's initramfs: mount, load the disk and network
# modules, run /vm/scenarios/*.sh in order, print the verdict marker, write
# /out as a tar onto the raw results disk (/dev/vda) and reboot (QEMU runs
# with -no-reboot, so that ends the run).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
# NativeAOT without ICU in the initramfs.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /out/logs /run/netns
chmod 1777 /out /out/logs
hostname skbremap-vm

# No IPv6 autoconf chatter (router/neighbour solicitations, MLD) on the
# test interfaces: both captures must see the same packets.
sysctl -qw net.ipv6.conf.default.disable_ipv6=1
sysctl -qw net.ipv6.conf.all.disable_ipv6=1
/usr/sbin/ip link set lo up

echo "SKBREMAP-VM: kernel $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"

modprobe virtio_pci && modprobe virtio_blk ||
	echo "SKBREMAP-VM: note: virtio_blk did not load, results cannot be written"

SCENARIO_TIMEOUT=${SCENARIO_TIMEOUT:-240}
for arg in $(cat /proc/cmdline); do
	case $arg in
	skbremap.scenario_timeout=*) SCENARIO_TIMEOUT=${arg#*=} ;;
	skbremap.only=*) ONLY=${arg#*=} ;;
	esac
done

failed=
total=0
for s in /vm/scenarios/*.sh; do
	name=$(basename "$s" .sh)
	if [ -n "${ONLY:-}" ] && ! echo ",$ONLY," | grep -q ",$name,"; then
		continue
	fi
	total=$((total + 1))
	echo "=== SKBREMAP-VM: run $name"
	start=$(date +%s)
	# One scenario that hangs must not take the whole run with it.
	timeout -s TERM -k 10 "$SCENARIO_TIMEOUT" sh "$s" >/out/logs/"$name".log 2>&1 &
	tpid=$!
	tail -f /out/logs/"$name".log &
	tailpid=$!
	wait $tpid
	rc=$?
	sleep 0.2
	kill $tailpid 2>/dev/null
	wait $tailpid 2>/dev/null
	secs=$(($(date +%s) - start))
	verdict=$(grep -E "^SCENARIO $name: (PASS|FAIL)" /out/logs/"$name".log | tail -n 1)
	if [ $rc -eq 143 ] || [ $rc -eq 137 ]; then
		echo "SCENARIO $name: FAIL (killed after ${SCENARIO_TIMEOUT}s timeout)"
		failed="$failed $name"
	elif [ -z "$verdict" ]; then
		echo "SCENARIO $name: FAIL (exited $rc without a verdict)"
		failed="$failed $name"
	elif echo "$verdict" | grep -q ": FAIL"; then
		failed="$failed $name"
	fi
	echo "=== SKBREMAP-VM: $name took ${secs}s"
done

dmesg >/out/dmesg.txt
cat /proc/uptime >/out/uptime.txt
if [ -z "$failed" ] && [ $total -gt 0 ]; then
	echo "ok" >/out/verdict
	verdict="SKBREMAP-VM: PASS ($total scenarios)"
else
	echo "failed:$failed" >/out/verdict
	verdict="SKBREMAP-VM: FAIL ($total scenarios, failed:$failed)"
fi

if [ -b /dev/vda ]; then
	tar cf /dev/vda -C / out && sync && echo "SKBREMAP-VM: results written to /dev/vda ($(du -sk /out | cut -f1) kB)" ||
		echo "SKBREMAP-VM: FAIL writing results to /dev/vda"
else
	echo "SKBREMAP-VM: FAIL no /dev/vda for results"
fi
echo "$verdict"
reboot -f
