# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of paynet.netinfra.vrrp.

Checks the config with the fleet validator on a one-device view (``netinfra_policy``) before
connecting, so a bad intent never reaches a gateway; answers ``rendered`` and ``parsed`` without a
connection; otherwise runs the module on the gateway with ``fleet_policy`` completed from the
fleet's policy variables.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp import offline
from ansible_collections.paynet.netinfra.plugins.modules.vrrp import ARGUMENT_SPEC
from ansible_collections.paynet.netinfra.plugins.plugin_utils import commit_confirm
from ansible_collections.paynet.netinfra.plugins.plugin_utils.fleet_policy import checked_params


class ActionModule(ActionBase):
    """Validate and render on the controller; apply on the gateway."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        params, host = checked_params(self, task_vars, "vrrp", ARGUMENT_SPEC)
        state = params["state"]
        if state == "parsed" and not params.get("running_config"):
            return dict(result, failed=True, msg="state=parsed needs running_config (FRR running-config text)")
        try:
            backend, groups = offline.prepare(params, host=host)
        except offline.Refused as exc:
            return dict(result, failed=True, problems=exc.problems,
                        msg="invalid config, no gateway was touched:\n" + "\n".join(exc.problems))
        if state == "parsed":
            return dict(result, changed=False, backend=backend, parsed=offline.parsed(params["running_config"]))
        if state == "rendered":
            return dict(result, changed=False, backend=backend, rendered=offline.rendered(backend, groups))
        bad = commit_confirm.check_params(params, host)
        if bad:
            return dict(result, **bad)
        result.update(self._execute_module(module_name="paynet.netinfra.vrrp", module_args=dict(self._task.args),
                                           task_vars=task_vars))
        return commit_confirm.confirm_deferred(self, result, task_vars)
