#!/bin/sh
# Partner gateway set-up, run inside the partner node by the test (never by the modules under
# test): install its swanctl config and credentials, its inside address, load, then FRR config.
# Usage (stdin unused): partner-setup.sh <node> <files dir>
set -eu
node=$1 dir=$2
install -m 0600 "$dir/$node.swanctl.conf" /etc/swanctl/conf.d/partner.conf
if [ "$node" = pgw2 ]; then
  install -m 0644 "$dir/pki/paynet-ca.pem" /etc/swanctl/x509ca/paynet-ca.pem
  install -m 0644 "$dir/pki/pgw2.pem" /etc/swanctl/x509/pgw2.pem
  install -m 0600 "$dir/pki/pgw2.key" /etc/swanctl/private/pgw2.key
  inside=169.254.10.6/30
else
  inside=169.254.10.2/30
fi
ip addr replace "$inside" dev ipsec0
swanctl --load-all --noprompt >/dev/null 2>&1
vtysh -f "$dir/$node.frr.conf" >/dev/null
