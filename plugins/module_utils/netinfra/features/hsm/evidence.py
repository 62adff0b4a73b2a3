# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evidence of the segmentation proof: one JSON document (machines) and its Markdown rendering (a
person, an auditor), written 0600 into a 0700 directory as ``hsm-proof-<UTC stamp>.{json,md}`` plus
``latest.json``/``latest.md`` copies.

Every string is passed through ``core.secrets.mask_text`` before it is written (the intent holds no
secret, but the evidence also quotes what probes and hosts returned).

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import json
import os
import re

from ...core.secrets import mask_text
from . import proof

SCHEMA_VERSION = 1
PREFIX = "hsm-proof-"
STAMP = "%Y%m%dT%H%M%SZ"
_STAMPED = re.compile(r"^hsm-proof-(\d{8}T\d{6}Z)(?:-(\d+))?\.json$")
CLIENT_SIDE_ZONES = ("unlisted", "partner", "internet")
SIX_MONTHS_DAYS = 183
PCI = {
    "1.2.5": "All services, protocols and ports allowed are identified, approved and have a defined business need.",
    "1.3.1": "Inbound traffic to the CDE is restricted to only traffic that is necessary; all other traffic is denied.",
    "11.4.5": "Segmentation controls are tested at least once every 12 months and after any change to them.",
    "11.4.6": "Service providers: segmentation controls are tested at least once every six months and after any "
              "change to them.",
}


def utc(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.astimezone(datetime.timezone.utc).replace(microsecond=0)


def _masked(value, extra):
    if isinstance(value, dict):
        return {k: _masked(v, extra) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v, extra) for v in value]
    if isinstance(value, str):
        return mask_text(value, extra)
    return value


def _rule_row(rule):
    return {"id": rule["id"], "justification": rule["justification"], "owner": rule["owner"],
            "review_by": rule["review_by"]}


def previous_evidence(directory, before=None):
    """(time string, file name) of the newest ``hsm-proof-*.json`` in ``directory`` older than
    ``before`` (a stamp), or (None, None)."""
    try:
        names = sorted((n for n in os.listdir(directory) if _STAMPED.match(n)),
                       key=lambda n: (_STAMPED.match(n).group(1), int(_STAMPED.match(n).group(2) or 1)))
    except OSError:
        return None, None
    for name in reversed(names):
        stamp = _STAMPED.match(name).group(1)
        if before and stamp >= before:
            continue
        try:
            with open(os.path.join(directory, name)) as handle:
                return json.load(handle).get("generated_at"), name
        except (OSError, ValueError, AttributeError):
            when = datetime.datetime.strptime(stamp, STAMP).replace(tzinfo=datetime.timezone.utc)
            return when.isoformat().replace("+00:00", "Z"), name
    return None, None


