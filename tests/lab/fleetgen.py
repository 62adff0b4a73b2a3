#!/usr/bin/env python
"""Generate a realistic fleet inventory of N devices for validation at scale (issue 14).

The fleet is made of sites of ten devices, shaped like the site lab (inventories/lab, docs/operations.md):

- two edge routers (FRR: BGP to the site's direct partner, FRR vrrpd toward the core, SNMP with AgentX);
- two VPN gateways (FRR: IPsec tunnels to the site's IPsec partner with BGP over them, FRR vrrpd);
- two HSM segment gateways (Linux: keepalived on the HSM segment and the core; the site's HSM segment in
  the fleet-wide ``hsm`` policy);
- four Linux hosts with an SNMPv3 agent only (monitoring appliances, jump hosts).

Partners (one file each in ``partners/``): one for every two sites, each peering with two sites directly
and with two sites over IPsec. Policies (netinfra_policy lab, bgp_policy, snmp_policy, hsm) are in
``all.vars``; secrets are ``{{ vault_* }}`` references to an ansible-vault encrypted
``group_vars/all/vault.yml`` (password file ``vault-password.txt`` next to the inventory). The inventory is
``hosts.json`` (``--format yaml``: ``hosts.yml``, the same data): at 5,000 devices Ansible's YAML loader
alone takes longer than the whole validation with JSON (docs/benchmarks.md).

Address plan (lab-safe only): site S (0..499) owns 198.18.0.0/15's S-th /24: core segment .0/27 (VIPs .1
.4 .7, devices .2-.3 .5-.6 .8-.9 .10-.13), HSM segment .32/28 (VIP .33, gateways .34-.35, appliance .42),
the edges' partner links .48/30 and .52/30, the VPN gateways' outside addresses .58-.59, router IDs
.100-.105, the site announces its .192/26. Partner P (0..) accepts 198.19.248.0/21's P-th /29 and
2001:db8:P::/48, and its IPsec gateway is 198.19.244.P; tunnel inside networks come from 169.254.1.0 up
(169.254.0.0/24 is reserved).
So at most 500 sites (5,000 devices) and 256 partners.

Usage::

    python3 tests/lab/fleetgen.py DEST --devices 5000 [--bad] [--bad-many N] [--format json|yaml]
    ansible-playbook -i DEST/hosts.json --vault-password-file DEST/vault-password.txt playbooks/validate.yml

``--bad`` plants three bad devices and one address used at two sites; ``--bad-many N`` gives N devices
the same mistake (a repetitive finding). Plain Python 3 + PyYAML (+ Ansible's VaultLib for the vault).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys

import yaml

SITE_SIZE = 10
MAX_SITES = 500
MAX_PARTNERS = 256
VAULT_PASSWORD = "fleetgen-lab-vault-password"  # a generated lab inventory's vault password (never a real one)
HSM_SERVICES = [{"name": "ntls", "protocol": "tcp", "port": 1792, "tls": True},
                {"name": "ssh", "protocol": "tcp", "port": 22}, {"name": "snmp", "protocol": "udp", "port": 161}]


class FleetError(ValueError):
    """A size the address plan cannot hold."""


def _addr(base: int, offset: int) -> str:
    return str(ipaddress.IPv4Address(base + offset))


def site_base(site: int) -> int:
    return int(ipaddress.IPv4Address("198.18.0.0")) + site * 256


def site_name(site: int) -> str:
    return "s%03d" % site


def _vrrp_group(segment: str, vrid: int, interface: str, address: str, vip: str, priority: int, prefix: int) -> dict:
    return {"segment": segment, "vrid": vrid, "interface": interface, "address": ["%s/%d" % (address, prefix)],
            "virtual_ipv4": [vip], "priority": priority, "advert_interval": 100}


def site_hosts(site: int) -> dict[str, dict]:
    """The ten devices of one site with their host vars."""
    base = site_base(site)
    name = site_name(site)
    asn = 4200000000 + site
    announce = ["%s/26" % _addr(base, 192)]
    hosts: dict[str, dict] = {}
    for i, (kind, vrid, vip) in enumerate((("e", 90, 1), ("v", 91, 4))):
        seg = "%s_core_%s" % (name, "edge" if kind == "e" else "vpn")
        for n in (1, 2):
            own = vip + n
            hosts["%s-%s%d" % (name, kind, n)] = {
                "netinfra_platform": "frr",
                "site_core_address": _addr(base, own),
                "bgp": {"asn": asn, "router_id": _addr(base, 100 + i * 2 + n - 1), "announce": list(announce),
                        "graceful_shutdown": False},
                "vrrp": {"backend": "frr_vrrpd", "maintenance": "active",
                         "groups": [_vrrp_group(seg, vrid, "eth1", _addr(base, own), _addr(base, vip),
                                                150 if n == 1 else 100, 27)]},
                "snmp_agentx": kind == "e",
            }
    for n in (1, 2):
        hosts["%s-h%d" % (name, n)] = {
            "netinfra_platform": "linux",
            "site_core_address": _addr(base, 7 + n),
            "vrrp": {"backend": "keepalived", "maintenance": "active", "groups": [
                _vrrp_group("%s_hsm" % name, 93, "eth1", _addr(base, 33 + n), _addr(base, 33), 150 if n == 1 else 100, 28),
                _vrrp_group("%s_core_hsm" % name, 92, "eth2", _addr(base, 7 + n), _addr(base, 7), 150 if n == 1 else 100, 27)]},
            "snmp_agentx": False,
        }
    for n in range(1, 5):
        hosts["%s-m%d" % (name, n)] = {"netinfra_platform": "linux", "site_core_address": _addr(base, 9 + n),
                                       "snmp_agentx": False}
    return hosts


def site_snmp(site: int) -> dict:
    base = site_base(site)
    return {"pci_scope": True, "location": "site %s core segment %s/27" % (site_name(site), _addr(base, 0)),
            "contact": "noc@paynet.example", "listen": ["{{ site_core_address }}"], "agentx": "{{ snmp_agentx }}",
            "users": [{"name": "sitenms", "auth": "SHA-512", "auth_key": "{{ vault_snmp_keys.nms.auth }}",
                       "priv": "AES-256", "priv_key": "{{ vault_snmp_keys.nms.priv }}", "group": "monitoring"}],
            "views": [{"name": "nms", "included": [".1.3.6.1.2.1.1", ".1.3.6.1.2.1.2", ".1.3.6.1.2.1.15"],
                       "excluded": [".1.3.6.1.2.1.15.5", ".1.3.6.1.2.1.15.6"]}],
            "groups": [{"name": "monitoring", "read_view": "nms"}]}


def hsm_segment(site: int) -> tuple[dict, dict]:
    """(address set, segment) of one site's HSM segment."""
    base = site_base(site)
    name = site_name(site)
    aset = {"name": "%s_apps" % name, "description": "Payment application clients of site %s" % name,
            "addresses": [_addr(base, 20)]}
    segment = {
        "name": "%s_hsm" % name, "subnets": ["%s/28" % _addr(base, 32)], "vrrp_segment": "%s_hsm" % name,
        "gateways": ["%s-h1" % name, "%s-h2" % name],
        "appliances": [{"name": "%s_hsm1" % name, "address": _addr(base, 42), "vendor": "thales_luna",
                        "services": [dict(s) for s in HSM_SERVICES]}],
        "rules": [{"id": "%s-apps-ntls" % name, "direction": "inbound", "sources": [aset["name"]],
                   "destinations": ["%s_hsm1" % name], "protocol": "tcp", "ports": [1792],
                   "justification": "The site's payment application clients use the HSM over NTLS",
                   "owner": "crypto-team@paynet.example", "review_by": "2027-06-30"}],
    }
    return aset, segment


