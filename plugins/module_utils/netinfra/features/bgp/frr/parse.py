# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""BGP partner peering on FRR: read the part of the running config we own, and parse it back to
structured data (gathered/parsed).

Ownership (the contract behind merged/replaced/overridden/deleted): prefix-lists and route-maps
named PARTNER_<NAME>_V<4|6>_<IN|OUT>, and every neighbor whose inbound route-map is one of them.
Device-wide settings we own: ``bgp router-id``, ``bgp graceful-shutdown``, ``network`` statements
and their blackhole anchor routes. Nothing else in the router's configuration is read or touched.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

from ....core.clitree import Node
from ..model import object_name, partner_from_object_name, addr_sort_key
from .dialect import DIALECT, NEIGHBOR_RE as _NEIGHBOR_RE

_ROUTER_BGP_RE = re.compile(r"^router bgp (\d+)$")
_PLIST_RE = re.compile(r"^(ip|ipv6) prefix-list (\S+) seq (\d+) (permit|deny) (\S+)(?: ge (\d+))?(?: le (\d+))?$")
_ROUTE_RE = re.compile(r"^(ip|ipv6) route (\S+) blackhole$")
_ROUTE_MAP_IN_RE = re.compile(r"^neighbor (\S+) route-map (\S+) in$")


def router_asn(tree):
    for node in tree:
        match = _ROUTER_BGP_RE.match(node.line)
        if match:
            return int(match.group(1)), node
    return None, None


def owned_partners(tree):
    """Partner names that own objects in this tree."""
    names = set()
    for node in tree:
        words = node.line.split()
        if node.line.startswith(("ip prefix-list ", "ipv6 prefix-list ")) or node.line.startswith("route-map "):
            owner = partner_from_object_name(words[2] if words[0] != "route-map" else words[1])
            if owner:
                names.add(owner[0])
    return names


def owned_neighbors(tree, names):
    """{peer address: partner} for neighbors whose inbound route-map a partner in ``names`` owns."""
    router = router_asn(tree)[1]
    owners = {}
    if router is None:
        return owners
    for af_node in router.children:
        if not af_node.line.startswith("address-family"):
            continue
        for node in af_node.children:
            match = _ROUTE_MAP_IN_RE.match(node.line)
            if match:
                owner = partner_from_object_name(match.group(2))
                if owner and (names is None or owner[0] in names):
                    owners[match.group(1)] = owner[0]
    return owners


def extract_scope(tree, names, peers, include_globals, announce=()):
    """The part of ``tree`` that belongs to partners ``names`` (None: every partner) and ``peers``."""
    owned_peers = set(peers) | set(owned_neighbors(tree, names))
    network_prefixes = set(announce)
    scope, router_scope = [], None
    router = router_asn(tree)[1]
    if router is not None:
        kept = []
        for node in router.children:
            if node.line.startswith("address-family"):
                if not node.line.endswith("unicast") or node.line.split()[1] not in ("ipv4", "ipv6"):
                    continue
                sub = []
                for child in node.children:
                    match = _NEIGHBOR_RE.match(child.line)
                    if match and match.group(1) in owned_peers:
                        sub.append(Node(child.line))
                    elif include_globals and child.line.startswith("network "):
                        sub.append(Node(child.line))
                        network_prefixes.add(child.line.split()[1])
                if sub:
                    kept.append(Node(node.line, sub))
                continue
            match = _NEIGHBOR_RE.match(node.line)
            if match and match.group(1) in owned_peers:
                kept.append(Node(node.line))
            elif include_globals and node.line.startswith(("bgp router-id ", "bgp graceful-shutdown")):
                kept.append(Node(node.line))
        router_scope = Node(router.line, kept)
    for node in tree:
        words = node.line.split()
        if _ROUTE_RE.match(node.line):
            if include_globals and words[2] in network_prefixes:
                scope.append(Node(node.line))
        elif node.line.startswith(("ip prefix-list ", "ipv6 prefix-list ", "route-map ")):
            owner = partner_from_object_name(words[1] if words[0] == "route-map" else words[2])
            if owner and (names is None or owner[0] in names):
                scope.append(Node(node.line, [Node(c.line) for c in node.children]))
    if router_scope is not None:
        scope.append(router_scope)
    return scope


