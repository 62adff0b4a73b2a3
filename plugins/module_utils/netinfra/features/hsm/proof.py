# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The segmentation proof's judgement: every planned probe (``model.probe_plan``) against what the
probe saw (``probe.run_probes`` on its source host) and what the gateways counted.

Verdicts per probe:

- ``pass``: expect allow and the target answered (connected, TLS handshake completed where the
  service speaks TLS; the SNMPv3 agent answered); expect deny and it did not;
- ``fail``: the opposite, a probe that could not run (``error``), or no result from the source host;
  a probe from the ``partner`` or ``internet`` zone that reaches an appliance fails however the
  intent reads (those zones are judged as deny whatever a rule says);
- ``unverifiable``: udp ports other than 161 (no generic answer); never counted as a pass.

Counters (the shape ``hsm_status`` returns under ``counters``: ``{gateway: {"<segment>/<rule id>" |
"<segment>/drop" | "<segment>/established": {packets, bytes}}}``), before and after the probes:
an allowed probe's rule must count more packets (summed over the gateways: the VRRP Master carries
the traffic), a denied probe's segment must count more drops. Missing counters are a warning
("counters not available"), never a pass; a counter that did not move fails the probe (the traffic
did not cross the policy the intent describes).

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from . import model

PASS = "pass"
FAIL = "fail"
UNVERIFIABLE = "unverifiable"
NEVER_ALLOWED_ZONES = ("partner", "internet")
NOT_AVAILABLE = "counters not available"


def result_key(address, protocol, port, source):
    return (str(address), str(protocol or "tcp").lower(), int(port), str(source or ""))


def targets_for(plan, host):
    """The ``segmentation_probe`` targets of one source host."""
    return [{"address": p["address"], "protocol": p["protocol"], "port": p["port"], "tls": p["tls"],
             "source": p["source"]} for p in plan if p["host"] == host]


def _index(results_by_host):
    index = {}
    for host, results in (results_by_host or {}).items():
        for result in results or []:
            try:
                key = result_key(result["address"], result.get("protocol"), result["port"], result.get("source"))
            except (KeyError, TypeError, ValueError):
                continue
            index[(host,) + key] = result
    return index


def _packets(counters, gateway, key):
    entry = ((counters or {}).get(gateway) or {}).get(key)
    if not isinstance(entry, dict) or entry.get("packets") is None:
        return None
    try:
        return int(entry["packets"])
    except (TypeError, ValueError):
        return None


def counter_delta(before, after, key):
    """{key, delta (packets summed over the gateways present before and after, None when none has
    the counter), per_gateway {gateway: delta}}."""
    per_gateway = {}
    for gateway in sorted(set(before or {}) & set(after or {})):
        first, last = _packets(before, gateway, key), _packets(after, gateway, key)
        if first is not None and last is not None:
            per_gateway[gateway] = last - first
    return {"key": key, "delta": sum(per_gateway.values()) if per_gateway else None, "per_gateway": per_gateway}


def _got(result):
    outcome = result.get("outcome") or "no result"
    tls = result.get("tls")
    if outcome == "connected" and isinstance(tls, dict):
        return "connected, TLS %s" % (tls.get("version") if tls.get("completed") else
                                      "handshake failed (%s)" % (tls.get("error") or "no detail"))
    return outcome


def judge_one(entry, result):
    """(verdict, expect (effective), reason) of one planned probe and its result (None: missing)."""
    expect = entry["expect"]
    notes = []
    if entry["zone"] in NEVER_ALLOWED_ZONES and expect == "allow":
        expect = "deny"
        notes.append("zone %s is never allowed to reach an HSM, although rule %s allows it" % (entry["zone"], entry["rule"]))
    if result is None:
        return FAIL, expect, "no probe result from %s (the host did not run the probe)" % entry["host"]
    outcome = result.get("outcome")
    if outcome == "error":
        return FAIL, expect, "the probe could not run: %s" % (result.get("detail") or "no detail")
    if outcome == "unverifiable":
        return UNVERIFIABLE, expect, "%s/%s has no generic answer: not proven either way" % (entry["protocol"], entry["port"])
    reached = outcome in ("connected", "answered")
    if expect == "allow":
        if not reached:
            return FAIL, expect, "expected allow got %s" % _got(result)
        tls = result.get("tls")
        if entry.get("tls") and not (isinstance(tls, dict) and tls.get("completed")):
            return FAIL, expect, "expected allow with TLS got %s" % _got(result)
        return PASS, expect, "; ".join(notes + ["got %s" % _got(result)])
    if reached:
        return FAIL, expect, "; ".join(["expected deny got %s" % _got(result)] + notes)
    reason = "got %s" % _got(result)
    if outcome == "refused":
        reason += " (a reset: not connected; the drop counter tells whether the gateway or the appliance refused)"
    return PASS, expect, "; ".join(notes + [reason])


