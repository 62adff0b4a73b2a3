#!/bin/sh
# Prints one sha256 over everything a node's managed daemons run from (read by the test, inside the node):
# FRR's running-config, keepalived's files, the nftables ruleset without counter values, snmpd's config, and
# the PIDs of keepalived and snmpd (a restart changes them). Equal before and after = nothing changed.
{
  if command -v vtysh >/dev/null 2>&1 && [ -S /run/frr/zebra.vty ]; then vtysh -c 'show running-config'; fi
  find /etc/keepalived /etc/snmp -type f 2>/dev/null | sort | while read -r f; do echo "== $f"; cat "$f"; done
  nft -s list ruleset 2>/dev/null
  echo "pids: keepalived $(pidof keepalived || true) snmpd $(pidof snmpd || true)"
} | sha256sum | cut -d' ' -f1
