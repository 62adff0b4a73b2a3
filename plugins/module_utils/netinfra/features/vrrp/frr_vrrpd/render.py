# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""FRR vrrpd config for a gateway's groups: the vrrp lines (canonical form, see dialect.py) and the
macvlan interfaces vrrpd needs (one per address family, bridge mode, the RFC 5798 virtual MAC,
``addrgenmode random``, holding the virtual addresses).

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ....core.clitree import Node
from .. import model
from .dialect import DIALECT


def group_lines(group):
    vrid = group["vrid"]
    lines = ["vrrp %d" % vrid if group["version"] == 3 else "vrrp %d version %d" % (vrid, group["version"])]
    if group["priority"] != 100:
        lines.append("vrrp %d priority %d" % (vrid, group["priority"]))
    if not group["preempt"]:
        lines.append("no vrrp %d preempt" % vrid)
    if group["advert_interval"] != 100:
        lines.append("vrrp %d advertisement-interval %d" % (vrid, group["advert_interval"] * 10))
    lines += ["vrrp %d ip %s" % (vrid, a) for a in group["virtual_ipv4"]]
    lines += ["vrrp %d ipv6 %s" % (vrid, a) for a in group["virtual_ipv6"]]
    return lines


def tree(groups):
    """The owned scope (interface blocks with vrrp lines) as clitree nodes, display-sorted."""
    blocks = {}
    for group in groups:
        blocks.setdefault(group["interface"], []).extend(Node(line) for line in group_lines(group))
    return DIALECT.sort_tree([Node("interface %s" % iface, children) for iface, children in blocks.items()])


def text(groups):
    return DIALECT.render(tree(groups))


def macvlans(groups):
    """{name: {parent, mac, addresses}} vrrpd needs for ``groups``."""
    out = {}
    for group in groups:
        for fam, vips in model.families(group):
            name = model.macvlan_name(fam, group["interface"], group["vrid"])
            out[name] = {"parent": group["interface"], "mac": model.vmac(fam, group["vrid"]),
                         "addresses": sorted("%s/%d" % (v, model.prefixlen_for(group, v)) for v in vips)}
    return out
