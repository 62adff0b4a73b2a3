# Run inside a VPN gateway (/bin/sh -s [TIMEOUT] [RESTART_AFTER]): wait until a change arms the ipsec
# commit-confirm timer (its armed.json appears), then SIGKILL charon at once by its PID inside this node, and
# RESTART_AFTER seconds later start it again as the gateway's service manager would (systemd's strongswan.service
# restarts it on an abnormal exit; the lab has no systemd). Only charon itself is started: loading the
# configuration into it is left to whoever needs it. Prints "killed charon PID" and "restarted charon PID".
state=/var/lib/paynet-netinfra/confirm/ipsec/armed.json
timeout=${1:-120}
restart_after=${2:-2}
end=$(( $(date +%s) + timeout ))
while [ ! -e "$state" ]; do
  [ "$(date +%s)" -gt "$end" ] && { echo "no change armed within $timeout s"; exit 1; }
  sleep 0.01
done
pids=$(pidof charon-systemd) || { echo "charon was not running"; exit 1; }
for pid in $pids; do
  kill -9 "$pid" && echo "killed charon $pid"
done
sleep "$restart_after"
setsid /usr/sbin/charon-systemd >/var/log/charon.console 2>&1 </dev/null &
echo "restarted charon $!"