def _age_days(then_text, now):
    try:
        then = datetime.datetime.fromisoformat(then_text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return (now - then).days


def build(judgement, meta=None, now=None, previous=(None, None), secrets=()):
    """The JSON document. ``meta``: {intent_revision {commit, dirty}, playbook, controller_user,
    inventory}; ``previous``: ``previous_evidence()`` of the directory."""
    meta = meta or {}
    now = utc(now)
    today = now.date().isoformat()
    probes = []
    for p in judgement["probes"]:
        result = p.get("result") or {}
        probes.append({
            "source": {"host": p["host"], "zone": p["zone"], "address": p["source"]},
            "target": {"segment": p["segment"], "appliance": p["appliance"], "address": p["address"],
                       "service": p["service"], "protocol": p["protocol"], "port": p["port"], "tls": p["tls"]},
            "expectation": p["expect"], "planned_expectation": p["planned_expect"],
            "result": {k: result.get(k) for k in ("outcome", "reached", "elapsed_ms", "detail", "tls", "snmp")} if result else None,
            "verdict": p["verdict"], "reason": p["reason"], "counters": p["counters"],
            "rule": _rule_row(p["rule_info"]) if p.get("rule_info") else
            {"id": None, "justification": "no allow rule: default drop", "owner": None, "review_by": None},
        })
    rules = [dict(r, review_overdue=r["review_by"] <= today) for r in judgement["rules"]]
    inbound_denies = [i for i, p in enumerate(probes)
                      if p["source"]["zone"] in CLIENT_SIDE_ZONES and p["expectation"] == "deny"]
    prev_time, prev_file = previous
    age = _age_days(prev_time, now) if prev_time else None
    doc = {
        "schema_version": SCHEMA_VERSION,
        "kind": "paynet.netinfra/hsm-segmentation-proof",
        "generated_at": now.isoformat().replace("+00:00", "Z"),
        "verdict": judgement["verdict"],
        "intent_revision": meta.get("intent_revision") or {"commit": "unknown", "dirty": None},
        "inventory": meta.get("inventory"),
        "playbook": meta.get("playbook"),
        "controller_user": meta.get("controller_user"),
        "check_mode": bool(meta.get("check_mode")),
        "counts": judgement["counts"],
        "counters_available": judgement["counters_given"],
        "failures": judgement["failures"],
        "warnings": judgement["warnings"],
        "probes": probes,
        "rules": rules,
        "pci_dss": {
            "version": "4.0",
            "1.2.5": {"requirement": PCI["1.2.5"], "allowed": [
                {"id": r["id"], "direction": r["direction"], "protocol": r["protocol"], "ports": r["ports"],
                 "sources": r["sources"], "destinations": r["destinations"], "justification": r["justification"],
                 "owner": r["owner"], "review_by": r["review_by"], "review_overdue": r["review_overdue"]} for r in rules],
                "status": "fail" if any(r["review_overdue"] or not r["justification"] or not r["owner"] for r in rules)
                else "pass"},
            "1.3.1": {"requirement": PCI["1.3.1"], "probes": inbound_denies,
                      "status": "pass" if inbound_denies and all(probes[i]["verdict"] == proof.PASS for i in inbound_denies)
                      else "fail"},
            "11.4.5": {"requirement": PCI["11.4.5"], "tested_at": today, "previous": prev_time,
                       "previous_file": prev_file, "days_since_previous": age},
            "11.4.6": {"requirement": PCI["11.4.6"], "tested_at": today, "previous": prev_time,
                       "previous_file": prev_file, "days_since_previous": age,
                       "within_six_months": None if age is None else age <= SIX_MONTHS_DAYS},
        },
    }
    return _masked(doc, secrets)


def _cell(value):
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _column in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _result_text(result):
    if not result:
        return "no result"
    text = result.get("outcome") or "?"
    tls = result.get("tls")
    if isinstance(tls, dict):
        text += ", TLS %s" % (tls.get("version") if tls.get("completed") else "failed")
    if result.get("elapsed_ms") is not None:
        text += " (%s ms)" % result["elapsed_ms"]
    return text


def _counter_text(counter):
    if not counter:
        return "-"
    if counter.get("delta") is None:
        return "%s: %s" % (counter["key"], counter.get("status"))
    return "%s %+d" % (counter["key"], counter["delta"])


def markdown(doc):
    """The evidence for a person: verdict first, then failures, probes, allow rules and the PCI mapping."""
    rev = doc["intent_revision"]
    revision = rev.get("commit") or "unknown"
    if rev.get("dirty"):
        revision += " (uncommitted changes)"
    counts = doc["counts"]
    pci = doc["pci_dss"]
    out = ["# HSM segmentation proof: %s" % doc["verdict"].upper(), ""]
    out += ["- **Verdict: %s** (%d probes: %d pass, %d fail, %d unverifiable)"
            % (doc["verdict"].upper(), counts["total"], counts["pass"], counts["fail"], counts["unverifiable"]),
            "- Time (UTC): %s" % doc["generated_at"],
            "- Intent revision: %s" % revision,
            "- Inventory: %s" % (doc.get("inventory") or "unknown"),
            "- Playbook: %s" % (doc.get("playbook") or "unknown"),
            "- Run by: %s on the controller%s" % (doc.get("controller_user") or "unknown",
                                                  " (check mode)" if doc.get("check_mode") else ""),
            "- Gateway counters: %s" % ("compared before and after the probes" if doc["counters_available"]
                                        else proof.NOT_AVAILABLE), ""]
    out += ["## Failures", ""]
    out += ["- %s" % _cell(f) for f in doc["failures"]] or ["None."]
    out += [""]
    if doc["warnings"]:
        out += ["## Warnings", ""] + ["- %s" % _cell(w) for w in doc["warnings"]] + [""]
    out += ["## Probes", ""]
    out += _table(
        ["#", "source host", "zone", "source", "target", "service", "expected", "result", "verdict", "counter", "rule"],
        [[i + 1, p["source"]["host"], p["source"]["zone"], p["source"]["address"],
          "%s %s:%s/%s" % (p["target"]["appliance"], p["target"]["address"], p["target"]["port"], p["target"]["protocol"]),
          p["target"]["service"] + (" (TLS)" if p["target"]["tls"] else ""), p["expectation"],
          _result_text(p["result"]), p["verdict"].upper(), _counter_text(p["counters"]), p["rule"]["id"] or "default drop"]
         for i, p in enumerate(doc["probes"])])
    out += ["", "## Allow rules", ""]
    out += _table(["rule", "direction", "protocol/ports", "from", "to", "justification", "owner", "review by"],
                  [[r["id"], r["direction"], "%s/%s" % (r["protocol"], ",".join(str(p) for p in r["ports"])),
                    ", ".join(r["sources"]), ", ".join(r["destinations"]), r["justification"], r["owner"],
                    r["review_by"] + (" (OVERDUE)" if r["review_overdue"] else "")] for r in doc["rules"]])
    out += ["", "## PCI DSS 4.0 mapping", ""]
    out += ["### 1.2.5: every allowed port has a business need (%s)" % pci["1.2.5"]["status"].upper(), "",
            "> %s" % PCI["1.2.5"], ""]
    out += ["- `%s` %s %s/%s from %s to %s: %s (owner %s, review by %s)" % (
        a["id"], a["direction"], a["protocol"], ",".join(str(p) for p in a["ports"]), ", ".join(a["sources"]),
        ", ".join(a["destinations"]), _cell(a["justification"]), a["owner"], a["review_by"]) for a in pci["1.2.5"]["allowed"]] \
        or ["- No allow rule: nothing reaches the segment."]
    out += ["", "### 1.3.1: inbound traffic to the CDE is restricted (%s)" % pci["1.3.1"]["status"].upper(), "",
            "> %s" % PCI["1.3.1"], "",
            "Probes from unlisted hosts, partner and internet sources that must not reach the HSMs:", ""]
    out += ["- #%d %s/%s -> %s:%s/%s: %s (%s)" % (
        i + 1, doc["probes"][i]["source"]["host"], doc["probes"][i]["source"]["zone"], doc["probes"][i]["target"]["appliance"],
        doc["probes"][i]["target"]["port"], doc["probes"][i]["target"]["protocol"], doc["probes"][i]["verdict"].upper(),
        _result_text(doc["probes"][i]["result"])) for i in pci["1.3.1"]["probes"]] \
        or ["- None planned: add unlisted, partner and internet sources to hsm.probes."]
    six = pci["11.4.6"]
    prev = "%s (%s, %s days earlier)" % (six["previous"], six["previous_file"], six["days_since_previous"]) \
        if six["previous"] else "none found in the evidence directory"
    out += ["", "### 11.4.5 / 11.4.6: segmentation controls tested after every change and periodically", "",
            "> 11.4.5: %s" % PCI["11.4.5"], "> 11.4.6: %s" % PCI["11.4.6"], "",
            "- This run: %s (intent revision %s)" % (six["tested_at"], revision),
            "- Previous evidence: %s" % prev]
    if six["within_six_months"] is False:
        out += ["- The gap to the previous evidence exceeds six months."]
    out += [""]
    return "\n".join(out)


def _write(path, text):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write(doc, directory, secrets=()):
    """Write the JSON and Markdown evidence into ``directory`` (created 0700, tightened to 0700 when it
    exists), files 0600: ``hsm-proof-<stamp>.{json,md}`` and ``latest.{json,md}``. Returns the paths."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    stamp = datetime.datetime.fromisoformat(doc["generated_at"].replace("Z", "+00:00")).strftime(STAMP)
    json_text = mask_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", secrets)
    md_text = mask_text(markdown(doc), secrets)
    base = PREFIX + stamp
    serial = 1
    while os.path.exists(os.path.join(directory, base + ".json")):  # two runs in one second keep both
        serial += 1
        base = "%s%s-%d" % (PREFIX, stamp, serial)
    paths = {"json": os.path.join(directory, base + ".json"),
             "markdown": os.path.join(directory, base + ".md"),
             "latest_json": os.path.join(directory, "latest.json"),
             "latest_markdown": os.path.join(directory, "latest.md")}
    for key, text in (("json", json_text), ("markdown", md_text), ("latest_json", json_text), ("latest_markdown", md_text)):
        _write(paths[key], text)
    return paths
