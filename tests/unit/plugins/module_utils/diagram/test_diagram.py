"""diagram/graph.py and render.py: nodes and edges from intent with the state overlaid, a well-formed SVG
(xml.etree) with state classes, the CDE boundary around the HSM segment, VRRP pairs in one box,
determinism, the limit to some hosts, device pages, file modes, and no secret anywhere."""

from __future__ import annotations

import base64
import os
import stat
import sys
import xml.etree.ElementTree as ET

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.diagram import graph, render
from ansible_collections.paynet.netinfra.plugins.plugin_utils import diagram_png

SVG_NS = "{http://www.w3.org/2000/svg}"
PW = "Md5-Secret-acme-77"
PSK = "Psk-Secret-north-42"
AUTH = "Snmp-Auth-Key-123"

PARTNERS = {
    "acme_bank": {"asn": 64496, "description": "ACME", "accept_prefixes": ["198.51.100.0/24"], "sessions": [
        {"device": "edge1", "peer_address": "203.0.113.2", "local_address": "203.0.113.1", "password": PW}]},
    "card_net": {"asn": 64497, "accept_prefixes": [{"prefix": "198.51.101.0/24", "le": 24}], "sessions": [
        {"device": "edge1", "peer_address": "203.0.113.6", "password": PW + "x"},
        {"device": "edge1", "peer_address": "2001:db8:0:2::2", "shutdown": True}]},
    "northbank": {"asn": 64510, "sessions": [{"device": "gw1", "transport": "ipsec", "password": PW + "y"}],
                  "tunnels": [{"device": "gw1", "peer_gateway": "198.18.200.2", "local_gateway": "198.18.200.1",
                               "auth": {"psk": PSK}, "inside": "169.254.10.0/30"}]},
}
DEVICES = {
    "edge1": {"netinfra_platform": "frr", "bgp": {"asn": 65010, "router_id": "198.18.0.1", "announce": ["198.18.10.0/24"]},
              "snmp": {"users": [{"name": "nms", "auth": "SHA-512", "auth_key": AUTH, "priv": "AES-256", "priv_key": AUTH + "p"}]}},
    "gw1": {"netinfra_platform": "frr", "bgp": {"asn": 65010}},
    "hgw1": {"netinfra_platform": "linux", "vrrp": {"backend": "keepalived", "groups": [
        {"segment": "hsmseg", "vrid": 40, "interface": "eth1", "virtual_ipv4": ["198.18.40.1"], "priority": 150}]}},
    "hgw2": {"netinfra_platform": "linux", "vrrp": {"backend": "keepalived", "groups": [
        {"segment": "hsmseg", "vrid": 40, "interface": "eth1", "virtual_ipv4": ["198.18.40.1"], "priority": 100}]}},
    "mgmt1": {"ansible_host": "198.18.1.1"},
}
HSM = {"table": "paynet_hsm", "segments": [{"name": "hsmseg", "subnets": ["198.18.40.0/24"], "gateways": ["hgw1", "hgw2"],
                                            "appliances": [{"name": "hsm1", "address": "198.18.40.10", "vendor": "thales_luna",
                                                            "services": [{"name": "ntls", "protocol": "tcp", "port": 1792}]}],
                                            "rules": [{"id": "apps-ntls", "direction": "inbound", "sources": ["apps"],
                                                       "destinations": ["hsm1"], "protocol": "tcp", "ports": [1792],
                                                       "justification": "NTLS", "owner": "crypto", "review_by": "2027-06-30"}]}]}
