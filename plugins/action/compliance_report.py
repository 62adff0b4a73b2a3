# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for paynet.netinfra.compliance_report: the compliance reports, once, on the controller.

It never connects to a host (``_requires_connection = False``). It reads the results the play's hosts
registered (check-mode apply results and status results, named by I(registered)) from ``hostvars``,
turns them into checks (plugins/module_utils/netinfra/compliance), applies grace and history, masks
secrets and writes JSON (+ its schema), JUnit XML, Markdown and HTML into I(dest). Documentation:
plugins/modules/compliance_report.py.
"""

from __future__ import annotations

import datetime
import getpass
import json
import os
import typing as t

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.compliance import checks as ck
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.compliance import grace as gr
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.compliance import history
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.compliance import report as rp
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import audit

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "dest": {"type": "path", "required": True},
    "hosts": {"type": "list", "elements": "str"},
    "registered": {"type": "dict"},
    "policy": {"type": "raw"},
    "grace": {"type": "raw"},
    "diagram": {"type": "raw"},
    "audit_log": {"type": "path"},
    "started": {"type": "str"},
    "playbook": {"type": "str"},
    "fail_on_violation": {"type": "bool", "default": True},
    "keep": {"type": "int", "default": 30},
}
DEFAULT_REGISTERED = {f: {"drift": "compliance_%s" % f, "health": "compliance_%s_status" % f} for f in ck.FEATURES}
# the variables that hold a device's intent (secret-named keys inside them are masked)
INTENT_VARS = ("partners", "bgp", "snmp", "vrrp", "ipsec_policy")
REPORTS = ("json", "xml", "md", "html")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def audit_check(path: str | None) -> dict[str, t.Any]:
    """PCI DSS 10.2: the audit log of real runs exists, is 0600 and every line is JSON (skipped without a path)."""
    if not path:
        return ck.make(ck.FLEET, "compliance", "audit", "audit_log", "skipped",
                       "no audit log configured (set compliance_audit_log)")
    try:
        mode = os.stat(path).st_mode & 0o777
        with open(path, encoding="utf-8") as handle:
            lines = [line for line in handle.read().splitlines() if line.strip()]
    except OSError as exc:
        return ck.make(ck.FLEET, "compliance", "audit", "audit_log", "skipped", "no audit log yet at %s (%s)" % (path, exc.strerror))
    bad = 0
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            bad += 1
    problems = []
    if mode & 0o077:
        problems.append("mode is %04o, expected 0600" % mode)
    if bad:
        problems.append("%d line(s) are not JSON" % bad)
    evidence = {"path": path, "mode": "%04o" % mode, "lines": len(lines)}
    if problems:
        return ck.make(ck.FLEET, "compliance", "audit", "audit_log", "fail", "audit log %s: %s" % (path, "; ".join(problems)), evidence)
    return ck.make(ck.FLEET, "compliance", "audit", "audit_log", "pass", "audit log %s: %d entries, mode 0600" % (path, len(lines)), evidence)


class ActionModule(ActionBase):
    """Write the compliance reports once per run on the controller."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        now = _now()
        started = args["started"] or now.isoformat()
        try:
            graces = gr.parse(args["grace"] if args["grace"] is not None else task_vars.get(gr.VAR))
        except gr.GraceError as exc:
            result.update(failed=True, msg="invalid grace, no report written: %s" % exc)
            return result
        hostvars = task_vars.get("hostvars") or {}
        hosts = args["hosts"] or list(task_vars.get("ansible_play_hosts_all") or [])
        registered = dict(DEFAULT_REGISTERED)
        registered.update(args["registered"] or {})

        checks: list[dict[str, t.Any]] = []
        vrrp_results = {}
        secrets: set[str] = set()
        for host in hosts:
            view = hostvars[host] if host in hostvars else {}
            results: dict[str, list[t.Any]] = {}
            for feature, names in registered.items():
                drift = self._get(view, names.get("drift"))
                status = self._get(view, names.get("health"))
                results[feature] = [drift, status]
                # a feature whose tasks were skipped by their condition is not in this device's intent: no check
                if drift is not None and not (isinstance(drift, dict) and drift.get("skipped")):
                    checks.append(ck.drift(host, feature, drift))
                if status is not None and not (isinstance(status, dict) and status.get("skipped")):
                    checks.extend(ck.health(host, feature, status))
                    if feature == "vrrp":
                        vrrp_results[host] = status
            reach = ck.reachability(host, results)
            if reach is not None:
                checks.append(reach)
            self._collect_secrets(view, secrets)
        checks.extend(ck.vrrp_masters(vrrp_results))
        policy = args["policy"]
        if isinstance(policy, dict):
            if policy.get("findings") is None and policy.get("failed"):
                checks.append(ck.make(ck.FLEET, "policy", "policy", "policy.validate", "error",
                                      "the fleet validator did not run: %s" % policy.get("msg")))
            else:
                checks.extend(ck.policy(policy.get("findings") or [], devices=hosts))
        checks.extend(gr.apply(checks, graces, now.date()))
        checks.append(audit_check(args["audit_log"] or task_vars.get("compliance_audit_log")))
        ck.dedupe(checks)

        dest = args["dest"]
        os.makedirs(dest, mode=0o700, exist_ok=True)
        os.chmod(dest, 0o700)
        history.apply(checks, history.load(os.path.join(dest, "latest.json")), now.isoformat())

        links = self._links(dest, args["diagram"])
        try:
            started_at = datetime.datetime.fromisoformat(started)
            if started_at.tzinfo is None:
                started_at = started_at.replace(tzinfo=datetime.timezone.utc)
            duration = max(0.0, (now - started_at).total_seconds())
        except (TypeError, ValueError):
            duration = 0.0
        run = {"started": started, "finished": now.isoformat(), "duration_s": duration,
               "playbook": args["playbook"] or "", "user": getpass.getuser(),
               "awx_job_id": to_text(task_vars.get("tower_job_id") or task_vars.get("awx_job_id") or ""),
               "check_mode": True}
        report = rp.build(checks, run, links, secrets=sorted(secrets))
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        texts = {"json": rp.to_json(report), "xml": rp.to_junit(report), "md": rp.to_markdown(report),
                 "html": rp.to_html(report)}
        paths = {}
        for ext, text in texts.items():
            path = os.path.join(dest, "compliance-%s.%s" % (stamp, ext))
            _write(path, text)
            _write(os.path.join(dest, "latest.%s" % ext), text)
            paths[ext] = path
        _write(os.path.join(dest, "compliance.schema.json"), json.dumps(rp.SCHEMA, indent=1, sort_keys=True) + "\n")
        self._prune(dest, args["keep"])

        summary = report["summary"]
        failing = [c["id"] for c in report["checks"] if c["status"] in rp.FAILING]
        unreachable = summary.get("unreachable") or []
        result.update(changed=False, reports=paths, summary=summary, failing=failing, unreachable=unreachable,
                      waived=[c["id"] for c in report["checks"] if c["status"] == "waived"])
        text = "%d checks: %d pass, %d fail, %d waived, %d error, %d skipped; reports in %s" % (
            summary["total"], summary["pass"], summary["fail"], summary["waived"], summary["error"], summary["skipped"], dest)
        if unreachable:
            text = "%d device%s UNREACHABLE, not checked: %s; %s" % (
                len(unreachable), "" if len(unreachable) == 1 else "s", ", ".join(unreachable), text)
        if failing and args["fail_on_violation"]:
            result.update(failed=True, msg="NOT COMPLIANT: %s. Failing: %s" % (text, ", ".join(failing)))
        else:
            result["msg"] = ("COMPLIANT: " if not failing else "NOT COMPLIANT (not failing the run): ") + text
        return result

    @staticmethod
    def _get(view: t.Any, name: str | None) -> t.Any:
        if not name:
            return None
        try:
            value = view.get(name) if hasattr(view, "get") else None
        except Exception:  # pylint: disable=broad-except
            return None
        if value is None or (isinstance(value, str) and not value):
            return None
        return value

    @staticmethod
    def _collect_secrets(view: t.Any, secrets: set[str]) -> None:
        """The literal secret values of a host's intent (vault_* variables, secret-named keys), collected as the
        audit trail collects them (core.audit.secret_values)."""
        try:
            names = [name for name in view.keys() if name.startswith("vault_") or name in INTENT_VARS]
        except Exception:  # pylint: disable=broad-except
            return
        values = {}
        for name in names:
            try:
                values[name] = view.get(name)
            except Exception:  # pylint: disable=broad-except
                continue
        secrets.update(audit.secret_values(values))

    @staticmethod
    def _links(dest: str, diagram: t.Any) -> dict[str, t.Any]:
        links: dict[str, t.Any] = {}
        if isinstance(diagram, dict) and not diagram.get("failed") and not diagram.get("skipped"):
            for key in ("svg", "png"):
                if diagram.get(key):
                    links["diagram_" + key] = os.path.relpath(to_text(diagram[key]), dest)
            devices = diagram.get("devices")
            if isinstance(devices, dict):
                links["devices"] = {h: os.path.relpath(to_text(p), dest) for h, p in devices.items()}
            elif isinstance(devices, list):
                links["devices"] = {os.path.splitext(os.path.basename(to_text(p)))[0]: os.path.relpath(to_text(p), dest)
                                    for p in devices}
        elif os.path.exists(os.path.join(dest, "diagram.svg")):
            links["diagram_svg"] = "diagram.svg"
        return links

    @staticmethod
    def _prune(dest: str, keep: int) -> None:
        """Keep the newest ``keep`` timestamped runs."""
        if keep <= 0:
            return
        stamps = sorted({n[len("compliance-"):].split(".", 1)[0] for n in os.listdir(dest)
                         if n.startswith("compliance-") and n.split(".", 1)[-1] in REPORTS})
        for stamp in stamps[:-keep]:
            for ext in REPORTS:
                path = os.path.join(dest, "compliance-%s.%s" % (stamp, ext))
                if os.path.exists(path):
                    os.remove(path)
