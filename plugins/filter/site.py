# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site_summary filter: one screen per site run (playbooks/site.yml), built from the stages' results."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

# (stage label, registered result name) in the order playbooks/site.yml runs them
STAGES = (
    ("vrrp", "vrrp_result"),
    ("hsm", "hsm_attachment_result"),
    ("ipsec", "ipsec_tunnels_result"),
    ("bgp", "bgp_peering_result"),
    ("snmp", "snmp_result"),
)


def _count(result, key):
    value = result.get(key)
    return len(value) if isinstance(value, (list, tuple)) else 0


def _vrrp_state(entry):
    """keepalived entries carry state/status; FRR vrrpd ones one status per address family (v4, v6)."""
    state = entry.get("state") or entry.get("status")
    if state:
        return str(state)
    fams = [str((entry.get(f) or {}).get("status")) for f in ("v4", "v6") if isinstance(entry.get(f), dict)]
    return "/".join(fams) or "?"


def _detail(stage, result):
    """A few words on what a stage did on one device (never a secret: only counts and names)."""
    words = []
    if stage == "vrrp":
        if result.get("backend"):
            words.append(str(result["backend"]))
        states = result.get("status")
        if isinstance(states, list) and states:
            words.append(", ".join("VRID %s %s" % (s.get("vrid"), _vrrp_state(s)) for s in states if isinstance(s, dict)))
    elif stage == "hsm":
        lines = result.get("lines") if isinstance(result.get("lines"), dict) else {}
        words.append("table %s" % result.get("table", "?"))
        if lines:
            words.append("+%d/-%d lines" % (_count(lines, "added"), _count(lines, "removed")))
    elif stage == "ipsec":
        for key in ("added", "modified", "removed"):
            if result.get(key):
                words.append("%s %s" % (key, ", ".join(str(t) for t in result[key])))
    elif stage == "bgp":
        verification = result.get("verification")
        if isinstance(verification, dict) and verification.get("required_established") is not None:
            words.append("%d Established" % len(verification.get("required_established") or []))
    elif stage == "snmp":
        for key in ("added", "modified", "removed"):
            if result.get(key):
                words.append("users %s %s" % (key, ", ".join(str(u) for u in result[key])))
        if result.get("frr_restart_needed"):
            words.append("FRR restart (AgentX module)")
    if stage != "hsm" and _count(result, "commands"):
        words.append("%d commands" % _count(result, "commands"))
    return "; ".join(w for w in words if w)


def _state(result, check_mode):
    if result.get("failed"):
        return "FAILED"
    if result.get("skipped"):
        return "skipped"
    if result.get("changed"):
        return "would change" if check_mode else "changed"
    return "ok"


def site_summary(hosts, hostvars, check_mode=False, unreachable=None):
    """Lines ``host: stage state (detail) | ...`` for each host, one line per device left out as unreachable
    (``unreachable``: {host: {"address", "port", "error"}}), and a last line of totals."""
    lines = []
    totals = {"ok": 0, "changed": 0, "would change": 0, "FAILED": 0, "skipped": 0, "UNREACHABLE": 0}
    unreachable = dict(unreachable or {})
    hosts = [h for h in hosts or [] if h not in unreachable]
    width = max([len(str(h)) for h in hosts + list(unreachable)] + [4])
    for host in hosts or []:
        try:
            variables = hostvars[host]
        except KeyError:
            continue
        parts = []
        for stage, name in STAGES:
            result = variables.get(name) if hasattr(variables, "get") else None
            if not isinstance(result, dict) or not result:
                continue
            state = _state(result, check_mode)
            totals[state] += 1
            if state == "skipped":
                detail = ""
            elif state == "FAILED":
                detail = str(result.get("msg") or "").splitlines()[0][:120] if result.get("msg") else ""
            else:
                detail = _detail(stage, result)
            parts.append("%s %s%s" % (stage, state, " (%s)" % detail if detail else ""))
        lines.append("%s  %s" % (str(host).ljust(width), " | ".join(parts) if parts else "no stage ran"))
    for host in sorted(unreachable):
        info = unreachable[host] if isinstance(unreachable[host], dict) else {}
        totals["UNREACHABLE"] += 1
        lines.append("%s  UNREACHABLE, left out of this run (%s:%s: %s)" % (
            str(host).ljust(width), info.get("address", "?"), info.get("port", "?"), info.get("error", "no answer")))
    lines.append("total: " + ", ".join("%d %s" % (n, k) for k, n in totals.items() if n or k in ("ok", "changed")))
    return lines


class FilterModule:
    def filters(self):
        return {"site_summary": site_summary}
