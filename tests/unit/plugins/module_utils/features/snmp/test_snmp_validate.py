"""SNMP policy and intent checks (features/snmp/validate.py), fleet-wide and as the module's own check."""

from __future__ import annotations

import copy
import datetime

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.fleet import check_device
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features import registry

TODAY = datetime.date(2026, 12, 1)
AUTH = "Test-auth-pass-phrase-0001"
PRIV = "Test-priv-pass-phrase-0001"
GOOD = {
    "pci_scope": True,
    "listen": ["198.18.62.1"],
    "users": [{"name": "nms", "auth": "SHA-512", "auth_key": AUTH, "priv": "AES-256", "priv_key": PRIV, "group": "ro"},
              {"name": "trap", "auth": "SHA-256", "auth_key": AUTH + "t", "priv": "AES-128", "priv_key": PRIV + "t"}],
    "views": [{"name": "nms", "included": [".1.3.6.1.2.1.1", ".1.3.6.1.2.1.15"],
               "excluded": [".1.3.6.1.2.1.15.5", ".1.3.6.1.2.1.15.6"]}],
    "groups": [{"name": "ro", "read_view": "nms"}],
    "targets": [{"address": "198.18.62.10", "user": "trap"}],
    "agentx": True,
}
PARTNERS = {"acme": {"asn": 64496, "accept_prefixes": ["198.51.100.0/24"], "max_prefixes": 10,
                     "sessions": [{"device": "r1", "peer_address": "203.0.113.2", "local_address": "203.0.113.1",
                                   "password": "Acme-S3cret-bgp-0001"}]}}
POLICY = {"netinfra_policy": {"environment": "lab"}}


def fleet(snmp, policy=None, partners=None):
    devices = {"r1": {"netinfra_platform": "frr", "bgp": {"asn": 65010, "router_id": "198.18.0.1", "announce": ["198.18.10.0/24"]},
                      "snmp": snmp}}
    return registry.validate_fleet(partners if partners is not None else copy.deepcopy(PARTNERS), devices,
                                   dict(POLICY, **(policy or {})), today=TODAY)


def errors(findings):
    return {(f.field, f.message) for f in findings if f.severity == "error"}


def changed(**changes):
    snmp = copy.deepcopy(GOOD)
    for path, value in changes.items():
        node = snmp
        parts = path.split("__")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = parts[-1]
        node[int(last) if last.isdigit() else last] = value
    return snmp


def test_good_intent_is_clean():
    assert fleet(GOOD) == []


@pytest.mark.parametrize("snmp, field, words", [
    (changed(users__0__auth_key="short"), "snmp.users[0].auth_key", "needs at least 8"),
    (changed(users__0__auth_key="only-fifteen-ch"), "snmp.users[0].auth_key", "min_key_length is 20"),
    (changed(users__0__priv_key=AUTH), "snmp.users[0].priv_key", "same as the auth_key"),
    (changed(users__0__auth="MD5"), "snmp.users[0].auth", "not SHA-2"),
    (changed(users__0__auth="SHA"), "snmp.users[0].auth", "not SHA-2"),
    (changed(users__0__priv="DES"), "snmp.users[0].priv", "not AES"),
    (changed(users__0__group="rw"), "snmp.users[0].group", "not in snmp.groups"),
    (changed(listen=["0.0.0.0"]), "snmp.listen[0]", "every address"),
    (changed(listen=["203.0.113.1"]), "snmp.listen[0]", "partner-facing"),
    (changed(listen=["8.8.4.4"]), "snmp.listen[0]", "internet-facing"),
    (changed(listen=["mgmt.example"]), "snmp.listen[0]", "not an IP address"),
    (changed(targets__0__address="nms.example"), "snmp.targets[0].address", "not an IP address"),
    (changed(targets__0__address="127.0.0.1"), "snmp.targets[0].address", "not a reachable unicast"),
    (changed(targets__0__user="nobody"), "snmp.targets[0].user", "not in snmp.users"),
    (changed(views__0__excluded=[]), "snmp.views[0].excluded", "bgp4PathAttrTable"),
    (changed(views__0__included=[".1.3.6.1.2.1"]), "snmp.views[0].excluded", "ipForward"),
    (changed(views__0__included=["system"]), "snmp.views[0].included[0]", "not a numeric OID"),
    (changed(groups__0__read_view="all"), "snmp.groups[0].read_view", "not in snmp.views"),
    (changed(groups__0__write_view="nms"), "snmp.groups[0].write_view", "may write"),
    (changed(communities=[{"community": "public", "source": "198.18.62.0/24", "view": "nms"}]),
     "snmp.communities[0]", "refused in PCI scope"),
    (changed(users__0__nmae="x"), "snmp.users[0].nmae", "unknown key"),
])
def test_bad_intent(snmp, field, words):
    found = errors(fleet(snmp))
    assert any(f == field and words in m for f, m in found), found


