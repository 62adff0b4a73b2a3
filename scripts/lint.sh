#!/usr/bin/env bash
# ansible-lint --profile production over the whole repo (config: .ansible-lint),
# plus an antsibull-changelog lint of changelogs/fragments.
# Usage: scripts/lint.sh [extra ansible-lint args]
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv
remove_stale_collection_copy

rc=0
log "antsibull-changelog lint"
"$VBIN/antsibull-changelog" lint || rc=$?
log "ansible-lint --profile production"
"$VBIN/ansible-lint" --profile production --nocolor "$@" </dev/null || rc=$?
exit "$rc"
