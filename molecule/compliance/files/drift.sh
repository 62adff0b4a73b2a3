#!/bin/sh
# Drift made by hand on one node (the test's own edits, never the collection's): run inside the node with
#   labctl exec <topology> --name <lab> <node> -- /bin/sh -s < drift.sh   (NODE=<node> set first on stdin).
# edge1: an extra line in an owned prefix-list; hgw1: keepalived priority 150 -> 120 (reloaded) and a rule
# added to our nftables table; sgw1: an SNMP v2c community (snmpd reloaded).
set -eu
case "$NODE" in
  edge1)
    vtysh -c 'configure terminal' -c 'ip prefix-list PARTNER_ACME_BANK_V4_IN seq 100 permit 10.66.0.0/16' -c 'end'
    vtysh -c 'show running-config' | grep -q 'PARTNER_ACME_BANK_V4_IN seq 100 permit 10.66.0.0/16'
    ;;
  hgw1)
    sed -i 's/^\([[:space:]]*priority\) 150$/\1 120/' /etc/keepalived/paynet.d/hsmseg_40.conf
    grep -q 'priority 120' /etc/keepalived/paynet.d/hsmseg_40.conf
    kill -HUP "$(cat /run/keepalived.pid 2>/dev/null || pidof keepalived | tr ' ' '\n' | sort -n | head -1)"
    nft insert rule inet paynet_hsm hsmseg_in ip saddr 198.18.41.11 tcp dport 22 accept
    nft list chain inet paynet_hsm hsmseg_in | grep -q 'ip saddr 198.18.41.11 tcp dport 22 accept'
    ;;
  sgw1)
    echo 'rocommunity drift-community-Zq9 default' >> /etc/snmp/snmpd.conf
    kill -HUP "$(pidof snmpd)"
    ;;
  *) echo "unknown node $NODE" >&2; exit 2 ;;
esac
echo "drift made on $NODE"
