# A capture inside a container: root of its own user and network namespace
# (util-linux unshare --user --net --map-root-user, run as uid 1100), given
# /dev/skbremap the way a runtime passes a device (the node's owner is the
# uid the container's root maps to). The runtime's side (this script, the
# host) makes a veth pair vch - vce and moves vce into the container.
#   - the container opens the device with CAP_NET_RAW of its own netns only
#     (not of the initial one) and captures "any" of its netns: its pcap of
#     the host's traffic to it equals tcpdump's on vch, packet for packet, and
#     holds none of the same marker traffic sent at the same time on the
#     host's lo
#   - it cannot bind the host's vch by ifindex (ENODEV), but can its own vce
#   - SKBREMAP_IOC_CAPTURES and _GLOBAL in the container list only its own
#     captures, while a host remapd captures on vch; the host's lists do not
#     show the container's capture, its module-wide GLOBAL counts all
UDP_MAX=1200
. /vm/lib.sh
NODE=/dev/skbremap
C=/tmp/ctr
have_module perm-netns && have_remapd perm-netns || exit 0
module_loaded || { fail perm-netns "skbremap is not loaded"; exit 0; }
[ -x /usr/bin/unshare ] && [ -x /usr/bin/setpriv ] ||
	{ fail perm-netns "no util-linux unshare/setpriv in the initramfs"; exit 0; }
load_module veth || { fail perm-netns "veth did not load"; exit 0; }

restore() { chown 0:0 $NODE && chmod 0600 $NODE; }
trap 'restore; bg_cleanup' EXIT

rm -rf $C && mkdir -p $C && chown 1100:1100 $C
chown 1100:1100 $NODE && chmod 0600 $NODE
$IP link add vch mtu 9000 type veth peer name vce mtu 9000 &&
	$IP addr add 10.97.0.1/24 dev vch && $IP link set vch up ||
	{ fail perm-netns "veth vch-vce setup failed"; exit 0; }
VCH=$(cat /sys/class/net/vch/ifindex)
VCE=$(cat /sys/class/net/vce/ifindex)
note "host vch ifindex $VCH, vce ifindex $VCE (kept when it moves)"

# The container's side: runs as its own root; everything it learns goes to
# files in $C, which the host reads.
cat >$C/inner.sh <<INNER
#!/bin/sh
echo \$\$ >$C/pid
i=0
while ! /usr/sbin/ip link show vce >/dev/null 2>&1; do
	[ \$i -lt 200 ] || { echo "no vce in the container" >$C/error; exit 1; }
	sleep 0.1; i=\$((i + 1))
done
/usr/sbin/ip link set lo up
/usr/sbin/ip addr add 10.97.0.2/24 dev vce && /usr/sbin/ip link set vce up
id >$C/id
cat /proc/self/uid_map >$C/uid_map
$GAUGES bind $VCH >$C/bind-host.txt 2>&1
$GAUGES bind $VCE >$C/bind-own.txt 2>&1
$REMAPD capture --backend kernel -i any -w $C/ctr.pcap $REMAPD_OPTS >$C/remapd.log 2>&1 &
rp=\$!
echo \$rp >$C/remapd.pid
i=0
until $GAUGES captures 2>/dev/null | grep -q "pid=\$rp .*running=1"; do
	kill -0 \$rp 2>/dev/null && [ \$i -lt 200 ] || break
	sleep 0.1; i=\$((i + 1))
done
$UDPSEND -l $UDP_PORT >/dev/null 2>&1 &
sink=\$!
touch $C/ready
i=0
while [ ! -f $C/listed ] && [ \$i -lt 1200 ]; do sleep 0.1; i=\$((i + 1)); done
$GAUGES captures >$C/captures.txt 2>&1
$GAUGES global >$C/global.txt 2>&1
touch $C/looked
while [ ! -f $C/stop ] && [ \$i -lt 1800 ]; do sleep 0.1; i=\$((i + 1)); done
kill -TERM \$rp
wait \$rp
echo \$? >$C/remapd.rc
kill \$sink
INNER
chmod 755 $C/inner.sh

/usr/bin/setpriv --reuid=1100 --regid=1100 --clear-groups \
	/usr/bin/unshare --user --net --map-root-user sh $C/inner.sh >$C/inner.out 2>&1 &
CTR=$!
bg_track $CTR
wait_for_file() { i=0; while [ ! -f "$1" ]; do [ $i -lt "$2" ] || return 1; sleep 0.1; i=$((i + 1)); done; }
wait_for_file $C/pid 100 || { fail perm-netns "the container did not start: $(cat $C/inner.out)"; exit 0; }
$IP link set vce netns "$(cat $C/pid)" || { fail perm-netns "cannot move vce into the container"; exit 0; }
if ! wait_for_file $C/ready 300; then
	fail perm-netns "the container's remapd did not get ready: $(cat $C/error $C/inner.out $C/remapd.log 2>/dev/null | head -n 5)"
	exit 0