STATE = {
    "edge1": {"bgp": {"sessions": [
        {"partner": "acme_bank", "peer_address": "203.0.113.2", "state": "Established", "established": True},
        {"partner": "card_net", "peer_address": "203.0.113.6", "state": "Active", "established": False}]},
        "snmp": {"healthy": True}},
    "gw1": {"bgp": {"sessions": [{"partner": "northbank", "peer_address": "169.254.10.2", "established": True}]},
            "ipsec": {"tunnels": [{"name": "partner-northbank", "healthy": False}]}},
    "hgw1": {"vrrp": {"groups": [{"segment": "hsmseg", "vrid": 40, "family": "ipv4", "state": "Master"}]},
             "hsm": {"healthy": True}},
    "hgw2": {"vrrp": {"groups": [{"segment": "hsmseg", "vrid": 40, "family": "ipv4", "state": "Backup"}]},
             "hsm": {"healthy": False}},
}
SECRETS = [PW, PSK, AUTH]


def _build(state="default", hosts=None):
    return graph.build(PARTNERS, DEVICES, hsm=HSM, state=STATE if state == "default" else state, hosts=hosts)


def _edges(g):
    return dict((e.id, e) for e in g.edges)


def test_nodes_and_edges_with_state():
    g = _build()
    assert sorted(g.nodes) == ["appliance-hsm1", "device-edge1", "device-gw1", "device-hgw1", "device-hgw2",
                               "partner-acme_bank", "partner-card_net", "partner-northbank", "segment-hsmseg"]
    edges = _edges(g)
    assert edges["edge-bgp-acme_bank-edge1-203.0.113.2"].state == graph.UP
    assert edges["edge-bgp-card_net-edge1-203.0.113.6"].state == graph.DOWN
    assert edges["edge-bgp-card_net-edge1-2001-db8-0-2-2"].state == graph.ADMIN_DOWN
    assert edges["edge-bgp-northbank-gw1-ipsec0"].state == graph.UP          # matched by partner name
    assert edges["edge-ipsec-northbank-gw1-main"].state == graph.DOWN
    assert edges["edge-hsm-hgw1-hsmseg"].state == graph.UP and edges["edge-hsm-hgw2-hsmseg"].state == graph.DOWN
    assert g.nodes["segment-hsmseg"].cde and g.nodes["appliance-hsm1"].cde and g.nodes["device-hgw1"].cde == "gateway"
    (box,) = g.vrrp_groups
    assert box["members"] == ["device-hgw1", "device-hgw2"] and box["label"] == "VRRP hsmseg/40"
    assert g.nodes["device-hgw1"].state == "master" and g.nodes["device-hgw2"].state == "backup"
    assert "device-mgmt1" not in g.nodes  # no feature intent: not drawn


def test_without_state_everything_is_unknown():
    g = _build(state=None)
    assert set(e.state for e in g.edges) == {graph.UNKNOWN, graph.ADMIN_DOWN}


def test_limit_to_hosts():
    g = _build(hosts=["edge1"])
    assert sorted(g.nodes) == ["device-edge1", "partner-acme_bank", "partner-card_net"]
    assert not g.vrrp_groups and sorted(g.devices) == ["edge1"]


def test_svg_is_well_formed_with_classes_and_cde():
    text = render.svg(_build(), secrets=SECRETS)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == SVG_NS + "svg"
    groups = dict((el.get("id"), el) for el in root.iter(SVG_NS + "g") if el.get("id"))
    assert groups["edge-bgp-acme_bank-edge1-203.0.113.2"].get("class") == "edge bgp up"
    assert groups["edge-bgp-card_net-edge1-203.0.113.6"].get("class") == "edge bgp down"
    assert groups["edge-ipsec-northbank-gw1-main"].get("class") == "edge ipsec down"
    assert "master" in groups["node-device-hgw1"].get("class").split()
    assert "cde-gateway" in groups["node-device-hgw2"].get("class").split()
    for node in ("node-partner-acme_bank", "node-device-edge1", "node-segment-hsmseg", "node-appliance-hsm1"):
        assert node in groups
    cde = groups["cde-boundary"].find(SVG_NS + "rect")
    seg = groups["node-segment-hsmseg"].find(SVG_NS + "rect")
    assert float(cde.get("x")) <= float(seg.get("x")) and float(cde.get("y")) <= float(seg.get("y"))
    assert float(cde.get("y")) + float(cde.get("height")) >= float(seg.get("y")) + float(seg.get("height"))
    assert "vrrp-hsmseg-40" in groups

    # partners above our devices, the CDE below everything
    def y(nid):
        return float(groups[nid].find(SVG_NS + "rect").get("y"))
    assert y("node-partner-acme_bank") < y("node-device-edge1") < y("node-device-hgw1") < y("node-segment-hsmseg")


