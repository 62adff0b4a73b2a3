#!/usr/bin/env python
"""Generate the site lab from its description (issue 11).

``tests/topologies/site/dc-site.yml`` describes one datacenter in a few lines (devices by role,
LAN segments, point-to-point links, the partners' side). This turns it into:

- the containerlab topology ``tests/topologies/site-dc.clab.yml`` for ``tests/lab/labctl``;
- the partner routers' FRR start-up configs ``tests/topologies/site/<node>.frr.conf`` (no secrets:
  the TCP-MD5 passwords are added from the lab vault when the lab is set up);
- on demand (``partner-setup NODE``), the shell script that finishes a partner node's set-up, with
  the secrets read as JSON from stdin (``{"bgp_password": ..., "psk": ...}``): it never touches a
  file of the checkout and prints the script on stdout (the caller pipes it into the node).

Usage::

    python3 tests/lab/sitegen.py [--check] [DESCRIPTION...]   # write (or compare) the generated files
                                                             # (default: every tests/topologies/site/dc-site*.yml)
    python3 tests/lab/sitegen.py partner-setup stpgw1 < secrets.json | labctl exec T stpgw1 -- /bin/sh -s

Plain Python 3 + PyYAML; unit-tested by tests/unit/test_sitegen.py.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_DESCRIPTION = REPO / "tests" / "topologies" / "site" / "dc-site.yml"
ROUTER_SYSCTLS = {"net.ipv4.conf.all.rp_filter": "0", "net.ipv4.conf.default.rp_filter": "0"}
IKE_PROPOSALS = "aes256gcm16-prfsha384-ecp384"
ESP_PROPOSALS = "aes256gcm16-ecp384"


def descriptions() -> list[Path]:
    """Every site description: dc-site.yml (the 6-device site) and dc-site-20.yml (the site at scale)."""
    return sorted(DEFAULT_DESCRIPTION.parent.glob("dc-site*.yml"))


class SiteError(ValueError):
    """A description that cannot be turned into a lab (names the device/field)."""


def load(path: Path) -> dict:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SiteError(f"{path}: expected a mapping")
    data.setdefault("description_file", Path(path).name)
    return data


def _config_dir(site: dict) -> str:
    """Directory (next to the topology) of the partners' generated FRR configs: ``config_dir``, default site."""
    return str(site.get("config_dir", "site"))


def _segment_address(site: dict, device: str, segment: str, host: int) -> ipaddress.IPv4Interface:
    try:
        net = ipaddress.ip_network(site["segments"][segment])
    except KeyError as exc:
        raise SiteError(f"devices.{device}.lan: unknown segment {segment!r} (segments: "
                        f"{', '.join(site.get('segments') or {})})") from exc
    if not 0 < int(host) < net.num_addresses - 1:
        raise SiteError(f"devices.{device}.lan.{segment}: host {host} is outside {net}")
    return ipaddress.ip_interface(f"{net[int(host)]}/{net.prefixlen}")


def interfaces(site: dict) -> dict[str, list[tuple[str, str, str]]]:
    """device -> [(ifname, address/len, what)]: its LAN segments first (in order), then its links."""
    out: dict[str, list[tuple[str, str, str]]] = {name: [] for name in site["devices"]}
    for name in out:
        if name in (site.get("segments") or {}):
            raise SiteError(f"devices.{name}: a segment has the same name (nodes and segments share one namespace)")
    for name, dev in site["devices"].items():
        for segment, host in (dev.get("lan") or {}).items():
            addr = _segment_address(site, name, segment, host)
            out[name].append((f"eth{len(out[name]) + 1}", str(addr), f"lan:{segment}"))
    for index, link in enumerate(site.get("links") or []):
        net = ipaddress.ip_network(link["prefix"])
        if net.num_addresses != 4:
            raise SiteError(f"links[{index}].prefix: {net} is not a /30")
        for end, host in (("a", 1), ("b", 2)):
            dev = link[end]
            if dev not in out:
                raise SiteError(f"links[{index}].{end}: unknown device {dev!r}")
            out[dev].append((f"eth{len(out[dev]) + 1}", f"{net[host]}/{net.prefixlen}", f"link:{index}"))
    return out


