#!/usr/bin/env bash
# Demo: onboard two partners on the namespace labs.
#   Part A (bgp-basic lab): partner acme_bank over a direct link
#     1. lab up   2. --check --diff   3. apply   4. show bgp summary on edge1
#   Part B (ipsec-basic lab): partner northbank over a route-based IKEv2 tunnel, BGP over it
#     5. lab up + the partner gateway's own strongSwan/FRR config
#     6. --check --diff (tunnel file with the PSK masked, BGP session)   7. apply (tunnel first, then BGP)
#     8. gw1: the SA, the BGP session over the inside addresses, a ping through the tunnel
# The labs are left up; the end of the output says how to tear them down.
# Usage: scripts/demo.sh   (after scripts/setup.sh; `make demo` does both)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

TOPOLOGY="${DEMO_TOPOLOGY:-tests/topologies/bgp-basic.clab.yml}"
PARTNER="${DEMO_PARTNER:-acme_bank}"
IPSEC_TOPOLOGY="${DEMO_IPSEC_TOPOLOGY:-tests/topologies/ipsec-basic.clab.yml}"
IPSEC_PARTNER="${DEMO_IPSEC_PARTNER:-northbank}"
LAB_INVENTORY="$REPO_ROOT/.lab/$(basename "$TOPOLOGY" .clab.yml).inventory.yml"
IPSEC_INVENTORY="$REPO_ROOT/.lab/$(basename "$IPSEC_TOPOLOGY" .clab.yml).inventory.yml"
PARTNER_FILES="$REPO_ROOT/molecule/ipsec_tunnels/files"
labctl() { "$VBIN/python" tests/lab/labctl "$@"; }

for f in tests/lab/labctl "$TOPOLOGY" "$IPSEC_TOPOLOGY" playbooks/partner_onboard.yml "$PARTNER_FILES/partner-setup.sh"; do
  [[ -e "$f" ]] || die "demo needs $f, which does not exist yet"
done

step() { printf '\n===== %s =====\n' "$*"; }

step "1/8 lab up: $TOPOLOGY"
mkdir -p "$(dirname "$LAB_INVENTORY")"
labctl up "$TOPOLOGY" --inventory "$LAB_INVENTORY"
# The partner's side is the partner's business: load its own FRR config (not through our modules).
for node in p1 p2; do
  labctl exec "$TOPOLOGY" "$node" -- vtysh -f /dev/stdin < "molecule/bgp_peering/files/$node.frr.conf" >/dev/null
done

# Intent (group_vars, partners) from inventories/lab, connection details
# (management addresses, key) from the inventory the lab driver wrote.
vault=()
[[ -f inventories/lab/vault-password.txt ]] && vault=(--vault-password-file inventories/lab/vault-password.txt)
# onboard LAB_INVENTORY PARTNER [ansible-playbook args]: partner_onboard.yml against one lab
onboard() {
  local inventory=$1 partner=$2
  shift 2
  "$VBIN/ansible-playbook" playbooks/partner_onboard.yml -i inventories/lab/hosts.yml -i "$inventory" \
    "${vault[@]}" -e "partner=$partner" "$@" </dev/null
}

step "2/8 check mode: what onboarding $PARTNER would change"
onboard "$LAB_INVENTORY" "$PARTNER" --check --diff

step "3/8 apply: onboard $PARTNER"
onboard "$LAB_INVENTORY" "$PARTNER" --diff

step "4/8 edge1: show bgp summary"
labctl exec "$TOPOLOGY" edge1 -- vtysh -c 'show bgp summary'

step "5/8 lab up: $IPSEC_TOPOLOGY (gw1 ours; pgw1/pgw2 the partners' gateways)"
labctl up "$IPSEC_TOPOLOGY" --inventory "$IPSEC_INVENTORY"
# The partner gateways' strongSwan and FRR config is theirs: written by the test files, not our modules.
# (The script travels on stdin: nodes have a private /tmp and may not see this checkout.)
for node in pgw1 pgw2; do
  /bin/sh "$PARTNER_FILES/partner-setup.sh" "$node" | labctl exec "$IPSEC_TOPOLOGY" "$node" -- /bin/sh -s
done

step "6/8 check mode: what onboarding $IPSEC_PARTNER (IPsec tunnel + BGP over it) would change"
onboard "$IPSEC_INVENTORY" "$IPSEC_PARTNER" --check --diff

step "7/8 apply: onboard $IPSEC_PARTNER (tunnel first and verified, then the BGP session)"
onboard "$IPSEC_INVENTORY" "$IPSEC_PARTNER" --diff

step "8/8 gw1: the tunnel, BGP over its inside addresses, traffic through it"
labctl exec "$IPSEC_TOPOLOGY" gw1 -- swanctl --list-sas 2>/dev/null
labctl exec "$IPSEC_TOPOLOGY" gw1 -- vtysh -c 'show bgp summary'
labctl exec "$IPSEC_TOPOLOGY" gw1 -- ping -c 3 -I 198.18.20.1 198.51.110.1
"$REPO_ROOT/scripts/demo_snmp.sh"
bash scripts/demo_vrrp.sh  # part C: a VRRP pair converged with the role, and a failover

cat <<EOM

The labs are still up. Look around with
  tests/lab/labctl status $TOPOLOGY
  tests/lab/labctl exec $TOPOLOGY edge1 -- vtysh
  tests/lab/labctl exec $IPSEC_TOPOLOGY gw1 -- swanctl --list-sas
Tear them down with
  .venv/bin/python tests/lab/labctl down $TOPOLOGY
  .venv/bin/python tests/lab/labctl down $IPSEC_TOPOLOGY
EOM

# part D: the HSM segment policy and the segmentation proof's Markdown evidence
bash scripts/demo_hsm.sh
# part E: the site lab built with playbooks/site.yml, then one edge router drained and restored with traffic (issue 11)
bash scripts/demo_site.sh
SITE_LAB=demo-site bash scripts/demo_maintenance.sh
# part F: scheduled compliance (drift, health, policy; JUnit/JSON/Markdown/HTML reports, PCI DSS, diagram) (issue 12)
bash scripts/demo_compliance.sh
