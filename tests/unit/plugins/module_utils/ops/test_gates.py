"""Health gates of a maintenance drain/restore over status-module results (bgp_status ``sessions``,
vrrp_status ``groups``, ipsec_status ``tunnels``: the shapes those modules return on the lab)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.ops import gates

PARTNERS = {
    "stpart": {"asn": 64520, "sessions": [{"device": "ste1", "peer_address": "198.18.61.2"},
                                          {"device": "ste2", "peer_address": "198.18.62.2"}]},
    "vpnpart": {"asn": 64521, "sessions": [{"device": "stv1", "transport": "ipsec"}, {"device": "stv2", "transport": "ipsec"}],
                "tunnels": [{"device": "stv1"}, {"device": "stv2"}]},
}
VRRP = {
    "ste1": {"groups": [{"segment": "core", "vrid": 20, "priority": 150}]},
    "ste2": {"groups": [{"segment": "core", "vrid": 20, "priority": 100}]},
}


def session(partner, peer, state="Established", prefixes=("198.51.120.0/24",)):
    return {"partner": partner, "peer_address": peer, "state": state, "established": state == "Established",
            "prefixes_received": len(prefixes), "prefixes_sent": 1, "accepted_prefixes": list(prefixes),
            "ok": state == "Established", "reason": None}


def group(state, holds=None, problem=None, priority=150, intended=150):
    return {"segment": "core", "vrid": 20, "family": "ipv4", "interface": "eth3", "state": state, "priority": priority,
            "intended_priority": intended, "holds_vip": state == "Master" if holds is None else holds,
            "vips": ["198.18.70.1"], "problem": problem}


def healthy():
    return gates.Inputs(
        "ste1", partners=copy.deepcopy(PARTNERS), vrrp=copy.deepcopy(VRRP),
        sessions={"ste1": [session("stpart", "198.18.61.2")], "ste2": [session("stpart", "198.18.62.2")]},
        groups={"ste1": [group("Master")], "ste2": [group("Backup", priority=100, intended=100)]})


def by_name(result):
    return {g["name"]: g for g in result}


def test_peers_are_the_devices_sharing_partners_or_groups():
    assert gates.peers_of("ste1", PARTNERS, VRRP) == ["ste2"]
    assert gates.peers_of("stv1", PARTNERS, VRRP) == ["stv2"]
    assert gates.peers_of("lonely", PARTNERS, VRRP) == []


def test_healthy_pair_passes_every_drain_gate():
    result = gates.evaluate(healthy(), "before_drain")
    assert [g["name"] for g in result] == [
        "pair_not_drained", "bgp_sessions_elsewhere", "partner_routes_elsewhere", "vrrp_master_elsewhere", "ipsec_elsewhere"]
    assert all(g["passed"] for g in result), [g["message"] for g in result if not g["passed"]]
    assert by_name(result)["bgp_sessions_elsewhere"]["evidence"] == {"stpart": ["ste2 198.18.62.2"]}


def test_redundant_session_down_stops_the_drain_naming_device_gate_and_fix():
    inp = healthy()
    inp.sessions["ste2"] = [session("stpart", "198.18.62.2", state="Active", prefixes=())]
    gate = by_name(gates.evaluate(inp, "before_drain"))["bgp_sessions_elsewhere"]
    assert not gate["passed"]
    assert gate["message"].startswith("ste1: gate bgp_sessions_elsewhere failed: partner stpart has no Established")
    assert "ste2 198.18.62.2: Active" in gate["message"] and "Fix:" in gate["message"]
    assert not by_name(gates.evaluate(inp, "before_drain"))["partner_routes_elsewhere"]["passed"]


def test_routes_only_through_the_device_stop_the_drain():
    inp = healthy()
    inp.sessions["ste1"] = [session("stpart", "198.18.61.2", prefixes=("198.51.120.0/24", "198.51.121.0/24"))]
    gate = by_name(gates.evaluate(inp, "before_drain"))["partner_routes_elsewhere"]
    assert not gate["passed"]
    assert "198.51.121.0/24 reach us only through ste1" in gate["message"]
    assert gate["evidence"]["stpart"]["missing_elsewhere"] == ["198.51.121.0/24"]


def test_never_drain_the_last_healthy_device_of_a_pair():
    inp = healthy()
    inp.drained = {"ste2"}
    result = by_name(gates.evaluate(inp, "before_drain"))
    assert not result["pair_not_drained"]["passed"]
    assert "ste2" in result["pair_not_drained"]["message"] and "restore ste2 first" in result["pair_not_drained"]["message"]
    # a drained peer does not count as the place the traffic goes
    assert not result["bgp_sessions_elsewhere"]["passed"]
    assert not result["vrrp_master_elsewhere"]["passed"]


def test_a_device_without_a_pair_cannot_be_drained():
    inp = gates.Inputs("solo", partners={"p": {"sessions": [{"device": "solo", "peer_address": "198.18.1.2"}]}},
                       sessions={"solo": [session("p", "198.18.1.2")]})
    result = by_name(gates.evaluate(inp, "before_drain"))
    assert not result["pair_not_drained"]["passed"]
    assert "it has sessions on solo only" in result["bgp_sessions_elsewhere"]["message"]


def test_vrrp_peer_in_fault_stops_the_drain():
    inp = healthy()
    inp.groups["ste2"] = [group("Initialize", problem="state Initialize (expected Master or Backup)")]
    gate = by_name(gates.evaluate(inp, "before_drain"))["vrrp_master_elsewhere"]
    assert not gate["passed"] and "core VRID 20 has no healthy member on another gateway" in gate["message"]


def test_after_drain_master_must_have_moved():
    inp = healthy()
    assert not by_name(gates.evaluate(inp, "after_drain"))["vrrp_master_elsewhere"]["passed"]
    inp.groups = {"ste1": [group("Backup", priority=1)], "ste2": [group("Master", priority=100, intended=100)]}
    result = gates.evaluate(inp, "after_drain")
    assert all(g["passed"] for g in result), [g["message"] for g in result]


def test_ipsec_partner_needs_a_healthy_tunnel_on_the_other_gateway():
    inp = gates.Inputs("stv1", partners=PARTNERS,
                       tunnels={"stv1": [{"name": "partner-vpnpart", "healthy": True}],
                                "stv2": [{"name": "partner-vpnpart", "healthy": False}]},
                       sessions={"stv1": [], "stv2": []})
    gate = by_name(gates.evaluate(inp, "before_drain"))["ipsec_elsewhere"]
    assert not gate["passed"] and "partner vpnpart has no healthy tunnel on another gateway (stv2)" in gate["message"]
    inp.tunnels["stv2"][0]["healthy"] = True
    assert by_name(gates.evaluate(inp, "before_drain"))["ipsec_elsewhere"]["passed"]


def test_restore_refuses_an_unhealthy_device_and_checks_the_result():
    inp = healthy()
    inp.sessions["ste1"] = [session("stpart", "198.18.61.2", state="Idle", prefixes=())]
    before = by_name(gates.evaluate(inp, "before_restore"))
    assert not before["device_healthy"]["passed"] and "BGP 198.18.61.2 (stpart) is Idle" in before["device_healthy"]["message"]
    after = by_name(gates.evaluate(healthy(), "after_restore"))
    assert after["partner_routes_here"]["passed"] and after["vrrp_as_intended"]["passed"]
    wrong = healthy()
    wrong.groups = {"ste1": [group("Backup")], "ste2": [group("Master", priority=100, intended=100)]}
    gate = by_name(gates.evaluate(wrong, "after_restore"))["vrrp_as_intended"]
    assert not gate["passed"] and "Master is ste2, intended ste1" in gate["message"]


def test_summary_names_the_failed_gate():
    inp = healthy()
    inp.drained = {"ste2"}
    text = gates.summary("ste1", "before_drain", gates.evaluate(inp, "before_drain"))
    assert text.startswith("ste1: before_drain: ") and "FAILED" in text and "gate pair_not_drained failed" in text
    assert "all 5 gates pass" in gates.summary("ste1", "before_drain", gates.evaluate(healthy(), "before_drain"))


def test_unknown_phase_is_refused():
    with pytest.raises(ValueError):
        gates.evaluate(healthy(), "sometime")
