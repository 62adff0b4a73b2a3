#!/usr/bin/env bash
# The execution environment (CI stage `ee`), without a container engine:
#  1. ansible-builder create from meta/execution-environment.yml (v3) into build/ee: the definition
#     parses and its requirement files are found; the context carries exactly our runtime
#     requirements and bindep;
#  2. ansible-builder introspect on the collection as an EE that merely includes it would see it
#     (installed from collections/requirements.yml, i.e. from the built collection): it must yield
#     requirements-runtime.txt and bindep.txt, nothing from the test tooling.
# Building the image (`ansible-builder build`, podman/docker) is not part of CI.
# Usage: scripts/ee.sh
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv
TOOLS="$REPO_ROOT/.venv-tools/bin"
[[ -x "$TOOLS/ansible-builder" ]] || die "ansible-builder missing: run 'make setup' (.venv-tools)"

for f in requirements-runtime.txt bindep.txt; do
  cmp -s "$f" "meta/$f" || die "meta/$f differs from $f (ansible-builder reads one from each place): cp $f meta/$f"
done

ctx="$REPO_ROOT/build/ee"
rm -rf "$ctx"
log "ansible-builder $("$TOOLS/ansible-builder" --version) create -f meta/execution-environment.yml -c build/ee"
"$TOOLS/ansible-builder" create -f meta/execution-environment.yml -c "$ctx" --output-filename Containerfile -v 2 </dev/null
for f in Containerfile _build/requirements.txt _build/bindep.txt _build/requirements.yml; do
  [[ -s "$ctx/$f" && ! -L "$ctx/$f" ]] || die "build context lacks $f"
done
cmp -s requirements-runtime.txt "$ctx/_build/requirements.txt" || die "the context's requirements.txt is not requirements-runtime.txt"
cmp -s bindep.txt "$ctx/_build/bindep.txt" || die "the context's bindep.txt is not ours"
grep -q 'ansible-core==2.21.5' "$ctx/Containerfile" || die "Containerfile does not install the tested ansible-core"
grep -Eq '^ansible-core==2\.21\.5$' constraints.txt || die "meta/execution-environment.yml pins ansible-core 2.21.5, constraints.txt does not"

work=$(mktemp -d "${TMPDIR:-/tmp}/netinfra-ee.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "introspect: paynet.netinfra installed from collections/requirements.yml"
ANSIBLE_HOME="$work/home" "$VBIN/ansible-galaxy" collection install -r collections/requirements.yml \
  -p "$work/collections" --offline --no-deps --force >/dev/null </dev/null
"$TOOLS/ansible-builder" introspect --sanitize "$work/collections" </dev/null | tee "$work/introspect.txt"
"$TOOLS/python" - "$work/introspect.txt" <<'PY'
import sys, yaml
data = yaml.safe_load(open(sys.argv[1]))
py = " ".join(data.get("python") or [])
system = " ".join(data.get("system") or [])
need_py = ["ansible-pylibssh", "netaddr"]
need_sys = ["openssh-client", "libssh"]
missing = [x for x in need_py if x not in py] + [x for x in need_sys if x not in system]
tooling = [x for x in ("pytest", "molecule", "ansible-lint", "antsibull", "galaxy-importer") if x in py]
if missing or tooling:
    sys.exit("introspection of paynet.netinfra: missing %s, test tooling %s" % (missing, tooling))
print("introspect: python %s; system %s" % (data["python"], data["system"]))
PY
log "ee: passed"
