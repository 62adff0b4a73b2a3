# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""BGP partner peering on FRR: render intended config, read the part of running config we own,
plan the change for a resource-module state, and parse it back to structured data (gathered).

Ownership (the contract behind merged/replaced/overridden/deleted): prefix-lists and route-maps
named PARTNER_<NAME>_V<4|6>_<IN|OUT>, and every neighbor whose inbound route-map is one of them.
Device-wide settings we own: ``bgp router-id``, ``bgp graceful-shutdown``, ``network`` statements
and their blackhole anchor routes. Nothing else in the router's configuration is read or touched.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

from ....core.clitree import Node, merge, diff, parse, render, trees_equal
from ....core.secrets import MASK, mask_text
from ..model import object_name, partner_from_object_name, ip_family, normalise_device, addr_sort_key

STATES = ("merged", "replaced", "overridden", "deleted")
AF_NAME = {4: "ipv4 unicast", 6: "ipv6 unicast"}
_ROUTER_BGP_RE = re.compile(r"^router bgp (\d+)$")
_NEIGHBOR_RE = re.compile(r"^(?:no )?neighbor (\S+) (.*)$")
_PLIST_RE = re.compile(r"^(ip|ipv6) prefix-list (\S+) seq (\d+) (permit|deny) (\S+)(?: ge (\d+))?(?: le (\d+))?$")
_ROUTE_RE = re.compile(r"^(ip|ipv6) route (\S+) blackhole$")


class PlanError(ValueError):
    """The change cannot be planned safely (names the field and the fix)."""


# -- render ---------------------------------------------------------------------------------------
def _plist(name, family, entries):
    kw = "ip" if family == 4 else "ipv6"
    if not entries:
        return [Node("%s prefix-list %s seq 5 deny any" % (kw, name))]
    lines = []
    for index, entry in enumerate(entries, start=1):
        text = "%s prefix-list %s seq %d permit %s" % (kw, name, index * 5, entry["prefix"])
        if entry.get("ge") is not None:
            text += " ge %d" % entry["ge"]
        if entry.get("le") is not None:
            text += " le %d" % entry["le"]
        lines.append(Node(text))
    return lines


def _route_map(name, family):
    kw = "ip" if family == 4 else "ipv6"
    return Node("route-map %s permit 10" % name, [Node("match %s address prefix-list %s" % (kw, name))])


def _max_prefix_line(peer, mp):
    text = "neighbor %s maximum-prefix %d" % (peer, mp["limit"])
    if mp.get("threshold") not in (None, 75):
        text += " %d" % mp["threshold"]
    if mp.get("warning_only"):
        text += " warning-only"
    elif mp.get("restart"):
        text += " restart %d" % mp["restart"]
    return text


def _neighbor_lines(partner, session):
    peer = session["peer_address"]
    lines = ["neighbor %s remote-as %d" % (peer, partner["asn"])]
    description = session.get("description") or partner.get("description")
    if description:
        lines.append("neighbor %s description %s" % (peer, description))
    if session.get("shutdown"):
        lines.append("neighbor %s shutdown" % peer)
    if partner.get("bfd"):
        lines.append("neighbor %s bfd" % peer)
    if session.get("password"):
        lines.append("neighbor %s password %s" % (peer, session["password"]))
    if partner.get("ebgp_multihop"):
        lines.append("neighbor %s ebgp-multihop %d" % (peer, partner["ebgp_multihop"]))
    if partner.get("ttl_security"):
        lines.append("neighbor %s ttl-security hops %d" % (peer, partner["ttl_security"]))
    if session.get("local_address"):
        lines.append("neighbor %s update-source %s" % (peer, session["local_address"]))
    if partner.get("timers"):
        lines.append("neighbor %s timers %d %d" % (peer, partner["timers"]["keepalive"], partner["timers"]["hold"]))
    if partner.get("connect_retry"):
        lines.append("neighbor %s timers connect %d" % (peer, partner["connect_retry"]))
    return [Node(line) for line in lines]


def render_tree(config, include_globals=True):
    """Normalised device config -> the FRR configuration tree we intend (objects before users)."""
    tops, plists, rmaps = [], [], []
    router = []
    af = {4: [], 6: []}
    if include_globals:
        if config.get("router_id"):
            router.append(Node("bgp router-id %s" % config["router_id"]))
        if config.get("graceful_shutdown"):
            router.append(Node("bgp graceful-shutdown"))
        for prefix in config.get("announce") or []:
            family = ip_family(prefix)
            tops.append(Node("%s route %s blackhole" % ("ip" if family == 4 else "ipv6", prefix)))
            af[family].append(Node("network %s" % prefix))
    for partner in config.get("partners") or []:
        families = sorted({ip_family(s["peer_address"]) for s in partner["sessions"]})
        for family in families:
            accept = [e for e in partner["accept_prefixes"] if ip_family(e["prefix"]) == family]
            announce = [{"prefix": p} for p in partner["announce"] if ip_family(p) == family]
            for direction, entries in (("in", accept), ("out", announce)):
                name = object_name(partner["name"], family, direction)
                plists.extend(_plist(name, family, entries))
                rmaps.append(_route_map(name, family))
        for session in partner["sessions"]:
            peer = session["peer_address"]
            family = ip_family(peer)
            router.extend(_neighbor_lines(partner, session))
            if family == 6:
                af[4].append(Node("no neighbor %s activate" % peer))
                af[6].append(Node("neighbor %s activate" % peer))
            if partner.get("max_prefixes"):
                af[family].append(Node(_max_prefix_line(peer, partner["max_prefixes"])))
            af[family].append(Node("neighbor %s route-map %s in" % (peer, object_name(partner["name"], family, "in"))))
            af[family].append(Node("neighbor %s route-map %s out" % (peer, object_name(partner["name"], family, "out"))))
    for family in (4, 6):
        if af[family]:
            router.append(Node("address-family %s" % AF_NAME[family], af[family]))
    tree = tops + plists + rmaps
    if router or config.get("asn") is not None:
        tree.append(Node("router bgp %d" % config["asn"], router))
    return tree


