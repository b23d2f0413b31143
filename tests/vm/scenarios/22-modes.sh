# Every delivery path on lo, each against tcpdump: bounce (copied into a
# zeroed page of its own), ring (copied packed into pages mapped once) and
# remap (the packet's own pages inserted where they qualify). Ring runs
# twice: copied in the hook (the direct path, module parameter
# direct_copy=1, the default: no skb is cloned, so "0 skbs freed") and
# through the queue and the worker (ring-worker, direct_copy=0: every
# packet's clone is freed once copied). The default
# (adaptive, which picks per packet) is what 20-capture-lo runs. A mode whose
# feature bit the module does not advertise (remapctl status: features) is
# skipped with a "SKIP: mode-X: module lacks FEAT_X" line and no verdict; an
# advertised mode that remapd cannot run fails with remapd's reason.
. /vm/lib.sh
UDP_MAX=8972
have_module modes && have_remapd modes && have_remapctl modes || exit 0
module_loaded || { fail modes "skbremap is not loaded"; exit 0; }
[ -z "${SKBREMAP_MODE:-}" ] || { skip 22-modes "skbremap.mode=$SKBREMAP_MODE pins one mode"; exit 0; }
base_opts=$REMAPD_OPTS
features=$($REMAPCTL status 2>/dev/null | sed -n 's/.*features 0x\([0-9a-fA-F]*\).*/\1/p' | head -n 1)
[ -n "$features" ] || { fail modes "remapctl status printed no features"; exit 0; }
note "module features 0x$features"
DIRECT=/sys/module/skbremap/parameters/direct_copy
[ -w $DIRECT ] || fail modes "no module parameter $DIRECT"
# "<copied> <skbs freed>" of a remapd summary
copied_freed() {
	sed -n 's/.* \([0-9]*\) copied into the ring,.*/\1/p' $1 | tail -n 1 | tr '\n' ' '
	sed -n 's/.* \([0-9]*\) skbs freed$/\1/p' $1 | tail -n 1
}
for mode in bounce ring ring-worker remap; do
	case $mode in
	bounce) bit=1 feat=FEAT_BOUNCE ;;
	ring | ring-worker) bit=4 feat=FEAT_RING ;;
	remap) bit=8 feat=FEAT_REMAP ;;
	esac
	if [ $((0x$features & bit)) -eq 0 ]; then
		skip mode-$mode "module lacks $feat"
		continue
	fi
	REMAPD_OPTS="$base_opts --mode ${mode%-worker}"
	[ $mode = ring-worker ] && echo 0 >$DIRECT
	tcpdump_start lo $OUT/mode-$mode-tcpdump.pcap || { fail mode-$mode "tcpdump did not start"; continue; }
	if ! remapd_start lo $OUT/mode-$mode.pcap; then
		fail mode-$mode "remapd --mode $mode exited at start: $(remapd_why)"
		tcpdump_stop mode-$mode $OUT/mode-$mode-tcpdump.pcap
		continue
	fi
	traffic 127.0.0.1
	failed_before=${SCENARIO_FAILED:-}
	SCENARIO_FAILED=
	remapd_stop mode-$mode $OUT/mode-$mode.pcap
	tcpdump_stop mode-$mode $OUT/mode-$mode-tcpdump.pcap
	echo 1 >$DIRECT
	set -- $(copied_freed $OUT/mode-$mode.pcap.log)
	case $mode in
	ring) [ "${1:-0}" -gt 0 ] && [ "${2:-x}" = 0 ] ||
		fail mode-$mode "direct ring: want packets copied and 0 skbs freed (no clones), got '${1:-?} copied, ${2:-?} freed'" ;;
	ring-worker) [ "${1:-0}" -gt 0 ] && [ "${2:-x}" = "$1" ] ||
		fail mode-$mode "worker ring: want every copied packet's clone freed, got '${1:-?} copied, ${2:-?} freed'" ;;
	esac
	compare_later mode-$mode mode-$mode.pcap mode-$mode-tcpdump.pcap "$(expected_packets)"
	[ -z "${SCENARIO_FAILED:-}" ] && pass mode-$mode "pcaps compared on the host"
	SCENARIO_FAILED=${SCENARIO_FAILED:-$failed_before}
done
dmesg_clean modes
