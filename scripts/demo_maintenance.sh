#!/usr/bin/env bash
# Demo: drain and restore one edge router of the site lab (tests/topologies/site-dc.clab.yml) with traffic
# running, printing the loss (docs/operations.md "Maintenance"). A ping every 20 ms from the partner prefix on
# stp1 (sitebank) to the core host stcore1 crosses the partner link, an edge router and the VRRP gateway.
#   1. the site lab (lab $SITE_LAB, default site-dev): brought up and built with site.yml when it is not up
#   2. drain ste1 --check (gates now, what would happen)   3. drain with the flood   4. restore with the flood
# Called by scripts/demo.sh after the site part; the lab is left up.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

TOPOLOGY=tests/topologies/site-dc.clab.yml
LAB=${SITE_LAB:-site-dev}
INVENTORY="$REPO_ROOT/.lab/$LAB/inventory.yml"
DEVICE=${MAINT_DEVICE:-ste1}
labctl() { "$VBIN/python" tests/lab/labctl "$@"; }
step() { printf '\n===== maintenance %s =====\n' "$*"; }
export ANSIBLE_VAULT_PASSWORD_FILE="$REPO_ROOT/inventories/lab/vault-password.txt" NETINFRA_LAB_NAME="$LAB" \
  NETINFRA_LAB_INVENTORY="$INVENTORY"
play() { "$VBIN/ansible-playbook" -i inventories/lab/hosts.yml -i "$INVENTORY" "$@" </dev/null; }
flood() { labctl exec "$TOPOLOGY" --name "$LAB" stp1 -- /bin/sh -s -- "$@" < molecule/maintenance/files/flood.sh; }

step "1/4 the site lab $LAB"
if ! labctl status "$TOPOLOGY" --name "$LAB" >/dev/null 2>&1; then
  mkdir -p "$(dirname "$INVENTORY")"
  play tests/lab/site-up.yml
  play playbooks/site.yml
fi

step "2/4 drain $DEVICE --check: the gates now and what would happen (nothing changes)"
play playbooks/maintenance.yml -e device="$DEVICE" -e action=drain --check --diff | grep -E '"msg"|^[+-] ' || true

for action in drain restore; do
  step "$([[ $action == drain ]] && echo 3 || echo 4)/4 $action $DEVICE with a ping every 20 ms from 198.51.140.1 (stp1) to 198.18.90.20 (stcore1)"
  flood start 198.51.140.1 198.18.90.20
  start=$(date +%s.%N)
  rc=0
  play playbooks/maintenance.yml -e device="$DEVICE" -e action="$action" | grep -E '"msg"' || rc=$?
  end=$(date +%s.%N)
  summary=$(flood stop)
  printf '%s of %s: %.1f s; flood: %s\n' "$action" "$DEVICE" "$(echo "$end - $start" | bc)" "$summary"
  [[ $rc -eq 0 ]] || { echo "the $action did not complete (see above)" >&2; exit 1; }
done
