"""tests/lab/sitegen.py: the site lab is generated from its description, and the committed files are
the generator's output (regenerate with `make site-lab`)."""

from __future__ import annotations

import copy
import importlib.util
import ipaddress
import json
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DESCRIPTION = REPO / "tests" / "topologies" / "site" / "dc-site.yml"


def _load_module():
    spec = importlib.util.spec_from_file_location("sitegen", REPO / "tests" / "lab" / "sitegen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sitegen = _load_module()


@pytest.fixture()
def site():
    return sitegen.load(DESCRIPTION)


def test_committed_files_equal_the_generator_output(site):
    files = sitegen.outputs(site, DESCRIPTION.parent.parent)
    assert set(p.name for p in files) == {"site-dc.clab.yml", "stp1.frr.conf", "stpgw1.frr.conf"}
    for path, text in files.items():
        assert path.exists(), "%s is missing: run make site-lab" % path
        assert path.read_text(encoding="utf-8") == text, "%s is stale: run make site-lab and commit it" % path
    assert sitegen.main(["--check", str(DESCRIPTION)]) == 0


def test_topology_has_every_node_interface_and_link(site):
    topo = sitegen.topology(site)
    nodes = topo["topology"]["nodes"]
    assert set(site["devices"]) | set(site["segments"]) == set(nodes)
    # every interface address is used once, and every interface is cabled exactly once
    seen = {}
    cabled = [ep for link in topo["topology"]["links"] for ep in link["endpoints"] if ep.split(":")[0] in site["devices"]]
    assert len(cabled) == len(set(cabled))
    for name, node in nodes.items():
        for ifname, addrs in (node.get("x-netinfra") or {}).get("addresses", {}).items():
            assert "%s:%s" % (name, ifname) in cabled
            for addr in addrs:
                assert addr not in seen, "%s on %s and %s" % (addr, name, seen.get(addr))
                seen[addr] = name
    # the partner router has one direct link to each edge, on the same /30 as the edge
    assert nodes["stp1"]["x-netinfra"]["addresses"] == {"eth1": ["198.18.96.2/30"], "eth2": ["198.18.96.6/30"]}
    assert nodes["ste1"]["x-netinfra"]["addresses"]["eth2"] == ["198.18.96.1/30"]
    assert nodes["ste1"]["labels"] == {"netinfra.role": "edge", "netinfra.platform": "frr", "lab.asn": "65090"}
    assert nodes["stp1"]["labels"]["lab.asn"] == "64540"
    assert nodes["stp1"]["x-netinfra"]["frr_config"] == "site/stp1.frr.conf"
    assert "frr_config" not in nodes["ste1"]["x-netinfra"], "our devices start empty"
    assert nodes["sth1"]["image"] == "paynet/keepalived" and nodes["stv1"]["image"] == "paynet/gateway"


def test_topology_matches_the_lab_inventory_intent(site):
    """Every address our intent names (VRRP groups, BGP sessions, tunnels) is on the interface it says."""
    topo = sitegen.topology(site)["topology"]["nodes"]
    lab = REPO / "inventories" / "lab"
    for host in ("ste1", "ste2", "stv1", "stv2", "sth1", "sth2"):
        hv = yaml.safe_load((lab / "host_vars" / ("%s.yml" % host)).read_text())
        for group in hv["vrrp"]["groups"]:
            assert topo[host]["x-netinfra"]["addresses"][group["interface"]] == group["address"], (host, group["segment"])
    bank = yaml.safe_load((lab / "partners" / "sitebank.yml").read_text())["sitebank"]
    for session in bank["sessions"]:
        ours = [a.split("/")[0] for addrs in topo[session["device"]]["x-netinfra"]["addresses"].values() for a in addrs]
        theirs = [a.split("/")[0] for addrs in topo["stp1"]["x-netinfra"]["addresses"].values() for a in addrs]
        assert session["local_address"] in ours and session["peer_address"] in theirs
    pay = yaml.safe_load((lab / "partners" / "sitepay.yml").read_text())["sitepay"]
    assert [(t["device"], t["inside"]) for t in pay["tunnels"]] == [
        (t["peer"], t["inside"]) for t in site["partners"]["stpgw1"]["tunnels"]]


def test_partner_router_honours_graceful_shutdown(site):
    conf = sitegen.partner_frr_conf(site, "stp1")
    assert "bgp community-list standard GSHUT seq 5 permit graceful-shutdown" in conf
    assert "route-map SITE-IN permit 10\n match community GSHUT\n set local-preference 0\n" in conf
    for ours in ("198.18.96.1", "198.18.96.5"):
        assert " neighbor %s remote-as 65090\n" % ours in conf
        assert "  neighbor %s route-map SITE-IN in\n" % ours in conf
    assert not [line for line in conf.splitlines() if "password" in line and not line.startswith("!")]
    gw = sitegen.partner_frr_conf(site, "stpgw1")
    assert " neighbor 169.254.41.1 remote-as 65090" in gw and " neighbor 169.254.41.5 remote-as 65090" in gw


def test_partner_setup_carries_the_secrets_only_in_its_output(site):
    script = sitegen.partner_setup(site, "stpgw1", {"bgp_password": "Md5-secret", "psk": "Psk-secret"})
    assert script.count(" neighbor 169.254.41.1 password Md5-secret") == 1
    assert 'secret = "Psk-secret"' in script
    assert "ip addr replace 169.254.41.2/30 dev ipsec0" in script and "ip addr replace 169.254.41.6/30 dev ipsec0" in script
    assert "remote_addrs = 198.18.95.2" in script and "remote_addrs = 198.18.95.3" in script
    assert "local_ts = 169.254.41.0/30,198.51.141.0/24" in script
    assert "remote_ts = 169.254.41.0/30,198.18.90.0/24" in script
    with pytest.raises(sitegen.SiteError, match="psk"):
        sitegen.partner_setup(site, "stpgw1", {"bgp_password": "x"})
    with pytest.raises(sitegen.SiteError, match="not a partner node"):
        sitegen.partner_setup(site, "ste1", {"bgp_password": "x"})


def test_partner_setup_cli_reads_secrets_from_stdin(site, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(json.dumps({"bgp_password": "Pw-1"})))
    assert sitegen.main(["partner-setup", "stp1"]) == 0
    out = capsys.readouterr().out
    assert "neighbor 198.18.96.1 password Pw-1" in out and out.rstrip().endswith("echo 'stp1 ready'")


@pytest.mark.parametrize("change, message", [
    (lambda s: s["devices"]["ste1"].update(role="router"), "devices.ste1.role: unknown role 'router'"),
    (lambda s: s["devices"]["ste1"]["lan"].update(nowhere=2), "devices.ste1.lan: unknown segment 'nowhere'"),
    (lambda s: s["devices"]["ste1"]["lan"].update(stcore=300), "devices.ste1.lan.stcore: host 300 is outside"),
    (lambda s: s["links"][0].update(prefix="198.18.96.0/29"), r"links\[0\].prefix: 198.18.96.0/29 is not a /30"),
    (lambda s: s["links"][0].update(b="nosuch"), r"links\[0\].b: unknown device 'nosuch'"),
    (lambda s: s["devices"].update(stcore={"role": "app"}), "devices.stcore: a segment has the same name"),
])
def test_bad_descriptions_name_the_field(site, change, message):
    bad = copy.deepcopy(site)
    change(bad)
    with pytest.raises(sitegen.SiteError, match=message):
        sitegen.topology(bad)


def test_the_site_grows_from_the_description(site):
    """A third edge is three lines in the description: it gets its interface, address and link."""
    grown = copy.deepcopy(site)
    grown["devices"]["ste3"] = {"role": "edge", "loopback": ["198.18.0.99/32"], "lan": {"stcore": 4}}
    grown["links"].append({"a": "ste3", "b": "stp1", "prefix": "198.18.96.8/30"})
    nodes = sitegen.topology(grown)["topology"]["nodes"]
    assert nodes["ste3"]["x-netinfra"]["addresses"] == {"eth1": ["198.18.90.4/24"], "eth2": ["198.18.96.9/30"]}
    assert nodes["stp1"]["x-netinfra"]["addresses"]["eth3"] == ["198.18.96.10/30"]
    assert ipaddress.ip_network(grown["segments"]["stcore"]).prefixlen == 24


# The site at scale (issue 14): tests/topologies/site/dc-site-20.yml, its own inventory inventories/site20.
DESCRIPTION_20 = REPO / "tests" / "topologies" / "site" / "dc-site-20.yml"
INVENTORY_20 = REPO / "inventories" / "site20"


def _managed(site):
    roles = site["roles"]
    return [n for n, d in site["devices"].items() if roles[d["role"]].get("platform") and not roles[d["role"]].get("partner")]


def test_the_20_device_site_files_are_the_generator_output():
    site20 = sitegen.load(DESCRIPTION_20)
    files = sitegen.outputs(site20, DESCRIPTION_20.parent.parent)
    assert sorted(str(p.relative_to(REPO / "tests" / "topologies")) for p in files) == [
        "site-dc20.clab.yml", "site20/stp1.frr.conf", "site20/stpgw1.frr.conf"]
    for path, text in files.items():
        assert path.exists(), "%s is missing: run python3 tests/lab/sitegen.py" % path
        assert path.read_text(encoding="utf-8") == text, "%s is stale: run python3 tests/lab/sitegen.py and commit it" % path
    assert "dc-site-20.yml" in files[DESCRIPTION_20.parent.parent / "site20" / "stp1.frr.conf"]
    # no argument: --check covers every description (the 6-device site and this one)
    assert {p.name for p in sitegen.descriptions()} >= {"dc-site.yml", "dc-site-20.yml"}
    assert sitegen.main(["--check"]) == 0


def test_check_names_a_stale_20_device_file(tmp_path, capsys):
    topo = tmp_path / "topologies"
    (topo / "site").mkdir(parents=True)
    description = topo / "site" / "dc-site-20.yml"
    description.write_text(DESCRIPTION_20.read_text(encoding="utf-8"), encoding="utf-8")
    assert sitegen.main([str(description)]) == 0
    (topo / "site-dc20.clab.yml").write_text("edited by hand\n", encoding="utf-8")
    assert sitegen.main(["--check", str(description)]) == 1
    assert "stale: " in capsys.readouterr().out and (topo / "site-dc20.clab.yml").read_text() == "edited by hand\n"


def test_the_20_device_site_matches_its_inventory():
    """20 managed devices, each in inventories/site20's site20 group, with the addresses its intent names."""
    site20 = sitegen.load(DESCRIPTION_20)
    nodes = sitegen.topology(site20)["topology"]["nodes"]
    managed = _managed(site20)
    assert len(managed) == 20
    hosts = yaml.safe_load((INVENTORY_20 / "hosts.yml").read_text())["all"]["children"]
    in_group = [h for sub in hosts["site20"]["children"].values() for h in sub["hosts"]]
    assert sorted(in_group) == sorted(managed)
    for feature in ("vrrp", "hsm", "ipsec", "bgp", "snmp"):
        assert set(hosts["site20_" + feature]["children"]) <= set(hosts["site20"]["children"]), feature
    for host in managed:
        hv = yaml.safe_load((INVENTORY_20 / "host_vars" / ("%s.yml" % host)).read_text())
        addresses = nodes[host]["x-netinfra"]["addresses"]
        assert hv["netinfra_platform"] == nodes[host]["labels"]["netinfra.platform"], host
        assert hv["site_core_address"] + "/24" in [a for addrs in addresses.values() for a in addrs], host
        for group in hv["vrrp"]["groups"]:
            assert addresses[group["interface"]] == group["address"], (host, group["segment"])
    bank = yaml.safe_load((INVENTORY_20 / "partners" / "sitebank.yml").read_text())["sitebank"]
    theirs = [a.split("/")[0] for addrs in nodes["stp1"]["x-netinfra"]["addresses"].values() for a in addrs]
    assert [s["device"] for s in bank["sessions"]] == site20["partners"]["stp1"]["peers"]
    for session in bank["sessions"]:
        ours = [a.split("/")[0] for addrs in nodes[session["device"]]["x-netinfra"]["addresses"].values() for a in addrs]
        assert session["local_address"] in ours and session["peer_address"] in theirs
    pay = yaml.safe_load((INVENTORY_20 / "partners" / "sitepay.yml").read_text())["sitepay"]
    assert [(t["device"], t["inside"]) for t in pay["tunnels"]] == [
        (t["peer"], t["inside"]) for t in site20["partners"]["stpgw1"]["tunnels"]]
    for tunnel in pay["tunnels"]:
        assert tunnel["local_gateway"] + "/24" in nodes[tunnel["device"]]["x-netinfra"]["addresses"]["eth2"]
    # every HSM appliance of the site's intent is a stand-in node on its segment (tests/lab/site-up.yml starts it)
    hsm = yaml.safe_load((INVENTORY_20 / "group_vars" / "site20_hsm_gateways" / "hsm.yml").read_text())["hsm"]
    for segment in hsm["segments"]:
        for appliance in segment["appliances"]:
            assert appliance["address"] + "/24" in nodes[appliance["name"]]["x-netinfra"]["addresses"]["eth1"]
            assert appliance["name"] in hosts["site20_lab_nodes"]["hosts"]
