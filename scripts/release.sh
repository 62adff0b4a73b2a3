#!/usr/bin/env bash
# The release as Galaxy/Automation Hub receives it (CI stage `release`):
#  1. changelog lint: the fragments and changelogs/changelog.yaml (antsibull-changelog);
#  2. build the tarball (ansible-galaxy collection build) into build/release/ and list it: the
#     tarball tests of tests/unit/test_release.py (nothing of tests/lab/molecule/benchmarks/vault
#     passwords/keys/tooling in it; every module, role README, doc in it);
#  3. galaxy-importer (from .venv-tools) on that tarball, with ansible-lint on.
#
# galaxy-importer requires galaxy.yml's `repository`, which galaxy.yml leaves out because this
# collection has no public repository. The tarball handed to the importer (and the one you publish)
# is built with repository = $NETINFRA_REPOSITORY, or by default the URL of this checkout's git
# remote `origin` (a file:// URL when origin is a local path, as in CI). Nothing else differs from
# the plain build that step 2 lists.
#
# Cut a release (the lead, after merging): see docs/release.md.
# Usage: scripts/release.sh
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv
TOOLS="$REPO_ROOT/.venv-tools/bin"
[[ -x "$TOOLS/python" ]] || die "no release tools venv at .venv-tools: run 'make setup'"
OUT="$REPO_ROOT/build/release"

log "antsibull-changelog lint (fragments) and lint-changelog-yaml"
"$VBIN/antsibull-changelog" lint
"$VBIN/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml

log "tarball: build and list (tests/unit/test_release.py)"
"$VBIN/python" -m pytest tests/unit/test_release.py -q --ansible-unit-inject-only -p no:cacheprovider </dev/null

repository=${NETINFRA_REPOSITORY:-}
if [[ -z "$repository" ]]; then
  origin=$(git remote get-url origin 2>/dev/null || true)
  if [[ "$origin" =~ ^(https?|ssh|git)://|^[^/]+@[^/]+: ]]; then
    repository=$origin
  else
    repository="file://$(cd "${origin:-$REPO_ROOT}" 2>/dev/null && pwd -P || echo "$REPO_ROOT")"
  fi
fi
version=$(sed -n 's/^version: *//p' galaxy.yml)
log "tarball for publication: version $version, repository $repository"
stage=$(mktemp -d "${TMPDIR:-/tmp}/netinfra-release.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# the collection's own files as ansible-galaxy would build them (build_ignore still applies)
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [[ -f "$f" ]] || continue
  mkdir -p "$stage/src/$(dirname "$f")"
  cp -p "$f" "$stage/src/$f"
done
printf 'repository: %s\n' "$repository" >>"$stage/src/galaxy.yml"
rm -rf "$OUT"
mkdir -p "$OUT"
"$VBIN/ansible-galaxy" collection build "$stage/src" --output-path "$OUT" >/dev/null
tarball="$OUT/paynet-netinfra-$version.tar.gz"
[[ -f "$tarball" ]] || die "ansible-galaxy built no $tarball"
log "$(tar -tzf "$tarball" | wc -l) entries in $tarball"

log "galaxy-importer $("$TOOLS/python" -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))') on $tarball"
cfg="$stage/galaxy-importer.cfg"
cat >"$cfg" <<'CFG'
[galaxy-importer]
LOG_LEVEL_MAIN = INFO
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = True
RUN_FLAKE8 = False
CFG
rc=0
# (in $stage: the importer writes importer_result.json into its working directory)
(cd "$stage" && GALAXY_IMPORTER_CONFIG="$cfg" PATH="$TOOLS:$PATH" "$TOOLS/python" -m galaxy_importer.main "$tarball" \
  >"$stage/importer.log" 2>&1 </dev/null) || rc=$?
cat "$stage/importer.log"
((rc == 0)) || die "galaxy-importer failed (exit $rc)"
grep -q "Importer processing completed successfully" "$stage/importer.log" || die "galaxy-importer did not complete"
# One known, accepted warning: the importer's own ansible-lint (no config of ours) only knows
# ansible-core 2.15-2.19 as supported; meta/runtime.yml claims 2.21, what CI tests (see its comment).
ACCEPTED='meta-runtime\[unsupported-version\]'
if grep -E '^(ERROR|WARNING)' "$stage/importer.log" | grep -Ev "$ACCEPTED"; then
  die "galaxy-importer reported the errors/warnings above"
fi
log "galaxy-importer: passed"
