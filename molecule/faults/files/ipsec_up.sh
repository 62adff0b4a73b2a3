# Run inside a VPN gateway (/bin/sh -s CONN PEER TIMEOUT): wait until the IKE SA CONN is ESTABLISHED with its
# CHILD_SA INSTALLED and the BGP session to PEER (over the tunnel) is Established; print "up after N.NN s"
# (exit 0), or "still down after N s: ..." (exit 1).
conn=$1 peer=$2 timeout=${3:-60}
start=$(date +%s.%N)
while :; do
  sas=$(swanctl --list-sas --ike "$conn" 2>/dev/null)
  bgp=$(vtysh -c "show bgp vrf default neighbors $peer json" 2>/dev/null)
  now=$(date +%s.%N)
  if echo "$sas" | grep -q "$conn: #[0-9]*, ESTABLISHED" && echo "$sas" | grep -q "INSTALLED" \
      && echo "$bgp" | grep -q '"bgpState":"Established"'; then
    echo "up after $(awk "BEGIN { printf \"%.2f\", $now - $start }") s"; exit 0
  fi
  if awk "BEGIN { exit !($now - $start > $timeout) }"; then
    echo "still down after $timeout s: $(echo "$sas" | head -1) / BGP $(echo "$bgp" | grep -o '"bgpState":"[A-Za-z]*"')"; exit 1
  fi
  sleep 0.2
done
