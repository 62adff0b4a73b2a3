# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device model both backends render from: a gateway's groups with defaults filled in, the
backend chosen, the drained priority applied, and the names and MACs the backends use.

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress

from . import schema


class ModelError(ValueError):
    """The config cannot be modelled (the validator reports the same problem with its fix)."""


def backend_for(config, platform):
    backend = (config or {}).get("backend")
    if backend:
        return backend
    if platform in schema.DEFAULT_BACKEND:
        return schema.DEFAULT_BACKEND[platform]
    raise ModelError("config.backend is not set and platform %r has no default backend; "
                     "set config.backend to keepalived or frr_vrrpd, or platform to linux or frr" % (platform,))


def vmac(family, vrid):
    """RFC 5798 virtual MAC: 00:00:5e:00:01:XX (IPv4), 00:00:5e:00:02:XX (IPv6)."""
    return "00:00:5e:00:%02x:%02x" % (1 if family == 4 else 2, vrid)


def macvlan_name(family, interface, vrid):
    """The macvlan of a group's family (at most 15 characters): v4-eth1-10."""
    return "v%d-%s-%d" % (family, interface[:8], vrid)


def instance_name(group, family):
    return "%s_%d_v%d" % (group["segment"], group["vrid"], family)


def sync_group_name(group):
    return "%s_%d" % (group["segment"], group["vrid"])


def key(group):
    """A group's identity on a gateway."""
    return (group["interface"], group["vrid"])


def prefixlen_for(group, vip):
    """The prefix length of the own address whose subnet holds ``vip`` (32/128 when none does)."""
    addr = ipaddress.ip_address(vip)
    for own in group.get("address") or []:
        try:
            iface = ipaddress.ip_interface(own)
        except ValueError:
            continue
        if iface.version == addr.version and addr in iface.network:
            return iface.network.prefixlen
    return 32 if addr.version == 4 else 128


def _filled(fields, obj):
    out = {}
    for name, field in fields.items():
        value = obj.get(name)
        if value is None:
            value = field.default
            if isinstance(value, list):
                value = list(value)
        out[name] = value
    return out


def normalise_group(group, drained=False):
    g = _filled(schema.GROUP, group)
    g["track_interfaces"] = [_filled(schema.TRACK_INTERFACE, t) for t in g["track_interfaces"] or []]
    g["track_scripts"] = [_filled(schema.TRACK_SCRIPT, t) for t in g["track_scripts"] or []]
    g["virtual_ipv4"] = [str(ipaddress.ip_address(a)) for a in g["virtual_ipv4"] or []]
    g["virtual_ipv6"] = [str(ipaddress.ip_address(a)) for a in g["virtual_ipv6"] or []]
    g["intended_priority"] = g["priority"]
    if drained:
        g["priority"] = schema.DRAINED_PRIORITY
    return g


def families(group):
    """[(family, [vips])] of the families the group has."""
    out = []
    if group["virtual_ipv4"]:
        out.append((4, group["virtual_ipv4"]))
    if group["virtual_ipv6"]:
        out.append((6, group["virtual_ipv6"]))
    return out


def normalise(config, platform=None):
    """(backend, maintenance, [groups]) of a device config."""
    config = config or {}
    try:
        backend = backend_for(config, platform)
        drained = (config.get("maintenance") or "active") == "drained"
        groups = [normalise_group(g, drained) for g in config.get("groups") or []]
    except (TypeError, ValueError, AttributeError) as exc:
        raise ModelError(str(exc))
    groups.sort(key=key)
    return backend, ("drained" if drained else "active"), groups
