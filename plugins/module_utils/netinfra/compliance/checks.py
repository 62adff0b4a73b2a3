# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks from the registered results of a compliance run.

A check is a dict: ``id`` (``<device>.<feature>.<check>``, unique and stable from run to run),
``device``, ``feature``, ``kind`` (drift, health, policy, grace, audit), ``check``, ``status``
(pass, fail, waived, error, skipped), ``message``, ``evidence`` (JSON-able), ``remediation``
(commands a real run would send), ``missing`` and ``extra`` (config lines) and ``pci`` (requirements).

- :func:`drift` reads one check-mode result of a feature's apply module: ``changed`` is drift, its
  ``diff`` (before/after) gives the missing and extra lines, its ``commands`` the remediation.
- :func:`health` reads one status module result (bgp_status, ipsec_status, vrrp_status, snmp_status,
  hsm_status) into one check per session, tunnel or group.
- :func:`vrrp_masters` is the fleet verdict per VRRP group (exactly one Master).
- :func:`policy` turns the fleet validator's findings into checks: errors fail, an exception in use
  is ``waived`` (with its expiry), other warnings pass with the warning as message.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import difflib
import json
import re

from .pci import requirements_for

FEATURES = ("bgp", "ipsec", "vrrp", "snmp", "hsm")
STATUSES = ("pass", "fail", "waived", "error", "skipped")
FLEET = "fleet"

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/\-\[\]]+")


def check_id(*parts):
    """A stable id from its parts: blanks and odd characters become ``_``."""
    return ".".join(_ID_UNSAFE.sub("_", str(p)).strip("_") or "_" for p in parts)


def make(device, feature, kind, check, status, message, evidence=None, remediation=None, missing=None, extra=None):
    if status not in STATUSES:
        raise ValueError("status %r is not one of %s" % (status, ", ".join(STATUSES)))
    return {
        "id": check_id(device, feature, check),
        "device": device,
        "feature": feature,
        "kind": kind,
        "check": check,
        "status": status,
        "message": message,
        "evidence": evidence if evidence is not None else {},
        "remediation": list(remediation or []),
        "missing": list(missing or []),
        "extra": list(extra or []),
        "pci": list(requirements_for(feature, kind)),
    }


def _text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=1, sort_keys=True, default=str)


def _diffs(diff):
    if isinstance(diff, dict):
        return [diff]
    if isinstance(diff, list):
        return [d for d in diff if isinstance(d, dict)]
    return []


def missing_extra(diff):
    """(missing, extra) lines of a ``diff`` (a dict or list of dicts with before/after): the lines
    the intent has and the device lacks, and the lines the device has beyond the intent (in order)."""
    missing, extra = [], []
    for one in _diffs(diff):
        before = _text(one.get("before")).splitlines()
        after = _text(one.get("after")).splitlines()
        for line in difflib.ndiff(before, after):
            if line.startswith("+ ") and line[2:].strip():
                missing.append(line[2:])
            elif line.startswith("- ") and line[2:].strip():
                extra.append(line[2:])
    return missing, extra


def _error_of(result):
    """The error message of a failed or unreachable task result, else None."""
    if not isinstance(result, dict):
        return "no result (the task did not run on this device)"
    if result.get("unreachable"):
        return "unreachable: %s" % (result.get("msg") or "no connection")
    if result.get("failed"):
        return result.get("msg") or "the task failed"
    return None


def drift(device, feature, result):
    """One drift check from the check-mode result of ``feature``'s apply module."""
    if isinstance(result, dict) and result.get("skipped"):
        return make(device, feature, "drift", "drift", "skipped", result.get("skip_reason") or "skipped")
    error = _error_of(result)
    if error:
        return make(device, feature, "drift", "drift", "error", "could not compute drift: %s" % error)
    lines = result.get("lines")
    if isinstance(lines, dict) and ("added" in lines or "removed" in lines):
        missing, extra = list(lines.get("added") or []), list(lines.get("removed") or [])
    else:
        missing, extra = missing_extra(result.get("diff"))
    commands = [c for c in (result.get("commands") or []) if isinstance(c, str)]
    evidence = {"changed": bool(result.get("changed"))}
    for key in ("added", "modified", "removed", "files", "backend", "table"):
        if result.get(key):
            evidence[key] = result[key]
    if not result.get("changed"):
        return make(device, feature, "drift", "drift", "pass", "the running configuration equals the intent", evidence)
    parts = []
    if missing:
        parts.append("%d line(s) missing" % len(missing))
    if extra:
        parts.append("%d extra line(s)" % len(extra))
    message = "drift from the intent: %s; a real run sends %d command(s)" % (
        ", ".join(parts) or "the device differs", len(commands))
    return make(device, feature, "drift", "drift", "fail", message, evidence, commands, missing, extra)


