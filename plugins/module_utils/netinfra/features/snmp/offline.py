# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the snmp module answers without a device: the input check, ``rendered`` and ``parsed``.

Used by the action plugin on the controller and by the module itself. Plain Python; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ...core import fleet
from ...core.secrets import mask_text
from ...core.states import NEEDS_CONFIG
from . import validate
from .model import Agent
from .netsnmp import parse, render


def problems(params, host=None, today=None):
    """Every reason to refuse the module's input before touching the device (the fleet validator on a
    one-device view; replaced/overridden with no users without allow_empty)."""
    state = params.get("state")
    if state not in NEEDS_CONFIG:
        return []
    config = params.get("config") or {}
    out = fleet.check_device(validate.FEATURE.name, config, params.get("fleet_policy"), host=host, today=today)
    if not config.get("listen"):
        out.append("%sconfig.listen: the agent needs at least one listen address. Fix: set it to the device's "
                   "management address (the role uses ansible_host)." % ("%s: " % host if host else ""))
    if state in ("replaced", "overridden") and not config.get("users") and not params.get("allow_empty"):
        out.append("%sconfig.users is empty with state=%s: nobody could query the agent, and empty intent usually means "
                   "intent that did not load. Nothing was changed. Fix: check the snmp variable, or set allow_empty: true"
                   % ("%s: " % host if host else "", state))
    return out


def rendered(config):
    agent = Agent(config)
    secrets = agent.secrets()
    return {"/etc/snmp/snmpd.conf": mask_text(render.snmpd_conf(agent), secrets),
            "/var/lib/snmp/snmpd.conf": mask_text("".join(render.create_user(u) + "\n" for u in agent.users), secrets)}


def parsed(text):
    config = parse.snmpd_conf(text)
    members = config.pop("members", {})
    config["users"] = [{"name": name, "group": group} for name, group in sorted(members.items())]
    return config