def test_findings_never_show_a_key():
    text = repr(fleet(changed(users__0__priv_key=AUTH, users__1__auth_key="shortkey1")))
    assert AUTH not in text and "shortkey1" not in text


def test_v2c_outside_pci_needs_a_dated_exception():
    community = [{"community": "Lab-community-0001", "source": "198.18.62.0/24", "view": "nms"}]
    found = fleet(changed(pci_scope=False, communities=community))
    assert ("snmp.communities", "SNMPv2c communities need an approved, dated exception") in errors(found)
    waiver = {"reason": "legacy poller until migration", "approved_by": "CHG-1234", "expires": "2027-03-31"}
    found = fleet(changed(pci_scope=False, communities=community, v2c_exception=waiver))
    assert not errors(found)
    assert any(f.severity == "warning" and "CHG-1234" in f.message and "2027-03-31" in f.message for f in found)
    expired = dict(waiver, expires="2026-01-31")
    expired_findings = errors(fleet(changed(pci_scope=False, communities=community, v2c_exception=expired)))
    assert any(f == "snmp.v2c_exception.expires" for f, _m in expired_findings)
    assert any(f == "snmp.v2c_exception" for f, _m in errors(fleet(changed(v2c_exception=waiver))))
    assert "Lab-community-0001" not in repr(found)


def test_weak_algorithms_outside_pci_are_warnings():
    found = fleet(changed(pci_scope=False, users__0__auth="SHA"))
    assert not errors(found) and any(f.field == "snmp.users[0].auth" and f.severity == "warning" for f in found)


def test_management_networks_policy():
    policy = {"snmp_policy": {"management_networks": ["198.18.62.0/24"]}}
    assert fleet(GOOD, policy) == []
    found = errors(fleet(changed(listen=["198.18.63.1"], targets__0__address="198.18.64.10"), policy))
    assert any(f == "snmp.listen[0]" for f, _m in found) and any(f == "snmp.targets[0].address" for f, _m in found)
    assert any(f == "snmp_policy.min_key_length" for f, _m in errors(fleet(GOOD, {"snmp_policy": {"min_key_length": 4}})))


def test_ipsec_local_gateway_is_partner_facing_too():
    partners = {"acme": {"asn": 64496, "accept_prefixes": ["198.51.100.0/24"], "max_prefixes": 10,
                         "tunnels": [{"device": "r1", "peer_gateway": "198.18.200.2", "local_gateway": "198.18.200.1",
                                      "auth": {"psk": "Acme-pre-shared-key-S3cret-0001"}}]}}
    found = errors(fleet(changed(listen=["198.18.200.1"]), partners=partners))
    assert any(f == "snmp.listen[0]" and "partner-facing" in m for f, m in found), found


def test_the_module_check_is_the_same_validator():
    config = changed(users__0__auth_key="short")
    problems = check_device("snmp", config, POLICY, host="r1", today=TODAY)
    assert any(p.startswith("r1: config.users[0].auth_key:") and "at least 8" in p for p in problems), problems
    assert check_device("snmp", GOOD, POLICY, host="r1", today=TODAY) == []
    assert "short" not in repr(problems).replace("shorten", "")


def test_registry_knows_snmp():
    assert "snmp" in registry.host_var_names() and "snmp_policy" in registry.policy_var_names()
    assert registry.count_intent({}, {"r1": {"snmp": GOOD}})["snmp_agents"] == 1
