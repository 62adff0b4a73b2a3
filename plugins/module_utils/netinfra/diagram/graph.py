# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network diagram's graph (PCI DSS 1.2.3): partner connectivity and the CDE boundary, from intent plus
gathered state.

:func:`build` turns the fleet's intent (``partners``, per-host ``bgp``/``vrrp``/``snmp``/``netinfra_platform``,
the fleet-wide ``hsm``) and optional status results per host and feature into a :class:`Graph` of nodes and
edges, each with a state class (``up``, ``down``, ``admin-down``, ``unknown``; VRRP ``master``/``backup``).
Only names, addresses, AS numbers and states are read: never a password, key or pass phrase.
Plain Python; rendering is in :mod:`render`.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

UP, DOWN, ADMIN_DOWN, UNKNOWN = "up", "down", "admin-down", "unknown"
CONNECTION_PREFIX = "partner-"


def slug(text):
    """An id-safe form of ``text`` (letters, digits, ``-``, ``_``, ``.``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-") or "x"


class Node:
    """A box on the diagram. ``kind``: partner, device, segment, appliance."""

    def __init__(self, node_id, label, kind, lines=(), state=None, cde=False, group=None):
        self.id = node_id
        self.label = label
        self.kind = kind
        self.lines = list(lines)
        self.state = state
        self.cde = cde
        self.group = group
        self.x = self.y = 0

    def to_dict(self):
        out = {"id": self.id, "label": self.label, "kind": self.kind, "lines": list(self.lines), "cde": self.cde}
        if self.state:
            out["state"] = self.state
        if self.group:
            out["group"] = self.group
        return out


class Edge:
    """A line between two nodes. ``kind``: bgp, ipsec, hsm."""

    def __init__(self, source, target, kind, label, state, key):
        self.source = source
        self.target = target
        self.kind = kind
        self.label = label
        self.state = state
        self.id = "edge-%s-%s" % (kind, slug(key))

    def to_dict(self):
        return {"id": self.id, "source": self.source, "target": self.target, "kind": self.kind, "label": self.label,
                "state": self.state}


class Graph:
    """Nodes, edges, VRRP groups (clusters of devices) and the CDE content."""

    def __init__(self):
        self.nodes = {}
        self.edges = []
        self.vrrp_groups = []   # [{id, label, members: [node ids], states: {node id: state}}]
        self.devices = {}       # host -> per-device facts for the Markdown docs

    def add(self, node):
        self.nodes.setdefault(node.id, node)
        return self.nodes[node.id]

    def to_dict(self):
        return {"nodes": [self.nodes[k].to_dict() for k in sorted(self.nodes)],
                "edges": [e.to_dict() for e in sorted(self.edges, key=lambda e: e.id)],
                "vrrp_groups": [dict(g) for g in self.vrrp_groups]}


def device_id(host):
    return "device-" + slug(host)


def partner_id(name):
    return "partner-" + slug(name)


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _session_state(session, host, partner, state):
    """State of a BGP session from bgp_status's ``sessions`` (by peer address, else by partner name)."""
    if session.get("shutdown"):
        return ADMIN_DOWN
    bgp = _dict(_dict(state.get(host)).get("bgp"))
    entries = [e for e in _list(bgp.get("sessions")) if isinstance(e, dict)]
    if not entries:
        return UNKNOWN
    peer = session.get("peer_address")
    match = [e for e in entries if peer and e.get("peer_address") == peer]
    if not match:
        match = [e for e in entries if e.get("partner") == partner]
    if not match:
        return UNKNOWN
    live = match[0]
    if live.get("established") or live.get("state") == "Established":
        return UP
    return DOWN


def _tunnel_state(host, partner, tunnel, state):
    ipsec = _dict(_dict(state.get(host)).get("ipsec"))
    entries = [e for e in _list(ipsec.get("tunnels")) if isinstance(e, dict)]
    if not entries:
        return UNKNOWN
    name = CONNECTION_PREFIX + partner
    tname = tunnel.get("name")
    if tname and tname != "main":
        name = "%s-%s" % (name, tname)
    for entry in entries:
        if entry.get("name") == name:
            return UP if entry.get("healthy") else DOWN
    return UNKNOWN


def _vrrp_state(host, group, state):
    vrrp = _dict(_dict(state.get(host)).get("vrrp"))
    for entry in _list(vrrp.get("groups")):
        if not isinstance(entry, dict):
            continue
        if entry.get("segment") == group.get("segment") and entry.get("vrid") == group.get("vrid") and \
                entry.get("family", "ipv4") == "ipv4":
            return str(entry.get("state") or UNKNOWN).lower()
    for entry in _list(vrrp.get("groups")):
        if isinstance(entry, dict) and entry.get("segment") == group.get("segment") and entry.get("vrid") == group.get("vrid"):
            return str(entry.get("state") or UNKNOWN).lower()
    return UNKNOWN


