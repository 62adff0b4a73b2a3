"""validate_fleet: one test (or parametrised case) per check, each against an otherwise clean fleet."""

from __future__ import annotations

import copy
import typing as t

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.validate import (
    ERROR,
    WARNING,
    Finding,
    count_intent,
    format_findings,
    validate_fleet,
)

SECRET = "Acme-S3cret-bgp"


def base_devices() -> dict[str, dict[str, t.Any]]:
    return {
        "dc1-edge1": {"netinfra_platform": "frr",
                      "bgp": {"asn": 65010, "router_id": "198.18.0.1", "announce": ["198.18.10.0/24"]}},
        "dc1-edge2": {"netinfra_platform": "frr",
                      "bgp": {"asn": 65010, "router_id": "198.18.0.2", "announce": ["198.18.10.0/24", "2001:db8:ff::/48"],
                              "graceful_shutdown": False}},
        "dc1-vpn1": {},  # in the inventory, no BGP
        "jumphost": {"ansible_host": "ignored"},
    }


def base_partners() -> dict[str, dict[str, t.Any]]:
    return {
        "acme_bank": {
            "asn": 64496,
            "description": "ACME Bank card settlement",
            "accept_prefixes": ["198.51.100.0/24", {"prefix": "203.0.113.0/24", "le": 24}, "2001:db8:100::/48"],
            "announce": ["198.18.10.0/24"],
            "max_prefixes": {"limit": 10, "threshold": 80, "restart": 5, "warning_only": False},
            "ttl_security": 1,
            "timers": {"keepalive": 10, "hold": 30},
            "bfd": False,
            "sessions": [
                {"device": "dc1-edge1", "peer_address": "203.0.113.2", "local_address": "203.0.113.1",
                 "password": SECRET, "description": "primary", "shutdown": False, "transport": "direct"},
                {"device": "dc1-edge2", "peer_address": "2001:db8:1::2", "local_address": "2001:db8:1::1",
                 "password": SECRET},
            ],
        },
        "card_net": {
            "asn": 4200000001,
            "accept_prefixes": [{"prefix": "192.0.2.0/23", "ge": 24, "le": 24}],
            "max_prefixes": 20,
            "ebgp_multihop": 2,
            "sessions": [{"device": "dc1-edge1", "peer_address": "192.0.2.254", "local_address": "198.18.0.1",
                          "password": "x"}],
            "tunnels": [{"device": "dc1-vpn1"}],
        },
    }


def run(partners=None, devices=None, policy=None) -> list[Finding]:
    return validate_fleet(base_partners() if partners is None else partners,
                          base_devices() if devices is None else devices, policy)


def find(findings: list[Finding], host: str, field: str, severity: str = ERROR) -> Finding:
    matches = [f for f in findings if f.host == host and f.field == field and f.severity == severity]
    assert matches, "no %s for %s %s in:\n%s" % (severity, host, field, "\n".join(map(str, findings)))
    return matches[0]


def mutate(path: str, value: t.Any, remove: bool = False) -> dict[str, t.Any]:
    """base_partners() with ``a.b[0].c`` set to ``value`` (or removed)."""
    data = base_partners()
    parts = [int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".")]
    node: t.Any = data
    for part in parts[:-1]:
        node = node[part]
    if remove:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return data


def test_base_fleet_is_clean():
    assert run() == []


def test_finding_str_and_sort_order():
    findings = run(mutate("acme_bank.sessions[0].peer_address", "203.0.113.300"))
    assert [str(f) for f in findings] == [
        "dc1-edge1: partners.acme_bank.sessions[0].peer_address: '203.0.113.300' is not an IP address. "
        "Fix: use an IPv4 or IPv6 address of the partner's router."]
    data = mutate("acme_bank.sessions[1].peer_address", "nope")
    data["acme_bank"]["sessions"][0]["peer_address"] = "bad"
    data["card_net"]["asn"] = 0
    hosts_fields = [(f.host, f.field) for f in run(data)]
    assert hosts_fields == sorted(hosts_fields)


# --- types, required and unknown keys --------------------------------------------------------------

