# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn the fleet's partner intent into one device's BGP peering config."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.model import (
    DEFAULT_POOL,
    DEFAULT_PREFIXLEN,
    device_config_from_intent,
)
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.inside import pool_args


def bgp_device_config(partners, hostname, bgp=None, only=None, pool=DEFAULT_POOL, prefixlen=DEFAULT_PREFIXLEN,
                      drain=None, maintenance=None):
    """The paynet.netinfra.bgp_peering ``config`` for ``hostname`` (``transport: ipsec`` sessions get
    the inside addresses of their tunnel, allocated from ``pool`` when the tunnel pins none).
    ``maintenance: drained`` (the host's ``netinfra_maintenance``) keeps the device drained; ``drain``
    drains the named partners only (offboarding)."""
    if isinstance(only, str):
        only = [only]
    if maintenance not in (None, "", "active", "drained"):
        raise AnsibleFilterError("bgp_device_config for %s: maintenance is %r; use active or drained (the host's "
                                 "netinfra_maintenance, set by playbooks/maintenance.yml)" % (hostname, maintenance))
    pool, prefixlen = pool_args(pool, prefixlen)
    try:
        return device_config_from_intent(partners or {}, hostname, bgp or {}, only=only, pool=pool, prefixlen=prefixlen,
                                         drain=drain, drained=maintenance == "drained")
    except (ValueError, KeyError, TypeError) as exc:
        raise AnsibleFilterError("bgp_device_config for %s: %s" % (hostname, exc)) from exc


def partner_devices(partners, names=None):
    """Inventory hostnames that hold a session (or tunnel) of the named partners (all if None)."""
    if isinstance(names, str):
        names = [names]
    hosts = set()
    for name, partner in (partners or {}).items():
        if names and name not in names:
            continue
        for item in (partner or {}).get("sessions", []) + (partner or {}).get("tunnels", []):
            if item.get("device"):
                hosts.add(item["device"])
    if names:
        unknown = set(names) - set(partners or {})
        if unknown:
            raise AnsibleFilterError("unknown partner(s): %s. Fix: use a name from the partners intent "
                                     "(inventories/<env>/group_vars/all/partners/)." % ", ".join(sorted(unknown)))
    return sorted(hosts)


class FilterModule:
    """paynet.netinfra BGP filters."""

    def filters(self):
        return {"bgp_device_config": bgp_device_config, "partner_devices": partner_devices}
