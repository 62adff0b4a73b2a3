# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""BGP's contribution to the FRR config-tree dialect (see core/clitree.py).

- single-valued: neighbor attributes, per-direction policy, ``bgp router-id``, a prefix-list
  sequence, ``match``/``set`` and ``description`` in route-maps;
- containers: ``router bgp N`` and ``address-family``, which closes with ``exit-address-family``;
- display order as ``show running-config`` prints it (routes, router, prefix-lists, route-maps;
  inside the router: ``bgp`` settings, ``network``, neighbors by address then attribute, AFs last);
- route-maps are removed before the prefix-lists they match;
- a removed neighbor is one ``no neighbor X``, not one ``no`` per line it had.

Another FRR feature (vrrpd, AgentX) writes its own :class:`Rules` and composes them with these:
``devices.vtysh.frr_dialect(RULES, VRRP_RULES)``.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress
import re

from ....core.clitree import Collapse, Rules
from ....devices.vtysh import frr_dialect

NEIGHBOR_RE = re.compile(r"^(?:no )?neighbor (\S+) (.*)$")

SINGLE = (
    (re.compile(r"^(?:no )?neighbor (\S+) activate$"), "neighbor {0} activate"),
    (re.compile(r"^neighbor (\S+) (remote-as|description|password|update-source|timers connect|timers"
                r"|maximum-prefix|ebgp-multihop|ttl-security hops|local-as|port|advertisement-interval"
                r"|weight|allowas-in)\b"), "neighbor {0} {1}"),
    (re.compile(r"^neighbor (\S+) (route-map|prefix-list|filter-list) \S+ (in|out)$"), "neighbor {0} {1} {2}"),
    (re.compile(r"^bgp (router-id|cluster-id|confederation identifier)\b"), "bgp {0}"),
    (re.compile(r"^(ip|ipv6) prefix-list (\S+) seq (\d+) "), "{0} prefix-list {1} seq {2}"),
    (re.compile(r"^(match|set) (\S+(?: \S+)?(?: prefix-list)?) "), "{0} {1}"),
    (re.compile(r"^description "), "description"),
)
CONTAINERS = (re.compile(r"^(router bgp \d+|address-family \S+( \S+)?)$"),)
BLOCK_EXITS = {"address-family": "exit-address-family"}

_TOP_RANK = (("ip route", 0), ("ipv6 route", 1), ("router bgp", 2), ("ip prefix-list", 3),
             ("ipv6 prefix-list", 4), ("route-map", 5))
_NEIGHBOR_ATTR_RANK = ["remote-as", "description", "shutdown", "bfd", "password", "ebgp-multihop",
                       "ttl-security", "update-source", "timers", "activate", "soft-reconfiguration",
                       "maximum-prefix",
                       "prefix-list", "route-map"]
_SEQ_RE = re.compile(r"^(ip|ipv6) prefix-list (\S+) seq (\d+)")
_RMAP_RE = re.compile(r"^route-map (\S+) (permit|deny) (\d+)$")


def addr_key(text):
    """Sort key of an address (IPv4 before IPv6, numerically); a name after every address."""
    try:
        addr = ipaddress.ip_address(text)
        return (0, addr.version, addr.packed)
    except ValueError:
        return (1, 0, text.encode())


def display_order(line):
    """Sort key of a line BGP knows, or None."""
    rank = next((r for prefix, r in _TOP_RANK if line.startswith(prefix)), None)
    match = NEIGHBOR_RE.match(line)
    if match:
        attr = match.group(2).split()[0]
        attr_rank = _NEIGHBOR_ATTR_RANK.index(attr) if attr in _NEIGHBOR_ATTR_RANK else 99
        return (6, addr_key(match.group(1)), attr_rank, line)
    if line.startswith("bgp "):
        return (4, (), 0, line)
    if line.startswith("network "):
        return (5, (), 0, line)
    if line.startswith("address-family"):
        return (8, (), 0, line)
    if rank is None:
        return None
    seq = _SEQ_RE.match(line)
    if seq:
        return (rank, (seq.group(2),), int(seq.group(3)), line)
    rmap = _RMAP_RE.match(line)
    if rmap:
        return (rank, (rmap.group(1),), int(rmap.group(3)), line)
    return (rank, (), 0, line)


def removal_order(line):
    """A route-map goes before the prefix-lists it matches."""
    return 0 if line.startswith("no route-map") else None


RULES = Rules(
    "bgp", single=SINGLE, containers=CONTAINERS, block_exits=BLOCK_EXITS, order=display_order,
    removal_order=removal_order,
    collapse=[Collapse(block=re.compile(r"^router bgp "), member=NEIGHBOR_RE,
                       anchor=re.compile(r"^(?:no )?neighbor (\S+) remote-as"), command="no neighbor {0}",
                       sort_key=addr_key)])

DIALECT = frr_dialect(RULES)