@pytest.mark.parametrize("path, value, host, field", [
    ("acme_bank.asn", "64496", "partner:acme_bank", "partners.acme_bank.asn"),
    ("acme_bank.asn", True, "partner:acme_bank", "partners.acme_bank.asn"),
    ("acme_bank.accept_prefixes", "198.51.100.0/24", "partner:acme_bank", "partners.acme_bank.accept_prefixes"),
    ("acme_bank.bfd", "yes", "partner:acme_bank", "partners.acme_bank.bfd"),
    ("acme_bank.sessions[0].shutdown", 1, "dc1-edge1", "partners.acme_bank.sessions[0].shutdown"),
    ("acme_bank.sessions[0].peer_address", 3405803778, "dc1-edge1", "partners.acme_bank.sessions[0].peer_address"),
])
def test_wrong_types(path, value, host, field):
    find(run(mutate(path, value)), host, field)


def test_quoted_integer_fix_says_remove_quotes():
    finding = find(run(mutate("acme_bank.asn", "64496")), "partner:acme_bank", "partners.acme_bank.asn")
    assert "without quotes" in finding.fix


@pytest.mark.parametrize("path, host, field", [
    ("acme_bank.asn", "partner:acme_bank", "partners.acme_bank.asn"),
    ("acme_bank.sessions", "partner:acme_bank", "partners.acme_bank.sessions"),
    ("acme_bank.accept_prefixes", "partner:acme_bank", "partners.acme_bank.accept_prefixes"),
    ("acme_bank.sessions[0].device", "partner:acme_bank", "partners.acme_bank.sessions[0].device"),
    ("acme_bank.sessions[0].peer_address", "dc1-edge1", "partners.acme_bank.sessions[0].peer_address"),
    ("acme_bank.max_prefixes.limit", "partner:acme_bank", "partners.acme_bank.max_prefixes.limit"),
    ("acme_bank.timers.hold", "partner:acme_bank", "partners.acme_bank.timers.hold"),
])
def test_required_keys(path, host, field):
    assert "missing" in find(run(mutate(path, None, remove=True)), host, field).message


@pytest.mark.parametrize("path, typo, host, hint", [
    ("acme_bank", "max_prefix", "partner:acme_bank", "max_prefixes"),
    ("acme_bank.sessions[0]", "peer_adress", "dc1-edge1", "peer_address"),
    ("acme_bank.timers", "keepalives", "partner:acme_bank", "keepalive"),
    ("acme_bank.max_prefixes", "treshold", "partner:acme_bank", "threshold"),
])
def test_unknown_keys_with_did_you_mean(path, typo, host, hint):
    data = mutate(path + ".x", None, remove=False)
    node = data
    for part in [int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".")]:
        node = node[part]
    del node["x"]
    node[typo] = 1
    finding = find(run(data), host, "partners.%s.%s" % (path, typo))
    assert "unknown key" in finding.message and "did you mean '%s'" % hint in finding.fix


def test_unknown_key_without_close_match_lists_valid_keys():
    data = mutate("acme_bank.zzzz", 1)
    assert "valid keys are" in find(run(data), "partner:acme_bank", "partners.acme_bank.zzzz").fix


def test_unknown_device_bgp_key():
    devices = base_devices()
    devices["dc1-edge1"]["bgp"]["anounce"] = devices["dc1-edge1"]["bgp"].pop("announce")
    finding = find(run(devices=devices), "dc1-edge1", "bgp.anounce")
    assert "announce" in finding.fix


def test_partner_not_a_mapping():
    find(run({"acme_bank": None}), "partner:acme_bank", "partners.acme_bank")


def test_partners_not_a_mapping():
    find(run(["acme_bank"]), "partners", "partners")


# --- names and ASNs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Acme", "1bank", "acme-bank", "a" * 32, "_x"])
def test_partner_name_regex(name):
    data = base_partners()
    data[name] = data.pop("card_net")
    find(run(data), "partner:%s" % name, "partners.%s" % name)


def test_partner_name_at_limit_is_fine():
    data = base_partners()
    data["a" * 31] = data.pop("card_net")
    assert run(data) == []


@pytest.mark.parametrize("asn", [0, 23456, 4294967296, -1])
def test_bad_partner_asn(asn):
    find(run(mutate("acme_bank.asn", asn)), "partner:acme_bank", "partners.acme_bank.asn")


@pytest.mark.parametrize("asn", [64496, 64511, 65536, 65551, 64512, 65534, 4200000000, 4294967294, 1, 174])
def test_documentation_private_and_public_asns_are_fine(asn):
    assert run(mutate("acme_bank.asn", asn)) == []


