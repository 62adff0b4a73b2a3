# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance report: one data structure (:func:`build`), masked, and four renderings of it.

- :func:`to_json`: the machine report; :data:`SCHEMA` is its JSON Schema (shipped in the collection
  and written beside the reports as ``compliance.schema.json``).
- :func:`to_junit`: JUnit XML, one ``testsuite`` per device, one ``testcase`` per device x feature x
  check (``classname`` ``<device>.<feature>``, ``name`` the check): fail and error are ``failure`` and
  ``error``, waived and skipped are ``skipped`` with their reason (shown, not hidden).
- :func:`to_markdown`, :func:`to_html`: for people: summary first, then failures with remediation,
  then waived, then evidence, then one section per PCI DSS requirement. The HTML is self-contained
  (inline CSS, no script, no external asset).

:func:`mask` runs every string of the report through core/secrets (config secrets such as passwords,
keys, communities) plus the literal secret values the caller knows (the inventory's vault values).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import html
import json
from xml.sax.saxutils import escape as xml_escape, quoteattr

from ..core.secrets import mask_text
from . import pci

SCHEMA_VERSION = 1
FAILING = ("fail", "error")


def mask(value, secrets=()):
    """``value`` with every string masked (recursively; keys too)."""
    secrets = tuple(s for s in secrets if isinstance(s, str) and s)
    if isinstance(value, str):
        return mask_text(value, extra=secrets)
    if isinstance(value, dict):
        return {mask(k, secrets): mask(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v, secrets) for v in value]
    return value


def summarise(checks):
    counts = {s: 0 for s in ("pass", "fail", "waived", "error", "skipped")}
    for check in checks:
        counts[check["status"]] += 1
    counts["total"] = len(checks)
    counts["compliant"] = counts["fail"] == 0 and counts["error"] == 0
    return counts


def pci_sections(checks):
    out = {}
    for number, title in pci.REQUIREMENTS.items():
        ids = [c["id"] for c in checks if number in c["pci"]]
        statuses = [c["status"] for c in checks if number in c["pci"] and c["status"] != "skipped"]
        if not statuses:
            verdict = "no evidence"
        elif any(s in FAILING for s in statuses):
            verdict = "fail"
        elif "waived" in statuses:
            verdict = "pass with waivers"
        else:
            verdict = "pass"
        out[number] = {"title": title, "status": verdict, "checks": ids}
    return out


def _unreachable(checks):
    """Devices the run could not reach or check (their ``connection`` check is an error)."""
    return sorted({c["device"] for c in checks if c.get("feature") == "connection" and c.get("status") == "error"})


def build(checks, run, links=None, secrets=()):
    """The report dict (masked). ``run``: {started, finished, duration_s, playbook, user, ...}."""
    checks = sorted(checks, key=lambda c: (c["device"], c["feature"], c["id"]))
    devices = sorted({c["device"] for c in checks})
    report = {
        "schema_version": SCHEMA_VERSION,
        "run": dict(run),
        "summary": dict(summarise(checks), unreachable=_unreachable(checks)),
        "devices": [{"name": d, "summary": summarise([c for c in checks if c["device"] == d])} for d in devices],
        "checks": checks,
        "pci": pci_sections(checks),
        "links": dict(links or {}),
    }
    return mask(report, secrets)


def to_json(report):
    return json.dumps(report, indent=1, sort_keys=True, default=str) + "\n"


_STRINGS = {"type": "array", "items": {"type": "string"}}
_COUNTS = {
    "type": "object",
    "required": ["total", "pass", "fail", "waived", "error", "skipped", "compliant"],
    "properties": dict({k: {"type": "integer", "minimum": 0} for k in ("total", "pass", "fail", "waived", "error", "skipped")},
                       compliant={"type": "boolean"}),
}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://paynet.example/netinfra/compliance-report.schema.json",
    "title": "paynet.netinfra compliance report",
    "type": "object",
    "required": ["schema_version", "run", "summary", "devices", "checks", "pci", "links"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "run": {"type": "object", "required": ["started", "finished", "duration_s"],
                "properties": {"started": {"type": "string"}, "finished": {"type": "string"},
                               "duration_s": {"type": "number", "minimum": 0}}},
        "summary": dict(_COUNTS, properties=dict(_COUNTS["properties"], unreachable=_STRINGS)),
        "devices": {"type": "array", "items": {"type": "object", "required": ["name", "summary"],
                                               "properties": {"name": {"type": "string"}, "summary": _COUNTS}}},
        "checks": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "device", "feature", "kind", "check", "status", "message", "evidence", "remediation",
                         "missing", "extra", "pci", "since", "previous_status"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "device": {"type": "string", "minLength": 1},
                "feature": {"type": "string", "minLength": 1},
                "kind": {"enum": ["drift", "health", "policy", "grace", "audit"]},
                "check": {"type": "string", "minLength": 1},
                "status": {"enum": ["pass", "fail", "waived", "error", "skipped"]},
                "message": {"type": "string"},
                "evidence": {},
                "remediation": _STRINGS,
                "missing": _STRINGS,
                "extra": _STRINGS,
                "pci": {"type": "array", "items": {"enum": list(pci.REQUIREMENTS)}},
                "since": {"type": "string"},
                "previous_status": {"enum": ["pass", "fail", "waived", "error", "skipped", None]},
                "grace": {"type": "object", "required": ["until", "reason", "approved_by", "pattern", "expired"],
                          "properties": {"until": {"type": "string"}, "reason": {"type": "string"},
                                         "approved_by": {"type": "string"}, "pattern": {"type": "string"},
                                         "expired": {"type": "boolean"}}},
            },
        }},
        "pci": {"type": "object", "propertyNames": {"enum": list(pci.REQUIREMENTS)},
                "additionalProperties": {"type": "object", "required": ["title", "status", "checks"],
                                         "properties": {"title": {"type": "string"},
                                                        "status": {"enum": ["pass", "fail", "pass with waivers", "no evidence"]},
                                                        "checks": _STRINGS}}},
        "links": {"type": "object"},
    },
}