def test_deterministic():
    first = render.svg(_build())
    reordered = graph.build(dict(reversed(list(PARTNERS.items()))), dict(reversed(list(DEVICES.items()))), hsm=HSM,
                            state=STATE)
    assert render.svg(reordered) == first == render.svg(_build())


def test_no_secret_even_if_a_label_held_one():
    partners = dict(PARTNERS, leaky={"asn": 65099, "sessions": [{"device": "edge1", "peer_address": PW}]})
    g = graph.build(partners, DEVICES, hsm=HSM, state=STATE)
    text = render.svg(g, secrets=SECRETS) + "".join(render.device_markdown(h, g.devices[h], secrets=SECRETS)
                                                    for h in sorted(g.devices))
    for secret in SECRETS:
        assert secret not in text
    clean = graph.build(PARTNERS, DEVICES, hsm=HSM, state=STATE)
    plain = render.svg(clean) + "".join(render.device_markdown(h, clean.devices[h]) for h in clean.devices)
    for secret in SECRETS + [PW + "x", PW + "y", AUTH + "p"]:  # never read into the drawing in the first place
        assert secret not in plain and base64.b64encode(secret.encode()).decode() not in plain


def test_device_pages():
    g = _build()
    edge1 = render.device_markdown("edge1", g.devices["edge1"])
    assert "| acme_bank | 64496 | direct | 203.0.113.2 | 203.0.113.1 | 198.51.100.0/24 | up |" in edge1
    assert "| nms | SHA-512 | AES-256 | - |" in edge1 and "BGP: AS65010" in edge1
    gw1 = render.device_markdown("gw1", g.devices["gw1"])
    assert "| northbank | main | 198.18.200.2 | 198.18.200.1 | 169.254.10.0/30 | psk | down |" in gw1
    hgw1 = render.device_markdown("hgw1", g.devices["hgw1"])
    assert "| hsmseg | 40 | eth1 | keepalived | 198.18.40.1 | - | 150 | master |" in hgw1
    assert "## HSM segment hsmseg (CDE)" in hgw1 and "| apps-ntls | inbound | apps | hsm1 | tcp | 1792 |" in hgw1


def test_write_modes_and_stale_pages(tmp_path):
    dest = tmp_path / "out"
    paths = render.write(_build(), str(dest), secrets=SECRETS)
    assert paths["svg"] == str(dest / "diagram.svg") and paths["png"] is None
    assert sorted(os.path.basename(p) for p in paths["devices"]) == ["edge1.md", "gw1.md", "hgw1.md", "hgw2.md"]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(dest / "devices").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(dest / "diagram.svg").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(dest / "devices" / "edge1.md").st_mode) == 0o600
    paths = render.write(_build(hosts=["edge1"]), str(dest))
    assert sorted(os.listdir(dest / "devices")) == ["edge1.md"]


def test_png_when_a_converter_exists(tmp_path, monkeypatch):
    paths = render.write(_build(), str(tmp_path / "out"), png=diagram_png.to_png)
    if diagram_png.shutil.which("rsvg-convert") or diagram_png.shutil.which("inkscape"):
        with open(paths["png"], "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
        assert stat.S_IMODE(os.stat(paths["png"]).st_mode) == 0o600
    monkeypatch.setattr(diagram_png.shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    assert render.write(_build(), str(tmp_path / "none"), png=diagram_png.to_png)["png"] is None
    assert render.write(_build(), str(tmp_path / "off"))["png"] is None