@pytest.mark.parametrize("asn", [65535, 4294967295])
def test_last_asns_are_a_warning(asn):
    find(run(mutate("acme_bank.asn", asn)), "partner:acme_bank", "partners.acme_bank.asn", WARNING)


@pytest.mark.parametrize("asn", [0, 23456, 4294967296])
def test_bad_device_asn(asn):
    devices = base_devices()
    devices["dc1-edge1"]["bgp"]["asn"] = asn
    find(run(devices=devices), "dc1-edge1", "bgp.asn")


def test_partner_with_our_asn_is_ibgp():
    finding = find(run(mutate("card_net.asn", 65010)), "dc1-edge1", "partners.card_net.sessions[0].device")
    assert "iBGP" in finding.message


# --- prefixes ---------------------------------------------------------------------------------------

def test_host_bits_fix_names_the_network():
    finding = find(run(mutate("acme_bank.accept_prefixes[0]", "198.51.100.1/24")),
                   "partner:acme_bank", "partners.acme_bank.accept_prefixes[0]")
    assert "198.51.100.0/24" in finding.fix and "198.51.100.1/24" in finding.message


@pytest.mark.parametrize("entry, field", [
    ("198.51.100.0/33", ""),
    ("198.51.100.0", ""),
    ("not-a-prefix/24", ""),
    ({"prefix": "198.51.100.0/24", "ge": 24}, ".ge"),            # FRR: len < ge
    ({"prefix": "198.51.100.0/24", "le": 23}, ".le"),            # le >= len
    ({"prefix": "198.51.100.0/24", "ge": 26, "le": 25}, ".ge"),  # ge <= le
    ({"prefix": "198.51.100.0/24", "le": 33}, ".le"),
    ({"prefix": "2001:db8::/32", "le": 129}, ".le"),
    ({"prefix": "198.51.100.0/24", "ge": "x"}, ".ge"),
    ({"prefix": "198.51.100.0/24", "eq": 24}, ""),
])
def test_malformed_accept_prefixes(entry, field):
    find(run(mutate("acme_bank.accept_prefixes[0]", entry)),
         "partner:acme_bank", "partners.acme_bank.accept_prefixes[0]" + field)


@pytest.mark.parametrize("entry, field", [
    ("198.51.100.0/25", ""),
    ({"prefix": "198.51.100.0/22", "le": 25}, ".le"),
    ({"prefix": "198.51.100.0/22", "ge": 23}, ""),  # ge without le matches up to /32
    ("2001:db8:100::/56", ""),
    ({"prefix": "2001:db8::/32", "le": 64}, ".le"),
])
def test_accept_longer_than_policy(entry, field):
    finding = find(run(mutate("acme_bank.accept_prefixes[0]", entry)),
                   "partner:acme_bank", "partners.acme_bank.accept_prefixes[0]" + field)
    assert "max_accept_prefix_len" in finding.message


def test_policy_max_len_can_be_raised():
    data = mutate("acme_bank.accept_prefixes[0]", {"prefix": "198.51.100.0/22", "le": 25})
    assert run(data, policy={"max_accept_prefix_len_v4": 25}) == []


@pytest.mark.parametrize("default", ["0.0.0.0/0", "::/0", {"prefix": "0.0.0.0/0", "le": 8}])
def test_default_route_from_partner_refused(default):
    finding = find(run(mutate("acme_bank.accept_prefixes[0]", default)),
                   "partner:acme_bank", "partners.acme_bank.accept_prefixes[0]")
    assert "default route" in finding.message


@pytest.mark.parametrize("entry, ours", [
    ("198.18.10.0/24", "198.18.10.0/24"),                       # equal
    ("198.18.0.0/16", "198.18.10.0/24"),                        # contains ours
    ({"prefix": "198.18.10.128/25", "le": 24}, None),           # invalid le, reported elsewhere
    ("198.18.10.128/25", "198.18.10.0/24"),                     # inside ours (policy also complains)
    ("2001:db8:ff::/48", "2001:db8:ff::/48"),                   # IPv6, announced by dc1-edge2 only
])
def test_accept_overlapping_our_space_is_refused(entry, ours):
    findings = run(mutate("acme_bank.accept_prefixes[0]", entry))
    hijack = [f for f in findings if "hijack" in f.message]
    if ours is None:
        assert not hijack
    else:
        assert hijack and ours in hijack[0].message and hijack[0].field == "partners.acme_bank.accept_prefixes[0]"


