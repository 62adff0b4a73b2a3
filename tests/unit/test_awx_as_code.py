"""AWX/AAP as code (awx/netinfra.yml, applied by awx/configure.yml): every reference resolves.

Playbooks exist in the project, credentials and their types exist, survey variables are the ones the
playbook reads, the schedule's rrule is a nightly RFC 5545 rule on a template that exists, and the
workflow runs validate -> check -> approval -> apply -> compliance.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DATA = yaml.safe_load((REPO / "awx" / "netinfra.yml").read_text())
CONFIGURE = yaml.safe_load((REPO / "awx" / "configure.yml").read_text())
BUILTIN_CREDENTIAL_TYPES = {"Machine", "Vault", "Source Control", "Network"}
TEMPLATES = {t["name"]: t for t in DATA["netinfra_awx_job_templates"]}
WORKFLOWS = {w["name"]: w for w in DATA["netinfra_awx_workflows"]}


def render(value: str) -> str:
    """The few {{ var }} references to this file's own top-level variables."""
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(DATA.get(m.group(1), m.group(0))), value)


def names(key: str) -> set[str]:
    return {item["name"] for item in DATA.get(key, [])}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_job_template_references_exist(template):
    t = TEMPLATES[template]
    assert (REPO / t["playbook"]).is_file(), "%s: playbook %s is not in the project" % (template, t["playbook"])
    assert t["inventory"] in names("netinfra_awx_inventories"), "%s: unknown inventory %s" % (template, t["inventory"])
    assert t["project"] in names("netinfra_awx_projects"), "%s: unknown project %s" % (template, t["project"])
    unknown = set(t["credentials"]) - names("netinfra_awx_credentials")
    assert not unknown, "%s: unknown credentials %s" % (template, unknown)
    assert t["job_type"] in ("run", "check")
    # a template that changes devices needs the devices' credential and the vault
    if "partner_onboard" in t["playbook"]:
        assert {"netinfra devices (ssh)", "netinfra vault"} <= set(t["credentials"])


def test_compliance_template_runs_the_compliance_playbook():
    t = TEMPLATES["netinfra compliance"]
    assert t["playbook"] == "playbooks/compliance_check.yml" and (REPO / t["playbook"]).exists()
    assert "upcoming_playbook" not in t
    # it reads the devices (check mode inside the playbook) and the vault, and keeps its reports
    assert {"netinfra devices (ssh)", "netinfra vault"} <= set(t["credentials"])
    assert t["extra_vars"]["compliance_report_dir"].startswith("/")


def test_credentials_and_types():
    custom = names("netinfra_awx_credential_types")
    for cred in DATA["netinfra_awx_credentials"]:
        assert cred["credential_type"] in BUILTIN_CREDENTIAL_TYPES | custom, cred["name"]
        for key, value in cred["inputs"].items():
            # secrets are inputs to configure.yml (the operator's vault), never literals here
            assert re.fullmatch(r"\{\{ netinfra_awx_\w+ \}\}", str(value)) or key == "username", \
                "%s: %s must come from a variable, not a literal" % (cred["name"], key)
    for ctype in DATA.get("netinfra_awx_credential_types", []):
        fields = {f["id"] for f in ctype["inputs"]["fields"]}
        used = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", yaml.safe_dump(ctype["injectors"])))
        assert used <= fields | {"tower"}, "%s: injectors use undefined inputs %s" % (ctype["name"], used - fields)


def test_inventory_source_never_decrypts_secrets():
    for src in DATA["netinfra_awx_inventory_sources"]:
        assert src["source"] == "scm" and src["source_project"] in names("netinfra_awx_projects")
        assert src["inventory"] in names("netinfra_awx_inventories")
        path = render(src["source_path"])
        assert re.fullmatch(r"inventories/\w+/hosts\.yml", path), "source_path must be the inventory FILE: %s" % path
        assert "credential" not in src, "an inventory source with a (vault) credential stores decrypted secrets"
        inventory = REPO / path
        if inventory.exists():  # an environment kept in this repository must be syncable without a vault password
            vaulted = [p for p in inventory.parent.rglob("*.yml") if p.read_text().startswith("$ANSIBLE_VAULT")]
            assert not vaulted, "an AWX sync of %s would need the vault password: move %s next to the playbooks" % (
                path, vaulted)


def survey_variables(spec: dict) -> dict[str, dict]:
    return {q["variable"]: q for q in spec["spec"]}


