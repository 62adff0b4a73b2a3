"""The segmentation proof's judgement (features/hsm/proof.py): every verdict path, on the lab intent."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import model, proof

REPO = Path(__file__).resolve().parents[6]
LAB_HSM = yaml.safe_load((REPO / "inventories" / "lab" / "group_vars" / "all" / "hsm.yml").read_text())["hsm"]


def reached(entry, outcome=None, tls=True):
    out = outcome or ("answered" if entry["protocol"] == "udp" else "connected")
    result = {"address": entry["address"], "protocol": entry["protocol"], "port": entry["port"],
              "source": entry["source"], "outcome": out, "reached": out in ("connected", "answered"), "detail": ""}
    if entry["tls"] and out == "connected":
        result["tls"] = {"completed": tls, "version": "TLSv1.3" if tls else None, "error": None if tls else "EOF"}
    return result


def blocked(entry, outcome="timeout"):
    return dict(reached(entry, outcome=outcome))


def as_intended(hsm, overrides=None):
    """Results as a correct policy gives them; ``overrides``: {(host, port): outcome}."""
    results = {}
    for entry in model.probe_plan(hsm):
        key = (entry["host"], entry["port"])
        outcome = (overrides or {}).get(key)
        if outcome:
            result = reached(entry, outcome=outcome)
        elif entry["expect"] == "allow" and entry["zone"] not in proof.NEVER_ALLOWED_ZONES:
            result = reached(entry)
        else:
            result = blocked(entry, "no_answer" if entry["protocol"] == "udp" else "timeout")
        results.setdefault(entry["host"], []).append(result)
    return results


def counters(hits):
    """{gateway: {key: {packets, bytes}}} from {key: packets} on hgw1 (hgw2 counts nothing: Backup)."""
    return {"hgw1": {k: {"packets": v, "bytes": v * 60} for k, v in hits.items()},
            "hgw2": {k: {"packets": 0, "bytes": 0} for k in hits}}


def test_the_lab_plan():
    plan = model.probe_plan(LAB_HSM)
    allowed = sorted((p["host"], p["port"]) for p in plan if p["expect"] == "allow")
    assert allowed == [("app1", 1792), ("hnms1", 161)]
    assert len(plan) == 15


def test_all_as_intended_passes_with_a_counters_warning():
    judgement = proof.judge(LAB_HSM, as_intended(LAB_HSM))
    assert judgement["verdict"] == "pass" and judgement["failures"] == []
    assert judgement["counts"] == {"pass": 15, "fail": 0, "unverifiable": 0, "total": 15}
    assert any(w.startswith("counters not available") for w in judgement["warnings"])
    assert all(p["counters"]["status"] == "counters not available" for p in judgement["probes"])
    app1 = next(p for p in judgement["probes"] if p["host"] == "app1" and p["port"] == 1792)
    assert app1["rule_info"]["owner"] == "crypto-team@paynet.example" and app1["rule_info"]["review_by"] == "2027-06-30"


def test_unlisted_host_that_connects_fails_with_one_line():
    judgement = proof.judge(LAB_HSM, as_intended(LAB_HSM, {("app2", 22): "connected"}))
    assert judgement["verdict"] == "fail"
    assert judgement["failures"] == ["app2/unlisted -> hsm1:22/tcp expected deny got connected"]


def test_allowed_client_refused_or_tls_failing_fails():
    judgement = proof.judge(LAB_HSM, as_intended(LAB_HSM, {("app1", 1792): "refused"}))
    assert judgement["failures"] == ["app1/client -> hsm1:1792/tcp expected allow got refused"]
    results = as_intended(LAB_HSM)
    for r in results["app1"]:
        if r["port"] == 1792:
            r["tls"] = {"completed": False, "error": "unexpected EOF"}
    judgement = proof.judge(LAB_HSM, results)
    assert judgement["verdict"] == "fail"
    assert "TLS handshake failed (unexpected EOF)" in judgement["failures"][0]


def test_snmp_from_nms_must_answer():
    judgement = proof.judge(LAB_HSM, as_intended(LAB_HSM, {("hnms1", 161): "no_answer"}))
    assert judgement["failures"] == ["hnms1/management -> hsm1:161/udp expected allow got no_answer"]


def test_partner_zone_reaching_an_hsm_fails_however_the_intent_reads():
    hsm = copy.deepcopy(LAB_HSM)
    hsm["address_sets"][0]["addresses"].append("198.51.100.1")  # the intent (wrongly) lists the partner
    plan = model.probe_plan(hsm)
    assert any(p["host"] == "hpr1" and p["expect"] == "allow" for p in plan)
    judgement = proof.judge(hsm, as_intended(hsm, {("hpr1", 1792): "connected"}))
    line = [f for f in judgement["failures"] if f.startswith("hpr1/partner")]
    assert line == ["hpr1/partner -> hsm1:1792/tcp expected deny got connected, TLS TLSv1.3"]
    probe_ = next(p for p in judgement["probes"] if p["host"] == "hpr1" and p["port"] == 1792)
    assert probe_["expect"] == "deny" and probe_["planned_expect"] == "allow"
    assert "zone partner is never allowed" in probe_["reason"]
    judgement = proof.judge(hsm, as_intended(hsm))  # not reached: passes (judged as deny)
    assert judgement["verdict"] == "pass"


def test_internet_zone_that_connects_fails():
    judgement = proof.judge(LAB_HSM, as_intended(LAB_HSM, {("hinet1", 1792): "connected"}))
    assert judgement["failures"][0].startswith("hinet1/internet -> hsm1:1792/tcp expected deny got connected")


def test_probe_error_and_missing_host_fail():
    results = as_intended(LAB_HSM, {("app2", 1792): "error"})
    del results["hpr1"]
    judgement = proof.judge(LAB_HSM, results)
    assert "app2/unlisted -> hsm1:1792/tcp expected deny got error (the probe could not run: no detail)" in judgement["failures"]
    assert sum(f.startswith("hpr1/partner") and "no probe result from hpr1" in f for f in judgement["failures"]) == 3


def test_unverifiable_udp_is_a_warning_never_a_pass():
    hsm = copy.deepcopy(LAB_HSM)
    hsm["segments"][0]["appliances"][0]["services"].append({"name": "syslog_in", "protocol": "udp", "port": 514})
    results = as_intended(hsm)
    for host_results in results.values():
        for r in host_results:
            if r["port"] == 514:
                r.update(outcome="unverifiable", reached=False)
    judgement = proof.judge(hsm, results)
    assert judgement["verdict"] == "pass"
    assert judgement["counts"]["unverifiable"] == 5 and judgement["counts"]["pass"] == 15
    assert sum("unverifiable" in w for w in judgement["warnings"]) == 5
    assert all(p["verdict"] == "unverifiable" for p in judgement["probes"] if p["port"] == 514)


def test_counters_confirm_allowed_and_denied_probes():
    before = counters({"hsmseg/apps-ntls": 10, "hsmseg/nms-snmp": 3, "hsmseg/drop": 100})
    after = counters({"hsmseg/apps-ntls": 18, "hsmseg/nms-snmp": 4, "hsmseg/drop": 140})
    judgement = proof.judge(LAB_HSM, as_intended(LAB_HSM), before, after)
    assert judgement["verdict"] == "pass" and judgement["warnings"] == []
    app1 = next(p for p in judgement["probes"] if p["host"] == "app1" and p["port"] == 1792)
    assert app1["counters"] == {"key": "hsmseg/apps-ntls", "delta": 8, "per_gateway": {"hgw1": 8, "hgw2": 0},
                                "status": "increased"}
    app2 = next(p for p in judgement["probes"] if p["host"] == "app2" and p["port"] == 22)
    assert app2["counters"]["key"] == "hsmseg/drop" and app2["counters"]["delta"] == 40


def test_counter_that_did_not_move_fails_the_probe():
    before = counters({"hsmseg/apps-ntls": 10, "hsmseg/nms-snmp": 3, "hsmseg/drop": 100})
    after = counters({"hsmseg/apps-ntls": 10, "hsmseg/nms-snmp": 4, "hsmseg/drop": 140})
    judgement = proof.judge(LAB_HSM, as_intended(LAB_HSM), before, after)
    assert judgement["failures"] == ["app1/client -> hsm1:1792/tcp expected allow got connected, TLS TLSv1.3, but "
                                     "counter hsmseg/apps-ntls did not increase on any gateway (hgw1 +0, hgw2 +0)"]


def test_missing_counter_is_a_warning_not_a_pass():
    before = counters({"hsmseg/apps-ntls": 1, "hsmseg/drop": 1})
    after = counters({"hsmseg/apps-ntls": 2, "hsmseg/drop": 9})
    judgement = proof.judge(LAB_HSM, as_intended(LAB_HSM), before, after)
    assert judgement["verdict"] == "pass"
    nms = next(p for p in judgement["probes"] if p["host"] == "hnms1" and p["port"] == 161)
    assert nms["counters"]["status"] == "counters not available"
    assert judgement["warnings"] == ["hnms1/management -> hsm1:161/udp: counters not available: no gateway reports "
                                     "counter hsmseg/nms-snmp"]


def test_counter_delta_sums_gateways_present_in_both():
    before = {"hgw1": {"s/r": {"packets": 5}}, "hgw2": {"s/r": {"packets": 1}}}
    after = {"hgw1": {"s/r": {"packets": 7}}, "hgw2": {"s/r": {"packets": 4}}, "hgw3": {"s/r": {"packets": 9}}}
    assert proof.counter_delta(before, after, "s/r") == {"key": "s/r", "delta": 5, "per_gateway": {"hgw1": 2, "hgw2": 3}}
    assert proof.counter_delta(before, after, "s/x")["delta"] is None


def test_no_probe_planned_fails():
    hsm = dict(LAB_HSM, probes=[])
    judgement = proof.judge(hsm, {})
    assert judgement["verdict"] == "fail" and judgement["failures"][0].startswith("no probe planned")


def test_targets_for_one_host():
    plan = model.probe_plan(LAB_HSM)
    assert proof.targets_for(plan, "app1") == [
        {"address": "198.18.40.10", "protocol": "tcp", "port": 1792, "tls": True, "source": "198.18.41.10"},
        {"address": "198.18.40.10", "protocol": "tcp", "port": 22, "tls": False, "source": "198.18.41.10"},
        {"address": "198.18.40.10", "protocol": "udp", "port": 161, "tls": False, "source": "198.18.41.10"}]


@pytest.mark.parametrize("outcome", ["refused", "timeout", "unreachable", "no_answer"])
def test_deny_passes_on_every_not_reached_outcome(outcome):
    judgement = proof.judge(LAB_HSM, as_intended(LAB_HSM, {("app2", 22): outcome}))
    assert judgement["verdict"] == "pass"