def test_duplicate_accept_prefix_is_a_warning():
    data = base_partners()
    data["acme_bank"]["accept_prefixes"].append("198.51.100.0/24")
    find(run(data), "partner:acme_bank", "partners.acme_bank.accept_prefixes[3]", WARNING)


def test_partner_announce_prefix_checked():
    find(run(mutate("acme_bank.announce[0]", "198.18.10.1/24")), "partner:acme_bank", "partners.acme_bank.announce[0]")


def test_partner_announce_outside_device_announce_is_a_warning():
    find(run(mutate("acme_bank.announce", ["198.18.99.0/24"])), "dc1-edge1", "partners.acme_bank.announce[0]", WARNING)


def test_device_announce_with_host_bits():
    devices = base_devices()
    devices["dc1-edge1"]["bgp"]["announce"] = ["198.18.10.1/24"]
    assert "198.18.10.0/24" in find(run(devices=devices), "dc1-edge1", "bgp.announce[0]").fix


# --- addresses --------------------------------------------------------------------------------------

def test_duplicate_peer_address_on_same_device_across_partners():
    data = mutate("card_net.sessions[0].peer_address", "203.0.113.2")
    data["card_net"]["sessions"][0]["local_address"] = "203.0.113.1"
    findings = run(data)
    assert "also" in find(findings, "dc1-edge1", "partners.card_net.sessions[0].peer_address").message
    find(findings, "dc1-edge1", "partners.acme_bank.sessions[0].peer_address")


def test_same_peer_address_on_two_devices_is_a_warning():
    data = mutate("card_net.sessions", [
        {"device": "dc1-edge1", "peer_address": "192.0.2.254", "local_address": "198.18.0.1", "password": "x"},
        {"device": "dc1-edge2", "peer_address": "192.0.2.254", "local_address": "198.18.0.2", "password": "x"}])
    findings = run(data)
    assert {f.severity for f in findings} == {WARNING}
    find(findings, "dc1-edge2", "partners.card_net.sessions[1].peer_address", WARNING)


def test_session_on_unknown_device_suggests_name():
    finding = find(run(mutate("acme_bank.sessions[0].device", "dc1-edge3")), "dc1-edge3",
                   "partners.acme_bank.sessions[0].device")
    assert "not in the inventory" in finding.message and "dc1-edge" in finding.fix


def test_session_on_host_without_bgp():
    finding = find(run(mutate("acme_bank.sessions[0].device", "dc1-vpn1")), "dc1-vpn1",
                   "partners.acme_bank.sessions[0].device")
    assert "no bgp vars" in finding.message


def test_local_address_family_must_match():
    find(run(mutate("acme_bank.sessions[0].local_address", "2001:db8::1")), "dc1-edge1",
         "partners.acme_bank.sessions[0].local_address")


def test_local_address_not_an_ip():
    find(run(mutate("acme_bank.sessions[0].local_address", "203.0.113.256")), "dc1-edge1",
         "partners.acme_bank.sessions[0].local_address")


def test_peer_equals_local():
    finding = find(run(mutate("acme_bank.sessions[0].local_address", "203.0.113.2")), "dc1-edge1",
                   "partners.acme_bank.sessions[0].local_address")
    assert "same as peer_address" in finding.message


@pytest.mark.parametrize("address", ["0.0.0.0", "224.0.0.5", "127.0.0.1", "::"])
def test_peer_address_must_be_unicast(address):
    find(run(mutate("acme_bank.sessions[0].peer_address", address)), "dc1-edge1",
         "partners.acme_bank.sessions[0].peer_address")


# --- max-prefix, passwords, session options ----------------------------------------------------------

def test_missing_max_prefixes_when_required():
    data = mutate("card_net.max_prefixes", None, remove=True)
    find(run(data), "partner:card_net", "partners.card_net.max_prefixes")
    assert run(data, policy={"max_prefixes_required": False}) == []


@pytest.mark.parametrize("value, field", [
    (0, "partners.acme_bank.max_prefixes"),
    (4294967296, "partners.acme_bank.max_prefixes"),
    ({"limit": 0}, "partners.acme_bank.max_prefixes.limit"),
    ({"limit": 10, "threshold": 0}, "partners.acme_bank.max_prefixes.threshold"),
    ({"limit": 10, "threshold": 101}, "partners.acme_bank.max_prefixes.threshold"),
    ({"limit": 10, "restart": 0}, "partners.acme_bank.max_prefixes.restart"),
    ({"limit": 10, "restart": 65536}, "partners.acme_bank.max_prefixes.restart"),
    ({"limit": 10, "warning_only": "no"}, "partners.acme_bank.max_prefixes.warning_only"),
])
def test_max_prefixes_ranges(value, field):
    find(run(mutate("acme_bank.max_prefixes", value)), "partner:acme_bank", field)


