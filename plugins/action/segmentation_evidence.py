# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for paynet.netinfra.segmentation_evidence: judge the HSM segmentation proof and write
its evidence on the controller. It never connects to a host. Documentation:
plugins/modules/segmentation_evidence.py.
"""

from __future__ import annotations

import getpass
import json
import typing as t

from ansible.plugins.action import ActionBase

from ansible_collections.paynet.netinfra.plugins.plugin_utils import revision
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import evidence, model, proof

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "hsm": {"type": "dict"},
    "plan": {"type": "list", "elements": "dict"},
    "results": {"type": "dict"},
    "probe_var": {"type": "str", "default": "hsm_proof_probe"},
    "counters_before": {"type": "dict"},
    "counters_after": {"type": "dict"},
    "counters_var": {"type": "str", "default": "hsm_proof_counters_seen"},
    "evidence_dir": {"type": "path", "required": True},
    "playbook": {"type": "str"},
}


def _plain(value: t.Any) -> t.Any:
    """Templated/tagged values as plain JSON data (dates become strings)."""
    return json.loads(json.dumps(value, default=str))


def intent_revision(task_vars: dict[str, t.Any]) -> tuple[dict[str, t.Any], str | None]:
    """({commit, dirty}, inventory directory) of the first inventory source in a git work tree."""
    return revision.intent_revision(task_vars.get("ansible_inventory_sources") or [])


class ActionModule(ActionBase):
    """Judge the probes against the plan and the counters; write JSON and Markdown evidence."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result = super().run(tmp, task_vars)
        result["changed"] = False
        hsm = args.get("hsm")
        if hsm is None:
            hsm = self._templar.template(task_vars.get("hsm")) if task_vars.get("hsm") is not None else None
        if not isinstance(hsm, dict) or not hsm.get("segments"):
            return dict(result, failed=True, msg="hsm: no HSM intent with segments was given or found in the variable "
                        "hsm; pass hsm (the intent, docs/hsm.md) or run against an inventory that defines it")
        hsm = _plain(hsm)
        try:
            plan = _plain(args["plan"]) if args.get("plan") is not None else model.probe_plan(hsm)
        except (model.ModelError, KeyError, TypeError, ValueError) as exc:
            return dict(result, failed=True, msg="hsm: the intent cannot be planned (%s); run playbooks/validate.yml, "
                        "which names the field and the fix" % exc)
        results = args.get("results")
        if results is None:
            results = self._registered(plan, task_vars, args["probe_var"])
        results = _plain(results)
        before, after = args.get("counters_before"), args.get("counters_after")
        if before is None and after is None:
            before, after = self._counters(hsm, task_vars, args["counters_var"])
        judgement = proof.judge(hsm, results, _plain(before or {}), _plain(after or {}), plan=plan)
        revision, inventory = intent_revision(task_vars)
        meta = {"intent_revision": revision, "inventory": inventory, "controller_user": getpass.getuser(),
                "playbook": args.get("playbook") or task_vars.get("ansible_play_name"),
                "check_mode": bool(self._task.check_mode)}
        directory = args["evidence_dir"]
        stamp_now = evidence.utc()
        previous = evidence.previous_evidence(directory, before=stamp_now.strftime(evidence.STAMP))
        doc = evidence.build(judgement, meta, now=stamp_now, previous=previous)
        try:
            paths = evidence.write(doc, directory)
        except OSError as exc:
            return dict(result, failed=True, msg="could not write the evidence into %s: %s" % (directory, exc),
                        verdict=doc["verdict"], failures=doc["failures"])
        result.update(verdict=doc["verdict"], counts=doc["counts"], failures=doc["failures"], warnings=doc["warnings"],
                      evidence_files=paths, intent_revision=revision, pci_dss={k: v["status"] for k, v in
                                                                               doc["pci_dss"].items() if isinstance(v, dict) and "status" in v})
        summary = "segmentation proof %s: %d probes, %d pass, %d fail, %d unverifiable; evidence %s" % (
            doc["verdict"].upper(), doc["counts"]["total"], doc["counts"]["pass"], doc["counts"]["fail"],
            doc["counts"]["unverifiable"], paths["markdown"])
        if doc["verdict"] != proof.PASS:
            result["failed"] = True
            result["msg"] = summary + "\n" + "\n".join(doc["failures"])
        else:
            result["msg"] = summary
        return result

    @staticmethod
    def _counters(hsm: dict[str, t.Any], task_vars: dict[str, t.Any], var: str) -> tuple[dict[str, t.Any], dict[str, t.Any]]:
        """({gateway: counters before}, {gateway: counters after}) from each segment gateway's ``var``
        ({before: counters, after: counters}, set by playbooks/tasks/hsm_proof_counters.yml)."""
        hostvars = task_vars.get("hostvars") or {}
        before: dict[str, t.Any] = {}
        after: dict[str, t.Any] = {}
        gateways = sorted({g for s in hsm.get("segments") or [] for g in s.get("gateways") or []})
        for gateway in gateways:
            if gateway not in hostvars:
                continue
            seen = hostvars[gateway].get(var)
            if isinstance(seen, dict) and isinstance(seen.get("before"), dict) and isinstance(seen.get("after"), dict):
                before[gateway] = seen["before"]
                after[gateway] = seen["after"]
        return before, after

    def _registered(self, plan: list[dict[str, t.Any]], task_vars: dict[str, t.Any], var: str) -> dict[str, t.Any]:
        """{host: results} from each probe host's registered ``segmentation_probe`` result."""
        hostvars = task_vars.get("hostvars") or {}
        results: dict[str, t.Any] = {}
        for host in sorted({p["host"] for p in plan}):
            if host not in hostvars:
                continue
            registered = hostvars[host].get(var)
            if isinstance(registered, dict) and isinstance(registered.get("results"), list):
                results[host] = registered["results"]
        return results