@pytest.mark.parametrize("name", sorted(n for n, t in {**TEMPLATES, **WORKFLOWS}.items() if t.get("survey_enabled")))
def test_surveys_ask_what_the_playbook_reads(name):
    t = {**TEMPLATES, **WORKFLOWS}[name]
    questions = survey_variables(t["survey_spec"])
    assert set(questions) == {"partner", "device"}
    assert questions["partner"]["required"] is True and questions["device"]["required"] is False
    for q in questions.values():
        assert q["type"] in ("text", "multiplechoice", "integer", "password")
        assert q["question_name"] and q["question_description"]
    playbook = (REPO / "playbooks" / "partner_onboard.yml").read_text()
    for var in questions:
        assert re.search(r"\b%s\b" % var, playbook), "partner_onboard.yml never reads survey variable %s" % var


def test_nightly_schedule():
    for s in DATA["netinfra_awx_schedules"]:
        assert s["unified_job_template"] in TEMPLATES, s
        m = re.fullmatch(r"DTSTART;TZID=(\w+):(\d{8})T(\d{2})(\d{2})(\d{2}) RRULE:FREQ=DAILY;INTERVAL=1", s["rrule"])
        assert m, "not a nightly RFC 5545 rule: %s" % s["rrule"]
        assert m.group(1) == "UTC" and 0 <= int(m.group(3)) <= 5, "nightly means between 00:00 and 05:59 UTC"
        assert s["enabled"] is True


def test_workflow_validate_check_approval_apply_compliance():
    wf = WORKFLOWS["netinfra onboard partner (reviewed)"]
    nodes = {n["identifier"]: n for n in wf["workflow_nodes"]}
    assert len(nodes) == len(wf["workflow_nodes"]), "duplicate node identifiers"
    for ident, node in nodes.items():
        assert ("unified_job_template" in node) != ("approval_node" in node), ident
        if "unified_job_template" in node:
            assert node["unified_job_template"]["name"] in TEMPLATES, ident
            assert node["unified_job_template"]["type"] == "job_template"
        for edge in ("success_nodes", "failure_nodes", "always_nodes"):
            for target in node.get("related", {}).get(edge, []):
                assert target["identifier"] in nodes, "%s -> unknown node %s" % (ident, target)
        # only success edges: a failed step stops the workflow
        assert not node.get("related", {}).get("failure_nodes") and not node.get("related", {}).get("always_nodes")
    targets = {t["identifier"] for n in nodes.values() for t in n.get("related", {}).get("success_nodes", [])}
    roots = [i for i in nodes if i not in targets]
    assert len(roots) == 1
    chain, ident = [], roots[0]
    while ident:
        node = nodes[ident]
        chain.append(("approval" if "approval_node" in node
                      else TEMPLATES[node["unified_job_template"]["name"]]))
        nxt = node.get("related", {}).get("success_nodes", [])
        assert len(nxt) <= 1
        ident = nxt[0]["identifier"] if nxt else None
    assert len(chain) == len(nodes), "a node is not on the chain"
    kinds = ["approval" if c == "approval" else (c["playbook"], c["job_type"]) for c in chain]
    assert kinds == [("playbooks/validate.yml", "run"), ("playbooks/partner_onboard.yml", "check"), "approval",
                     ("playbooks/partner_onboard.yml", "run"), (TEMPLATES["netinfra compliance"]["playbook"], "run")]
    assert chain[1].get("diff_mode") is True, "the approver must see the check job's diff"
    assert nodes["approval"]["approval_node"]["timeout"] > 0


def test_configure_applies_every_object_kind():
    play = CONFIGURE[0]
    assert play["vars_files"] == ["netinfra.yml"]
    loops = {t.get("loop") for t in play["tasks"] if "loop" in t}
    kinds = [k for k in DATA if isinstance(DATA[k], list)]
    missing = [k for k in kinds if "{{ %s }}" % k not in loops]
    assert not missing, "awx/configure.yml does not apply %s" % missing
    modules = {k for t in play["tasks"] for k in t if "." in k}
    assert modules <= {"ansible.builtin.assert"} | {"awx.awx." + m for m in (
        "organization", "execution_environment", "credential", "credential_type", "project", "inventory",
        "inventory_source", "job_template", "workflow_job_template", "schedule")}
    credentials_task = [t for t in play["tasks"] if "awx.awx.credential" in t][0]
    assert credentials_task.get("no_log") is True, "the credentials task would log the secrets"
