# shellcheck shell=bash
# Common environment for every scripts/*.sh. Source it; do not execute it.
# Everything runs from the repo root with the repo's own venv and collection
# tree, never from whatever a user has under ~/.ansible.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
VENV="$REPO_ROOT/.venv"
VBIN="$VENV/bin"
export REPO_ROOT VENV VBIN

# Our collection is found through .collections/ansible_collections/paynet/netinfra
# (a symlink to the repo root, created by scripts/setup.sh); the collections
# bundled in the `ansible` package (ansible.netcommon, ansible.utils, ...) are
# found through the venv's site-packages.
export ANSIBLE_COLLECTIONS_PATH="$REPO_ROOT/.collections"
# Keep Ansible's (and molecule's) state inside the repo (gitignored), so a
# stale copy of the collection under ~/.ansible never shadows the tree.
export ANSIBLE_HOME="$REPO_ROOT/.ansible"
export ANSIBLE_CONFIG="$REPO_ROOT/ansible.cfg"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PYTHONDONTWRITEBYTECODE=1
# Tools spawned by our tools (molecule -> ansible-playbook, ...) must come
# from the venv too.
export PATH="$VBIN:$PATH"
export COLLECTION_NAMESPACE=paynet COLLECTION_NAME=netinfra

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

require_venv() {
  [[ -x "$VBIN/python" ]] || die "no venv at $VENV: run 'make setup' (scripts/setup.sh) first"
}

# A copy of this collection installed under $ANSIBLE_HOME/collections (molecule and ansible-lint
# install one) would shadow the tree under test, e.g. hide a module added since: remove it.
remove_stale_collection_copy() {
  local stale="$ANSIBLE_HOME/collections/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
  if [[ -e "$stale" || -L "$stale" ]]; then
    log "removing stale installed copy $stale"
    rm -rf "$stale"
  fi
}
