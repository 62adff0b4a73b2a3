# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for paynet.netinfra.maintenance_gates: judge the health gates of a maintenance
drain/restore on the controller from the status the play registered. It never connects to a host.
Documentation: plugins/modules/maintenance_gates.py; the gates: module_utils/netinfra/ops/gates.py.
"""

from __future__ import annotations

import json
import typing as t

from ansible.plugins.action import ActionBase

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.ops import gates

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "device": {"type": "str", "required": True},
    "phase": {"type": "str", "required": True, "choices": ["scope"] + list(gates.PHASES)},
    "hosts": {"type": "list", "elements": "str"},
    "bgp_var": {"type": "str", "default": "maintenance_bgp"},
    "vrrp_var": {"type": "str", "default": "maintenance_vrrp"},
    "ipsec_var": {"type": "str", "default": "maintenance_ipsec"},
    "fail_on_gate": {"type": "bool", "default": True},
}


def _plain(value: t.Any) -> t.Any:
    return json.loads(json.dumps(value, default=str))


class ActionModule(ActionBase):
    """Scope of a drain (the device and its redundant peers), or the gates of one phase."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def _hostvar(self, hostvars: t.Any, host: str, name: str) -> t.Any:
        try:
            value = hostvars[host].get(name)
        except KeyError:
            return None
        return _plain(self._templar.template(value)) if value is not None else None

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result = super().run(tmp, task_vars)
        result["changed"] = False
        hostvars = task_vars.get("hostvars") or {}
        device = args["device"]
        everyone = list((task_vars.get("groups") or {}).get("all") or [])
        if device not in everyone:
            return dict(result, failed=True, msg="device %s is not in the inventory. Fix: -e device=NAME with one of %s"
                        % (device, ", ".join(sorted(everyone)[:20])))
        partners = _plain(self._templar.template(task_vars.get("partners") or {}))
        vrrp = {}
        drained = []
        for host in everyone:
            value = self._hostvar(hostvars, host, "vrrp")
            if isinstance(value, dict):
                vrrp[host] = value
            if host != device and self._hostvar(hostvars, host, "netinfra_maintenance") == "drained":
                drained.append(host)
        peers = gates.peers_of(device, partners, vrrp)
        result.update(device=device, peers=peers, drained_peers=sorted(set(drained) & set(peers)))
        if args["phase"] == "scope":
            result["hosts"] = [device] + peers
            return result
        hosts = args.get("hosts") or [device] + peers
        status = {"sessions": {}, "groups": {}, "tunnels": {}}
        for host in hosts:
            for key, var, field in (("sessions", args["bgp_var"], "sessions"), ("groups", args["vrrp_var"], "groups"),
                                    ("tunnels", args["ipsec_var"], "tunnels")):
                registered = self._hostvar(hostvars, host, var)
                if isinstance(registered, dict) and not registered.get("skipped") and field in registered:
                    status[key][host] = registered.get(field) or []
        inp = gates.Inputs(device, partners=partners, vrrp=vrrp, drained=drained, **status)
        judged = gates.evaluate(inp, args["phase"])
        failed = [g["name"] for g in judged if not g["passed"]]
        result.update(phase=args["phase"], gates=judged, failed_gates=failed, passed=not failed,
                      msg=gates.summary(device, args["phase"], judged))
        if failed and args["fail_on_gate"]:
            result["failed"] = True
        return result
