# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn the fleet's partner intent into one gateway's IPsec tunnels (docs/ipsec.md).

Thin wrappers over module_utils/netinfra/ipsec/model.py (documented in the sibling
ipsec_device_config.yml and ipsec_inside_network.yml).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.model import (
    DEFAULT_POOL,
    DEFAULT_PREFIXLEN,
    allocate_inside,
    ipsec_device_config as _ipsec_device_config,
)
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.inside import pool_args


def ipsec_device_config(partners, hostname, bgp=None, pool=DEFAULT_POOL, prefixlen=DEFAULT_PREFIXLEN, only=None, policy=None):
    """``{"tunnels": [...]}``: the normalised tunnels on ``hostname``."""
    if isinstance(only, str):
        only = [only]
    pool, prefixlen = pool_args(pool, prefixlen)
    try:
        return _ipsec_device_config(partners or {}, hostname, bgp or {}, pool=pool, prefixlen=prefixlen, only=only, policy=policy)
    except (ValueError, KeyError, TypeError) as exc:
        raise AnsibleFilterError("ipsec_device_config for %s: %s" % (hostname, exc)) from exc


def ipsec_inside_network(partners, partner, device, tunnel="main", pool=DEFAULT_POOL, prefixlen=DEFAULT_PREFIXLEN):
    """The inside network (``169.254.x.y/30``) of the partner's tunnel on ``device``."""
    pool, prefixlen = pool_args(pool, prefixlen)
    tunnel = tunnel or "main"
    try:
        inside = allocate_inside(partners or {}, pool=pool, prefixlen=prefixlen)
    except (ValueError, KeyError, TypeError) as exc:
        raise AnsibleFilterError("ipsec_inside_network: %s" % exc) from exc
    try:
        return inside[(partner, device, tunnel)]
    except KeyError:
        here = sorted(t for p, d, t in inside if p == partner and d == device)
        if partner not in (partners or {}):
            fix = "use a name from the partners intent"
        elif here:
            fix = "use one of its tunnels there: %s" % ", ".join(here)
        else:
            fix = "add a tunnel {device: %s, name: %s, ...} to partners.%s.tunnels" % (device, tunnel, partner)
        raise AnsibleFilterError("ipsec_inside_network: partner %s has no tunnel '%s' on %s. Fix: %s."
                                 % (partner, tunnel, device, fix)) from None


class FilterModule:
    """paynet.netinfra IPsec filters."""

    def filters(self):
        return {"ipsec_device_config": ipsec_device_config, "ipsec_inside_network": ipsec_inside_network}
