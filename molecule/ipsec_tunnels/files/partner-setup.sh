#!/bin/sh
# Print the set-up script of a partner gateway, with its files embedded, for the test to run inside
# the partner node (never run by the modules under test):
#   partner-setup.sh pgw1 | labctl exec <topology> [--name LAB] pgw1 -- /bin/sh -s
# The node cannot read this checkout when it lives under /tmp (nodes have a private /tmp), so
# everything travels on stdin. The script installs the partner's swanctl config and credentials and
# its inside address, loads strongSwan, then loads its FRR config.
set -eu
node=$1
dir=$(cd "$(dirname "$0")" && pwd)
case $node in
  pgw1) inside=169.254.10.2/30 ;;
  pgw2) inside=169.254.10.6/30 ;;
  *) echo "partner-setup.sh: unknown partner gateway '$node'" >&2; exit 2 ;;
esac
emit() {  # emit TARGET MODE SOURCE: a here-document that writes SOURCE to TARGET
  echo "cat > '$1' <<'PAYNET_EOF'"
  cat "$3"
  echo "PAYNET_EOF"
  echo "chmod $2 '$1'"
}
echo "set -eu"
emit /etc/swanctl/conf.d/partner.conf 0600 "$dir/$node.swanctl.conf"
if [ "$node" = pgw2 ]; then
  emit /etc/swanctl/x509ca/paynet-ca.pem 0644 "$dir/pki/paynet-ca.pem"
  emit /etc/swanctl/x509/pgw2.pem 0644 "$dir/pki/pgw2.pem"
  emit /etc/swanctl/private/pgw2.key 0600 "$dir/pki/pgw2.key"
fi
emit /tmp/partner.frr.conf 0600 "$dir/$node.frr.conf"
echo "ip addr replace $inside dev ipsec0"
echo "swanctl --load-all --noprompt >/dev/null 2>&1"
echo "vtysh -f /tmp/partner.frr.conf >/dev/null"
echo "rm -f /tmp/partner.frr.conf"