def _health_error(device, feature, check, result):
    return make(device, feature, "health", check, "error", "could not read the state: %s" % _error_of(result))


def health(device, feature, result):
    """Checks from one status module result (a list)."""
    if isinstance(result, dict) and result.get("skipped"):
        return [make(device, feature, "health", "status", "skipped", result.get("skip_reason") or "skipped")]
    reader = _HEALTH.get(feature)
    if reader is None:
        return []
    error = _error_of(result)
    # the status modules run with fail_on_error/fail_on_unhealthy false: a failure is a read error
    if error:
        return [_health_error(device, feature, "status", result)]
    return reader(device, result)


def _bgp(device, result):
    out = []
    for s in result.get("sessions") or []:
        peer = s.get("peer_address")
        ok = bool(s.get("ok"))
        msg = "%s %s: %s" % (s.get("partner"), peer, s.get("state"))
        if ok:
            msg += ", prefixes in policy (%s received)" % s.get("prefixes_received")
        else:
            msg += ": %s" % (s.get("reason") or "not as intended")
        out.append(make(device, "bgp", "health", "session.%s" % peer, "pass" if ok else "fail", msg, s))
    if not out:
        out.append(make(device, "bgp", "health", "sessions", "skipped", "no session in the intent"))
    return out


def _ipsec(device, result):
    out = []
    for tunnel in result.get("tunnels") or []:
        ok = bool(tunnel.get("healthy"))
        msg = "tunnel %s: IKE %s" % (tunnel.get("name"), tunnel.get("ike_state"))
        if not ok:
            msg += ": %s" % "; ".join(tunnel.get("reasons") or ["not healthy"])
        out.append(make(device, "ipsec", "health", "tunnel.%s" % tunnel.get("name"), "pass" if ok else "fail", msg, tunnel))
    if not out:
        out.append(make(device, "ipsec", "health", "tunnels", "skipped", "no tunnel in the intent"))
    return out


def _vrrp(device, result):
    out = []
    for group in result.get("groups") or []:
        name = "group.%s-%s-%s" % (group.get("segment"), group.get("vrid"), group.get("family"))
        problem = group.get("problem")
        msg = "%s VRID %s %s: %s, priority %s (intended %s)" % (
            group.get("segment"), group.get("vrid"), group.get("family"), group.get("state"),
            group.get("priority"), group.get("intended_priority"))
        if problem:
            msg += ": %s" % problem
        out.append(make(device, "vrrp", "health", name, "fail" if problem else "pass", msg, group))
    if not out:
        out.append(make(device, "vrrp", "health", "groups", "skipped", "no group in the intent"))
    return out


def _snmp(device, result):
    status = result.get("status") or {}
    problems = status.get("problems") or []
    healthy = bool(result.get("healthy")) and not problems
    answering = status.get("users_answering")
    msg = "snmpd answers authPriv for %s and runs exactly the intent" % (answering,) if healthy else "; ".join(problems)
    return [make(device, "snmp", "health", "agent", "pass" if healthy else "fail", msg or "unhealthy", status)]


def _hsm(device, result):
    problems = result.get("problems") or []
    healthy = bool(result.get("healthy")) and not problems
    evidence = {k: result.get(k) for k in ("table", "present", "in_sync", "counters", "problems")}
    msg = ("table %s present, equal to the intent, every rule counting" % result.get("table")) if healthy else "; ".join(problems)
    return [make(device, "hsm", "health", "segmentation", "pass" if healthy else "fail", msg or "unhealthy", evidence)]


_HEALTH = {"bgp": _bgp, "ipsec": _ipsec, "vrrp": _vrrp, "snmp": _snmp, "hsm": _hsm}