def test_max_prefixes_of_wrong_type_is_one_finding_not_two():
    findings = run(mutate("acme_bank.max_prefixes", "ten"))
    assert [f.field for f in findings] == ["partners.acme_bank.max_prefixes"]


@pytest.mark.parametrize("password", [None, ""])
def test_missing_password_when_required(password):
    data = mutate("acme_bank.sessions[0].password", password)
    find(run(data), "dc1-edge1", "partners.acme_bank.sessions[0].password")
    assert run(data, policy={"password_required": False}) == []


@pytest.mark.parametrize("password, words", [
    ("x" * 81, "81 characters"),
    ("two words", "whitespace"),
    ("tab\there", "whitespace"),
    (12345, "password is an integer"),
])
def test_bad_passwords_never_echoed(password, words):
    findings = run(mutate("acme_bank.sessions[0].password", password))
    finding = find(findings, "dc1-edge1", "partners.acme_bank.sessions[0].password")
    assert words in finding.message
    text = format_findings(findings) + repr([f.to_dict() for f in findings])
    assert str(password) not in text


def test_password_of_80_characters_is_fine():
    assert run(mutate("acme_bank.sessions[0].password", "x" * 80)) == []


def test_secret_never_appears_in_any_finding():
    data = mutate("acme_bank.sessions[0].peer_address", "bad")
    data["acme_bank"]["sessions"][0]["pasword"] = SECRET  # typo'd key holding a secret
    data["acme_bank"]["sessions"][1]["password"] = SECRET + " with blanks"
    text = "\n".join(str(f) for f in run(data))
    assert "pasword" in text and SECRET not in text


@pytest.mark.parametrize("key, value", [
    ("ttl_security", 0), ("ttl_security", 255), ("ebgp_multihop", 0), ("ebgp_multihop", 256)])
def test_ttl_ranges(key, value):
    data = mutate("acme_bank.ttl_security", None, remove=True)
    data["acme_bank"][key] = value
    find(run(data), "partner:acme_bank", "partners.acme_bank.%s" % key)


def test_ttl_security_and_multihop_are_exclusive():
    finding = find(run(mutate("acme_bank.ebgp_multihop", 2)), "partner:acme_bank", "partners.acme_bank.ebgp_multihop")
    assert "mutually exclusive" in finding.message


@pytest.mark.parametrize("timers, field", [
    ({"keepalive": 65536, "hold": 0}, "keepalive"),
    ({"keepalive": -1, "hold": 30}, "keepalive"),
    ({"keepalive": 0, "hold": 2}, "hold"),
    ({"keepalive": 0, "hold": 65536}, "hold"),
    ({"keepalive": 11, "hold": 30}, "keepalive"),
])
def test_timers(timers, field):
    find(run(mutate("acme_bank.timers", timers)), "partner:acme_bank", "partners.acme_bank.timers.%s" % field)


@pytest.mark.parametrize("timers", [{"keepalive": 0, "hold": 0}, {"keepalive": 1, "hold": 3},
                                    {"keepalive": 60, "hold": 180}])
def test_good_timers(timers):
    assert run(mutate("acme_bank.timers", timers)) == []


def test_transport_values():
    find(run(mutate("acme_bank.sessions[0].transport", "gre")), "dc1-edge1", "partners.acme_bank.sessions[0].transport")
    assert run(mutate("card_net.sessions[0].transport", "ipsec")) == []  # card_net has tunnels


def test_ipsec_without_tunnels_is_a_warning():
    find(run(mutate("acme_bank.sessions[0].transport", "ipsec")), "dc1-edge1",
         "partners.acme_bank.sessions[0].transport", WARNING)


def test_empty_sessions_and_accept_are_warnings():
    data = mutate("acme_bank.sessions", [])
    data["acme_bank"]["accept_prefixes"] = []
    findings = run(data)
    assert {f.severity for f in findings} == {WARNING}
    find(findings, "partner:acme_bank", "partners.acme_bank.sessions", WARNING)
    find(findings, "partner:acme_bank", "partners.acme_bank.accept_prefixes", WARNING)


