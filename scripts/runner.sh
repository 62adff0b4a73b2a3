#!/usr/bin/env bash
# AWX/AAP as code, run for real: playbooks through ansible-runner on a private data directory laid
# out as AWX lays it out (tests/integration/test_awx_runner.py), against one namespace lab
# (bgp-basic as lab "awx-runner", up once and torn down at the end, verified clean); and the HSM
# segmentation proof's pass and fail paths (tests/integration/test_hsm_proof.py, lab hsmP-it).
# Usage: scripts/runner.sh [extra pytest args]
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv
[[ $EUID -eq 0 ]] || die "the namespace lab needs root"
[[ -x "$VBIN/ansible-runner" ]] || die "ansible-runner missing from $VENV: run 'make setup'"
log "pytest tests/integration/test_awx_runner.py (lab awx-runner), test_hsm_proof.py (lab hsmP-it)"
"$VBIN/python" -m pytest tests/integration/test_awx_runner.py tests/integration/test_hsm_proof.py -q -p no:cacheprovider -p no:pytest-ansible \
  -rA "$@" </dev/null
