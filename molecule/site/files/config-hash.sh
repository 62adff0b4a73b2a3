#!/bin/sh
# Print one hash of everything the collection may change on a device (test-owned; read only): FRR's running
# config, the keepalived, swanctl and snmpd files (also the private /var/lib/snmp), the nftables ruleset, the
# links (macvlans) and addresses. check mode must leave it as it was.
{
  vtysh -c 'show running-config' 2>/dev/null | grep -v '^Building configuration\|^Current configuration'
  for f in /etc/keepalived/* /etc/swanctl/conf.d/* /etc/swanctl/private/* /etc/snmp/snmpd.conf /var/lib/snmp/snmpd.conf /etc/frr/daemons; do
    [ -f "$f" ] && { echo "== $f"; grep -v '^setserialno\|^oldEngineID\|^engineBoots' "$f"; }
  done
  nft list ruleset 2>/dev/null
  ip -o link show | sed 's/ state [A-Z]*//; s/qlen [0-9]*//' | awk '{print $2, $3}'
  ip -o addr show | awk '{print $2, $3, $4}'
} | sha256sum | cut -d' ' -f1