# -- gathered / parsed ----------------------------------------------------------------------------
def gather(running_text, mask=None):
    """Running config text -> structured partner peering (the module's ``config`` shape)."""
    tree = DIALECT.parse(running_text)
    asn, router = router_asn(tree)
    scope = extract_scope(tree, None, (), True)
    plists = {}
    for node in scope:
        match = _PLIST_RE.match(node.line)
        if match:
            name, action, prefix, ge, le = match.group(2, 4, 5, 6, 7)
            if action == "permit":
                plists.setdefault(name, []).append(
                    {"prefix": prefix, "ge": int(ge) if ge else None, "le": int(le) if le else None})
            else:
                plists.setdefault(name, [])
    drains = _drain_marks(scope)
    result = {"asn": asn, "router_id": None, "announce": [], "graceful_shutdown": False, "partners": []}
    neighbors = {}
    if router is not None:
        for node in router.children:
            if node.line.startswith("bgp router-id "):
                result["router_id"] = node.line.split()[2]
            elif node.line == "bgp graceful-shutdown":
                result["graceful_shutdown"] = True
            elif node.line.startswith("address-family"):
                for child in node.children:
                    if child.line.startswith("network "):
                        result["announce"].append(child.line.split()[1])
                    match = _NEIGHBOR_RE.match(child.line)
                    if match:
                        neighbors.setdefault(match.group(1), []).append(match.group(2))
            else:
                match = _NEIGHBOR_RE.match(node.line)
                if match:
                    neighbors.setdefault(match.group(1), []).append(match.group(2))
    owners = owned_neighbors(tree, None)
    partners = {}
    for peer, owner in owners.items():
        attrs = neighbors.get(peer, [])
        partner = partners.setdefault(owner, {
            "name": owner, "asn": None, "description": None, "accept_prefixes": [], "announce": [],
            "max_prefixes": None, "ttl_security": None, "ebgp_multihop": None, "timers": None,
            "connect_retry": None, "bfd": False, "drain": "community", "drain_prepend": 3,
            "graceful_shutdown": False, "sessions": []})
        session = {"peer_address": peer, "local_address": None, "password": None, "description": None,
                   "shutdown": False}
        for attr in attrs:
            words = attr.split()
            if words[0] == "remote-as":
                partner["asn"] = int(words[1]) if words[1].isdigit() else words[1]
            elif words[0] == "description":
                session["description"] = attr[len("description "):]
            elif words[0] == "shutdown":
                session["shutdown"] = True
            elif words[0] == "bfd":
                partner["bfd"] = True
            elif words[0] == "password":
                session["password"] = mask if mask is not None else attr[len("password "):]
            elif words[0] == "ebgp-multihop":
                partner["ebgp_multihop"] = int(words[1]) if len(words) > 1 else 255
            elif words[0] == "ttl-security":
                partner["ttl_security"] = int(words[2])
            elif words[0] == "update-source":
                session["local_address"] = words[1]
            elif words[:2] == ["timers", "connect"] and len(words) == 3:
                partner["connect_retry"] = int(words[2])
            elif words[0] == "timers" and len(words) == 3:
                partner["timers"] = {"keepalive": int(words[1]), "hold": int(words[2])}
            elif words[0] == "maximum-prefix":
                partner["max_prefixes"] = _parse_max_prefix(words[1:])
        partner["sessions"].append(session)
    for name, partner in partners.items():
        partner.update(drains.get(name) or {})
        if result["graceful_shutdown"] and partner["drain"] == "prepend" and not drains.get(name, {}).get("_partner"):
            partner["graceful_shutdown"] = False  # the device drain put the prepend there, not a partner drain
        partner.pop("_partner", None)
        descriptions = {s["description"] for s in partner["sessions"]}
        if len(descriptions) == 1:
            partner["description"] = descriptions.pop()
            for session in partner["sessions"]:
                session["description"] = None
        for family in (4, 6):
            partner["accept_prefixes"].extend(plists.get(object_name(name, family, "in"), []))
            partner["announce"].extend(e["prefix"] for e in plists.get(object_name(name, family, "out"), []))
        partner["sessions"].sort(key=lambda s: addr_sort_key(s["peer_address"]))
    result["partners"] = [partners[n] for n in sorted(partners)]
    return result


def _drain_marks(scope):
    """{partner: {drain, drain_prepend, graceful_shutdown}} from the drain ``set`` lines in its route-maps
    (frr/render.py drain_sets)."""
    marks = {}
    for node in scope:
        if not node.line.startswith("route-map "):
            continue
        owner = partner_from_object_name(node.line.split()[1])
        if not owner:
            continue
        for child in node.children:
            words = child.line.split()
            if words[:3] == ["set", "as-path", "prepend"] and owner[2] == "out":
                marks.setdefault(owner[0], {}).update(drain="prepend", drain_prepend=len(words) - 3, graceful_shutdown=True)
            elif child.line == "set community graceful-shutdown additive" and owner[2] == "out":
                marks.setdefault(owner[0], {}).update(graceful_shutdown=True, _partner=True)
            elif child.line == "set local-preference 0" and owner[2] == "in":
                marks.setdefault(owner[0], {}).update(graceful_shutdown=True, _partner=True)
    return marks


def _parse_max_prefix(words):
    out = {"limit": int(words[0]), "threshold": None, "restart": None, "warning_only": False}
    rest = words[1:]
    if rest and rest[0].isdigit():
        out["threshold"] = int(rest.pop(0))
    if rest and rest[0] == "warning-only":
        out["warning_only"] = True
    elif len(rest) >= 2 and rest[0] == "restart":
        out["restart"] = int(rest[1])
    return out
