#!/usr/bin/env bash
# Demo part D: HSM network attachment (issue 10) on lab demo-hsm (tests/topologies/hsm-basic.clab.yml).
#   1. lab up, the HSM stand-in on hsm1 (TLS on NTLS 1792, TCP 22, snmpd 161)
#   2. the segment gateways' VRRP pair (playbooks/vrrp.yml -e vrrp_hosts=hsm_gateways)
#   3. --check --diff of the HSM policy   4. apply it (one nftables table per gateway, verified)
#   5. the segmentation proof: every source against every HSM service, counters, evidence
# Ends with the proof's Markdown evidence (the teardown hint comes before it). The lab is left up.
# Called last by scripts/demo.sh.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

TOPOLOGY=tests/topologies/hsm-basic.clab.yml
LAB=demo-hsm
INVENTORY="$REPO_ROOT/.lab/$LAB.inventory.yml"
EVIDENCE="${DEMO_HSM_EVIDENCE:-$REPO_ROOT/.lab/$LAB-evidence}"
labctl() { "$VBIN/python" tests/lab/labctl "$@"; }
step() { printf '\n===== HSM %s =====\n' "$*"; }
vault=()
[[ -f inventories/lab/vault-password.txt ]] && vault=(--vault-password-file inventories/lab/vault-password.txt)
play() {
  local book=$1
  shift
  "$VBIN/ansible-playbook" "$book" -i inventories/lab/hosts.yml -i "$INVENTORY" "${vault[@]}" "$@" </dev/null
}

step "1/5 lab up: $TOPOLOGY as $LAB (gateways hgw1/hgw2, HSM hsm1, clients app1/app2, NMS, partner, internet)"
mkdir -p "$(dirname "$INVENTORY")"
labctl up "$TOPOLOGY" --name "$LAB" --inventory "$INVENTORY"
# the node has a private /tmp (the checkout may live there): the stand-in on stdin, the appliance as JSON
appliance=$("$VBIN/python" -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))["hsm"]["segments"][0]["appliances"][0]))' \
  inventories/lab/group_vars/all/hsm.yml)
labctl exec "$TOPOLOGY" --name "$LAB" hsm1 -- python3 - start --appliance-json "$appliance" < tests/lab/hsm_standin.py

step "2/5 the segment gateways' VRRP groups (the HSM segment interface comes from them)"
play playbooks/vrrp.yml -e vrrp_hosts=hsm_gateways

step "3/5 check mode: the HSM policy each gateway would load (our table only)"
play playbooks/hsm.yml --check --diff

step "4/5 apply: one nftables table per gateway, nft -c first, atomic, read back"
play playbooks/hsm.yml
labctl exec "$TOPOLOGY" --name "$LAB" hgw1 -- nft list table inet paynet_hsm

cat <<EOM

The HSM lab stays up. Look around with
  tests/lab/labctl exec $TOPOLOGY --name $LAB hgw1 -- nft list table inet paynet_hsm
Tear it down with
  .venv/bin/python tests/lab/labctl down $TOPOLOGY --name $LAB
EOM

step "5/5 segmentation proof: listed client, NMS, unlisted client, partner and internet against every HSM service"
play playbooks/hsm_segmentation_proof.yml -e "hsm_evidence_dir=$EVIDENCE"
printf '\n----- the evidence, %s -----\n' "$EVIDENCE/latest.md"
cat "$EVIDENCE/latest.md"