def partners_for(sites: int) -> dict[str, dict]:
    count = max(2, min(MAX_PARTNERS, (sites + 1) // 2))
    partners: dict[str, dict] = {}
    for p in range(count):
        prefix = ipaddress.IPv4Address("198.19.248.0") + p * 8
        partners["partner_%03d" % p] = {
            "asn": 4210000000 + p, "description": "Partner %d (generated fleet)" % p,
            "accept_prefixes": ["%s/29" % prefix, "2001:db8:%x::/48" % (p + 1)],
            "max_prefixes": {"limit": 100, "threshold": 80, "restart": 5},
            "timers": {"keepalive": 10, "hold": 30}, "sessions": [], "tunnels": [],
        }
    names = sorted(partners)
    tunnel = 0
    for site in range(sites):
        base = site_base(site)
        name = site_name(site)
        direct = partners[names[site % count]]
        for n, link in ((1, 48), (2, 52)):
            direct["sessions"].append({"device": "%s-e%d" % (name, n), "local_address": _addr(base, link + 1),
                                       "peer_address": _addr(base, link + 2), "transport": "direct",
                                       "password": "{{ vault_bgp_passwords.%s }}" % names[site % count]})
        pid = (site + count // 2) % count
        ipsec = partners[names[pid]]
        for n in (1, 2):
            inside = ipaddress.IPv4Address("169.254.1.0") + tunnel * 4
            tunnel += 1
            device = "%s-v%d" % (name, n)
            ipsec["sessions"].append({"device": device, "transport": "ipsec",
                                      "password": "{{ vault_bgp_passwords.%s }}" % names[pid]})
            ipsec["tunnels"].append({"device": device, "peer_gateway": str(ipaddress.IPv4Address("198.19.244.0") + pid),
                                     "local_gateway": _addr(base, 57 + n), "auth": {"psk": "{{ vault_ipsec_psks.%s }}" % names[pid]},
                                     "inside": "%s/30" % inside, "dpd_delay": 5})
    for partner in partners.values():
        if not partner["tunnels"]:
            del partner["tunnels"]
    return partners


def generate(devices: int) -> tuple[dict, dict, dict]:
    """(inventory, partners, vault) of a fleet of ``devices`` devices (a multiple of 10 is a whole site)."""
    sites = -(-devices // SITE_SIZE)
    if devices < 1 or sites > MAX_SITES:
        raise FleetError("devices: %d does not fit the address plan (1..%d devices: %d sites of %d in 198.18.0.0/15)"
                         % (devices, MAX_SITES * SITE_SIZE, MAX_SITES, SITE_SIZE))
    children: dict[str, dict] = {}
    asets, segments = [], []
    left = devices
    for site in range(sites):
        hosts = site_hosts(site)
        if left < SITE_SIZE:
            # a partial last site: whole pairs (edges, VPN gateways, HSM gateways) first, then SNMP-only hosts
            keep = []
            for unit in (["e1", "e2"], ["v1", "v2"], ["h1", "h2"], ["m1"], ["m2"], ["m3"], ["m4"]):
                if len(keep) + len(unit) <= left:
                    keep += ["%s-%s" % (site_name(site), n) for n in unit]
            hosts = {h: hosts[h] for h in keep}
        left -= len(hosts)
        children[site_name(site)] = {"hosts": hosts, "vars": {"snmp": site_snmp(site)}}
        if "%s-h1" % site_name(site) in hosts:
            aset, segment = hsm_segment(site)
            asets.append(aset)
            segments.append(segment)
    partners = partners_for(sites)
    names = {h for child in children.values() for h in child["hosts"]}
    for partner in partners.values():
        for key in ("sessions", "tunnels"):
            if key in partner:
                partner[key] = [s for s in partner[key] if s["device"] in names]
    policies = {
        "netinfra_policy": {"environment": "lab"},
        "bgp_policy": {"password_required": True, "max_prefixes_required": True, "max_accept_prefix_len_v4": 29,
                       "max_accept_prefix_len_v6": 48},
        "snmp_policy": {"min_key_length": 20, "management_networks": ["198.18.0.0/15"]},
    }
    if segments:
        policies["hsm"] = {"table": "paynet_hsm", "address_sets": asets, "segments": segments}
    inventory = {"all": {"vars": policies, "children": children}}
    vault = {"vault_bgp_passwords": {name: "Gen-Md5-%s-x7Qv" % name[-3:] for name in partners},
             "vault_ipsec_psks": {name: "Gen-Psk-%s-0123456789abcdefghij" % name[-3:] for name in partners},
             "vault_snmp_keys": {"nms": {"auth": "Gen-Snmp-Auth-0123456789", "priv": "Gen-Snmp-Priv-0123456789"}}}
    return inventory, partners, vault


def plant_bad(inventory: dict, partners: dict, many: int = 0, few: bool = True) -> list[str]:
    """Plant mistakes; returns what was planted (for the test and the benchmark's output)."""
    hosts = {h: v for child in inventory["all"]["children"].values() for h, v in child["hosts"].items()}
    names = sorted(hosts)
    planted = []
    if few:
        edges = [h for h in names if h.endswith("-e1")]
        gws = [h for h in names if h.endswith("-h2")]
        vpns = [h for h in names if h.endswith("-v2")]
        bad1, bad2, bad3 = edges[len(edges) // 3], gws[len(gws) // 2], vpns[-1]
        hosts[bad1]["bgp"]["router_id"] = "198.18.7.300"
        planted.append("%s bgp.router_id 198.18.7.300 (not an address)" % bad1)
        hosts[bad2]["vrrp"]["groups"][0]["priority"] = 300
        planted.append("%s vrrp.groups[0].priority 300 (out of range)" % bad2)
        del hosts[bad3]["bgp"]["asn"]
        planted.append("%s bgp.asn missing" % bad3)
        # the same VIP at two sites: site 2's edge VIP copied from site 1
        one, two = [h for h in edges if h.startswith(("s001-", "s002-"))][:2]
        dup = hosts[one]["vrrp"]["groups"][0]["virtual_ipv4"][0]
        for host in (two, two[:-1] + "2"):
            hosts[host]["vrrp"]["groups"][0]["virtual_ipv4"] = [dup]
        planted.append("%s and %s vrrp VIP %s also used at %s" % (two, two[:-1] + "2", dup, one[:4]))
    if many:
        targets = [h for h in names if hosts[h].get("vrrp")][-many:]
        for host in targets:
            hosts[host]["vrrp"]["groups"][0]["priority"] = 256
        planted.append("%d devices vrrp.groups[0].priority 256 (out of range)" % len(targets))
    del partners  # the partners' side is covered by the bad-intent corpus
    return planted


def _vault_text(data: dict, password: str) -> str:
    from ansible.parsing.vault import VaultLib, VaultSecret  # pylint: disable=import-outside-toplevel
    lib = VaultLib([("default", VaultSecret(password.encode()))])
    return lib.encrypt(yaml.safe_dump(data, sort_keys=False)).decode()


def write(dest: str, inventory: dict, partners: dict, vault: dict, fmt: str = "json") -> str:
    """Write hosts.json (or hosts.yml), partners/<name>.yml, group_vars/all/vault.yml (encrypted) and the vault password
    file under ``dest``; returns the path of the inventory file."""
    os.makedirs(os.path.join(dest, "partners"), exist_ok=True)
    os.makedirs(os.path.join(dest, "group_vars", "all"), exist_ok=True)
    if fmt == "json":
        # the same inventory as JSON: Ansible's YAML loader takes ~28 s for a 5,000-host hosts.yml, its JSON
        # loader ~3 s (docs/benchmarks.md); the yaml inventory plugin reads both
        hosts = os.path.join(dest, "hosts.json")
        with open(hosts, "w", encoding="utf-8") as fh:
            json.dump(inventory, fh, indent=None, separators=(",", ":"))
    else:
        hosts = os.path.join(dest, "hosts.yml")
        with open(hosts, "w", encoding="utf-8") as fh:
            fh.write("---\n# Generated by tests/lab/fleetgen.py: a fleet for validation at scale (lab addresses only).\n")
            yaml.dump(inventory, fh, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, width=200)
    for name, intent in partners.items():
        with open(os.path.join(dest, "partners", name + ".yml"), "w", encoding="utf-8") as fh:
            fh.write("---\n")
            yaml.dump({name: intent}, fh, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False, width=200)
    password = os.path.join(dest, "vault-password.txt")
    with open(password, "w", encoding="utf-8") as fh:
        fh.write(VAULT_PASSWORD + "\n")
    os.chmod(password, 0o600)
    with open(os.path.join(dest, "group_vars", "all", "vault.yml"), "w", encoding="utf-8") as fh:
        fh.write(_vault_text(vault, VAULT_PASSWORD))
    return hosts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest")
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--bad", action="store_true", help="plant three bad devices and an address used at two sites")
    parser.add_argument("--bad-many", type=int, default=0, help="give N devices the same mistake")
    parser.add_argument("--format", choices=("json", "yaml"), default="json", help="inventory file format (default json)")
    args = parser.parse_args(argv)
    try:
        inventory, partners, vault = generate(args.devices)
    except FleetError as exc:
        print("ERROR %s" % exc, file=sys.stderr)
        return 2
    planted = plant_bad(inventory, partners, args.bad_many, args.bad) if (args.bad or args.bad_many) else []
    path = write(args.dest, inventory, partners, vault, args.format)
    note = "; planted: " + "; ".join(planted) if planted else ""
    print("%s: %d devices, %d partners%s" % (path, args.devices, len(partners), note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