# ---------------------------------------------------------------------------------------------- JUnit

def _evidence_text(check):
    lines = ["id: %s" % check["id"], "status: %s" % check["status"], "since: %s" % check.get("since"),
             "pci_dss: %s" % ", ".join(check["pci"])]
    if check["missing"]:
        lines.append("missing lines:")
        lines.extend("  + %s" % line for line in check["missing"])
    if check["extra"]:
        lines.append("extra lines:")
        lines.extend("  - %s" % line for line in check["extra"])
    if check["remediation"]:
        lines.append("remediation:")
        lines.extend("  %s" % line for line in check["remediation"])
    lines.append("evidence: %s" % json.dumps(check["evidence"], sort_keys=True, default=str))
    return "\n".join(lines)


def to_junit(report):
    """JUnit XML text (Jenkins/Ant flavour; tests/unit/fixtures/junit.xsd)."""
    summary = report["summary"]
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<testsuites name="paynet.netinfra compliance" tests="%d" failures="%d" errors="%d" skipped="%d" time="%.3f">'
           % (summary["total"], summary["fail"], summary["error"], summary["waived"] + summary["skipped"],
              float(report["run"].get("duration_s") or 0))]
    for index, device in enumerate(report["devices"]):
        checks = [c for c in report["checks"] if c["device"] == device["name"]]
        s = device["summary"]
        out.append('  <testsuite name=%s id="%d" package="paynet.netinfra.compliance" tests="%d" failures="%d" errors="%d" '
                   'skipped="%d" time="0" timestamp=%s hostname=%s>'
                   % (quoteattr(device["name"]), index, s["total"], s["fail"], s["error"], s["waived"] + s["skipped"],
                      quoteattr(str(report["run"].get("started", ""))[:19]), quoteattr(device["name"])))
        out.append('    <properties><property name="pci_dss" value=%s/></properties>'
                   % quoteattr(", ".join(sorted({r for c in checks for r in c["pci"]}))))
        for check in checks:
            out.append('    <testcase classname=%s name=%s time="0">'
                       % (quoteattr("%s.%s" % (check["device"], check["feature"])), quoteattr(check["check"])))
            message = quoteattr(check["message"][:500])
            body = xml_escape(_evidence_text(check))
            if check["status"] == "fail":
                out.append('      <failure message=%s type=%s>%s</failure>' % (message, quoteattr(check["kind"]), body))
            elif check["status"] == "error":
                out.append('      <error message=%s type=%s>%s</error>' % (message, quoteattr(check["kind"]), body))
            elif check["status"] in ("waived", "skipped"):
                out.append('      <skipped message=%s/>' % quoteattr("%s: %s" % (check["status"], check["message"][:500])))
            out.append('      <system-out>%s</system-out>' % body)
            out.append('    </testcase>')
        out.append('  </testsuite>')
    out.append('</testsuites>')
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------- Markdown

