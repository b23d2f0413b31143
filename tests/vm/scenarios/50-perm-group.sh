# Who may open /dev/skbremap, outside containers. The node is set up as the
# packages' udev rule makes it (root:skbcapture 0660; the guest has no udev).
#   - outsider (uid 1001, in no capture group): EACCES from the node's mode,
#     whatever group_capture says; remapd exits 4 ("no permission")
#   - capuser (uid 1000, in skbcapture) with group_capture=0 (default): the
#     node lets it in, the module's CAP_NET_RAW check says EPERM; exit 4
#   - capuser with group_capture=1 (set through sysfs): captures, and its
#     pcap is compared with tcpdump's on the host
# The node and the parameter are put back (root:root 0600, 0) at the end.
UDP_MAX=1200	# enough sizes to cross a page; this scenario is about who, not what
. /vm/lib.sh
NODE=/dev/skbremap
PARAM=/sys/module/skbremap/parameters/group_capture
have_module perm-group && have_remapd perm-group || exit 0
module_loaded || { fail perm-group "skbremap is not loaded"; exit 0; }
[ -c $NODE ] || { fail perm-group "no $NODE"; exit 0; }
[ -x /usr/bin/setpriv ] || { fail perm-group "no setpriv in the initramfs"; exit 0; }

restore() {
	echo 0 >$PARAM
	chown 0:0 $NODE && chmod 0600 $NODE
}
trap 'restore; bg_cleanup' EXIT

note "module's own node: $(stat -c '%A %U:%G' $NODE) (root only)"
[ "$(stat -c '%a %u' $NODE)" = "600 0" ] ||
	fail perm-group-default-node "the module's node is not root-only 0600: $(stat -c '%a %u:%g' $NODE)"
[ "$(cat $PARAM)" = N ] || fail perm-group-default-param "group_capture is not 0 by default: $(cat $PARAM)"
chgrp 990 $NODE && chmod 0660 $NODE
note "as the udev rule: $(stat -c '%A %U:%G' $NODE)"

mkdir -p /tmp/perm && chmod 1777 /tmp/perm
AS_OUTSIDER="/usr/bin/setpriv --reuid=1001 --regid=1001 --clear-groups"
AS_CAPUSER="/usr/bin/setpriv --reuid=1000 --regid=1000 --groups=990"

# expect_denied CHECK AS ERRNO_TEXT: the raw open fails with ERRNO_TEXT and
# remapd exits 4 saying so.
expect_denied() {
	out=$($2 $GAUGES version 2>&1)
	case $out in
	*"$3"*) ;;
	*) fail "$1" "open as ${2#* } gave '$out', expected '$3'"; return ;;
	esac
	$2 $REMAPD capture --backend kernel -i lo -w /tmp/perm/denied.pcap -c 1 >/tmp/perm/denied.log 2>&1
	rc=$?
	sed 's/^/  remapd: /' /tmp/perm/denied.log | head -n 3
	if [ $rc -ne 4 ]; then
		fail "$1" "remapd exited $rc, expected 4 (no permission)"
	elif ! grep -q 'CAP_NET_RAW' /tmp/perm/denied.log; then
		fail "$1" "remapd's message does not say what is needed"
	else
		pass "$1" "open: $3; remapd exit 4"
	fi
}

expect_denied perm-outsider-denied "$AS_OUTSIDER" "Permission denied"
expect_denied perm-group-needs-param "$AS_CAPUSER" "Operation not permitted"

echo 1 >$PARAM || { fail perm-group-capture "cannot write $PARAM"; exit 0; }
note "group_capture=$(cat $PARAM)"
# The node still guards: group_capture lets in the node's group, not everyone.
expect_denied perm-outsider-denied-param "$AS_OUTSIDER" "Permission denied"

veth_setup || { fail perm-group-capture "veth pair setup failed"; exit 0; }
tcpdump_start vh $OUT/perm-group-tcpdump.pcap || { fail perm-group-capture "tcpdump did not start"; exit 0; }
$AS_CAPUSER $REMAPD capture --backend kernel -i vh -w /tmp/perm/group.pcap $REMAPD_OPTS \
	>/tmp/perm/group.log 2>&1 &
REMAPD_PID=$!
REMAPD_LOG=/tmp/perm/group.log
bg_track $REMAPD_PID
i=0
until $GAUGES captures 2>/dev/null | grep -q "pid=$REMAPD_PID .*running=1"; do
	kill -0 $REMAPD_PID 2>/dev/null && [ $i -lt 200 ] || break
	sleep 0.1
	i=$((i + 1))
done
if ! kill -0 $REMAPD_PID 2>/dev/null; then
	fail perm-group-capture "remapd as capuser exited at start: $(remapd_why)"
	tcpdump_stop perm-group-capture $OUT/perm-group-tcpdump.pcap
	exit 0
fi
note "remapd runs as $(awk '/^Uid:/ {print $2}' /proc/$REMAPD_PID/status), groups $(awk '/^Groups:/ {$1 = ""; print}' /proc/$REMAPD_PID/status)"
traffic 10.99.0.1 peer
remapd_stop perm-group-capture /tmp/perm/group.pcap
tcpdump_stop perm-group-capture $OUT/perm-group-tcpdump.pcap
cp /tmp/perm/group.pcap $OUT/perm-group.pcap
compare_later perm-group-capture perm-group.pcap perm-group-tcpdump.pcap "$(expected_packets)"

# Back to the default: the same member is refused again at the next open.
echo 0 >$PARAM
expect_denied perm-group-param-off-again "$AS_CAPUSER" "Operation not permitted"
restore
gauges_zero perm-group 10
dmesg_clean perm-group
[ -z "${SCENARIO_FAILED:-}" ] && pass perm-group-capture "group member captured with group_capture=1; pcaps compared on the host"