fi
note "container: $(cat $C/id); uid_map: $(cat $C/uid_map)"
CPID=$(cat $C/remapd.pid)
kill -0 "$CPID" 2>/dev/null || { fail perm-netns-open "the container's remapd exited: $(head -n 3 $C/remapd.log)"; exit 0; }
pass perm-netns-open "root of the container's user+net namespace opened the device (remapd pid $CPID running)"

case $(cat $C/bind-host.txt) in
"bind $VCH: No such device") pass perm-netns-bind-host "the host's vch ($VCH): $(cat $C/bind-host.txt)" ;;
*) fail perm-netns-bind-host "binding the host's vch from the container: $(cat $C/bind-host.txt)" ;;
esac
case $(cat $C/bind-own.txt) in
"bind $VCE: ok") pass perm-netns-bind-own "$(cat $C/bind-own.txt)" ;;
*) fail perm-netns-bind-own "binding its own vce: $(cat $C/bind-own.txt)" ;;
esac

# A capture of the host's while the container looks.
tcpdump_start vch $OUT/perm-netns-tcpdump.pcap || { fail perm-netns "tcpdump did not start"; exit 0; }
if ! remapd_start vch $OUT/perm-netns-host.pcap; then
	fail perm-netns "the host's remapd exited at start: $(remapd_why)"
	exit 0
fi
touch $C/listed
wait_for_file $C/looked 100 || { fail perm-netns-captures "the container did not list captures"; exit 0; }
sed 's/^/  container captures: /' $C/captures.txt
sed 's/^/  container global: /' $C/global.txt
$GAUGES captures >$C/host-captures.txt 2>&1
$GAUGES global >$C/host-global.txt 2>&1
sed 's/^/  host captures: /' $C/host-captures.txt
sed 's/^/  host global: /' $C/host-global.txt
# Container: its remapd and its own reader, nothing of the host's.
n=$(grep -c '^id=' $C/captures.txt)
if [ "$n" -eq 2 ] && grep -q "pid=$CPID .*running=1" $C/captures.txt &&
	! grep -q "pid=$REMAPD_PID " $C/captures.txt; then
	pass perm-netns-captures "container lists 2 (its remapd, its reader), not the host's remapd $REMAPD_PID"
else
	fail perm-netns-captures "container lists $n captures, expected its remapd $CPID and its reader only"
fi
grep -q '^captures=2 ' $C/global.txt &&
	pass perm-netns-global "container's GLOBAL: $(cat $C/global.txt)" ||
	fail perm-netns-global "container's GLOBAL is not the sum over its 2 captures: $(cat $C/global.txt)"
if grep -q "pid=$REMAPD_PID .*running=1" $C/host-captures.txt && ! grep -q "pid=$CPID " $C/host-captures.txt &&
	[ "$(grep -c '^id=' $C/host-captures.txt)" -eq 2 ]; then
	pass perm-netns-host-captures "host lists its remapd and reader, not the container's $CPID"
else
	fail perm-netns-host-captures "host's list is not its own 2 captures"
fi
grep -q '^captures=3 ' $C/host-global.txt &&
	pass perm-netns-host-global "host admin's GLOBAL is module-wide: $(cat $C/host-global.txt)" ||
	fail perm-netns-host-global "host admin's GLOBAL does not count all 3 captures: $(cat $C/host-global.txt)"

# The container's traffic, and the same marker traffic on the host's lo,
# which the container's "any" capture must not see.
$PING -q -c 5 -i 0.05 -p $PING_PATTERN 127.0.0.1 >/dev/null &
LOPING=$!
$PING -q -c $PING_COUNT -i 0.05 -p $PING_PATTERN 10.97.0.2 | sed 's/^/  /'
$UDPSEND 10.97.0.2 $UDP_PORT $UDP_MIN $UDP_MAX | sed 's/^/  /'
wait $LOPING
sleep 2
# The host's captures stop first: when the container ends, its netns goes
# and takes vce, and with it vch, from under them.
remapd_stop perm-netns $OUT/perm-netns-host.pcap
tcpdump_stop perm-netns $OUT/perm-netns-tcpdump.pcap
touch $C/stop
wait_for_file $C/remapd.rc 300 || { fail perm-netns-capture "the container's remapd did not stop"; exit 0; }
sed 's/^/  container remapd: /' $C/remapd.log | tail -n 5
if [ "$(cat $C/remapd.rc)" -ne 0 ]; then
	fail perm-netns-capture "the container's remapd exited $(cat $C/remapd.rc)"
else
	cp $C/ctr.pcap $OUT/perm-netns-ctr.pcap
	compare_later perm-netns-ctr perm-netns-ctr.pcap perm-netns-tcpdump.pcap "$(expected_packets)"
	compare_later perm-netns-host perm-netns-host.pcap perm-netns-tcpdump.pcap "$(expected_packets)"
	pass perm-netns-capture "container's remapd exit 0; its pcap compared on the host"
fi
wait $CTR 2>/dev/null
$IP link del vch 2>/dev/null
restore
gauges_zero perm-netns 10
dmesg_clean perm-netns
