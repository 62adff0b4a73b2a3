# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read FRR: the vrrp lines of a running-config (owned scope, groups), ``show vrrp json`` and the
macvlans of ``ip -d -j addr show``.

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import json
import re

from ....core.clitree import Node
from .dialect import DIALECT, VRRP_RE

MACVLAN_RE = re.compile(r"^v[46]-.{1,8}-\d{1,3}$")


def owned_tree(running_config, keep=None):
    """The interface blocks' vrrp lines (``keep(interface, vrid)`` filters groups)."""
    out = []
    for node in DIALECT.parse(running_config):
        if not node.line.startswith("interface "):
            continue
        iface = node.line.split()[1]
        children = []
        for child in node.children:
            match = VRRP_RE.match(child.line)
            if match and (keep is None or keep(iface, int(match.group(1)))):
                children.append(Node(child.line))
        if children:
            out.append(Node(node.line, children))
    return DIALECT.sort_tree(out)


def groups(running_config):
    """[{interface, vrid, priority, advert_interval, preempt, virtual_ipv4, virtual_ipv6, version}] (parsed)."""
    found = {}
    for block in owned_tree(running_config):
        iface = block.line.split()[1]
        for node in block.children:
            words = node.line.split()
            negated = words[0] == "no"
            if negated:
                words = words[1:]
            vrid = int(words[1])
            g = found.setdefault((iface, vrid), {"interface": iface, "vrid": vrid, "priority": 100, "advert_interval": 100,
                                                 "preempt": True, "version": 3, "virtual_ipv4": [], "virtual_ipv6": []})
            rest = words[2:]
            if not rest:
                continue
            if rest[0] == "version":
                g["version"] = int(rest[1])
            elif rest[0] == "priority":
                g["priority"] = int(rest[1])
            elif rest[0] == "advertisement-interval":
                g["advert_interval"] = int(rest[1]) // 10
            elif rest[0] == "preempt":
                g["preempt"] = not negated
            elif rest[0] == "ip":
                g["virtual_ipv4"].append(rest[1])
            elif rest[0] == "ipv6":
                g["virtual_ipv6"].append(rest[1])
    return [found[k] for k in sorted(found)]


def show_vrrp(text):
    """{(interface, vrid): {version, v4: {status, priority, interface, addresses}, v6: {...}}} of ``show vrrp json``."""
    out = {}
    for entry in json.loads(text or "[]"):
        fams = {}
        for fam in ("v4", "v6"):
            info = entry.get(fam) or {}
            if not info.get("addresses"):
                continue
            fams[fam] = {"status": info.get("status"), "priority": info.get("effectivePriority"),
                         "interface": info.get("interface"), "vmac": info.get("vmac"),
                         "addresses": list(info.get("addresses") or []),
                         "heard_master": bool((info.get("stats") or {}).get("adverRx"))}
        fams.update(version=entry.get("version"), shutdown=entry.get("shutdown"),
                    advert_interval_ms=entry.get("advertisementInterval"))
        out[(entry.get("interface"), entry.get("vrid"))] = fams
    return out


def macvlans(ip_addr_json):
    """{name: {parent, mac, addresses, up, protodown}} of our macvlans in ``ip -d -j addr show``."""
    by_index = {}
    links = json.loads(ip_addr_json or "[]")
    for link in links:
        by_index[link.get("ifindex")] = link.get("ifname")
    out = {}
    for link in links:
        name = link.get("ifname") or ""
        kind = ((link.get("linkinfo") or {}).get("info_kind"))
        if kind != "macvlan" or not MACVLAN_RE.match(name):
            continue
        parent = link.get("link") or by_index.get(link.get("link_index"))
        addrs = sorted("%s/%s" % (a["local"], a["prefixlen"]) for a in link.get("addr_info") or []
                       if a.get("scope") == "global")
        out[name] = {"parent": parent, "mac": link.get("address"), "addresses": addrs,
                     "mode": ((link.get("linkinfo") or {}).get("info_data") or {}).get("mode"),
                     "up": "UP" in (link.get("flags") or []), "protodown": bool(link.get("protodown"))}
    return out
