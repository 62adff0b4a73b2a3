#!/usr/bin/env bash
# The sample network diagram in docs/ (docs/audit.md), drawn from the inventories/example intent alone
# (no device is contacted, so every state is "unknown"): docs/diagram-example.svg (no PNG: the SVG is the
# sample, whatever converter this machine has) and docs/diagram-example/<device>.md.
# Usage: scripts/diagram_sample.sh   (make diagram-sample)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$VBIN/ansible-playbook" -i inventories/example/hosts.yml --vault-password-file inventories/example/vault-password.txt \
  playbooks/network_diagram.yml -e diagram_live=false -e diagram_png=false -e "diagram_dest=$out" \
  -e '{"diagram_title": "paynet example estate: partner connectivity and CDE boundary (intent only)"}' >/dev/null
install -m 0644 "$out/diagram.svg" docs/diagram-example.svg
rm -rf docs/diagram-example
mkdir -p docs/diagram-example
for page in "$out"/devices/*.md; do
  install -m 0644 "$page" "docs/diagram-example/$(basename "$page")"
done
log "wrote docs/diagram-example.svg and docs/diagram-example/*.md"
