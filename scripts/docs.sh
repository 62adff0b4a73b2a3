#!/usr/bin/env bash
# The documentation site (CI stage `docs`):
#  1. antsibull-docs lint-collection-docs --plugin-docs: every plugin's, module's and role's docs;
#  2. the site: antsibull-docs sphinx-init + collection (plugin, module and role pages from the
#     code) and the guides, i.e. every docs/*.md (intent, each feature, operations, compliance,
#     AWX, ...) plus README.md and CHANGELOG.md, rendered by Sphinx with myst-parser, warnings as
#     errors, into build/docs/build/html. CI has no network: intersphinx is off and the few labels
#     of Ansible's own docs that the generated pages use link to docs.ansible.com directly.
# Tools come from .venv-tools (antsibull-docs, Sphinx, myst-parser).
# Usage: scripts/docs.sh
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
require_venv
TOOLS="$REPO_ROOT/.venv-tools/bin"
[[ -x "$TOOLS/antsibull-docs" && -x "$TOOLS/sphinx-build" ]] || die "antsibull-docs/Sphinx missing: run 'make setup' (.venv-tools)"
# antsibull-docs runs ansible-doc: the project's (collection found through .collections)
export PATH="$VBIN:$TOOLS:$PATH"

log "antsibull-docs lint-collection-docs --plugin-docs"
"$TOOLS/antsibull-docs" lint-collection-docs --plugin-docs . </dev/null

site="$REPO_ROOT/build/docs"
rm -rf "$site"
mkdir -p "$site"
chmod 0755 "$site"
log "antsibull-docs sphinx-init + collection -> $site"
"$TOOLS/antsibull-docs" sphinx-init --use-current --dest-dir "$site" --fail-on-error --sphinx-theme alabaster \
  --project paynet.netinfra --title paynet.netinfra --copyright "PayNet Network Engineering" paynet.netinfra >/dev/null </dev/null
mkdir -p "$site/rst"
chmod og-w "$site/rst"
(cd "$site" && "$TOOLS/antsibull-docs" --config-file antsibull-docs.cfg collection --cleanup everything \
  --fail-on-error --use-current --dest-dir rst paynet.netinfra </dev/null)

# The guides: every Markdown file in docs/ (so a feature's docs/<feature>.md is picked up), README, CHANGELOG.
guides="$site/rst/guides"
mkdir -p "$guides"
cp docs/*.md "$guides/"
# images the guides show (docs/audit.md: the sample network diagram)
cp docs/*.svg "$guides/" 2>/dev/null || true
# README's links into docs/ point at the sibling guides in the site
sed -E 's#\]\(docs/([A-Za-z0-9_-]+\.md)#](\1#g' README.md >"$guides/readme.md"
cp CHANGELOG.md "$guides/changelog.md"
{
  printf 'Guides\n======\n\n.. toctree::\n   :maxdepth: 1\n\n   readme\n'
  for f in docs/*.md; do printf '   %s\n' "$(basename "$f" .md)"; done
  printf '   changelog\n'
} >"$guides/index.rst"
printf '\n.. toctree::\n   :maxdepth: 1\n   :caption: Guides\n\n   guides/index\n' >>"$site/rst/index.rst"

cat >>"$site/conf.py" <<'PY'

# --- paynet.netinfra (scripts/docs.sh) ------------------------------------------------------------
# Markdown guides; links between them (docs/intent.md, README.md) are plain links, not Sphinx refs.
extensions.append("myst_parser")
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_heading_anchors = 3
# unlabelled code blocks in the guides (tables of fields, shell output) are not YAML: no highlighting error
suppress_warnings = ["myst.xref_missing", "myst.header", "misc.highlighting_failure"]
# CI has no network: no intersphinx inventories; the labels of Ansible's docs that the generated
# plugin pages use are resolved to docs.ansible.com here.
intersphinx_mapping = {}
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/latest/"
ANSIBLE_LABELS = {
    "action_plugins": "plugins/action.html",
    "callback_plugins": "plugins/callback.html",
    "common_return_values": "reference_appendices/common_return_values.html",
    "ansible_configuration_settings": "reference_appendices/config.html",
}


def _ansible_label(app, env, node, contnode):
    if node.get("reftype") == "ref" and node.get("reftarget") in ANSIBLE_LABELS:
        from docutils import nodes
        ref = nodes.reference("", "", internal=False, refuri=ANSIBLE_DOCS + ANSIBLE_LABELS[node["reftarget"]])
        ref += contnode
        return ref
    return None


def setup(app):
    app.connect("missing-reference", _ansible_label)
PY

log "sphinx-build (warnings are errors)"
"$TOOLS/sphinx-build" -M html "$site/rst" "$site/build" -c "$site" -W --keep-going -q </dev/null
html="$site/build/html"
for page in index.html collections/paynet/netinfra/index.html guides/index.html guides/awx.html; do
  [[ -s "$html/$page" ]] || die "the site lacks $page"
done
for f in docs/*.md; do
  [[ -s "$html/guides/$(basename "$f" .md).html" ]] || die "guide $f is not in the site"
done
for m in plugins/modules/*.py; do
  m=$(basename "$m" .py)
  [[ -s "$html/collections/paynet/netinfra/${m}_module.html" ]] || die "module $m has no page"
done
for r in roles/*/; do
  r=$(basename "$r")
  [[ -s "$html/collections/paynet/netinfra/${r}_role.html" ]] || die "role $r has no page"
done
log "docs: site in $html ($(find "$html" -name '*.html' | wc -l) pages)"
