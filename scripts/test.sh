#!/usr/bin/env bash
# The whole test suite, as CI runs it (`make test`, .ci/run):
#   setup -> unit -> sanity -> lint -> molecule -> runner -> ee -> release -> docs
# Stops at the first failing stage and always prints a summary with the
# wall time of each stage.
# Usage: scripts/test.sh [stage ...]   (default: all stages, in that order)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

ALL_STAGES=(setup unit sanity lint molecule runner ee release docs)
stages=("$@")
((${#stages[@]})) || stages=("${ALL_STAGES[@]}")
for s in "${stages[@]}"; do
  [[ -f "scripts/$s.sh" ]] || die "unknown stage '$s' (stages: ${ALL_STAGES[*]})"
done

declare -A result=() took=()
failed=""
total_start=$SECONDS

summary() {
  local s overall=passed
  [[ -z "$failed" ]] || overall="FAILED at $failed"
  printf '\n==================== test summary ====================\n'
  for s in "${stages[@]}"; do
    printf '  %-10s %-10s %s\n' "$s" "${result[$s]:-not run}" "${took[$s]:+${took[$s]} s}"
  done
  printf '  %-10s %-10s %s s\n' total "$overall" "$((SECONDS - total_start))"
  printf '======================================================\n'
}
trap summary EXIT

for s in "${stages[@]}"; do
  printf '\n==================== %s ====================\n' "$s"
  start=$SECONDS
  rc=0
  bash "scripts/$s.sh" </dev/null || rc=$?
  took[$s]=$((SECONDS - start))
  if ((rc != 0)); then
    result[$s]="FAILED($rc)"
    failed=$s
    exit "$rc"
  fi
  result[$s]=passed
done
