#!/usr/bin/env bash
# Unit tests: pytest tests/unit (model, validation, renderers, parsers, ...).
#
# --ansible-unit-inject-only: pytest-ansible would otherwise build a
# collections/ansible_collections/paynet/netinfra symlink tree inside the
# checkout; instead it only injects ANSIBLE_COLLECTIONS_PATH (.collections,
# whose paynet/netinfra is a symlink to this checkout; see scripts/setup.sh).
#
# pytest exit 5 ("no tests collected"): when tests/unit holds no test files
# yet we say so loudly and succeed; when test files exist but nothing was
# collected, that is a failure.
# Usage: scripts/unit.sh [extra pytest args]
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv
[[ -L "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME" ]] \
  || die "collection path missing: run 'make setup'"

UNIT_DIR=tests/unit
ntests=0
if [[ -d "$UNIT_DIR" ]]; then
  ntests=$(find "$UNIT_DIR" -type f \( -name 'test_*.py' -o -name '*_test.py' \) | wc -l)
fi
if ((ntests == 0)); then
  log "SKIPPED: no unit test files (test_*.py, *_test.py) under $UNIT_DIR yet"
  exit 0
fi

log "pytest $UNIT_DIR ($ntests test file(s))"
rc=0
"$VBIN/python" -m pytest "$UNIT_DIR" -q --ansible-unit-inject-only \
  -p no:cacheprovider "$@" </dev/null || rc=$?
if ((rc == 5)); then
  die "pytest collected no tests although $UNIT_DIR has $ntests test file(s): check names/markers/-k"
fi
exit "$rc"
