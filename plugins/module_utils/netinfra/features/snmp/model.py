# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device model of an SNMP agent: the validated ``snmp`` config with the schema's defaults
filled in, names normalised (net-snmp protocol names), ready for a backend to render.

Plain Python, no Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ...core import schema as sch
from . import schema

# intent spelling -> net-snmp's createUser / trapsess spelling
NETSNMP_PRIV = {"AES-128": "AES", "AES-192": "AES-192", "AES-256": "AES-256", "DES": "DES"}
INTENT_PRIV = {v: k for k, v in NETSNMP_PRIV.items()}


def _filled(item, fields):
    out = sch.defaults(fields)
    out.update({k: v for k, v in (item or {}).items() if v is not None})
    return out


class Agent:
    """``users``/``views``/``groups``/``targets``/``communities``: lists of dicts with defaults filled."""

    def __init__(self, config):
        config = _filled(config, schema.CONFIG)
        self.sys_name = config.get("sys_name")
        self.location = config.get("location")
        self.contact = config.get("contact")
        self.listen = list(config.get("listen") or [])
        self.pci_scope = bool(config["pci_scope"])
        self.agentx = bool(config["agentx"])
        self.auth_traps = bool(config["auth_traps"])
        self.users = [_filled(u, schema.USER) for u in config["users"] or []]
        self.views = [_filled(v, schema.VIEW) for v in config["views"] or []]
        self.groups = [_filled(g, schema.GROUP) for g in config["groups"] or []]
        self.targets = [_filled(t, schema.TARGET) for t in config["targets"] or []]
        self.communities = [_filled(c, schema.COMMUNITY) for c in config["communities"] or []]

    def user(self, name):
        for user in self.users:
            if user["name"] == name:
                return user
        return None

    def secrets(self):
        """Every secret string of the config (masked wherever text is shown)."""
        out = []
        for user in self.users:
            out += [user.get("auth_key"), user.get("priv_key")]
        out += [c.get("community") for c in self.communities]
        return [s for s in out if s]
