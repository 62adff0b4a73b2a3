# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of paynet.netinfra.hsm_attachment and hsm_status (shared by both action plugins).

Fills what the task leaves out: ``config`` from the ``hsm`` variable, ``vrrp`` from the host's ``vrrp``
variable, ``gateway`` from ``inventory_hostname`` and ``fleet_policy`` from the fleet's policy variables;
checks the config with the fleet validator on a one-gateway view before connecting, so bad intent (an
expired review, a missing justification, an "any" source) never reaches a device; answers
``rendered`` and ``parsed`` without a connection.
"""

from __future__ import annotations

import typing as t

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import offline
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.model import ModelError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.nftables.parse import ParseError
from ansible_collections.paynet.netinfra.plugins.plugin_utils.commit_confirm import check as check_confirm
from ansible_collections.paynet.netinfra.plugins.plugin_utils.commit_confirm import confirm_deferred
from ansible_collections.paynet.netinfra.plugins.plugin_utils.fleet_policy import checked_params


def run_hsm_action(action: t.Any, result: dict[str, t.Any], task_vars: dict[str, t.Any], module: str,
                   argument_spec: dict[str, t.Any]) -> dict[str, t.Any]:
    args = dict(action._task.args)
    if args.get("config") is None and task_vars.get("hsm") is not None:
        args["config"] = action._templar.template(task_vars["hsm"])
    if args.get("vrrp") is None and task_vars.get("vrrp") is not None:
        args["vrrp"] = action._templar.template(task_vars["vrrp"])
    if not args.get("gateway"):
        args["gateway"] = task_vars.get("inventory_hostname")
    action._task.args = args
    params, host = checked_params(action, task_vars, "hsm", argument_spec if module == "hsm_attachment" else
                                  dict(argument_spec, fleet_policy={"type": "dict"}))
    params["fleet_policy"] = offline.policy_without_hsm(params.get("fleet_policy"))
    args = dict(action._task.args)
    if module == "hsm_attachment":
        args["fleet_policy"] = params["fleet_policy"]
    else:
        args.pop("fleet_policy", None)
    action._task.args = args
    state = params.get("state", "status")
    if state == "parsed":
        try:
            return dict(result, changed=False, table=offline.table_name(params), parsed=offline.parsed(params))
        except ParseError as exc:
            return dict(result, failed=True, msg="state=parsed: %s" % exc)
    problems = offline.problems(params, host=host) if module == "hsm_attachment" else offline.problems(
        dict(params, state="replaced", allow_empty=True), host=host)
    if problems:
        return dict(result, failed=True, problems=problems,
                    msg="invalid config, no device was touched:\n" + "\n".join(problems))
    if state == "rendered":
        try:
            table, _model, text = offline.device(params, host=host)
        except ModelError as exc:
            return dict(result, failed=True, msg="invalid config, no device was touched: %s" % exc)
        return dict(result, changed=False, table=table, rendered=text)
    if module == "hsm_attachment":
        bad = check_confirm(action, task_vars)
        if bad:
            return dict(result, **bad)
    result.update(action._execute_module(module_name="paynet.netinfra.%s" % module, module_args=args,
                                         task_vars=task_vars))
    return confirm_deferred(action, result, task_vars) if module == "hsm_attachment" else result
