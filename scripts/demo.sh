#!/usr/bin/env bash
# Demo: onboard partner acme_bank on the bgp-basic lab.
#   1. bring the namespace lab up (tests/lab/labctl, idempotent)
#   2. partner_onboard.yml in --check --diff (predicts the change, touches nothing)
#   3. partner_onboard.yml for real
#   4. show bgp summary on edge1
# The lab is left up; the end of the output says how to tear it down.
# Usage: scripts/demo.sh   (after scripts/setup.sh; `make demo` does both)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

TOPOLOGY="${DEMO_TOPOLOGY:-tests/topologies/bgp-basic.clab.yml}"
PARTNER="${DEMO_PARTNER:-acme_bank}"
LAB_INVENTORY="$REPO_ROOT/.lab/$(basename "$TOPOLOGY" .clab.yml).inventory.yml"
labctl() { "$VBIN/python" tests/lab/labctl "$@"; }

for f in tests/lab/labctl "$TOPOLOGY" playbooks/partner_onboard.yml; do
  [[ -e "$f" ]] || die "demo needs $f, which does not exist yet"
done

step() { printf '\n===== %s =====\n' "$*"; }

step "1/4 lab up: $TOPOLOGY"
mkdir -p "$(dirname "$LAB_INVENTORY")"
labctl up "$TOPOLOGY" --inventory "$LAB_INVENTORY"
# The partner's side is the partner's business: load its own FRR config (not through our modules).
for node in p1 p2; do
  labctl exec "$TOPOLOGY" "$node" -- vtysh -f /dev/stdin < "molecule/bgp_peering/files/$node.frr.conf" >/dev/null
done

# Intent (group_vars, partners) from inventories/lab, connection details
# (management addresses, key) from the inventory the lab driver wrote.
inv=(-i inventories/lab/hosts.yml -i "$LAB_INVENTORY")
vault=()
[[ -f inventories/lab/vault-password.txt ]] && vault=(--vault-password-file inventories/lab/vault-password.txt)
play=("$VBIN/ansible-playbook" playbooks/partner_onboard.yml "${inv[@]}" "${vault[@]}" -e "partner=$PARTNER")

step "2/4 check mode: what onboarding $PARTNER would change"
"${play[@]}" --check --diff </dev/null

step "3/4 apply: onboard $PARTNER"
"${play[@]}" --diff </dev/null

step "4/4 edge1: show bgp summary"
labctl exec "$TOPOLOGY" edge1 -- vtysh -c 'show bgp summary'

cat <<EOM

The lab is still up. Look around with
  tests/lab/labctl status $TOPOLOGY
  tests/lab/labctl exec $TOPOLOGY edge1 -- vtysh
Tear it down with
  .venv/bin/python tests/lab/labctl down $TOPOLOGY
EOM
