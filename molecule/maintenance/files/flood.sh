#!/bin/sh
# Ping flood from a partner prefix, run inside the partner node (fed on stdin by labctl exec):
#   flood.sh start SRC DST   starts ping every 20 ms in the background (pid in /tmp/maint-flood.pid)
#   flood.sh stop            stops it (SIGINT, by its own pid, checked to be ping) and prints its summary
set -eu
case "$1" in
  start)
    rm -f /tmp/maint-flood.txt /tmp/maint-flood.pid
    setsid nohup ping -n -i 0.02 -I "$2" "$3" > /tmp/maint-flood.txt 2>&1 < /dev/null &
    echo $! > /tmp/maint-flood.pid
    i=0; until grep -q "bytes from" /tmp/maint-flood.txt 2>/dev/null; do
      i=$((i+1)); [ $i -lt 100 ] || { echo "no reply to the flood" >&2; cat /tmp/maint-flood.txt >&2; exit 1; }; sleep 0.1; done
    echo "flood started"
    ;;
  stop)
    p=$(cat /tmp/maint-flood.pid)
    if [ "$(cat /proc/$p/comm 2>/dev/null)" = ping ]; then kill -INT "$p"; fi
    while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
    grep -E "packets transmitted" /tmp/maint-flood.txt
    ;;
esac
