#!/usr/bin/env bash
# remapd@.service under a real systemd: the host's own system booted as PID 1 of a
# systemd-nspawn container (an overlay of / on a tmpfs, thrown away afterwards), the
# remapd .deb installed into it (dpkg -i: unit, man pages, group skbcapture), then a
# driver unit inside checks, with remapd on the emulator's synthetic source:
#   ready     'systemctl start' returns only after READY=1 (Type=notify); active/running;
#             CapEff of the process is CAP_NET_RAW alone; the dynamic user is not root
#   reload    'systemctl reload' with a new filter: the journal says it was replaced
#   watchdog  the capture loop stuck in write(2) (the output is a FIFO whose reader is
#             SIGSTOPped): systemd's watchdog (WatchdogSec=3 s in a drop-in) kills it
#             and Restart=on-failure starts it again (NRestarts 1, a new MainPID)
#   refused   a configuration with an unknown key: start fails with exit status 2, the
#             journal has remapd's FILE:LINE line, and no restart (RestartPreventExitStatus)
#   stop      'systemctl stop': inactive, and the summary in the journal
# Usage: tests/service/systemd-nspawn.sh [REMAPD_DEB]   (default build/deb/remapd_*_amd64.deb)
# Needs root and systemd-container. Passes only when every check printed PASS.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DEB=${1:-$(ls "$REPO"/build/deb/remapd_*_amd64.deb 2>/dev/null | head -n1)}
[ -f "$DEB" ] || { echo "systemd-nspawn: no remapd .deb (tools/packaging/build-debs.sh)" >&2; exit 1; }
command -v systemd-nspawn >/dev/null || { echo "systemd-nspawn: apt-get install systemd-container" >&2; exit 1; }

