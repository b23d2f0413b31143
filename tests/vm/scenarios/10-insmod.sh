# (a) the module loads into Debian's cloud kernel and answers the version ioctl.
. /vm/lib.sh
have_module insmod || exit 0
if ! insmod $SKBREMAP_KO; then
	fail insmod "insmod $SKBREMAP_KO failed"
	dmesg | tail -n 20 | sed 's/^/  dmesg: /'
	exit 0
fi
i=0
while [ ! -c /dev/skbremap ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -c /dev/skbremap ]; then
	fail insmod "no /dev/skbremap after insmod"
	exit 0
fi
v=$($GAUGES version 2>&1) || { fail insmod "version ioctl: $v"; exit 0; }
note "$v"
g=$($GAUGES global 2>&1)
note "$g"
dmesg_clean insmod && pass insmod "$(grep '^skbremap ' /proc/modules | cut -d' ' -f1-3)"
