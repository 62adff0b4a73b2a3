#!/usr/bin/env bash
# ansible-test sanity on a copy of the tree laid out as
# <tmp>/ansible_collections/paynet/netinfra (ansible-test requires that path).
#
# The copy is rsync'ed (with --delete) into a directory that is stable per
# checkout, so warm runs reuse ansible-test's per-test venvs and caches.
# No git repo is needed there: without one ansible-test lists every file
# (its "unversioned" source provider), and we copy only what belongs to the
# collection.
#
# Usage: scripts/sanity.sh [extra ansible-test sanity args, e.g. --test pep8]
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv

py_ver=$("$VBIN/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
key=$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)
work="${TMPDIR:-/tmp}/netinfra-sanity-$key"
dest="$work/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
mkdir -p "$dest"

# One sanity run per checkout at a time.
exec 9>"$work/.lock"
flock -w 1800 9 || die "another sanity run holds $work/.lock"

rsync -a --delete --delete-excluded --filter="P /tests/output/" \
  --exclude /.git/ --exclude /.venv/ --exclude /.collections/ --exclude /.ansible/ \
  --exclude /.lab/ --exclude /tests/output/ --exclude /build/ --exclude /benchmarks/results/ \
  --exclude __pycache__/ --exclude '*.pyc' --exclude .pytest_cache/ --exclude '/*.tar.gz' \
  --exclude /.cache/ --exclude /collections/ --exclude /.venv-tools/ \
  ./ "$dest/"

# Collection dependencies (galaxy.yml) must sit beside us in the same
# ansible_collections tree for the import/validate-modules tests. They come
# bundled in the `ansible` package in our venv: link them in.
"$VBIN/python" - "$work/ansible_collections" <<'PY'
import os, sys, yaml, ansible_collections
root = sys.argv[1]
bundled = [p for p in ansible_collections.__path__ if "site-packages" in p]
deps = yaml.safe_load(open("galaxy.yml")).get("dependencies") or {}
for fqcn in deps:
    ns, name = fqcn.split(".")
    src = next((os.path.join(b, ns, name) for b in bundled if os.path.isdir(os.path.join(b, ns, name))), None)
    if src is None:
        sys.exit("dependency %s not found in the venv's ansible package" % fqcn)
    dst = os.path.join(root, ns, name)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.islink(dst) and os.readlink(dst) == src:
        continue
    if os.path.lexists(dst):
        os.remove(dst)
    os.symlink(src, dst)
PY

# ansible-test bootstraps pip into its venvs with this (see scripts/setup.sh).
pipver=$("$VBIN/python" - <<'PY'
from types import SimpleNamespace
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(SimpleNamespace(version="3.12"))["pip"])
PY
)
[[ -f "$HOME/.ansible/test/cache/get_pip_${pipver//./_}.py" ]] \
  || die "missing ~/.ansible/test/cache/get_pip_${pipver//./_}.py: run 'make setup'"

# ansible-test sets up its own collection root and config; ours would only
# point it back at the checkout instead of the copy.
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_CONFIG

cd "$dest"
log "ansible-test sanity (Python $py_ver) in $dest"
start=$SECONDS
rc=0
"$VBIN/ansible-test" sanity --venv --python "$py_ver" --requirements --color no "$@" </dev/null || rc=$?
log "ansible-test sanity finished in $((SECONDS - start)) s with exit $rc"
if ((rc != 0)) && [[ -d "$dest/tests/output/bot" ]]; then
  log "details: $dest/tests/output/bot/"
fi
exit "$rc"
