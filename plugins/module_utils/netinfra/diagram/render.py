# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a :class:`graph.Graph`: a deterministic layered SVG (pure Python, no graphviz) and one Markdown page
per device; write them (directory 0700, files 0600), with a PNG from the converter the caller passes.

Layers, top to bottom: partners; our devices with partner sessions or tunnels (edge, VPN), ordered by the
mean position of their partners; the other devices, VRRP pairs side by side in a dashed box; the HSM
segments and their appliances inside the marked CDE boundary. Edges are coloured by state. Every text
is masked with ``core.secrets.mask_text`` and the given secret values before it is written.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os
from xml.sax.saxutils import escape, quoteattr

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import mask_text
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.diagram import graph as graphmod

NODE_W, NODE_H, GAP_X, MARGIN = 190, 58, 40, 40
LAYER_Y = (70, 240, 410, 600)
STYLE = """
.node rect { stroke: #333; stroke-width: 1.2; }
.partner rect { fill: #e8eef7; }
.device rect { fill: #ffffff; }
.device.cde-gateway rect { stroke: #b00020; stroke-width: 2; }
.segment rect { fill: #fde7ea; }
.appliance rect { fill: #fff4f5; }
.node text { font-size: 12px; fill: #111; }
.node text.name { font-weight: bold; font-size: 13px; }
.edge line { stroke-width: 2.2; fill: none; }
.edge.ipsec line { stroke-dasharray: 8 4; }
.edge.hsm line { stroke-dasharray: 2 3; }
.edge text { font-size: 9px; fill: #333; }
.up line, .legend .up { stroke: #1b8a3a; fill: #1b8a3a; }
.down line, .legend .down { stroke: #c62828; fill: #c62828; }
.admin-down line, .legend .admin-down { stroke: #ef8f00; fill: #ef8f00; }
.unknown line, .legend .unknown { stroke: #8a8a8a; fill: #8a8a8a; }
.vrrp rect { fill: none; stroke: #5a4fcf; stroke-dasharray: 6 3; }
.vrrp text { fill: #5a4fcf; font-size: 11px; }
.master rect { fill: #e3f6e8; }
.backup rect { fill: #f1f1f1; }
.fault rect, .mixed rect { fill: #fdecea; }
.cde > rect { fill: #fff8f8; stroke: #b00020; stroke-width: 2.5; stroke-dasharray: 12 5; }
.cde > text { fill: #b00020; font-weight: bold; font-size: 13px; }
.legend text { font-size: 11px; fill: #111; }
"""


def _layers(g):
    """[[node ids] per layer], deterministic."""
    partners = sorted(n.id for n in g.nodes.values() if n.kind == "partner")
    linked = {}
    for edge in g.edges:
        if edge.kind in ("bgp", "ipsec"):
            linked.setdefault(edge.target, set()).add(edge.source)
    position = dict((pid, i) for i, pid in enumerate(partners))
    edge_devices = sorted((n.id for n in g.nodes.values() if n.kind == "device" and n.id in linked),
                          key=lambda nid: (sum(position[p] for p in linked[nid]) / float(len(linked[nid])), nid))
    others = [n.id for n in g.nodes.values() if n.kind == "device" and n.id not in linked]
    ordered = []
    for group in g.vrrp_groups:
        for member in sorted(group["members"]):
            if member in others and member not in ordered:
                ordered.append(member)
    ordered += sorted(nid for nid in others if nid not in ordered)
    cde = []
    for seg in sorted(n.id for n in g.nodes.values() if n.kind == "segment"):
        cde.append(seg)
        cde += sorted(n.id for n in g.nodes.values() if n.kind == "appliance" and n.group == seg)
    cde += sorted(n.id for n in g.nodes.values() if n.kind == "appliance" and n.id not in cde)
    return [partners, edge_devices, ordered, cde]


