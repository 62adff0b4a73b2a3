# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for paynet.netinfra.network_diagram: draw the fleet (PCI DSS 1.2.3) on the controller.

It gathers the fleet's intent exactly as validate_intent does (its ``_Resolver`` and ``_devices``: each
host's intent templated in its own context) and leaves the drawing to
plugins/module_utils/netinfra/diagram/. Documentation: plugins/modules/network_diagram.py.
"""

from __future__ import annotations

import json
import typing as t

from ansible_collections.paynet.netinfra.plugins.action import validate_intent
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import audit
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.diagram import graph, render
from ansible_collections.paynet.netinfra.plugins.plugin_utils import diagram_png

ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "dest": {"type": "path", "required": True},
    "state": {"type": "dict"},
    "registered": {"type": "dict"},
    "hosts": {"type": "list", "elements": "str"},
    "title": {"type": "str", "default": "Partner connectivity and CDE boundary"},
    "png": {"type": "bool", "default": True},
}


def _plain(value: t.Any) -> t.Any:
    """Templated/tagged values as plain JSON data (dates become strings)."""
    return json.loads(json.dumps(value, default=str))


class ActionModule(validate_intent.ActionModule):
    """Gather the fleet's intent (as validate_intent does), overlay the state, write SVG/PNG/Markdown."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result = super(validate_intent.ActionModule, self).run(tmp, task_vars)  # pylint: disable=bad-super-call
        result["changed"] = False
        resolver = validate_intent._Resolver(self._templar)  # pylint: disable=protected-access
        partners = resolver.resolve(task_vars.get("partners"), "partners", "partners")
        hsm = resolver.resolve(task_vars.get("hsm"), "policy", "hsm")
        hostvars = task_vars.get("hostvars") or {}
        everyone = list((task_vars.get("groups") or {}).get("all") or [])
        limit = args.get("hosts")
        unknown = [h for h in limit or [] if h not in hostvars]
        if unknown:
            return dict(result, failed=True, msg="hosts: %s not in the inventory; list inventory hostnames (or leave "
                        "hosts out: every host)" % ", ".join(sorted(unknown)))
        devices = self._devices(everyone, hostvars, resolver)
        secrets = self._secrets(everyone, hostvars, task_vars)
        state = _plain(args.get("state") or {})
        if args.get("registered"):
            state = self._registered(state, args["registered"], limit or everyone, hostvars)
        fleet = graph.build(_plain(partners or {}), _plain(devices), hsm=_plain(hsm or {}), state=state, hosts=limit)
        try:
            paths = render.write(fleet, args["dest"], title=args["title"], secrets=secrets,
                                 png=diagram_png.to_png if args["png"] else None)
        except OSError as exc:
            return dict(result, failed=True, msg="could not write the diagram into %s: %s" % (args["dest"], exc))
        drawn = fleet.to_dict()
        result.update(paths)
        result.update(nodes=drawn["nodes"], edges=drawn["edges"], vrrp_groups=drawn["vrrp_groups"])
        down = [e["id"] for e in drawn["edges"] if e["state"] == graph.DOWN]
        result["msg"] = "diagram: %d nodes, %d edges (%d down), %d device pages; %s%s" % (
            len(drawn["nodes"]), len(drawn["edges"]), len(down), len(paths["devices"]), paths["svg"],
            "" if paths["png"] is None else " and " + paths["png"])
        return result

    @staticmethod
    def _registered(state: dict[str, t.Any], registered: dict[str, t.Any], hosts: list[str],
                    hostvars: t.Any) -> dict[str, t.Any]:
        """``state`` completed from each host's registered status results ({feature: variable name});
        skipped and unreachable results are left out (drawn as unknown)."""
        for host in hosts:
            if host not in hostvars:
                continue
            view = hostvars[host]
            for feature, var in sorted(registered.items()):
                if feature in (state.get(host) or {}) or not isinstance(var, str) or var not in view:
                    continue
                value = _plain(view[var])
                if not isinstance(value, dict) or value.get("skipped") or value.get("unreachable"):
                    continue
                state.setdefault(host, {})[feature] = value
        return state

    @staticmethod
    def _secrets(hosts: list[str], hostvars: t.Any, task_vars: dict[str, t.Any]) -> list[str]:
        """Secret values of the inventory (vault_* variables, secret-named fields) to mask defensively."""
        found: set[str] = set()
        views: list[t.Any] = [task_vars]
        for host in hosts:
            try:
                views.append(hostvars.raw_get(host))
            except Exception:  # pylint: disable=broad-except
                continue
        for view in views:
            try:
                names = [k for k in view if str(k).startswith("vault_")]
                found.update(audit.secret_values(dict((k, _plain(view[k])) for k in names)))
            except Exception:  # pylint: disable=broad-except
                continue
        return audit.with_encodings(sorted(found))
