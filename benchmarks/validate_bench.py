#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time fleet validation on a generated fleet (default: 5,000 devices, 2,000 partners, 3 sessions a device).

    .venv/bin/python benchmarks/validate_bench.py [--devices N] [--partners N] [--sessions-per-device N]
    .venv/bin/python benchmarks/validate_bench.py --playbook   # also the ansible-playbook path

The intent is valid except for a handful of planted errors (so the error paths run too); the
script prints the sizes, the number of findings and the best of ``--repeat`` wall times of
``validate_fleet`` (plain Python, every registered feature). With ``--playbook`` it also writes the
fleet as an inventory (hosts.yml with the host vars, one partners/<name>.yml per partner) and times
``ansible-playbook playbooks/validate.yml`` on it: loading the inventory, the partners vars plugin,
templating every host's variables and validating, as a user runs it.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import platform
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _import_validate():
    tree = os.path.join(ROOT, ".collections")
    link = os.path.join(tree, "ansible_collections", "paynet", "netinfra")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(os.path.join("..", "..", ".."), link)
    sys.path.insert(0, tree)
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features import registry
    return registry


def generate(devices: int, partners: int, sessions_per_device: int) -> tuple[dict, dict]:
    """(partners, devices) intent: every device peers with ``sessions_per_device`` partners."""
    hosts = {}
    for i in range(devices):
        site = i // 100
        hosts["dc%d-edge%d" % (site, i % 100)] = {
            "netinfra_platform": "frr",
            "bgp": {
                "asn": 65000 + site % 500,
                "router_id": str(ipaddress.IPv4Address("10.255.0.0") + i),
                "announce": [str(ipaddress.IPv4Network(("100.64.0.0", 24)).network_address + i * 256) + "/24"],
            },
        }
    names = sorted(hosts)
    intents = {}
    for p in range(partners):
        base = ipaddress.IPv4Address("11.0.0.0") + p * 1024
        intents["partner_%04d" % p] = {
            "asn": 4200000000 + p,
            "description": "Partner %d" % p,
            "accept_prefixes": ["%s/24" % base, {"prefix": "%s/23" % (base + 512), "le": 24},
                                "2001:db8:%x::/48" % p],
            "max_prefixes": {"limit": 100, "threshold": 80, "restart": 5},
            "timers": {"keepalive": 10, "hold": 30},
            "sessions": [],
        }
    link = int(ipaddress.IPv4Address("172.16.0.0"))
    for i, host in enumerate(names):
        for s in range(sessions_per_device):
            partner = intents["partner_%04d" % ((i * sessions_per_device + s) % partners)]
            partner["sessions"].append({
                "device": host,
                "peer_address": str(ipaddress.IPv4Address(link + 1)),
                "local_address": str(ipaddress.IPv4Address(link)),
                "password": "secret-%d-%d" % (i, s),
                "transport": "direct",
            })
            link += 2
    # planted errors: a host-bit prefix, a bad address, a hijack, an unknown device
    intents["partner_0000"]["accept_prefixes"].append("11.0.0.1/24")
    intents["partner_0001"]["sessions"][0]["peer_address"] = "203.0.113.300"
    intents["partner_0002"]["accept_prefixes"].append("100.64.0.0/16")
    intents["partner_0003"]["sessions"][0]["device"] = "dc9-edge999"
    return intents, hosts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--sessions-per-device", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--playbook", action="store_true", help="also time ansible-playbook playbooks/validate.yml")
    args = parser.parse_args()
    validate = _import_validate()
    partners, devices = generate(args.devices, args.partners, args.sessions_per_device)
    sessions = validate.count_intent(partners, devices)["sessions"]
    times = []
    findings = []
    for _run in range(args.repeat):
        start = time.perf_counter()
        findings = validate.validate_fleet(partners, devices, POLICY)
        times.append(time.perf_counter() - start)
    errors = sum(1 for f in findings if f.severity == validate.ERROR)
    print("validate_fleet: %d devices, %d partners, %d sessions -> %d findings (%d errors)"
          % (len(devices), len(partners), sessions, len(findings), errors))
    print("best of %d: %.3f s (all: %s) on %s, Python %s, %d CPUs"
          % (args.repeat, min(times), ", ".join("%.3f" % t for t in times), platform.machine(),
             platform.python_version(), os.cpu_count() or 0))
    if args.playbook:
        playbook_run(partners, devices)
    return 0


def playbook_run(partners: dict, devices: dict) -> None:
    """Write the fleet as an inventory and time ``ansible-playbook playbooks/validate.yml`` on it."""
    import subprocess  # pylint: disable=import-outside-toplevel
    import tempfile  # pylint: disable=import-outside-toplevel

    import yaml  # pylint: disable=import-outside-toplevel

    with tempfile.TemporaryDirectory(prefix="validate-bench-") as tmp:
        hosts = {"all": {"vars": POLICY, "hosts": devices}}
        with open(os.path.join(tmp, "hosts.yml"), "w", encoding="utf-8") as fh:
            yaml.safe_dump(hosts, fh)
        os.mkdir(os.path.join(tmp, "partners"))
        for name, intent in partners.items():
            with open(os.path.join(tmp, "partners", name + ".yml"), "w", encoding="utf-8") as fh:
                yaml.safe_dump({name: intent}, fh)
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"), ANSIBLE_HOME=os.path.join(ROOT, ".ansible"))
        cmd = [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", os.path.join(tmp, "hosts.yml"),
               os.path.join(ROOT, "playbooks", "validate.yml")]
        start = time.perf_counter()
        cpu_before = os.times()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        cpu_after = os.times()
        cpu = (cpu_after.children_user - cpu_before.children_user) + (cpu_after.children_system - cpu_before.children_system)
        planted = "4 errors" in proc.stdout or "errors, " in proc.stdout
        print("ansible-playbook validate.yml: %d hosts, %d partner files -> rc %d (%s) in %.1f s wall, %.1f CPU-s"
              % (len(devices), len(partners), proc.returncode, "planted errors found" if planted else "UNEXPECTED OUTPUT",
                 wall, cpu))
        if not planted:
            print(proc.stdout[-3000:], proc.stderr[-3000:])


# the generated fleet stands in documentation space for real prefixes: a lab inventory
POLICY = {"netinfra_policy": {"environment": "lab"}}


if __name__ == "__main__":
    sys.exit(main())
