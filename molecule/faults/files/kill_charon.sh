# Run inside a VPN gateway (/bin/sh -s [TIMEOUT]): wait until a change arms the ipsec commit-confirm timer (its
# armed.json appears), then SIGKILL charon at once, by its PID inside this node; print "killed charon PID".
state=/var/lib/paynet-netinfra/confirm/ipsec/armed.json
timeout=${1:-120}
end=$(( $(date +%s) + timeout ))
while [ ! -e "$state" ]; do
  [ "$(date +%s)" -gt "$end" ] && { echo "no change armed within $timeout s"; exit 1; }
  sleep 0.01
done
for pid in $(pidof charon-systemd); do
  kill -9 "$pid" && echo "killed charon $pid"
done