W=$(mktemp -d /tmp/remapd-nspawn.XXXXXX)
cleanup() {
	umount "$W/root" 2>/dev/null || true
	umount "$W/t" 2>/dev/null || true
	[ -n "${RUNMOUNT:-}" ] && umount /run/systemd/nspawn 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/t" "$W/root" "$W/out"
mount -t tmpfs tmpfs "$W/t"
mkdir -p "$W/t/up" "$W/t/wk"
mount -t overlay overlay -o "lowerdir=/,upperdir=$W/t/up,workdir=$W/t/wk" "$W/root"
# nspawn keeps its propagation directory under /run, which must be a tmpfs.
if ! mountpoint -q /run && ! mountpoint -q /run/systemd/nspawn 2>/dev/null; then
	mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn && RUNMOUNT=1
fi

R=$W/root
rm -f "$R/etc/machine-id"
cp "$DEB" "$R/tmp/remapd.deb"
chroot "$R" dpkg -i /tmp/remapd.deb >"$W/out/dpkg.log" 2>&1 || { cat "$W/out/dpkg.log"; exit 1; }

mkdir -p "$R/etc/remapd" "$R/etc/systemd/system/remapd@.service.d" "$R/etc/systemd/system/multi-user.target.wants" "$R/out"
cat >"$R/etc/systemd/system/remapd@.service.d/test.conf" <<'EOF'
[Service]
WatchdogSec=3s
RestartSec=1s
EOF
cat >"$R/etc/remapd/t.conf" <<'EOF'
[capture t]
backend = emulator
source = synthetic:count=1000000000,min=200,max=200,rate=5000
write = /var/lib/remapd/t/cap.pcap
filter = udp
EOF
cat >"$R/etc/remapd/stall.conf" <<'EOF'
backend = emulator
source = synthetic:count=1000000000,min=200,max=200,rate=20000
write = /run/remapd-test/fifo
EOF
cat >"$R/etc/remapd/bad.conf" <<'EOF'
# a typo on line 3
backend = emulator
interfac = lo
write = /var/lib/remapd/bad/x.pcap
EOF
mkdir -p "$R/etc/systemd/system/remapd@stall.service.d"
cat >"$R/etc/systemd/system/remapd@stall.service.d/fifo.conf" <<'EOF'
[Service]
ReadWritePaths=/run/remapd-test
EOF
cat >"$R/etc/systemd/system/fifo-reader.service" <<'EOF'
[Service]
ExecStart=/bin/sh -c 'exec cat /run/remapd-test/fifo >/dev/null'
EOF
cat >"$R/driver.sh" <<'EOF'
#!/bin/bash
# Runs inside the container as a unit once the system is up.
exec >/out/driver.log 2>&1
pass() { echo "PASS $1: $2"; }
fail() { echo "FAIL $1: $2"; }
prop() { systemctl show -p "$2" --value "$1"; }
journal() { journalctl -q -o cat -u "$1" --no-pager; }

if systemctl start remapd@t; then
	pid=$(prop remapd@t MainPID)
	state="$(prop remapd@t ActiveState)/$(prop remapd@t SubState)"
	cap=$(awk '/^CapEff/ {print $2}' /proc/$pid/status)
	uid=$(awk '/^Uid/ {print $2}' /proc/$pid/status)
	if [ "$state" = active/running ] && [ "$cap" = 0000000000002000 ] && [ "$uid" != 0 ]; then
		pass ready "systemctl start returned after READY=1: $state, pid $pid, uid $uid, CapEff $cap (CAP_NET_RAW)"
	else
		fail ready "state $state, CapEff $cap, uid $uid"
	fi
else
	fail ready "systemctl start remapd@t failed: $(journal remapd@t | tail -n 3)"
fi

sed -i 's/^filter = udp$/filter = udp and greater 150/' /etc/remapd/t.conf
if systemctl reload remapd@t && sleep 2 && journal remapd@t | grep -q "filter replaced: now filter 'udp and greater 150'"; then
	pass reload "$(journal remapd@t | grep 'filter replaced' | tail -n1)"
else
	fail reload "no 'filter replaced' in the journal: $(journal remapd@t | tail -n 5)"
fi
[ "$(prop remapd@t SubState)" = running ] || fail reload "not running after the reload"

mkdir -p -m 1777 /run/remapd-test && mkfifo -m 666 /run/remapd-test/fifo
systemctl start fifo-reader
systemctl start remapd@stall || fail watchdog "remapd@stall did not start"
pid1=$(prop remapd@stall MainPID)
sleep 4
[ "$(prop remapd@stall NRestarts)" = 0 ] || fail watchdog "restarted while the reader reads"
systemctl kill -s SIGSTOP fifo-reader
for i in $(seq 1 40); do
	[ "$(prop remapd@stall NRestarts)" -ge 1 ] && break
	sleep 0.5
done
pid2=$(prop remapd@stall MainPID)
if [ "$(prop remapd@stall NRestarts)" -ge 1 ] && journal remapd@stall | grep -q -i "watchdog timeout"; then
	pass watchdog "the stalled loop stopped pinging: '$(journal remapd@stall | grep -i -m1 'watchdog timeout')', NRestarts $(prop remapd@stall NRestarts), MainPID $pid1 -> $pid2"
else
	fail watchdog "NRestarts $(prop remapd@stall NRestarts); $(journal remapd@stall | tail -n 5)"
fi
systemctl kill -s SIGCONT fifo-reader
systemctl stop remapd@stall fifo-reader

if systemctl start remapd@bad 2>/dev/null; then
	fail refused "remapd@bad started"
else
	status=$(prop remapd@bad ExecMainStatus)
	line=$(journal remapd@bad | grep -m1 'remapd: error:')
	sleep 3
	if [ "$status" = 2 ] && echo "$line" | grep -q "/etc/remapd/bad.conf:3: unknown key 'interfac'" && [ "$(prop remapd@bad NRestarts)" = 0 ]; then
		pass refused "exit status 2, no restart; journal: $line"
	else
		fail refused "status $status, NRestarts $(prop remapd@bad NRestarts), journal: $line"
	fi
fi

systemctl stop remapd@t
if [ "$(prop remapd@t ActiveState)" = inactive ] && journal remapd@t | grep -q "remapd: .* packets written to /var/lib/remapd/t/cap.pcap"; then
	pass stop "$(journal remapd@t | grep 'packets written to' | tail -n1)"
else
	fail stop "$(prop remapd@t ActiveState); $(journal remapd@t | tail -n 5)"
fi
echo DONE
systemctl poweroff
EOF
chmod +x "$R/driver.sh"
cat >"$R/etc/systemd/system/remapd-driver.service" <<'EOF'
[Unit]
After=multi-user.target systemd-journald.service
[Service]
Type=oneshot
ExecStart=/driver.sh
[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/remapd-driver.service "$R/etc/systemd/system/multi-user.target.wants/remapd-driver.service"

echo "systemd-nspawn: booting $(systemd --version | head -n1) in a container ($R)"
timeout 300 systemd-nspawn -q -D "$R" --register=no --keep-unit --link-journal=no \
	--bind="$W/out:/out" --boot --console=pipe >"$W/out/boot.log" 2>&1 || true
if [ ! -f "$W/out/driver.log" ]; then
	tail -n 20 "$W/out/boot.log" >&2
	echo "systemd-nspawn: FAIL: the driver did not run" >&2
	exit 1
fi
sed 's/^/  /' "$W/out/driver.log"
fails=$(grep -c '^FAIL' "$W/out/driver.log" || true)
passes=$(grep -c '^PASS' "$W/out/driver.log" || true)
if [ "$fails" -eq 0 ] && [ "$passes" -eq 5 ] && grep -q '^DONE' "$W/out/driver.log"; then
	echo "systemd-nspawn: PASS ($passes checks under systemd as PID 1)"
else
	echo "systemd-nspawn: FAIL ($passes passed, $fails failed)"
	exit 1
fi
