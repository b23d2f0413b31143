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
cp /tmp/smoke.log /tmp/stress.log $OUT/logs/ 2>/dev/null
gauges_zero smoke 10
dmesg_clean smoke
