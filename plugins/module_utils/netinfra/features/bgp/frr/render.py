# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""BGP partner peering on FRR: the intended configuration tree, rendered as FRR prints it."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ....core.clitree import Node
from ..model import object_name, ip_family, normalise_device
from .dialect import DIALECT

AF_NAME = {4: "ipv4 unicast", 6: "ipv6 unicast"}


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


def _route_map(name, family, sets=()):
    kw = "ip" if family == 4 else "ipv6"
    return Node("route-map %s permit 10" % name,
                [Node("match %s address prefix-list %s" % (kw, name))] + [Node(line) for line in sets])


def drain_sets(config, partner):
    """The ``set`` lines a drain adds to the partner's route-maps: {"in": [...], "out": [...]}, as FRR
    prints them (as-path, then community, then local-preference).

    Device drain (``bgp graceful-shutdown``): FRR itself marks what we send and lowers what we receive;
    a ``drain: prepend`` partner (its routers ignore the community) also gets our ASN prepended.
    Partner drain (offboarding; FRR 8.4 has no per-neighbor graceful-shutdown): the partner's own
    route-maps mark what we send (community or prepend) and lower what we receive to local-pref 0."""
    device_drained = bool(config.get("graceful_shutdown"))
    partner_drained = bool(partner.get("graceful_shutdown"))
    out, inbound = [], []
    if not (device_drained or partner_drained):
        return {"in": inbound, "out": out}
    if partner.get("drain") == "prepend" and config.get("asn") is not None:
        out.append("set as-path prepend " + " ".join([str(config["asn"])] * int(partner.get("drain_prepend") or 3)))
    if partner_drained and not device_drained:
        if partner.get("drain") != "prepend":
            out.append("set community graceful-shutdown additive")
        inbound.append("set local-preference 0")
    return {"in": inbound, "out": out}


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
        sets = drain_sets(config, partner)
        for family in families:
            accept = [e for e in partner["accept_prefixes"] if ip_family(e["prefix"]) == family]
            announce = [{"prefix": p} for p in partner["announce"] if ip_family(p) == family]
            for direction, entries in (("in", accept), ("out", announce)):
                name = object_name(partner["name"], family, direction)
                plists.extend(_plist(name, family, entries))
                rmaps.append(_route_map(name, family, sets[direction]))
        for session in partner["sessions"]:
            peer = session["peer_address"]
            family = ip_family(peer)
            router.extend(_neighbor_lines(partner, session))
            if family == 6:
                af[4].append(Node("no neighbor %s activate" % peer))
                af[6].append(Node("neighbor %s activate" % peer))
            # FRR keeps what the partner sent (at most max_prefixes routes) and re-applies our inbound
            # policy itself: a changed accept list then takes effect also with a partner whose router
            # does not support route refresh (BIRD with 'enable route refresh off', older stacks)
            af[family].append(Node("neighbor %s soft-reconfiguration inbound" % peer))
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
    return DIALECT.render(render_tree(normalise_device(config), include_globals))
