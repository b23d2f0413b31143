# The module's own ABI smoke test (tests/kernel/skbremap-smoke.c): every
# ioctl, strict mmap, window protocol on lo, then a short flood with hostile
# status scribbles in which every count must balance.
. /vm/lib.sh
SMOKE=/vm/skbremap-smoke
have_module smoke || exit 0
[ -x $SMOKE ] || { fail smoke "no skbremap-smoke in the initramfs"; exit 0; }
module_loaded || { fail smoke "skbremap is not loaded"; exit 0; }
if $SMOKE run >/tmp/smoke.log 2>&1; then
	pass smoke-run "$(grep -c . /tmp/smoke.log) lines, $(tail -n 1 /tmp/smoke.log)"
else
	sed 's/^/  /' /tmp/smoke.log | tail -n 30
	fail smoke-run "skbremap-smoke run failed"
fi
if $SMOKE stress 5 >/tmp/stress.log 2>&1; then
	pass smoke-stress "$(tail -n 1 /tmp/stress.log)"
else
	sed 's/^/  /' /tmp/stress.log | tail -n 30
	fail smoke-stress "skbremap-smoke stress 5 failed"
fi
# Several info pages (the header in the first, entries crossing page
# boundaries, data page 0 three pages in), on the direct path (ring) and
# through the worker (bounce).
for m in ring bounce; do
	if SMOKE_INFO_PAGES=3 $SMOKE run $m >/tmp/smoke-ip-$m.log 2>&1; then
		pass smoke-info-pages-$m "$(tail -n 1 /tmp/smoke-ip-$m.log)"
	else
		sed 's/^/  /' /tmp/smoke-ip-$m.log | tail -n 30
		fail smoke-info-pages-$m "SMOKE_INFO_PAGES=3 skbremap-smoke run $m failed"
	fi
done
if SMOKE_INFO_PAGES=3 SMOKE_MODE=ring $SMOKE stress 3 >/tmp/stress-ip.log 2>&1; then
	pass smoke-info-pages-stress "$(tail -n 1 /tmp/stress-ip.log)"
else
	sed 's/^/  /' /tmp/stress-ip.log | tail -n 30
	fail smoke-info-pages-stress "SMOKE_INFO_PAGES=3 skbremap-smoke stress 3 failed"
fi
cp /tmp/smoke.log /tmp/stress.log /tmp/smoke-ip-*.log /tmp/stress-ip.log $OUT/logs/ 2>/dev/null
gauges_zero smoke 10
dmesg_clean smoke
