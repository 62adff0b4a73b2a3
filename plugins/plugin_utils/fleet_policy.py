# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of every feature module's ``fleet_policy`` option.

A module checks its own config with the fleet validator on a one-device view; to apply the same
policy as ``validate_intent`` it needs the fleet's policy variables. The action plugins fill each
one the task leaves out from the variable of the same name, so a playbook never has to pass them.
"""

from __future__ import annotations

import typing as t

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.registry import policy_var_names


def with_fleet_policy(args: dict[str, t.Any], task_vars: dict[str, t.Any], templar: t.Any, feature: str) -> dict[str, t.Any]:
    """``args`` with ``fleet_policy`` completed from ``task_vars`` for ``feature``'s policy variables."""
    args = dict(args)
    given = args.get("fleet_policy")
    policy = dict(given) if isinstance(given, dict) else {}
    for name in policy_var_names([feature]):
        if name not in policy and task_vars.get(name) is not None:
            policy[name] = templar.template(task_vars[name])
    if given is None or isinstance(given, dict):
        args["fleet_policy"] = policy
    return args


def checked_params(action: t.Any, task_vars: dict[str, t.Any], feature: str,
                   argument_spec: dict[str, t.Any]) -> tuple[dict[str, t.Any], str]:
    """For an action plugin of ``feature``: fill the task's ``fleet_policy`` (:func:`with_fleet_policy`),
    check the arguments against the module's ``argument_spec`` (raises the usual argument error), and
    return ``(params with defaults, inventory host name)``."""
    action._task.args = with_fleet_policy(action._task.args, task_vars, action._templar, feature)
    _validation, new_args = action.validate_argument_spec(argument_spec=argument_spec)
    return dict(new_args), task_vars.get("inventory_hostname", "?")