def topology(site: dict) -> dict:
    """The containerlab topology (a dict in the order labctl and containerlab read it)."""
    ifs = interfaces(site)
    nodes: dict = {}
    links: list = []
    for name, dev in site["devices"].items():
        role_name = dev.get("role")
        role = (site.get("roles") or {}).get(role_name)
        if role is None:
            raise SiteError(f"devices.{name}.role: unknown role {role_name!r}")
        labels = {"netinfra.role": role_name}
        if role.get("platform"):
            labels["netinfra.platform"] = role["platform"]
        asn = dev.get("asn", site["asn"] if role.get("bgp") else None)
        if asn is not None:
            labels["lab.asn"] = str(asn)
        ext: dict = {}
        if dev.get("loopback"):
            ext["loopback"] = list(dev["loopback"])
        if ifs[name]:
            ext["addresses"] = {ifname: [addr] for ifname, addr, _what in ifs[name]}
        if role.get("partner") and role.get("platform") == "frr":
            ext["frr_config"] = f"{_config_dir(site)}/{name}.frr.conf"
        if role.get("daemons"):
            ext["daemons"] = list(role["daemons"])
        if dev.get("routes"):
            ext["routes"] = {str(k): str(v) for k, v in dev["routes"].items()}
        if role.get("platform") or role.get("partner"):
            ext["sysctls"] = dict(ROUTER_SYSCTLS)
        nodes[name] = {"kind": "linux", "image": role["image"], "labels": labels, "x-netinfra": ext}
        for ifname, _addr, what in ifs[name]:
            if what.startswith("lan:"):
                links.append({"endpoints": [f"{name}:{ifname}", f"{what[4:]}:{name}"]})
    for segment in site["segments"]:
        nodes[segment] = {"kind": "bridge"}
    for index, link in enumerate(site.get("links") or []):
        ends = []
        for end in ("a", "b"):
            ifname = next(i for i, _addr, what in ifs[link[end]] if what == f"link:{index}")
            ends.append(f"{link[end]}:{ifname}")
        links.append({"endpoints": ends})
    return {"name": site["name"], "topology": {"kinds": {"linux": {}}, "nodes": nodes, "links": links}}


def _peer_addresses(site: dict, partner: str) -> list[tuple[str, str, str]]:
    """(our device, our address, their address) of each BGP session of a partner node."""
    spec = site["partners"][partner]
    out = []
    ifs = interfaces(site)
    for peer in spec.get("peers") or []:
        ours = [(i, a, w) for i, a, w in ifs[peer] if w.startswith("link:")]
        for _ifname, addr, what in ours:
            theirs = [a for _ifname, a, w in ifs[partner] if w == what]
            if theirs:
                out.append((peer, addr.split("/")[0], theirs[0].split("/")[0]))
    for tunnel in spec.get("tunnels") or []:
        net = ipaddress.ip_network(tunnel["inside"])
        out.append((tunnel["peer"], str(net[1]), str(net[2])))
    if not out:
        raise SiteError(f"partners.{partner}: no peers or tunnels")
    return out


def partner_frr_conf(site: dict, node: str) -> str:
    spec = site["partners"][node]
    dev = site["devices"][node]
    asn = dev["asn"]
    router_id = dev["loopback"][0].split("/")[0]
    timers = spec.get("timers") or {}
    lines = [
        f"! Partner {node} ({spec['name']}, AS {asn}): generated by tests/lab/sitegen.py from",
        f"! tests/topologies/site/{site['description_file']}. The test's own config, never the collection's; the TCP-MD5",
        "! passwords are added from the lab vault when the lab is set up (tests/lab/site-up.yml).",
        "frr defaults traditional",
        f"hostname {node}",
        "service integrated-vtysh-config",
        "!",
    ]
    for prefix in spec["announce"]:
        lines.append(f"ip route {prefix} blackhole")
    lines.append("!")
    if spec.get("honour_graceful_shutdown"):
        lines += [
            "! RFC 8326: routes tagged graceful-shutdown (65535:0) get local-preference 0",
            "bgp community-list standard GSHUT seq 5 permit graceful-shutdown",
            "!",
            "route-map SITE-IN permit 10",
            " match community GSHUT",
            " set local-preference 0",
            "exit",
            "!",
        ]
    lines += ["route-map SITE-IN permit 20", "exit", "!", "route-map SITE-OUT permit 10", "exit", "!",
              f"router bgp {asn}", f" bgp router-id {router_id}"]
    peers = _peer_addresses(site, node)
    for _device, ours, _theirs in peers:
        lines.append(f" neighbor {ours} remote-as {site['asn']}")
        if timers:
            lines.append(f" neighbor {ours} timers {timers['keepalive']} {timers['hold']}")
        lines.append(f" neighbor {ours} timers connect 2")
    lines += [" !", " address-family ipv4 unicast"]
    for prefix in spec["announce"]:
        lines.append(f"  network {prefix}")
    for _device, ours, _theirs in peers:
        lines.append(f"  neighbor {ours} route-map SITE-IN in")
        lines.append(f"  neighbor {ours} route-map SITE-OUT out")
    lines += [" exit-address-family", "exit", "!"]
    return "\n".join(lines) + "\n"


def _device_address(site: dict, device: str, segment: str) -> str:
    return str(_segment_address(site, device, segment, site["devices"][device]["lan"][segment]).ip)