def _health(host, feature, state):
    result = _dict(_dict(state.get(host)).get(feature))
    if not result:
        return UNKNOWN
    if result.get("failed"):
        return DOWN
    if "healthy" in result:
        return UP if result.get("healthy") else DOWN
    return UNKNOWN


def _features(view):
    out = []
    for name in ("bgp", "vrrp", "snmp"):
        if _dict(view.get(name)):
            out.append(name)
    return out


def build(partners, devices, hsm=None, state=None, hosts=None):
    """The :class:`Graph` of the fleet.

    ``partners``: the partners intent ({name: {asn, sessions, tunnels, ...}}); ``devices``: {host: {netinfra_platform,
    bgp, vrrp, snmp}}; ``hsm``: the fleet's HSM intent; ``state``: {host: {feature: status result}}; ``hosts``:
    only these devices (and the partners, VRRP peers and HSM segments they connect to).
    """
    partners = _dict(partners)
    devices = _dict(devices)
    state = _dict(state)
    hsm = _dict(hsm)
    wanted = set(hosts) if hosts else None
    graph = Graph()

    def keep(host):
        return wanted is None or host in wanted

    def device(host):
        view = _dict(devices.get(host))
        node = graph.add(Node(device_id(host), host, "device"))
        facts = graph.devices.setdefault(host, {
            "platform": view.get("netinfra_platform"), "features": _features(view), "bgp": _dict(view.get("bgp")),
            "sessions": [], "tunnels": [], "vrrp": [], "snmp": _dict(view.get("snmp")), "hsm": [],
            "snmp_state": _health(host, "snmp", state), "hsm_state": _health(host, "hsm", state)})
        return node, facts

    for host in sorted(devices):
        view = _dict(devices.get(host))
        if keep(host) and _features(view):
            device(host)

    # partner sessions and tunnels
    for name in sorted(partners):
        partner = _dict(partners.get(name))
        sessions = [s for s in _list(partner.get("sessions")) if isinstance(s, dict) and keep(s.get("device"))]
        tunnels = [t for t in _list(partner.get("tunnels")) if isinstance(t, dict) and keep(t.get("device"))]
        if not sessions and not tunnels:
            continue
        asn = partner.get("asn")
        graph.add(Node(partner_id(name), name, "partner", lines=["AS%s" % asn if asn is not None else "partner"]))
        for index, session in enumerate(sessions):
            host = str(session.get("device"))
            _node, facts = device(host)
            transport = session.get("transport") or "direct"
            st = _session_state(session, host, name, state)
            peer = session.get("peer_address")
            label = "BGP %s" % (peer if peer else "over IPsec")
            graph.edges.append(Edge(partner_id(name), device_id(host), "bgp", label, st,
                                    "%s-%s-%s" % (name, host, peer or "ipsec%d" % index)))
            facts["sessions"].append({"partner": name, "asn": asn, "transport": transport, "peer_address": peer,
                                      "local_address": session.get("local_address"), "state": st,
                                      "shutdown": bool(session.get("shutdown")),
                                      "accept_prefixes": prefix_texts(partner.get("accept_prefixes")),
                                      "description": partner.get("description")})
        for tunnel in tunnels:
            host = str(tunnel.get("device"))
            _node, facts = device(host)
            st = _tunnel_state(host, name, tunnel, state)
            tname = tunnel.get("name") or "main"
            auth = _dict(tunnel.get("auth"))
            method = "psk" if "psk" in auth else ("certificate" if auth else "unknown")
            graph.edges.append(Edge(partner_id(name), device_id(host), "ipsec",
                                    "IPsec %s" % (tunnel.get("peer_gateway") or ""), st, "%s-%s-%s" % (name, host, tname)))
            facts["tunnels"].append({"partner": name, "name": tname, "peer_gateway": tunnel.get("peer_gateway"),
                                     "local_gateway": tunnel.get("local_gateway"), "inside": tunnel.get("inside"),
                                     "auth": method, "state": st})

    # VRRP groups: devices sharing a (segment, vrid)
    groups = {}
    for host in sorted(devices):
        if not keep(host):
            continue
        vrrp = _dict(_dict(devices.get(host)).get("vrrp"))
        for group in _list(vrrp.get("groups")):
            if not isinstance(group, dict):
                continue
            key = (str(group.get("segment")), group.get("vrid"))
            st = _vrrp_state(host, group, state)
            groups.setdefault(key, []).append((host, st))
            _node, facts = device(host)
            facts["vrrp"].append({"segment": group.get("segment"), "vrid": group.get("vrid"),
                                  "interface": group.get("interface"), "backend": vrrp.get("backend"),
                                  "virtual_ipv4": _list(group.get("virtual_ipv4")),
                                  "virtual_ipv6": _list(group.get("virtual_ipv6")),
                                  "priority": group.get("priority"), "state": st})
    # one box per set of devices: a pair that shares several groups is one box naming them all
    boxes = {}
    for (segment, vrid), members in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        ids = tuple(sorted(device_id(h) for h, _s in members))
        box = boxes.setdefault(ids, {"groups": [], "states": {}})
        box["groups"].append("%s/%s" % (segment, vrid))
        for host, st in members:
            box["states"].setdefault(device_id(host), {})["%s/%s" % (segment, vrid)] = st
    for ids in sorted(boxes):
        box = boxes[ids]
        graph.vrrp_groups.append({"id": "vrrp-" + slug("-".join(box["groups"])),
                                  "label": "VRRP " + ", ".join(box["groups"]), "groups": box["groups"],
                                  "members": list(ids), "states": box["states"]})

    # HSM segments inside the CDE
    for segment in _list(hsm.get("segments")):
        if not isinstance(segment, dict):
            continue
        gateways = [g for g in _list(segment.get("gateways")) if isinstance(g, str)]
        if wanted is not None and not any(keep(g) for g in gateways):
            continue
        seg_name = str(segment.get("name"))
        seg_id = "segment-" + slug(seg_name)
        graph.add(Node(seg_id, "HSM segment %s" % seg_name, "segment", lines=[", ".join(_list(segment.get("subnets")))],
                       cde=True))
        for appliance in _list(segment.get("appliances")):
            if isinstance(appliance, dict):
                graph.add(Node("appliance-" + slug(appliance.get("name")), str(appliance.get("name")), "appliance",
                               lines=[str(appliance.get("address") or ""), str(appliance.get("vendor") or "")],
                               cde=True, group=seg_id))
        for gateway in gateways:
            if not keep(gateway):
                continue
            _node, facts = device(gateway)
            st = _health(gateway, "hsm", state)
            graph.edges.append(Edge(device_id(gateway), seg_id, "hsm", "nftables %s" % (hsm.get("table") or ""), st,
                                    "%s-%s" % (gateway, seg_name)))
            facts["hsm"].append({"segment": seg_name, "subnets": _list(segment.get("subnets")),
                                 "appliances": [{"name": a.get("name"), "address": a.get("address"), "vendor": a.get("vendor"),
                                                 "services": ["%s/%s %s" % (s.get("protocol"), s.get("port"), s.get("name"))
                                                              for s in _list(a.get("services")) if isinstance(s, dict)]}
                                                for a in _list(segment.get("appliances")) if isinstance(a, dict)],
                                 "rules": [_rule(r) for r in _list(segment.get("rules")) if isinstance(r, dict)],
                                 "table": hsm.get("table"), "state": st})
            graph.nodes[device_id(gateway)].cde = "gateway"

    # device node text: platform, features, VRRP role
    for host, facts in graph.devices.items():
        node = graph.nodes[device_id(host)]
        features = list(facts["features"])
        if facts["tunnels"] and "ipsec" not in features:
            features.append("ipsec")
        if facts["hsm"] and "hsm" not in features:
            features.append("hsm")
        facts["features"] = features
        node.lines = [" ".join(x for x in [facts.get("platform") or "", "·".join(features)] if x)]
        roles = sorted(set(g["state"] for g in facts["vrrp"]))
        if roles:
            node.lines.append("VRRP " + "+".join(roles))
            node.state = roles[0] if len(roles) == 1 else "mixed"
    return graph


def prefix_texts(value):
    out = []
    for item in _list(value):
        if isinstance(item, dict):
            out.append(str(item.get("prefix")) + ("" if item.get("le") is None else " le %s" % item.get("le")))
        elif item is not None:
            out.append(str(item))
    return out


def _rule(rule):
    return {"id": rule.get("id"), "direction": rule.get("direction"), "sources": _list(rule.get("sources")),
            "destinations": _list(rule.get("destinations")), "protocol": rule.get("protocol"),
            "ports": _list(rule.get("ports")), "justification": rule.get("justification"),
            "owner": rule.get("owner"), "review_by": None if rule.get("review_by") is None else str(rule.get("review_by"))}