# --- devices and policy -----------------------------------------------------------------------------

@pytest.mark.parametrize("router_id", ["198.18.0.256", "2001:db8::1", "router1"])
def test_router_id_ipv4(router_id):
    devices = base_devices()
    devices["dc1-edge1"]["bgp"]["router_id"] = router_id
    find(run(devices=devices), "dc1-edge1", "bgp.router_id")


def test_duplicate_router_id_in_same_asn():
    devices = base_devices()
    devices["dc1-edge2"]["bgp"]["router_id"] = "198.18.0.1"
    findings = run(devices=devices)
    find(findings, "dc1-edge1", "bgp.router_id")
    find(findings, "dc1-edge2", "bgp.router_id")
    devices["dc1-edge2"]["bgp"]["asn"] = 65020
    assert run(devices=devices) == []


@pytest.mark.parametrize("platform, words", [("eos", "not supported yet"), ("junos", "unknown platform"),
                                             (None, "not set")])
def test_platform(platform, words):
    devices = base_devices()
    devices["dc1-edge1"]["netinfra_platform"] = platform
    finding = find(run(devices=devices), "dc1-edge1", "netinfra_platform")
    assert words in finding.message and "frr" in finding.fix
    if platform == "eos":
        assert "EOS is planned" in finding.fix


def test_host_without_bgp_needs_no_platform_but_platform_is_still_checked():
    devices = base_devices()
    devices["dc1-vpn1"] = {"netinfra_platform": "vyos"}
    find(run(devices=devices), "dc1-vpn1", "netinfra_platform")


@pytest.mark.parametrize("policy, field", [
    ({"password_required": "yes"}, "bgp_policy.password_required"),
    ({"max_accept_prefix_len_v4": 33}, "bgp_policy.max_accept_prefix_len_v4"),
    ({"max_accept_prefix_len_v6": -1}, "bgp_policy.max_accept_prefix_len_v6"),
    ({"max_prefix_required": True}, "bgp_policy.max_prefix_required"),
])
def test_policy_checked(policy, field):
    find(run(policy=policy), "policy", field)


# --- API --------------------------------------------------------------------------------------------

def test_format_findings_errors_first_with_count():
    data = mutate("acme_bank.sessions[0].transport", "ipsec")  # warning on dc1-edge1
    data["card_net"]["asn"] = 0  # error on partner:card_net (sorts after dc1-edge1)
    text = format_findings(run(data))
    lines = text.splitlines()
    assert lines[0].startswith("ERROR partner:card_net")
    assert lines[1].startswith("WARNING dc1-edge1")
    assert lines[-1].startswith("1 error, 1 warning")
    assert format_findings([]) == ""


def test_partner_files_are_named():
    findings = validate_fleet(mutate("acme_bank.asn", 0), base_devices(), None,
                              partner_files={"acme_bank": "partners/acme_bank.yml"})
    assert findings[0].file == "partners/acme_bank.yml"
    assert "(partners/acme_bank.yml)" in str(findings[0])


def test_count_intent():
    assert count_intent(base_partners(), base_devices()) == {"partners": 2, "sessions": 3, "devices": 2}


def test_inputs_not_modified():
    partners, devices = base_partners(), base_devices()
    before = copy.deepcopy((partners, devices))
    validate_fleet(partners, devices, {"password_required": True})
    assert (partners, devices) == before


def test_large_fleet_is_fast():
    import time
    devices = {"edge%d" % i: {"netinfra_platform": "frr",
                              "bgp": {"asn": 65000, "router_id": "10.0.%d.%d" % (i // 250, i % 250 + 1),
                                      "announce": ["100.64.%d.0/24" % (i % 250)]}} for i in range(1000)}
    partners = {"p%d" % i: {"asn": 64496, "accept_prefixes": ["11.%d.%d.0/24" % (i // 250, i % 250)],
                            "max_prefixes": 10,
                            "sessions": [{"device": "edge%d" % ((i * 3 + s) % 1000),
                                          "peer_address": "172.16.%d.%d" % (i // 50, (i % 50) * 4 + s),
                                          "local_address": "172.31.0.1", "password": "x"} for s in range(3)]}
                for i in range(500)}
    start = time.perf_counter()
    findings = validate_fleet(partners, devices)
    assert time.perf_counter() - start < 2.0
    assert not [f for f in findings if f.severity == ERROR]