def layout(g):
    """Place every node (x, y = top-left); returns (width, height)."""
    layers = _layers(g)
    widest = max([len(layer) for layer in layers] + [3])
    width = MARGIN * 2 + widest * NODE_W + (widest - 1) * GAP_X
    for index, layer in enumerate(layers):
        span = len(layer) * NODE_W + max(len(layer) - 1, 0) * GAP_X
        left = (width - span) / 2.0
        for pos, nid in enumerate(layer):
            node = g.nodes[nid]
            node.x = int(left + pos * (NODE_W + GAP_X))
            node.y = LAYER_Y[index]
    height = LAYER_Y[3] + NODE_H + MARGIN + 70
    return width, height, layers


def _text(x, y, text, cls=None, anchor="middle", secrets=()):
    attrs = ' class="%s"' % cls if cls else ""
    return '<text x="%d" y="%d" text-anchor="%s"%s>%s</text>' % (x, y, anchor, attrs, escape(mask_text(str(text), secrets)))


def _node_svg(node, vrrp_state, secrets):
    classes = ["node", node.kind]
    if node.cde == "gateway":
        classes.append("cde-gateway")
    if vrrp_state:
        classes.append(vrrp_state)
    out = ['<g id=%s class="%s" data-name=%s>' % (quoteattr("node-" + node.id), " ".join(classes),
                                                  quoteattr(mask_text(node.label, secrets)))]
    out.append('<title>%s</title>' % escape(mask_text(" | ".join([node.label] + node.lines), secrets)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" rx="6"/>' % (node.x, node.y, NODE_W, NODE_H))
    cx = node.x + NODE_W // 2
    out.append(_text(cx, node.y + 18, node.label, "name", secrets=secrets))
    for i, line in enumerate(node.lines[:2]):
        out.append(_text(cx, node.y + 34 + 14 * i, line[:34], secrets=secrets))
    out.append("</g>")
    return "".join(out)


def _edge_svg(edge, g, offset, secrets, slot=0):
    a, b = g.nodes[edge.source], g.nodes[edge.target]
    if a.y > b.y:
        a, b = b, a
    x1, y1 = a.x + NODE_W // 2 + offset, a.y + NODE_H
    x2, y2 = b.x + NODE_W // 2 + offset, b.y
    if a.y == b.y:
        y1, y2 = a.y + NODE_H // 2, b.y + NODE_H // 2
    # labels sit at staggered points along the line, so that converging edges do not print on each other
    frac = (0.30, 0.50, 0.70)[slot % 3]
    mx, my = int(x1 + (x2 - x1) * frac), int(y1 + (y2 - y1) * frac)
    label = mask_text(edge.label, secrets)
    return ('<g id=%s class="edge %s %s" data-source=%s data-target=%s><title>%s</title>'
            '<line x1="%d" y1="%d" x2="%d" y2="%d"/>%s</g>') % (
        quoteattr(edge.id), edge.kind, edge.state, quoteattr(edge.source), quoteattr(edge.target),
        escape("%s: %s (%s)" % (edge.kind, label, edge.state)), x1, y1, x2, y2,
        _text(mx + 4, my - 3, "%s [%s]" % (label, edge.state), anchor="start", secrets=secrets))


def svg(g, title="Partner connectivity and CDE boundary", secrets=()):
    """The SVG document (str) of the graph."""
    width, height, layers = layout(g)
    vrrp_of = dict((n.id, n.state) for n in g.nodes.values() if n.kind == "device" and n.state)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
             'font-family="DejaVu Sans, Arial, sans-serif">' % (width, height, width, height),
             '<title>%s</title>' % escape(mask_text(title, secrets)),
             '<style>%s</style>' % STYLE,
             '<rect x="0" y="0" width="%d" height="%d" fill="#fafafa"/>' % (width, height),
             _text(MARGIN, 28, title, anchor="start", secrets=secrets).replace("<text", '<text font-size="16" font-weight="bold"', 1)]
    for index, name in enumerate(("Partners", "Edge and VPN devices", "Gateways (VRRP pairs)")):
        if layers[index]:
            parts.append(_text(8, LAYER_Y[index] - 8, name, anchor="start", secrets=secrets).replace("<text", '<text fill="#666" font-size="11"', 1))
    if layers[3]:
        xs = [g.nodes[n].x for n in layers[3]]
        left, right = min(xs) - 20, max(xs) + NODE_W + 20
        parts.append('<g id="cde-boundary" class="cde"><rect x="%d" y="%d" width="%d" height="%d" rx="10"/>%s</g>' % (
            left, LAYER_Y[3] - 32, right - left, NODE_H + 52,
            _text(left + 10, LAYER_Y[3] - 12, "CDE boundary (PCI DSS scope): HSM segment", anchor="start", secrets=secrets)))
    for group in g.vrrp_groups:
        members = [g.nodes[m] for m in group["members"] if m in g.nodes]
        if not members:
            continue
        left = min(m.x for m in members) - 10
        right = max(m.x for m in members) + NODE_W + 10
        top = min(m.y for m in members) - 22
        bottom = max(m.y for m in members) + NODE_H + 8
        parts.append('<g id=%s class="vrrp"><rect x="%d" y="%d" width="%d" height="%d" rx="8"/>%s</g>' % (
            quoteattr(group["id"]), left, top, right - left, bottom - top,
            _text(left + 6, top + 14, group["label"], anchor="start", secrets=secrets)))
    seen = {}
    for edge in sorted(g.edges, key=lambda e: e.id):
        pair = tuple(sorted((edge.source, edge.target)))
        index = seen.get(pair, 0)
        seen[pair] = index + 1
        offset = (index + 1) // 2 * 14 * (1 if index % 2 else -1)
        parts.append(_edge_svg(edge, g, offset, secrets, slot=len(seen) + index))
    for nid in sorted(g.nodes):
        parts.append(_node_svg(g.nodes[nid], vrrp_of.get(nid) if g.nodes[nid].kind == "device" else None, secrets))
    lx, ly = MARGIN, height - 40
    parts.append('<g id="legend" class="legend">')
    for i, state in enumerate((graphmod.UP, graphmod.DOWN, graphmod.ADMIN_DOWN, graphmod.UNKNOWN)):
        parts.append('<rect class="%s" x="%d" y="%d" width="18" height="6"/>' % (state, lx + i * 120, ly))
        parts.append(_text(lx + i * 120 + 24, ly + 7, state, anchor="start"))
    parts.append(_text(lx + 4 * 120 + 10, ly + 7, "solid BGP · dashed IPsec · dotted HSM policy", anchor="start"))
    parts.append("</g></svg>")
    # last line of defence: ids and attributes too (a secret value never survives anywhere in the file)
    return mask_text("\n".join(parts) + "\n", secrets)


def _cell(value):
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def device_markdown(host, facts, secrets=()):
    """The Markdown page of one device: what it runs, its partners, VRRP, SNMP and HSM policy (no secret)."""
    lines = ["# %s" % host, "", "Generated from the inventory intent and the gathered state by "
             "paynet.netinfra.network_diagram; do not edit.", "",
             "- Platform: %s" % _cell(facts.get("platform")),
             "- Runs: %s" % _cell(facts.get("features"))]
    bgp = facts.get("bgp") or {}
    if bgp:
        announce = _cell(graphmod.prefix_texts(bgp.get("announce")))
        lines.append("- BGP: AS%s, router id %s, announces %s" % (bgp.get("asn"), _cell(bgp.get("router_id")), announce))
    lines.append("")
    if facts.get("sessions"):
        lines += ["## Partner BGP sessions", ""]
        lines += _table(["partner", "AS", "transport", "peer", "local", "accepts", "state"],
                        [[s["partner"], s["asn"], s["transport"], s["peer_address"], s["local_address"],
                          s["accept_prefixes"], s["state"]] for s in facts["sessions"]])
        lines.append("")
    if facts.get("tunnels"):
        lines += ["## IPsec tunnels", ""]
        lines += _table(["partner", "tunnel", "peer gateway", "local gateway", "inside", "authentication", "state"],
                        [[t["partner"], t["name"], t["peer_gateway"], t["local_gateway"], t["inside"], t["auth"], t["state"]]
                         for t in facts["tunnels"]])
        lines.append("")
    if facts.get("vrrp"):
        lines += ["## VRRP groups", ""]
        lines += _table(["segment", "VRID", "interface", "backend", "virtual IPv4", "virtual IPv6", "priority", "state"],
                        [[v["segment"], v["vrid"], v["interface"], v["backend"], v["virtual_ipv4"], v["virtual_ipv6"],
                          v["priority"], v["state"]] for v in facts["vrrp"]])
        lines.append("")
    snmp = facts.get("snmp") or {}
    if snmp:
        lines += ["## SNMP", "", "- Version: SNMPv3 only (authPriv); state: %s" % facts.get("snmp_state"),
                  "- PCI scope: %s" % _cell(snmp.get("pci_scope")),
                  "- Listen: %s; AgentX: %s" % (_cell(snmp.get("listen")), _cell(snmp.get("agentx"))), ""]
        users = [u for u in snmp.get("users") or [] if isinstance(u, dict)]
        if users:
            lines += _table(["user", "auth", "priv", "group"],
                            [[u.get("name"), u.get("auth"), u.get("priv"), u.get("group")] for u in users])
            lines.append("")
        targets = [t for t in snmp.get("targets") or [] if isinstance(t, dict)]
        if targets:
            lines += _table(["notification target", "type", "user"],
                            [[t.get("address"), t.get("type"), t.get("user")] for t in targets])
            lines.append("")
    for seg in facts.get("hsm") or []:
        lines += ["## HSM segment %s (CDE)" % seg["segment"], "",
                  "- Enforced by nftables table %s on this gateway; state: %s" % (_cell(seg["table"]), seg["state"]),
                  "- Subnets: %s" % _cell(seg["subnets"]), ""]
        lines += _table(["appliance", "address", "vendor", "services"],
                        [[a["name"], a["address"], a["vendor"], a["services"]] for a in seg["appliances"]])
        lines.append("")
        lines += _table(["rule", "direction", "sources", "destinations", "protocol", "ports", "justification", "owner",
                         "review by"],
                        [[r["id"], r["direction"], r["sources"], r["destinations"], r["protocol"], r["ports"],
                          r["justification"], r["owner"], r["review_by"]] for r in seg["rules"]])
        lines += ["", "Everything else to and from the segment is dropped (default drop, counted).", ""]
    return mask_text("\n".join(lines).rstrip() + "\n", secrets)


def _write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def write(g, dest, title=None, secrets=(), png=None):
    """Write ``dest``/diagram.svg, diagram.png (with ``png(svg_path, png_path)``, a converter that returns the PNG's
    path or None: plugin_utils/diagram_png.py) and devices/<host>.md.

    Returns {svg, png, devices}. ``dest`` and ``dest``/devices are created 0700; files are 0600."""
    for folder in (dest, os.path.join(dest, "devices")):
        if not os.path.isdir(folder):
            os.makedirs(folder, mode=0o700)
        os.chmod(folder, 0o700)
    svg_path = os.path.join(dest, "diagram.svg")
    _write(svg_path, svg(g, title=title or "Partner connectivity and CDE boundary", secrets=secrets))
    png_path = None
    if png is not None:
        png_path = png(svg_path, os.path.join(dest, "diagram.png"))
        if png_path:
            os.chmod(png_path, 0o600)
    devices = []
    keep = set("%s.md" % graphmod.slug(host) for host in g.devices)
    for stale in sorted(os.listdir(os.path.join(dest, "devices"))):
        if stale.endswith(".md") and stale not in keep:  # a device that left the fleet (or the limit)
            os.unlink(os.path.join(dest, "devices", stale))
    for host in sorted(g.devices):
        path = os.path.join(dest, "devices", "%s.md" % graphmod.slug(host))
        _write(path, device_markdown(host, g.devices[host], secrets=secrets))
        devices.append(path)
    return {"svg": svg_path, "png": png_path, "devices": devices}
