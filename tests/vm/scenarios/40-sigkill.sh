# (e) remapd is SIGKILLed mid-capture with windows in flight: the module
# takes back every page, skb and mapping (gauges 0) and rmmod succeeds.
. /vm/lib.sh
have_module sigkill && have_remapd sigkill || exit 0
module_loaded || { fail sigkill "skbremap is not loaded"; exit 0; }

# Its pcap is not compared (and would be hundreds of MB): /dev/null.
remapd_start lo /dev/null $OUT/sigkill-remapd.log || { fail sigkill "remapd exited at start: $(remapd_why)"; exit 0; }
# Unpaced and endless: packets queued and windows published when it dies.
( while :; do $UDPSEND 127.0.0.1 $UDP_PORT 1 8972 0 || break; done ) >/dev/null 2>&1 &
flood=$!
bg_track $flood
sleep 3
# SIGKILL only while remapd holds windows (user=N > 0 in its capture's
# gauges): a kill with nothing in user space would prove nothing.
i=0
user=0
while [ $i -lt 50 ]; do
	cap=$($GAUGES captures 2>&1 | grep "pid=$REMAPD_PID ")
	user=$(echo "$cap" | sed -n 's/.* user=\([0-9]*\) .*/\1/p')
	[ "${user:-0}" -gt 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
held=$($GAUGES global 2>&1)
kill -9 $REMAPD_PID
echo "$cap" | sed 's/^/  gauges: /'
note "at SIGKILL: $held, windows in user space: ${user:-?}"
wait $REMAPD_PID
note "remapd exit status $? (137 = SIGKILL)"
kill $flood
wait $flood 2>/dev/null
# The flood loop's current udpsend may outlive the subshell.
for p in $(pidof udpsend); do kill $p; done

[ "${user:-0}" -gt 0 ] ||
	fail sigkill-held "remapd was never seen holding a window in 5 s (captures: ${cap:-none}): the kill proved nothing"
if gauges_zero sigkill 10; then
	# remapctl must agree (its own unconfigured capture is the one left).
	if [ -x "$REMAPCTL" ]; then
		$REMAPCTL status --backend kernel >/tmp/status.txt 2>&1
		sed 's/^/  remapctl: /' /tmp/status.txt
		grep -qE 'GLOBAL +captures 1 +pages_held 0 +skbs_held 0 +mappings 0' /tmp/status.txt ||
			fail sigkill "remapctl status does not show the gauges back to 0"
	fi
	if rmmod skbremap && ! module_loaded; then
		exit_gauges_zero sigkill
		dmesg_clean sigkill && [ -z "${SCENARIO_FAILED:-}" ] && pass sigkill "killed holding $user windows, ${held#captures=* }; gauges back to 0, rmmod ok"
	else
		fail sigkill "rmmod skbremap failed after the SIGKILLed capture"
	fi
fi
# Load it again for the scenarios after this one.
module_loaded || insmod $SKBREMAP_KO || echo "  insmod again failed"
