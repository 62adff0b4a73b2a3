#!/usr/bin/env bash
# Demo part E: the site lab (issue 11, docs/operations.md) built by playbooks/site.yml, on lab demo-site
# (tests/topologies/site-dc.clab.yml):
#   1. lab up (tests/lab/site-up.yml: partner router, partner gateway, NMS, HSM stand-in)
#   2. site.yml --check --diff: the whole build, nothing changed   3. site.yml: the build-out, verified stage by stage
#   4. site.yml again: changed=0   5. the partners' view: BGP sessions and tunnels, traffic from their prefixes
#   6. backup.yml to .lab/demo-site-backups
# The lab is left up (the maintenance drain/restore of PART B continues on it); the end says how to tear it down.
# Called by scripts/demo.sh.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

TOPOLOGY=tests/topologies/site-dc.clab.yml
LAB=demo-site
INVENTORY="$REPO_ROOT/.lab/$LAB/inventory.yml"
export NETINFRA_LAB_NAME=$LAB NETINFRA_LAB_INVENTORY=$INVENTORY
labctl() { "$VBIN/python" tests/lab/labctl "$@"; }
step() { printf '\n===== SITE %s =====\n' "$*"; }
vault=()
[[ -f inventories/lab/vault-password.txt ]] && vault=(--vault-password-file inventories/lab/vault-password.txt)
play() { "$VBIN/ansible-playbook" -i inventories/lab/hosts.yml -i "$INVENTORY" "${vault[@]}" "$@" </dev/null; }
on() { labctl exec "$TOPOLOGY" --name "$LAB" "$@"; }

step "1/6 lab up: $TOPOLOGY as $LAB (edges ste1/ste2, VPN stv1/stv2, HSM gateways sth1/sth2, partners stp1/stpgw1)"
mkdir -p "$(dirname "$INVENTORY")"
play tests/lab/site-up.yml

step "2/6 site.yml --check --diff on the empty site: the whole build, nothing changed"
play playbooks/site.yml --check --diff | tail -n 30

step "3/6 site.yml: validate -> VRRP -> HSM -> IPsec -> BGP -> SNMP, each stage verified"
time play playbooks/site.yml

step "4/6 site.yml again: changed=0"
time play playbooks/site.yml | tail -n 12

step "5/6 the partners' view: sessions to both edges, tunnels to both VPN gateways, traffic from their prefixes"
on stp1 -- vtysh -c 'show bgp summary' | grep -E '^Neighbor|^198\.18\.96'
on stpgw1 -- vtysh -c 'show bgp summary' | grep -E '^Neighbor|^169\.254\.41'
on stpgw1 -- swanctl --list-sas | grep -E 'ESTABLISHED|INSTALLED'
on stp1 -- ping -c 3 -i 0.2 -I 198.51.140.1 198.18.90.20 | tail -n 2
on stpgw1 -- ping -c 3 -i 0.2 -I 198.51.141.1 198.18.90.20 | tail -n 2

step "6/6 backup.yml: every feature's running config, secrets masked, 0700/0600"
play playbooks/backup.yml -e "netinfra_backup_dir=$REPO_ROOT/.lab/demo-site-backups" | tail -n 9
find "$REPO_ROOT/.lab/demo-site-backups" -maxdepth 2 -printf '%m %P\n' | sort | head -n 10

cat <<EOM

The site lab $LAB is still up. Look around with
  tests/lab/labctl exec $TOPOLOGY --name $LAB stp1 -- vtysh -c 'show bgp ipv4'
Tear it down with
  .venv/bin/python tests/lab/labctl down $TOPOLOGY --name $LAB
EOM
