#!/usr/bin/env bash
# Molecule scenarios (molecule/<name>/molecule.yml), run on the namespace lab.
#
# MOLECULE_SCENARIOS="a b"  runs only those scenarios (in that order);
# unset/empty runs every scenario found under molecule/.
# While molecule/ holds no scenario yet this says so and succeeds.
# Usage: scripts/molecule.sh [extra `molecule test` args]
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

mapfile -t found < <(find molecule -mindepth 2 -maxdepth 2 -name molecule.yml 2>/dev/null \
                     | awk -F/ '{print $2}' | sort)
read -r -a wanted <<<"${MOLECULE_SCENARIOS:-}"
if ((${#wanted[@]} == 0)); then
  if ((${#found[@]} == 0)); then
    log "molecule: no scenarios under molecule/ yet - nothing to run"
    exit 0
  fi
  wanted=("${found[@]}")
else
  for s in "${wanted[@]}"; do
    [[ -f "molecule/$s/molecule.yml" ]] || die "MOLECULE_SCENARIOS: no scenario molecule/$s (found: ${found[*]:-none})"
  done
fi

remove_stale_collection_copy

log "molecule test: ${wanted[*]}"
args=()
for s in "${wanted[@]}"; do args+=(-s "$s"); done
exec "$VBIN/molecule" test "${args[@]}" "$@" </dev/null
