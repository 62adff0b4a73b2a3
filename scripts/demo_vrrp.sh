#!/usr/bin/env bash
# Demo part C: VRRP gateway redundancy (issue 8) on lab demo-vrrp (tests/topologies/vrrp-basic.clab.yml).
#   1. lab up   2. --check --diff   3. converge with the role (keepalived pair, FRR vrrpd pair, mixed pair)
#   4. h1: every VIP answers from its virtual MAC   5. failover: keepalived on kgw1 stops, kgw2 takes lan1
#   6. converge again (the module starts keepalived; Master returns to kgw1 after the preemption delay)
# The lab is left up; the end of the output says how to tear it down. Called by scripts/demo.sh.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

TOPOLOGY=tests/topologies/vrrp-basic.clab.yml
LAB=demo-vrrp
INVENTORY="$REPO_ROOT/.lab/$LAB.inventory.yml"
labctl() { "$VBIN/python" tests/lab/labctl "$@"; }
step() { printf '\n===== VRRP %s =====\n' "$*"; }
vault=()
[[ -f inventories/lab/vault-password.txt ]] && vault=(--vault-password-file inventories/lab/vault-password.txt)
play() { "$VBIN/ansible-playbook" playbooks/vrrp.yml -i inventories/lab/hosts.yml -i "$INVENTORY" "${vault[@]}" "$@" </dev/null; }
vips() {
  labctl exec "$TOPOLOGY" --name "$LAB" h1 -- /bin/sh -s < molecule/vrrp/files/host_check.sh
}

step "1/6 lab up: $TOPOLOGY as $LAB (kgw1/kgw2 keepalived, fgw1/fgw2 FRR vrrpd, host h1)"
mkdir -p "$(dirname "$INVENTORY")"
labctl up "$TOPOLOGY" --name "$LAB" --inventory "$INVENTORY"

step "2/6 check mode: what the role would change"
play --check --diff

step "3/6 converge: one vrrp task per gateway, then one Master per group checked"
play

step "4/6 h1: each VIP answers, from the virtual MAC 00:00:5e:00:01:<vrid> / 00:00:5e:00:02:<vrid>"
vips

step "5/6 failover: stop keepalived on kgw1 (Master of lan1); kgw2 takes over, h1 still reaches 198.18.31.1"
labctl exec "$TOPOLOGY" --name "$LAB" kgw1 -- /bin/sh -c 'kill -TERM $(cat /run/keepalived.pid)'
labctl exec "$TOPOLOGY" --name "$LAB" h1 -- ping -c 5 -i 0.2 198.18.31.1
labctl exec "$TOPOLOGY" --name "$LAB" kgw2 -- ip -br addr show dev v4-eth1-10

step "6/6 converge again: the module starts keepalived on kgw1; Master returns after the 4 s preemption delay"
play
labctl exec "$TOPOLOGY" --name "$LAB" kgw1 -- ip -br addr show dev v4-eth1-10

cat <<EOM

The VRRP lab is still up. Look around with
  tests/lab/labctl exec $TOPOLOGY --name $LAB fgw1 -- vtysh -c 'show vrrp'
Tear it down with
  .venv/bin/python tests/lab/labctl down $TOPOLOGY --name $LAB
EOM
