# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What hsm_attachment and hsm_status do without a gateway: the input check (the fleet validator on a
one-gateway view), the gateway's model and its rendered table, and state=parsed. Used by the action
plugins on the controller (bad intent never reaches a device) and by the modules themselves.

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ...core.states import NEEDS_CONFIG, empty_intent_problem
from . import model, schema, validate
from .nftables import parse, render


def policy_without_hsm(fleet_policy):
    """The module's fleet policy without ``hsm`` (the intent is the ``config`` option)."""
    return {k: v for k, v in (fleet_policy or {}).items() if k != "hsm"}


def problems(params, host=None, today=None):
    """Every reason to refuse the task's input before the gateway is touched (strings naming the option
    and the fix)."""
    state = params.get("state", "replaced")
    if state not in NEEDS_CONFIG:
        return []
    gateway = params.get("gateway") or host
    if not gateway:
        return ["gateway: no gateway name. Fix: set gateway to the inventory name the segments list."]
    config = params.get("config") or {}
    found = validate.module_check(config, params.get("vrrp") or {}, gateway,
                                  policy_without_hsm(params.get("fleet_policy")), today=today)
    served = [s for s in config.get("segments") or [] if isinstance(s, dict) and gateway in (s.get("gateways") or [])]
    empty = empty_intent_problem(state, served, params.get("allow_empty"), "segments", host=gateway)
    if empty:
        found.append(empty + " (no segment lists %s among its gateways)" % gateway)
    return found


def device(params, host=None):
    """(table name, model, canonical table text) of the gateway."""
    config = params.get("config") or {}
    gateway = params.get("gateway") or host
    dev = model.device_model(config, gateway, params.get("vrrp") or {})
    return dev["table"], dev, render.table_text(dev, model.address_sets(config))


def table_name(params):
    return (params.get("config") or {}).get("table") or schema.DEFAULT_TABLE


def parsed(params):
    objects = parse.load(params.get("running_config") or "")
    table = table_name(params)
    return {"table": table, "text": parse.table_text(objects, table), "counters": parse.counters(objects, table)}
