#!/bin/sh
# Run on h1 (stdin of `labctl exec h1 -- /bin/sh -s`): every virtual address answers, and from its
# virtual MAC (RFC 5798: 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6). Prints one line
# per address: "<vip> <mac>"; exits 1 naming the first address that does not answer.
set -u
for pair in 198.18.31.1:eth1 198.18.32.1:eth2 198.18.33.1:eth3 2001:db8:31::1:eth1 2001:db8:32::1:eth2 2001:db8:33::1:eth3; do
  vip=${pair%:*}; dev=${pair##*:}
  ip neigh flush to "$vip" dev "$dev" 2>/dev/null
  if ! ping -c 2 -i 0.2 -W 2 "$vip" >/dev/null 2>&1; then
    echo "$vip does not answer ping from h1 ($dev)"; exit 1
  fi
  echo "$vip $(ip neigh show to "$vip" dev "$dev" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')"
done
