# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of paynet.netinfra.ipsec_tunnel.

Checks every tunnel with the fleet validator on a one-gateway view (strong-crypto policy,
authentication, inside network in the fleet's pool, ...) before connecting, so a weak proposal never
reaches a gateway; answers ``rendered`` and ``parsed`` without a connection; otherwise runs the module
on the gateway with ``fleet_policy`` completed from the fleet's policy variables (``ipsec_policy``,
``ipsec_inside_pool``, ``ipsec_inside_prefixlen``, ``netinfra_policy``).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.fleet import check_module_input
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import offline as ipsec_offline
from ansible_collections.paynet.netinfra.plugins.modules.ipsec_tunnel import ARGUMENT_SPEC
from ansible_collections.paynet.netinfra.plugins.plugin_utils import commit_confirm
from ansible_collections.paynet.netinfra.plugins.plugin_utils.fleet_policy import checked_params


class ActionModule(ActionBase):
    """Validate and render on the controller; apply on the gateway."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        params, host = checked_params(self, task_vars, "ipsec", ARGUMENT_SPEC)
        state = params["state"]
        if state == "parsed":
            if not params.get("running_config"):
                return dict(result, failed=True, msg="state=parsed needs running_config (a paynet-*.conf file's text)")
            try:
                parsed = ipsec_offline.parsed(params["running_config"])
            except ValueError as exc:  # ConfParseError (with the line number), undecodable secret
                return dict(result, failed=True, msg="running_config is not a swanctl file: %s" % exc)
            return dict(result, changed=False, parsed=parsed)
        if state in ("merged", "replaced", "overridden", "rendered", "deleted"):
            if params.get("config") is None and state != "deleted":
                return dict(result, failed=True, msg="state=%s needs config" % state)
            try:
                # the module completes the tunnels too (also for deleted): a malformed one fails here
                tunnels = ipsec_offline.complete((params.get("config") or {}).get("tunnels") or [])
            except ValueError as exc:
                return dict(result, failed=True, msg="%s: invalid config, no gateway was touched: %s" % (host, exc))
        if state in ("merged", "replaced", "overridden", "rendered"):
            problems = check_module_input("ipsec", params.get("config"), tunnels, params, "tunnels", host=host)
            if problems:
                return dict(result, failed=True, problems=problems,
                            msg="invalid config, no gateway was touched:\n" + "\n".join(problems))
            if state == "rendered":
                try:
                    rendered = ipsec_offline.rendered(tunnels, params["dataplane"], params["swanctl_dir"])
                except ValueError as exc:  # SwanctlError: names the field
                    return dict(result, failed=True, msg="%s: cannot render the config: %s" % (host, exc))
                return dict(result, changed=False, rendered=rendered)
        module_args = dict(self._task.args)
        bad = commit_confirm.check_params(params, host)
        if bad:
            return dict(result, **bad)
        result.update(self._execute_module(module_name="paynet.netinfra.ipsec_tunnel", module_args=module_args,
                                           task_vars=task_vars))
        return commit_confirm.confirm_deferred(self, result, task_vars)