def render_text(config, include_globals=True):
    return render(render_tree(normalise_device(config), include_globals))


# -- ownership ------------------------------------------------------------------------------------
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
            match = re.match(r"^neighbor (\S+) route-map (\S+) in$", node.line)
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


# -- plan -----------------------------------------------------------------------------------------
class Plan:
    """What a run will do: commands, before/after of the owned scope, and the expected result."""

    def __init__(self, commands, before, expected, names, peers, include_globals, announce):
        self.commands = commands
        self.before = before
        self.expected = expected
        self.names = names
        self.peers = peers
        self.include_globals = include_globals
        self.announce = announce

    @property
    def changed(self):
        return bool(self.commands)

    def scope_of(self, running_text):
        return extract_scope(parse(running_text), self.names, self.peers, self.include_globals, self.announce)

    def realised(self, running_text):
        """True when the device's owned scope is exactly what the plan predicted."""
        return trees_equal(self.scope_of(running_text), self.expected)


def plan(running_text, config, state):
    """Plan ``state`` for the normalised device ``config`` against ``running_text``."""
    if state not in STATES:
        raise PlanError("state %s cannot be planned; use one of %s" % (state, ", ".join(STATES)))
    running = parse(running_text)
    asn = router_asn(running)[0]
    if asn is not None and config.get("asn") is not None and asn != config["asn"]:
        raise PlanError(
            "bgp.asn: the router runs 'router bgp %d' but the intent says %d. Changing a router's own "
            "ASN drops every session: do it in a maintenance window by hand, or fix bgp.asn."
            % (asn, config["asn"]))
    if config.get("asn") is None:
        config = dict(config, asn=asn)
    intended_names = {p["name"] for p in config["partners"]}
    peers = {s["peer_address"] for p in config["partners"] for s in p["sessions"]}
    if state == "overridden":
        names = None
    elif state == "deleted":
        names = intended_names or None
    else:
        names = intended_names
    include_globals = state != "deleted"
    if state == "deleted":
        owners = owned_neighbors(running, names)
        peers = set(owners)
        wanted = []
        router_line = "router bgp %d" % asn if asn is not None else None
        if router_line:
            wanted = [Node(router_line, [])]
    else:
        wanted = render_tree(config, include_globals)
    current = extract_scope(running, names, peers, include_globals, config.get("announce") or ())
    if state == "deleted" and not current:
        wanted = []
    remove = state != "merged"
    phase_a, phase_b = diff(current, wanted, remove=remove)
    expected = merge(current, wanted) if not remove else wanted
    expected = [n for n in expected if n.children or not n.line.startswith("router bgp") or current]
    return Plan(phase_a + phase_b, current, expected, names, peers, include_globals, config.get("announce") or ())


def rollback_commands(plan_, running_text):
    """Commands that put the owned scope back the way it was before the change."""
    now = plan_.scope_of(running_text)
    phase_a, phase_b = diff(now, plan_.before, remove=True)
    return phase_a + phase_b


# -- gathered / parsed ----------------------------------------------------------------------------
def gather(running_text, mask=None):
    """Running config text -> structured partner peering (the module's ``config`` shape)."""
    tree = parse(running_text)
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
            "connect_retry": None, "bfd": False, "sessions": []})
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


# -- secrets in what we show ----------------------------------------------------------------------
_PASSWORD_RE = re.compile(r"^(\s*neighbor (\S+) password )(\S.*)$", re.M)


def _passwords(text):
    return {m.group(2): m.group(3) for m in _PASSWORD_RE.finditer(text)}


def mask_passwords(text, compare_to=None):
    """Mask every BGP password; with ``compare_to`` mark the ones that differ from it as changed,
    so a password change still shows as a changed line in the diff without showing either value."""
    other = _passwords(compare_to) if compare_to is not None else {}

    def repl(match):
        peer, value = match.group(2), match.group(3)
        if compare_to is not None and peer in other and other[peer] != value:
            return match.group(1) + MASK + " (changed)"
        return match.group(1) + MASK
    return _PASSWORD_RE.sub(repl, text)


def mask_commands(commands):
    return [mask_text(line) for line in commands]


def display(plan_):
    """Masked before/after texts of the owned scope for Ansible's --diff."""
    before = render(plan_.before)
    after = render(plan_.expected)
    return mask_passwords(before), mask_passwords(after, compare_to=before)
