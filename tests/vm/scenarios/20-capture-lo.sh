# (b) remapd (kernel backend) and tcpdump capture the same lo traffic;
# (d) remapctl status during the capture shows it. The host compares the
# two pcaps packet for packet and byte for byte.
. /vm/lib.sh
have_module capture-lo && have_remapd capture-lo || exit 0
module_loaded || { fail capture-lo "skbremap is not loaded"; exit 0; }

tcpdump_start lo $OUT/lo-tcpdump.pcap || { fail capture-lo "tcpdump did not start"; exit 0; }
if ! remapd_start lo $OUT/lo.pcap; then
	fail capture-lo "remapd exited at start: $(remapd_why)"
	tcpdump_stop capture-lo $OUT/lo-tcpdump.pcap
	exit 0
fi

traffic 127.0.0.1 &
traffic_pid=$!
sleep 2
if have_remapctl remapctl-status; then
	$REMAPCTL status --backend kernel >$OUT/lo-remapctl-status.txt 2>&1
	rc=$?
	sed 's/^/  remapctl: /' $OUT/lo-remapctl-status.txt
	if [ $rc -ne 0 ]; then
		fail remapctl-status "remapctl status exited $rc"
	elif grep -E "pid +$REMAPD_PID( |\$)" $OUT/lo-remapctl-status.txt | grep -qw running; then
		pass remapctl-status "shows remapd's capture (pid $REMAPD_PID) running"
	else
		fail remapctl-status "no running capture of pid $REMAPD_PID in remapctl status"
	fi
fi
$GAUGES captures 2>&1 | sed 's/^/  gauges: /'
wait $traffic_pid

remapd_stop capture-lo $OUT/lo.pcap
tcpdump_stop capture-lo $OUT/lo-tcpdump.pcap
compare_later capture-lo lo.pcap lo-tcpdump.pcap "$(expected_packets)"
dmesg_clean capture-lo
[ -z "${SCENARIO_FAILED:-}" ] && pass capture-lo "pcaps compared on the host"