def vrrp_masters(results):
    """``{host: vrrp_status result}`` -> one fleet check per group and family: exactly one Master and
    no virtual address on two gateways."""
    groups = {}
    for host, result in sorted((results or {}).items()):
        if not isinstance(result, dict) or _error_of(result) or result.get("skipped"):
            continue
        for entry in result.get("groups") or []:
            groups.setdefault((entry.get("segment"), entry.get("vrid"), entry.get("family")), []).append((host, entry))
    out = []
    for (segment, vrid, family), members in sorted(groups.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
        masters = [h for h, e in members if e.get("state") == "Master"]
        holders = [h for h, e in members if e.get("holds_vip")]
        problems = []
        if len(masters) != 1:
            problems.append("%d Masters (%s), expected exactly one" % (len(masters), ", ".join(masters) or "none"))
        if len(holders) > 1:
            problems.append("split brain: the virtual address is up on %s" % " and ".join(holders))
        evidence = {h: {"state": e.get("state"), "priority": e.get("priority"), "holds_vip": e.get("holds_vip")}
                    for h, e in members}
        label = "%s VRID %s %s" % (segment, vrid, family)
        if problems:
            msg = "%s: %s" % (label, "; ".join(problems))
        else:
            msg = "%s: one Master (%s)" % (label, masters[0])
        out.append(make(FLEET, "vrrp", "health", "one_master.%s-%s-%s" % (segment, vrid, family),
                        "fail" if problems else "pass", msg, evidence))
    return out


_EXPIRES = re.compile(r"\buntil (\d{4}-\d{2}-\d{2})\b")
_FIELD_FEATURE = (("partners", "bgp"), ("bgp", "bgp"), ("ipsec", "ipsec"), ("snmp", "snmp"), ("vrrp", "vrrp"),
                  ("hsm", "hsm"))


def _feature_of(field):
    head = (field or "").split(".", 1)[0].split("[", 1)[0]
    if "crypto_exception" in (field or "") or "tunnel" in (field or "") or head.startswith("ipsec"):
        return "ipsec"
    for prefix, feature in _FIELD_FEATURE:
        if head.startswith(prefix):
            return feature
    return "policy"


def policy(findings, devices=None, fleet_device=FLEET):
    """Checks from validate_intent ``findings``. Findings of hosts outside ``devices`` (when given) are
    left out; findings of no device (``policy``, ``partner:<name>``, ``partners``) go to ``fleet_device``.
    A device with no finding gets one passing ``policy`` check per device so the evidence shows it ran."""
    out, seen = [], {}
    devices = None if devices is None else set(devices)
    for finding in findings or []:
        host = finding.get("host") or fleet_device
        if devices is not None and host not in devices:
            if host in _NON_DEVICE or host.startswith("partner:"):
                host = fleet_device
            else:
                continue
        field = finding.get("field") or "intent"
        feature = _feature_of(field)
        name = "policy.%s" % field
        seen[(host, name)] = seen.get((host, name), 0) + 1
        if seen[(host, name)] > 1:
            name = "%s#%d" % (name, seen[(host, name)])
        message = finding.get("message") or ""
        evidence = {k: finding.get(k) for k in ("host", "field", "severity", "file") if finding.get(k)}
        fix = [finding["fix"]] if finding.get("fix") else []
        if finding.get("severity") == "error":
            status = "fail"
        elif "exception" in field or "exception" in message:
            status = "waived"
            until = _EXPIRES.search(message)
            evidence["expires"] = until.group(1) if until else None
        else:
            status = "pass"
            message = "warning: " + message
        check = make(host, feature, "policy", name, status, message, evidence, fix)
        out.append(check)
    for device in sorted(devices or ()):
        if not any(c["device"] == device for c in out):
            out.append(make(device, "policy", "policy", "intent", "pass",
                            "the fleet validator found nothing on this device's intent"))
    return out


_NON_DEVICE = ("policy", "partners", "inventory", FLEET)


def reachability(device, results):
    """The device-level verdict of one device's registered results (a dict feature -> list of results):
    an ``error`` check ``<device>.connection.reachable`` when the device was unreachable or none of its
    checks ran, else None. A device that could not be checked is never left out of the report, and never
    "compliant" by omission."""
    present = [r for rs in results.values() for r in rs if r is not None]
    if not present:
        return make(device, "connection", "health", "reachable", "error",
                    "not checked: the device registered no result (it was unreachable or failed before its checks "
                    "ran, or left the play)", {"unreachable": True},
                    ["check the device's management path and sshd, then run the compliance check again"])
    dark = [(feature, r) for feature, rs in results.items() for r in rs
            if isinstance(r, dict) and r.get("unreachable")]
    if not dark:
        return None
    features = sorted({feature for feature, _r in dark})
    reason = str(dark[0][1].get("msg") or "no connection").strip().splitlines()[0][:200]
    return make(device, "connection", "health", "reachable", "error",
                "unreachable, so %s not checked: %s" % (", ".join(features), reason),
                {"unreachable": True, "features": features},
                ["check the device's management path and sshd, then run the compliance check again"])


def dedupe(checks):
    """Make every id unique (a repeated id gets ``#2``, ``#3`` ...), in order."""
    seen = {}
    for check in checks:
        n = seen.get(check["id"], 0) + 1
        seen[check["id"]] = n
        if n > 1:
            check["id"] = "%s#%d" % (check["id"], n)
    return checks
