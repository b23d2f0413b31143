# A child of the capture process never keeps the region: both parts are
# VM_DONTCOPY and MADV_DOFORK, which would undo that, is refused; after
# the parent's take-back the child cannot read the window, and once the
# parent has closed everything the module holds nothing although the
# child still runs (skbremap-smoke fork).
. /vm/lib.sh
SMOKE=/vm/skbremap-smoke
have_module fork || exit 0
[ -x $SMOKE ] || { fail fork "no skbremap-smoke in the initramfs"; exit 0; }
module_loaded || { fail fork "skbremap is not loaded"; exit 0; }
for v in plain dofork; do
	SCENARIO_FAILED=
	$SMOKE fork $v >/tmp/fork-$v.log 2>&1
	rc=$?
	cp /tmp/fork-$v.log $OUT/logs/ 2>/dev/null
	grep -E 'FAIL|fork child|global:' /tmp/fork-$v.log | tail -n 12 | sed 's/^/  /'
	[ $rc -eq 0 ] || fail fork-$v "skbremap-smoke fork $v failed"
	gauges_zero fork-$v 10
	dmesg_clean fork-$v
	[ -z "${SCENARIO_FAILED:-}" ] && pass fork-$v "$(grep 'fork child' /tmp/fork-$v.log)"
done
exit 0
