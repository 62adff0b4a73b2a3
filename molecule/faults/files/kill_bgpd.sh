#!/bin/sh
# Run inside a router node (sh -s PEER MARKER): print "ready", wait until bgpd holds the session to PEER
# with description MARKER (the change is applied, not yet verified or saved), then SIGKILL bgpd by the
# PID in its pidfile (checked: /proc/PID/comm is bgpd). watchfrr restarts it from the saved config.
peer=$1 marker=$2
echo ready
i=0
while [ $i -lt 1200 ]; do
  if vtysh -c "show bgp vrf default neighbors $peer json" 2>/dev/null | grep -q "\"nbrDesc\":\"$marker\""; then
    pid=$(cat /run/frr/bgpd.pid)
    [ "$(cat /proc/$pid/comm)" = bgpd ] || { echo "pidfile $pid is not bgpd"; exit 1; }
    kill -9 "$pid" && echo "killed bgpd $pid" && exit 0
  fi
  i=$((i + 1))
  sleep 0.05
done
echo "the change never appeared"; exit 1