def _md(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _links_md(links):
    out = []
    if links.get("diagram_svg"):
        out.append("- Network diagram: [%s](%s)" % (links["diagram_svg"], links["diagram_svg"]))
    if links.get("diagram_png"):
        out.append("- Network diagram (PNG): [%s](%s)" % (links["diagram_png"], links["diagram_png"]))
    for host, path in sorted((links.get("devices") or {}).items()):
        out.append("- Device %s: [%s](%s)" % (host, path, path))
    return out


def to_markdown(report):
    s = report["summary"]
    run = report["run"]
    verdict = "COMPLIANT" if s["compliant"] else "NOT COMPLIANT"
    out = ["# Compliance report: %s" % verdict, "",
           "Run %s to %s (%.1f s)%s." % (
               run.get("started"), run.get("finished"), float(run.get("duration_s") or 0),
               ", playbook %s" % run["playbook"] if run.get("playbook") else ""), "",
           "## Summary", "",
           "| checks | pass | fail | waived | error | skipped |", "| --- | --- | --- | --- | --- | --- |",
           "| %d | %d | %d | %d | %d | %d |" % (s["total"], s["pass"], s["fail"], s["waived"], s["error"], s["skipped"]), ""]
    if s.get("unreachable"):
        out += ["**Unreachable, not checked (%d):** %s" % (len(s["unreachable"]), ", ".join(_md(d) for d in s["unreachable"])), ""]
    out += ["| device | pass | fail | waived | error | skipped |", "| --- | --- | --- | --- | --- | --- |"]
    for device in report["devices"]:
        d = device["summary"]
        out.append("| %s | %d | %d | %d | %d | %d |" % (_md(device["name"]), d["pass"], d["fail"], d["waived"], d["error"], d["skipped"]))
    links = _links_md(report.get("links") or {})
    if links:
        out += ["", "## Diagram and device documents", ""] + links
    failing = [c for c in report["checks"] if c["status"] in FAILING]
    out += ["", "## Failures (%d)" % len(failing), ""]
    if not failing:
        out.append("None.")
    for c in failing:
        out += ["### %s: %s" % (c["status"].upper(), c["id"]), "",
                "%s (since %s; PCI DSS %s)" % (c["message"], c.get("since"), ", ".join(c["pci"]) or "-"), ""]
        if c["missing"] or c["extra"]:
            out.append("```diff")
            out.extend("+ %s" % line for line in c["missing"])
            out.extend("- %s" % line for line in c["extra"])
            out += ["```", ""]
        if c["remediation"]:
            out += ["Remediation (what a real run sends):", "", "```"] + c["remediation"] + ["```", ""]
    waived = [c for c in report["checks"] if c["status"] == "waived"]
    out += ["", "## Waived (%d): exceptions and grace in force" % len(waived), ""]
    if not waived:
        out.append("None.")
    for c in waived:
        evidence = c["evidence"] if isinstance(c["evidence"], dict) else {}
        until = (c.get("grace") or {}).get("until") or evidence.get("expires")
        out.append("- `%s`: %s (until %s)" % (c["id"], _md(c["message"]), until or "no date"))
    out += ["", "## Evidence", "", "| id | status | since | message |", "| --- | --- | --- | --- |"]
    for c in report["checks"]:
        out.append("| `%s` | %s | %s | %s |" % (c["id"], c["status"], c.get("since"), _md(c["message"])))
    out += ["", "## PCI DSS 4.0", ""]
    for number, section in report["pci"].items():
        out += ["### %s %s: %s" % (number, section["title"], section["status"]), ""]
        out.append(", ".join("`%s`" % i for i in section["checks"]) if section["checks"] else "No check evidences it in this run.")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#1b1f23;max-width:80em}
h1.ok{color:#116329}h1.bad{color:#a40e26}table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top;font-size:.92em}
th{background:#f6f8fa}.pass{color:#116329}.fail,.error{color:#a40e26;font-weight:bold}
.waived{color:#9a6700;font-weight:bold}.skipped{color:#57606a}pre{background:#f6f8fa;padding:.6em;overflow:auto}
.add{color:#116329}.del{color:#a40e26}code{font-size:.9em}
"""


def _h(text):
    return html.escape(str(text), quote=True)


def to_html(report):
    s = report["summary"]
    run = report["run"]
    ok = s["compliant"]
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8"/>',
           "<title>Compliance report: %s</title>" % ("compliant" if ok else "not compliant"),
           "<style>%s</style></head><body>" % _CSS,
           '<h1 class="%s">Compliance report: %s</h1>' % ("ok" if ok else "bad", "COMPLIANT" if ok else "NOT COMPLIANT"),
           "<p>Run %s to %s (%.1f s)%s.</p>" % (
               _h(run.get("started")), _h(run.get("finished")), float(run.get("duration_s") or 0),
               ", playbook " + _h(run["playbook"]) if run.get("playbook") else ""),
           "<h2>Summary</h2><table><tr><th>checks</th><th>pass</th><th>fail</th><th>waived</th><th>error</th><th>skipped</th></tr>",
           "<tr><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr></table>"
           % (s["total"], s["pass"], s["fail"], s["waived"], s["error"], s["skipped"]),
           "<p><strong>Unreachable, not checked (%d): %s</strong></p>" % (len(s["unreachable"]), _h(", ".join(s["unreachable"])))
           if s.get("unreachable") else "",
           "<table><tr><th>device</th><th>pass</th><th>fail</th><th>waived</th><th>error</th><th>skipped</th></tr>"]
    for device in report["devices"]:
        d = device["summary"]
        out.append("<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>"
                   % (_h(device["name"]), d["pass"], d["fail"], d["waived"], d["error"], d["skipped"]))
    out.append("</table>")
    links = report.get("links") or {}
    if links.get("diagram_svg") or links.get("devices"):
        out.append("<h2>Diagram and device documents</h2><ul>")
        for key in ("diagram_svg", "diagram_png"):
            if links.get(key):
                out.append('<li><a href="%s">%s</a></li>' % (_h(links[key]), _h(links[key])))
        for host, path in sorted((links.get("devices") or {}).items()):
            out.append('<li>%s: <a href="%s">%s</a></li>' % (_h(host), _h(path), _h(path)))
        out.append("</ul>")
    failing = [c for c in report["checks"] if c["status"] in FAILING]
    out.append("<h2>Failures (%d)</h2>" % len(failing))
    if not failing:
        out.append("<p>None.</p>")
    for c in failing:
        out.append('<h3 class="%s">%s: <code>%s</code></h3>' % (c["status"], c["status"].upper(), _h(c["id"])))
        out.append("<p>%s (since %s; PCI DSS %s)</p>" % (_h(c["message"]), _h(c.get("since")), _h(", ".join(c["pci"]) or "-")))
        if c["missing"] or c["extra"]:
            out.append("<pre>%s</pre>" % "\n".join(
                ['<span class="add">+ %s</span>' % _h(x) for x in c["missing"]] +
                ['<span class="del">- %s</span>' % _h(x) for x in c["extra"]]))
        if c["remediation"]:
            out.append("<p>Remediation (what a real run sends):</p><pre>%s</pre>" % _h("\n".join(c["remediation"])))
    waived = [c for c in report["checks"] if c["status"] == "waived"]
    out.append("<h2>Waived (%d): exceptions and grace in force</h2><ul>" % len(waived))
    for c in waived:
        out.append('<li class="waived"><code>%s</code>: %s</li>' % (_h(c["id"]), _h(c["message"])))
    out.append("</ul><h2>Evidence</h2><table><tr><th>id</th><th>status</th><th>since</th><th>PCI DSS</th><th>message</th></tr>")
    for c in report["checks"]:
        out.append('<tr><td><code>%s</code></td><td class="%s">%s</td><td>%s</td><td>%s</td><td>%s</td></tr>'
                   % (_h(c["id"]), c["status"], c["status"], _h(c.get("since")), _h(", ".join(c["pci"])), _h(c["message"])))
    out.append("</table><h2>PCI DSS 4.0</h2>")
    for number, section in report["pci"].items():
        cls = {"pass": "pass", "fail": "fail", "pass with waivers": "waived"}.get(section["status"], "skipped")
        out.append('<h3>%s %s: <span class="%s">%s</span></h3>' % (_h(number), _h(section["title"]), cls, _h(section["status"])))
        out.append("<p>%s</p>" % (", ".join("<code>%s</code>" % _h(i) for i in section["checks"])
                                  or "No check evidences it in this run."))
    out.append("</body></html>")
    return "\n".join(out) + "\n"
