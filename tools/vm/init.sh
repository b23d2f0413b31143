#!/bin/sh
# /init of the VM lane's initramfs: mount, load the results-disk driver, run
# /vm/scenarios/*.sh in order, print the verdict marker, write /out as a tar
# onto the raw results disk (/dev/vda) and reboot (QEMU runs with
# -no-reboot, so that ends the run).
#
# A scenario reports checks as "SCENARIO <check>: PASS|FAIL ..." lines (or
# "SKIP: <check>: reason", which the host judges); it fails when any check
# fails, when it reports none, when it exits non-zero, or on its timeout.
# /out/scenarios.txt lists the scenarios to run, /out/status.txt gets
# "<scenario> <exit status> <seconds>" for each one that ran: the host
# (tests/vm/check-results.sh) checks every one is there with status 0.
# The marker "SKBREMAP-VM: PASS" is printed only if every scenario passed
# AND the results were written and synced onto the results disk.
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
hostname skbremap-vm

# No IPv6 autoconf chatter (router/neighbour solicitations, MLD) on the
# test interfaces.
sysctl -qw net.ipv6.conf.default.disable_ipv6=1
sysctl -qw net.ipv6.conf.all.disable_ipv6=1
/usr/sbin/ip link set lo up

# Receive timestamps on for the whole run, so tcpdump starting and
# stopping never patches kernel text under TCG (see tools/vm/tstamp-hold.c).
/vm/tstamp-hold &
# The same for the memory cgroup keys: the first non-root memory cgroup
# enables memcg_kmem_online_key (slab and page allocation paths, run on
# every CPU all the time) and memcg_sockets_enabled_key; creating it here,
# before any traffic, and never removing it keeps 39-memory's own cgroup
# from patching those paths while a UDP flood runs.
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null &&
	mkdir -p /sys/fs/cgroup/keys-hold ||
	echo "SKBREMAP-VM: note: no cgroup v2 memory controller"

echo "SKBREMAP-VM: kernel $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo), booted in $(cut -d' ' -f1 /proc/uptime)s"

# The results disk; a debug kernel may have virtio built in.
for m in virtio_pci virtio_blk; do
	grep -qE "(^|/)$m\.ko\$" /lib/modules/"$(uname -r)"/modules.builtin 2>/dev/null ||
		modprobe $m || echo "SKBREMAP-VM: note: $m did not load, results cannot be written"
done

SCENARIO_TIMEOUT=240
for arg in $(cat /proc/cmdline); do
	case $arg in
	skbremap.scenario_timeout=*) SCENARIO_TIMEOUT=${arg#*=} ;;
	skbremap.only=*) ONLY=${arg#*=} ;;
	# remapd --mode for every capture scenario (default: remapd's own).
	skbremap.mode=*) export SKBREMAP_MODE=${arg#*=} ;;
	esac
done

failed=
total=0
: >/out/results.txt
: >/out/status.txt
: >/out/scenarios.txt
for s in /vm/scenarios/*.sh; do
	name=$(basename "$s" .sh)
	if [ -n "${ONLY:-}" ] && ! echo ",$ONLY," | grep -q ",$name,"; then
		continue
	fi
	echo "$name" >>/out/scenarios.txt
done
for name in $(cat /out/scenarios.txt); do
	s=/vm/scenarios/$name.sh
	total=$((total + 1))
	log=/out/logs/$name.log
	echo "=== SKBREMAP-VM: run $name"
	start=$(date +%s)
	# One scenario that hangs must not take the whole run with it. Its
	# output goes to the console as it happens and to its log.
	{
		timeout -s TERM -k 10 "$SCENARIO_TIMEOUT" sh "$s" 2>&1
		echo $? >/tmp/rc
	} | tee "$log"
	rc=$(cat /tmp/rc)
	secs=$(($(date +%s) - start))
	checks=$(grep -cE '^(SCENARIO [^ ]+: (PASS|FAIL)|SKIP: )' "$log")
	echo "$name $rc $secs" >>/out/status.txt
	if [ $rc -eq 143 ] || [ $rc -eq 137 ] || [ $rc -eq 124 ]; then
		echo "SCENARIO $name: FAIL (killed after ${SCENARIO_TIMEOUT}s timeout)" | tee -a "$log"
		failed="$failed $name"
	elif [ "$checks" -eq 0 ]; then
		echo "SCENARIO $name: FAIL (exited $rc without a verdict)" | tee -a "$log"
		failed="$failed $name"
	elif grep -qE '^SCENARIO [^ ]+: FAIL' "$log"; then
		failed="$failed $name"
	elif [ "$rc" -ne 0 ]; then
		echo "SCENARIO $name: FAIL (exited $rc)" | tee -a "$log"
		failed="$failed $name"
	fi
	grep -E '^(SCENARIO [^ ]+: (PASS|FAIL)|SKIP: )' "$log" | sed "s/^/$name ${secs}s /" >>/out/results.txt
	echo "=== SKBREMAP-VM: $name took ${secs}s"
done

dmesg >/out/dmesg.txt
cat /proc/uptime >/out/uptime.txt
if [ -z "$failed" ] && [ $total -gt 0 ]; then
	echo "ok" >/out/verdict
else
	echo "failed:$failed" >/out/verdict
fi

# The results first, the marker after: a PASS marker with no results behind
# it would let the host pass on nothing.
written=
if [ ! -b /dev/vda ]; then
	echo "SKBREMAP-VM: FAIL no /dev/vda for results"
elif tar cf /dev/vda -C / out && sync; then
	written=1
	echo "SKBREMAP-VM: results written to /dev/vda ($(du -sk /out | cut -f1) kB)"
else
	echo "SKBREMAP-VM: FAIL writing results to /dev/vda"
fi
if [ -z "$failed" ] && [ $total -gt 0 ] && [ -n "$written" ]; then
	echo "SKBREMAP-VM: PASS ($total scenarios)"
else
	[ -n "$written" ] && w="results written" || w="results NOT written"
	echo "SKBREMAP-VM: FAIL ($total scenarios, failed:${failed:- none}, $w)"
fi
reboot -f
