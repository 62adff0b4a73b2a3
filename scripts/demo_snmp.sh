#!/usr/bin/env bash
# Demo, SNMP part (issue 9), called by scripts/demo.sh:
#   1. lab up (snmp-basic: sedge1 FRR + BGP to sp1, sgw1, the NMS snms1) and the NMS's own snmptrapd/clients
#   2. --check --diff of playbooks/snmp.yml (keys masked)   3. apply   4. from the NMS with net-snmp's clients:
#      an authPriv get of sysName and a BGP4-MIB bgpPeerTable walk (served by FRR through AgentX)
# The lab is left up; the end says how to tear it down.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

TOPOLOGY="tests/topologies/snmp-basic.clab.yml"
LAB="${DEMO_SNMP_LAB:-demo-snmp}"
INVENTORY="$REPO_ROOT/.lab/$LAB/inventory.yml"
labctl() { "$VBIN/python" tests/lab/labctl "$@"; }
step() { printf '\n===== %s =====\n' "$*"; }
vault=()
[[ -f inventories/lab/vault-password.txt ]] && vault=(--vault-password-file inventories/lab/vault-password.txt)
play() { "$VBIN/ansible-playbook" -i inventories/lab/hosts.yml -i "$INVENTORY" "${vault[@]}" "$@" </dev/null; }

step "SNMP 1/4 lab up: $TOPOLOGY (the NMS's snmptrapd and client identities are the test's own)"
# molecule/snmp/create.yml brings the lab up and sets up the NMS (keys from the vault, on stdin)
MOLECULE_PROJECT_DIRECTORY="$REPO_ROOT" NETINFRA_LAB_TOPOLOGY="$REPO_ROOT/$TOPOLOGY" NETINFRA_LAB_NAME="$LAB" \
  NETINFRA_LAB_INVENTORY="$INVENTORY" play molecule/snmp/create.yml

step "SNMP 2/4 check mode: what the SNMPv3 agents would change (keys masked)"
play playbooks/snmp.yml --check --diff

step "SNMP 3/4 apply: snmpd on sedge1 and sgw1, BGP4-MIB via AgentX on sedge1 (bgpd/zebra restart allowed in the lab)"
play playbooks/snmp.yml --diff

step "SNMP 4/4 from the NMS (net-snmp's snmpget/snmpwalk, authPriv SHA-512/AES-256): sysName, then bgpPeerTable"
for agent in 198.18.62.1 198.18.62.2; do
  labctl exec "$TOPOLOGY" --name "$LAB" snms1 -- env SNMPCONFPATH=/root/snmp/nms snmpget -On "$agent" .1.3.6.1.2.1.1.5.0
done
# FRR's bgpd was just restarted to load its snmp module: wait (up to 90 s) until the session is
# Established again, as the NMS sees it (bgpPeerState 6), so the walk shows the steady state.
for _ in $(seq 90); do
  labctl exec "$TOPOLOGY" --name "$LAB" snms1 -- env SNMPCONFPATH=/root/snmp/nms snmpwalk -On -Oqv 198.18.62.1 \
    .1.3.6.1.2.1.15.3.1.2 2>/dev/null | grep -qx 6 && break
  sleep 1
done
# bgpPeerState (.2: 6 = established), bgpPeerRemoteAs (.9), bgpPeerRemoteAddr (.7) of every session of sedge1
for column in 2 7 9; do
  labctl exec "$TOPOLOGY" --name "$LAB" snms1 -- env SNMPCONFPATH=/root/snmp/nms snmpwalk -On 198.18.62.1 ".1.3.6.1.2.1.15.3.1.$column"
done

cat <<EOM

The SNMP lab is still up. Poll it from the NMS with
  .venv/bin/python tests/lab/labctl exec $TOPOLOGY --name $LAB snms1 -- env SNMPCONFPATH=/root/snmp/nms snmpwalk -On 198.18.62.1 .1.3.6.1.2.1.15.3
Tear it down with
  .venv/bin/python tests/lab/labctl down $TOPOLOGY --name $LAB
EOM