def _counter_check(entry, expect, verdict, before, after):
    """(counter record, problem text or None, warning text or None)."""
    if verdict == UNVERIFIABLE:
        return None, None, None
    key = entry["rule"] if expect == "allow" else "%s/drop" % entry["segment"]
    if not before or not after:
        return {"key": key, "delta": None, "per_gateway": {}, "status": NOT_AVAILABLE}, None, NOT_AVAILABLE
    record = counter_delta(before, after, key)
    if record["delta"] is None:
        record["status"] = NOT_AVAILABLE
        return record, None, "%s: no gateway reports counter %s" % (NOT_AVAILABLE, key)
    if record["delta"] > 0:
        record["status"] = "increased"
        return record, None, None
    record["status"] = "no increase"
    return record, "counter %s did not increase on any gateway (%s)" % (
        key, ", ".join("%s %+d" % item for item in sorted(record["per_gateway"].items()))), None


def rules_by_id(hsm):
    """{"segment/rule id": {id, segment, direction, protocol, ports, sources, destinations, justification,
    owner, review_by}} of every allow rule in the intent."""
    rules = {}
    for segment in (hsm or {}).get("segments") or []:
        for rule in segment.get("rules") or []:
            key = "%s/%s" % (segment["name"], rule["id"])
            rules[key] = {"id": key, "segment": segment["name"], "direction": rule["direction"],
                          "protocol": rule.get("protocol") or "tcp", "ports": sorted(set(rule["ports"])),
                          "sources": list(rule["sources"]), "destinations": list(rule["destinations"]),
                          "justification": rule["justification"], "owner": rule["owner"],
                          "review_by": str(rule["review_by"])}
    return rules


def label(entry):
    return "%s/%s -> %s:%s/%s" % (entry["host"], entry["zone"], entry["appliance"], entry["port"], entry["protocol"])


def judge(hsm, results_by_host, counters_before=None, counters_after=None, plan=None):
    """The proof: {verdict (pass|fail), probes [...], failures [one line each], warnings [...], counts}."""
    plan = model.probe_plan(hsm) if plan is None else plan
    rules = rules_by_id(hsm)
    index = _index(results_by_host)
    probes, failures, warnings = [], [], []
    counts = {PASS: 0, FAIL: 0, UNVERIFIABLE: 0}
    counters_given = bool(counters_before) and bool(counters_after)
    if not counters_given:
        warnings.append("%s: no gateway counters before and after the probes were given, so no probe is "
                        "confirmed by the gateways' rule counters" % NOT_AVAILABLE)
    for entry in plan:
        result = index.get((entry["host"],) + result_key(entry["address"], entry["protocol"], entry["port"], entry["source"]))
        verdict, expect, reason = judge_one(entry, result)
        counter, problem, warning = _counter_check(entry, expect, verdict, counters_before, counters_after)
        if problem and verdict == PASS:
            verdict, reason = FAIL, "%s, but %s" % (reason, problem)
        if warning and counters_given and verdict != UNVERIFIABLE:
            warnings.append("%s: %s" % (label(entry), warning))
        if verdict == UNVERIFIABLE:
            warnings.append("%s: unverifiable (%s)" % (label(entry), reason))
        counts[verdict] += 1
        rule = rules.get(entry["rule"]) if entry.get("rule") else None
        probes.append(dict(entry, planned_expect=entry["expect"], expect=expect, result=result, verdict=verdict,
                           reason=reason, counters=counter, rule_info=rule))
        if verdict == FAIL:
            if problem:
                suffix = ", but %s" % problem
            else:
                suffix = "" if reason.startswith("expected") else " (%s)" % reason
            got = _got(result) if result else "no result"
            failures.append("%s expected %s got %s%s" % (label(entry), expect, got, suffix))
    if not probes:
        failures.append("no probe planned: hsm.probes names no source (or the segments no appliance service); "
                        "add probe sources (listed and unlisted clients, partner, internet) to hsm.probes")
    return {"verdict": FAIL if failures else PASS, "probes": probes, "failures": failures,
            "warnings": warnings, "counts": dict(counts, total=len(probes)), "counters_given": counters_given,
            "rules": [rules[k] for k in sorted(rules)],
            "empty": not probes}