def partner_setup(site: dict, node: str, secrets: dict) -> str:
    """Shell script finishing a partner node: BGP passwords, and for a gateway its IPsec side."""
    spec = site["partners"].get(node)
    if spec is None:
        raise SiteError(f"partner-setup: {node!r} is not a partner node ({', '.join(site['partners'])})")
    password = secrets.get("bgp_password")
    if not password:
        raise SiteError(f"partner-setup {node}: the secrets on stdin need bgp_password")
    asn = site["devices"][node]["asn"]
    out = ["set -eu"]
    tunnels = spec.get("tunnels") or []
    if tunnels:
        psk = secrets.get("psk")
        if not psk:
            raise SiteError(f"partner-setup {node}: the secrets on stdin need psk (it has tunnels)")
        segment = spec.get("wan_segment", "stinet")
        local = _device_address(site, node, segment)
        conf = ["connections {"]
        secret_lines = ["secrets {"]
        for tunnel in tunnels:
            peer = tunnel["peer"]
            remote = _device_address(site, peer, segment)
            inside = ipaddress.ip_network(tunnel["inside"])
            ours = ",".join([str(inside)] + list(spec["announce"]))
            theirs = ",".join([str(inside)] + list(spec.get("site_networks") or site_networks(site)))
            conf += [
                f"    {spec['name']}-{peer} {{", "        version = 2", f"        local_addrs = {local}",
                f"        remote_addrs = {remote}", f"        proposals = {IKE_PROPOSALS}", "        dpd_delay = 5s",
                "        local {", "            auth = psk", f"            id = {local}", "        }",
                "        remote {", "            auth = psk", f"            id = {remote}", "        }",
                "        children {", f"            {spec['name']}-{peer} {{", f"                local_ts = {ours}",
                f"                remote_ts = {theirs}", f"                esp_proposals = {ESP_PROPOSALS}",
                "                start_action = trap", "                dpd_action = restart", "            }",
                "        }", "    }",
            ]
            secret_lines += [f"    ike-{peer} {{", f"        id-1 = {local}", f"        id-2 = {remote}",
                             f"        secret = {json.dumps(psk)}", "    }"]
        conf += ["}"] + secret_lines + ["}"]
        out += ["umask 077", "cat > /etc/swanctl/conf.d/partner.conf <<'PAYNET_EOF'", *conf, "PAYNET_EOF"]
        for tunnel in tunnels:
            inside = ipaddress.ip_network(tunnel["inside"])
            out.append(f"ip addr replace {inside[2]}/{inside.prefixlen} dev ipsec0")
        out.append("swanctl --load-all --noprompt >/dev/null")
    vty = [f"router bgp {asn}"]
    for _device, ours, _theirs in _peer_addresses(site, node):
        vty.append(f" neighbor {ours} password {password}")
    out += ["vtysh -f /dev/stdin >/dev/null <<'PAYNET_EOF'", *vty, "PAYNET_EOF",
            "vtysh -c 'write memory' >/dev/null", f"echo '{node} ready'"]
    return "\n".join(out) + "\n"


def site_networks(site: dict) -> list[str]:
    """Our networks a partner reaches: the core segment (what our BGP speakers announce)."""
    return [str(site["segments"]["stcore"])]


HEADER = """\
# GENERATED by tests/lab/sitegen.py from tests/topologies/site/dc-site.yml: do not edit, edit the
# description and run `make site-lab` (tests/unit/test_sitegen.py checks this file is up to date).
# The site lab (issue 11, docs/operations.md): edge pair ste1/ste2, VPN pair stv1/stv2, HSM gateway
# pair sth1/sth2, HSM stand-in sthsm1, clients stapp1/stcore1, NMS stnms1, BGP partner stp1 (two
# direct sessions) and IPsec partner gateway stpgw1 (one tunnel per VPN gateway). Our devices start
# empty (no config of ours); the partners start with their generated FRR config (site/*.frr.conf).
"""


class _Dumper(yaml.SafeDumper):
    """Block sequences indented under their key (yamllint's and ansible-lint's default)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def outputs(site: dict, topo_dir: Path) -> dict[Path, str]:
    """Every generated file: path -> text."""
    text = yaml.dump(topology(site), Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=110)
    header = site.get("header", HEADER)
    files = {topo_dir / str(site.get("clab_file", "site-dc.clab.yml")): header + "---\n" + text}
    for node, spec in (site.get("partners") or {}).items():
        if spec is not None:
            files[topo_dir / _config_dir(site) / f"{node}.frr.conf"] = partner_frr_conf(site, node)
    return files


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "partner-setup":
        parser = argparse.ArgumentParser(prog="sitegen.py partner-setup")
        parser.add_argument("node")
        parser.add_argument("--description", default=str(DEFAULT_DESCRIPTION))  # e.g. tests/topologies/site/dc-site-20.yml
        args = parser.parse_args(argv[1:])
        site = load(Path(args.description))
        try:
            sys.stdout.write(partner_setup(site, args.node, json.load(sys.stdin)))
        except SiteError as exc:
            print(f"sitegen: {exc}", file=sys.stderr)
            return 2
        return 0
    parser = argparse.ArgumentParser(prog="sitegen.py")
    parser.add_argument("description", nargs="*", help="default: every tests/topologies/site/dc-site*.yml")
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file differs")
    args = parser.parse_args(argv)
    files: dict[Path, str] = {}
    for path in [Path(d) for d in args.description] or descriptions():
        try:
            files.update(outputs(load(path), path.resolve().parent.parent))
        except SiteError as exc:
            print(f"sitegen: {path.name}: {exc}", file=sys.stderr)
            return 2
    stale = []
    for target, text in files.items():
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(target)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for target in stale:
        print(("stale: " if args.check else "wrote ") + str(target.relative_to(REPO) if target.is_relative_to(REPO) else target))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
