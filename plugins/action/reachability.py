# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for paynet.netinfra.reachability: probe every device's management address at once from
the controller. Documentation: plugins/modules/reachability.py; the probe: module_utils/netinfra/ops/reachability.py.
"""

from __future__ import annotations

import typing as t

from ansible.plugins.action import ActionBase

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.ops import reachability

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "hosts": {"type": "list", "elements": "str"},
    "timeout": {"type": "float", "default": 10},
    "fail_on_unreachable": {"type": "bool", "default": False},
}


class ActionModule(ActionBase):
    """One TCP connect per device, in parallel, on the controller."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def _target(self, hostvars: t.Any, host: str) -> tuple[str, int]:
        try:
            variables = hostvars[host]
        except KeyError:
            return host, 22
        address = self._templar.template(variables.get("ansible_host") or host)
        port = self._templar.template(variables.get("ansible_port") or 22)
        return str(address), int(port)

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result = super().run(tmp, task_vars)
        hosts = args.get("hosts") or list(task_vars.get("ansible_play_hosts_all") or [])
        hostvars = task_vars.get("hostvars") or {}
        targets = {host: self._target(hostvars, host) for host in hosts}
        probed = reachability.probe(targets, timeout=args["timeout"])
        result.update(probed, changed=False, msg=reachability.message(probed))
        if probed["unreachable_hosts"] and args["fail_on_unreachable"]:
            result["failed"] = True
        return result
