"""One schema per feature: the validator, the module argspecs, the role argument specs and the docs all
come from it, and nothing drifts. A failure here means someone edited a generated file or a schema
without running `make generate` (scripts/generate.py), or an argspec no longer comes from its schema."""

from __future__ import annotations

import difflib
import importlib.util
import pathlib

import pytest
import yaml

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import schema as sch
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features import registry
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp import schema as bgp
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec import schema as ipsec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp import schema as snmp
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp import schema as vrrp
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import schema as hsm

REPO = pathlib.Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("netinfra_generate", REPO / "scripts" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATED = _generator().artefacts()


@pytest.mark.parametrize("rel", sorted(GENERATED))
def test_generated_file_matches_the_schema(rel):
    path = REPO / rel
    current = path.read_text() if path.exists() else ""
    if current != GENERATED[rel]:
        diff = "".join(difflib.unified_diff(current.splitlines(True), GENERATED[rel].splitlines(True),
                                            "on disk: " + rel, "from the schema: " + rel))
        pytest.fail("%s differs from what its schema generates; run `make generate`:\n%s" % (rel, diff))


def _module(name):
    spec = importlib.util.spec_from_file_location("netinfra_module_" + name, REPO / "plugins" / "modules" / (name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("module, schema_options", [
    ("bgp_peering", bgp.MODULE), ("bgp_status", bgp.STATUS), ("ipsec_tunnel", ipsec.MODULE), ("ipsec_status", ipsec.STATUS),
    ("snmp", snmp.MODULE), ("snmp_status", snmp.STATUS), ("vrrp", vrrp.MODULE), ("vrrp_status", vrrp.STATUS),
    ("hsm_attachment", hsm.MODULE), ("hsm_status", hsm.STATUS)])
def test_module_argspec_is_the_schema(module, schema_options):
    assert _module(module).ARGUMENT_SPEC == sch.argspec(schema_options)


def _project_doc(options):
    out = {}
    for key, entry in options.items():
        sub = entry.get("suboptions") or entry.get("options")
        out[key] = (entry["type"], entry.get("required", False), entry.get("default"), tuple(entry.get("choices") or ()),
                    entry.get("elements"), _project_doc(sub) if sub else None)
    return out


def _project_spec(spec):
    return {key: (entry["type"], entry.get("required", False), entry.get("default"), tuple(entry.get("choices") or ()),
                  entry.get("elements"), _project_spec(entry["options"]) if "options" in entry else None)
            for key, entry in spec.items()}


def _fragment_options(name, attr):
    spec = importlib.util.spec_from_file_location("frag_" + name, REPO / "plugins" / "doc_fragments" / (name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return yaml.safe_load(getattr(module.ModuleDocFragment, attr))["options"]


@pytest.mark.parametrize("module, fragment, extra", [
    ("bgp_peering", "bgp", "MODULE"), ("bgp_status", "bgp", "STATUS"),
    ("ipsec_tunnel", "ipsec", "MODULE"), ("ipsec_status", "ipsec", "STATUS"),
    ("snmp", "snmp", "MODULE"), ("snmp_status", "snmp", "STATUS"),
    ("vrrp", "vrrp", "MODULE"), ("vrrp_status", "vrrp", "STATUS"),
    ("hsm_attachment", "hsm", "MODULE"), ("hsm_status", "hsm", "STATUS")])
def test_documented_options_are_the_argspec(module, fragment, extra):
    documented = dict(_fragment_options(fragment, "DOCUMENTATION"), **_fragment_options(fragment, extra))
    assert _project_doc(documented) == _project_spec(_module(module).ARGUMENT_SPEC)


MIRRORS = {
    "bgp_peering": [("bgp_peering_allow_empty", "allow_empty"), ("bgp_peering_verify_change", "verify"),
                    ("bgp_peering_verify_timeout", "verify_timeout")],
    "ipsec_tunnels": [("ipsec_tunnels_allow_empty", "allow_empty"), ("ipsec_tunnels_dataplane", "dataplane"),
                      ("ipsec_tunnels_verify_timeout", "verify_timeout")],
    "snmp": [("snmp_allow_empty", "allow_empty"), ("snmp_frr_restart", "frr_restart"),
             ("snmp_verify_timeout", "verify_timeout")],
    "vrrp": [("vrrp_allow_empty", "allow_empty"), ("vrrp_verify_timeout", "verify_timeout")],
    "hsm_attachment": [("hsm_attachment_allow_empty", "allow_empty"), ("hsm_attachment_verify", "verify")],
}


@pytest.mark.parametrize("role, feature", [("bgp_peering", bgp), ("ipsec_tunnels", ipsec), ("snmp", snmp), ("vrrp", vrrp),
                                           ("hsm_attachment", hsm)])
def test_role_specs_and_defaults_agree(role, feature):
    specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]
    defaults = yaml.safe_load((REPO / "roles" / role / "defaults" / "main.yml").read_text())
    assert set(specs["options"]) == set(feature.ROLE)
    assert defaults == {k: v["default"] for k, v in specs["options"].items() if "default" in v and k.startswith(role + "_")}
    # role options passed straight to a module option take that option's default and choices
    for option, module_option in MIRRORS[role]:
        assert specs["options"][option].get("default") == feature.MODULE[module_option].default, option
        assert specs["options"][option].get("choices") == (list(feature.MODULE[module_option].choices or ()) or None), option
    tasks = (REPO / "roles" / role / "tasks" / "main.yml").read_text()
    assert "| default(" not in tasks.replace("| default(none)", ""), \
        "defaults come from the schema (defaults/main.yml, or the filters for fleet variables), not literals in tasks"


def test_validate_intent_options_are_the_fleet_policy_variables():
    from ansible_collections.paynet.netinfra.plugins.action.validate_intent import ARGUMENT_SPEC
    documented = _fragment_options("fleet_policy", "DOCUMENTATION")
    assert set(documented) == set(registry.policy_var_names())
    assert set(registry.policy_var_names()) <= set(ARGUMENT_SPEC)


def test_the_validator_knows_exactly_the_schema_keys():
    features = {f.name: f for f in registry.registered()}
    assert features["bgp"].partner_fields == bgp.PARTNER_INTENT
    assert features["ipsec"].partner_fields == ipsec.PARTNER_INTENT
    assert set(features["vrrp"].host_vars) == {"vrrp"} and features["vrrp"].host_vars["vrrp"].fields is vrrp.HOST
    assert set(features["bgp"].host_vars) == {"bgp"} and features["bgp"].host_vars["bgp"].fields is bgp.HOST
    # an unknown key anywhere in a partner is refused with the schema's did-you-mean
    partners = {"acme_bank": {"asn": 64496, "accept_prefix": ["198.51.100.0/24"], "sessions": []}}
    findings = registry.validate_fleet(partners, {}, {"netinfra_policy": {"environment": "lab"}})
    assert any(f.field == "partners.acme_bank.accept_prefix" and "accept_prefixes" in f.fix for f in findings)
