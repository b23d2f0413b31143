# (f) at the end: rmmod succeeds, the module's gauges were 0 just before,
# and the kernel log of the whole run is clean.
. /vm/lib.sh
have_module rmmod || exit 0
module_loaded || { fail rmmod "skbremap is not loaded at the end"; exit 0; }
gauges_zero rmmod 10
if rmmod skbremap && ! module_loaded; then
	exit_gauges_zero rmmod
	dmesg_clean rmmod && [ -z "${SCENARIO_FAILED:-}" ] && pass rmmod "gauges 0, unloaded, dmesg clean"
else
	fail rmmod "rmmod skbremap failed"
fi
