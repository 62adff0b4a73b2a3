#!/usr/bin/env bash
# Demo part E: scheduled compliance (issue 12) on lab cmp-demo (tests/topologies/compliance.clab.yml).
#   1. lab up, partners p1/p2 configured by the test   2. converge every feature (BGP, VRRP, HSM table, SNMP)
#   3. compliance check: all green, reports written    4. drift by hand (prefix-list line, keepalived priority,
#   nftables rule, v2c community)   5. compliance check: fails with the drift and its remediation
#   6. a real run fixes it   7. compliance check: green again (each check says since when)
# The lab is left up; the end of the output says how to tear it down. Called by scripts/demo.sh.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

TOPOLOGY=tests/topologies/compliance.clab.yml
LAB=cmp-demo
INVENTORY="$REPO_ROOT/.lab/$LAB.inventory.yml"
REPORTS="$REPO_ROOT/.lab/$LAB-reports"
labctl() { "$VBIN/python" tests/lab/labctl "$@"; }
step() { printf '\n===== compliance %s =====\n' "$*"; }
vault=()
[[ -f inventories/lab/vault-password.txt ]] && vault=(--vault-password-file inventories/lab/vault-password.txt)
# the network diagram plugin comes with the audit/diagram work; without it the report simply has no diagram
diagram=false
[[ -f plugins/action/network_diagram.py ]] && diagram=true
check() {
  "$VBIN/ansible-playbook" playbooks/compliance_check.yml -i inventories/lab/hosts.yml -i "$INVENTORY" "${vault[@]}" \
    -e compliance_hosts=edge1:hgw1:hgw2:sgw1 -e "compliance_report_dir=$REPORTS" -e "compliance_diagram=$diagram" \
    "$@" </dev/null
}
converge() {
  "$VBIN/ansible-playbook" molecule/compliance/converge.yml -i inventories/lab/hosts.yml -i "$INVENTORY" "${vault[@]}" </dev/null
}

step "1/7 lab up: $TOPOLOGY as $LAB (edge1 + partners p1/p2, hgw1/hgw2 keepalived + nftables, sgw1 snmpd)"
mkdir -p "$(dirname "$INVENTORY")"
labctl up "$TOPOLOGY" --name "$LAB" --inventory "$INVENTORY"
for node in p1 p2; do
  labctl exec "$TOPOLOGY" --name "$LAB" "$node" -- vtysh -f /dev/stdin < "molecule/bgp_peering/files/$node.frr.conf" >/dev/null
done

step "2/7 converge every feature with the roles"
converge

step "3/7 compliance check on the converged lab: all green"
check
sed -n '1,/^## Failures/p' "$REPORTS/latest.md"

step "4/7 drift by hand: prefix-list line on edge1, keepalived priority and an nftables rule on hgw1, v2c on sgw1"
for node in edge1 hgw1 sgw1; do
  { echo "NODE=$node"; cat molecule/compliance/files/drift.sh; } | labctl exec "$TOPOLOGY" --name "$LAB" "$node" -- /bin/sh -s
done

step "5/7 compliance check: fails (non-zero) with the drift, the lines and the remediation"
if check; then echo "UNEXPECTED: the check passed on a drifted lab" >&2; exit 1; fi
sed -n '/^## Failures/,/^## Waived/p' "$REPORTS/latest.md"

step "6/7 a real run fixes the drift"
converge

step "7/7 compliance check: green again"
check
sed -n '1,/^## Failures/p' "$REPORTS/latest.md"

cat <<EOM

Reports (JUnit, JSON + schema, Markdown, HTML; latest.* and one set per run): $REPORTS
The lab is still up. Tear it down with
  .venv/bin/python tests/lab/labctl down $TOPOLOGY --name $LAB
EOM
