# The capture store against the real module: remapd capture --store on the
# veth pair with a file per second (aligned to the clock), 1 MB files and a
# 3 MB --retain-bytes, for ~20 s of the lane's traffic (ICMP + UDP 1..8972,
# repeated). Checks: the store never exceeds its limit (polled every 0.2 s
# while capturing: files, indexes and the file being written), it rotated many
# times, no part file is left and every file reads cleanly; every packet remapd
# wrote is in the store or counted as deleted by retention (store-accounting);
# and remapd query's answer for 'udp or icmp' is compared on the host, packet
# for packet, with tcpdump -r of the same files (store-query).
. /vm/lib.sh
have_module store && have_remapd store || exit 0
module_loaded || { fail store "skbremap is not loaded"; exit 0; }
veth_setup || { fail store "veth pair setup failed"; exit 0; }

STORE=/tmp/store
LIMIT=3000000
rm -rf $STORE
$REMAPD capture --backend kernel -i vh $REMAPD_OPTS --store $STORE --rotate-seconds 1 \
	--rotate-size 1M --retain-bytes $LIMIT -q >/tmp/store-remapd.log 2>&1 &
pid=$!
bg_track $pid
sleep 2
kill -0 $pid 2>/dev/null || { cat /tmp/store-remapd.log; fail store "remapd exited at start"; exit 0; }

# The poller: the store's own bytes, max and violations, every 0.2 s.
(
	max=0 polls=0 over=0
	while [ ! -e /tmp/store-stop ]; do
		u=$(ls -ln $STORE 2>/dev/null | awk '$9 ~ /(\.pcap|\.idx|\.part)$/ { s += $5 } END { print s + 0 }')
		polls=$((polls + 1))
		[ "$u" -gt $max ] && max=$u
		[ "$u" -gt $LIMIT ] && over=$((over + 1))
		ls $STORE 2>/dev/null | grep -E '\.pcap$' >>/tmp/store-names
		sleep 0.2
	done
	echo "$polls $max $over" >/tmp/store-poll
) &
poller=$!
bg_track $poller

start=$(date +%s)
while [ $(($(date +%s) - start)) -lt 20 ]; do
	traffic 10.99.0.1 peer >/dev/null
done
touch /tmp/store-stop
wait $poller
stop_pid $pid TERM 30
rc=$?
sed 's/^/  remapd: /' /tmp/store-remapd.log | tail -n 12
cp /tmp/store-remapd.log $OUT/logs/ 2>/dev/null
[ $rc -eq 0 ] || fail store "remapd exited $rc after SIGTERM"

read polls max over </tmp/store-poll
rotations=$(sort -u /tmp/store-names | wc -l)
note "store: $polls polls, max $max bytes of $LIMIT, $over over; $rotations files seen"
if [ "$polls" -lt 20 ] || [ "$rotations" -lt 10 ]; then
	fail store-limit "too little seen: $polls polls, $rotations files"
elif [ "$over" -ne 0 ]; then
	fail store-limit "the store exceeded --retain-bytes $LIMIT in $over of $polls polls (max $max)"
else
	pass store-limit "max $max of $LIMIT bytes over $polls polls, $rotations files"
fi

ls -a $STORE | grep -q '\.part$' && fail store-files "a part file is left: $(ls -a $STORE | grep '\.part$')"
files=$(ls $STORE | grep -E '\.pcap$' | sort)
in_store=0
for f in $files; do
	n=$($TCPDUMP -r $STORE/$f -nn 2>/tmp/store-tcpdump.err | wc -l)
	grep -v '^reading from file' /tmp/store-tcpdump.err | grep -q . &&
		fail store-files "tcpdump -r $f: $(cat /tmp/store-tcpdump.err)"
	[ -s $STORE/$f.idx ] || fail store-files "$f has no index"
	in_store=$((in_store + n))
done

written=$(grep -o 'remapd: [0-9]* packets written' /tmp/store-remapd.log | grep -o '[0-9]*' | head -n 1)
deleted=$(grep -o 'for --retain-age ([0-9]* packets' /tmp/store-remapd.log | grep -o '[0-9]*' | head -n 1)
diskfull=$(grep -o 'lost [0-9]* packets: disk full' /tmp/store-remapd.log | grep -o '[0-9]*' | head -n 1)
if [ -z "$written" ] || [ -z "$deleted" ]; then
	fail store-accounting "no summary from remapd"
elif [ "$written" -ne $((in_store + deleted + ${diskfull:-0})) ] || [ "$deleted" -eq 0 ]; then
	fail store-accounting "written $written != in store $in_store + deleted $deleted + disk full ${diskfull:-0} (or nothing deleted)"
else
	pass store-accounting "written $written = in store $in_store + deleted by retention $deleted"
fi

# The query and its oracle: tcpdump -r of each file with the same filter,
# concatenated (every file but the first without its 24-byte header).
$REMAPD query --store $STORE -w $OUT/store-query.pcap -- udp or icmp >/tmp/store-query.log 2>&1 ||
	fail store-query "remapd query failed: $(cat /tmp/store-query.log)"
sed 's/^/  /' /tmp/store-query.log
first=1
for f in $files; do
	$TCPDUMP -r $STORE/$f -w /tmp/store-one.pcap udp or icmp 2>/dev/null
	if [ $first -eq 1 ]; then cat /tmp/store-one.pcap; first=0; else tail -c +25 /tmp/store-one.pcap; fi
done >$OUT/store-tcpdump.pcap
compare_later store-query store-query.pcap store-tcpdump.pcap all
gauges_zero store 10
dmesg_clean store
[ -z "${SCENARIO_FAILED:-}" ] && pass store "store checked; the query is compared on the host"
exit 0
