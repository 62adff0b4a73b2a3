#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time ``ansible-playbook playbooks/validate.yml`` on generated fleets (tests/lab/fleetgen.py).

    .venv/bin/python benchmarks/fleet_bench.py [--devices 5 50 500 5000] [--format json|yaml] [--bad]

Each size is a realistic fleet (sites of edges, VPN gateways, VRRP pairs, HSM gateways and SNMP-only
hosts; partner files; policies; secrets in an ansible-vault file). It prints one Markdown row a size:
devices, partners, sessions, tunnels, VRRP groups, wall time, controller CPU (user + system of
ansible-playbook and its workers) and the 1-minute load average before the run (the machine is
shared: a high load makes the wall time longer than the CPU time). Timing is printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))

import fleetgen  # noqa: E402  # pylint: disable=wrong-import-position


def counts(inventory: dict, partners: dict) -> dict:
    hosts = {h: v for child in inventory["all"]["children"].values() for h, v in child["hosts"].items()}
    return {"devices": len(hosts), "partners": len(partners),
            "sessions": sum(len(p.get("sessions") or []) for p in partners.values()),
            "tunnels": sum(len(p.get("tunnels") or []) for p in partners.values()),
            "vrrp": sum(len((v.get("vrrp") or {}).get("groups") or []) for v in hosts.values())}


def run(devices: int, fmt: str, bad: bool) -> dict:
    inventory, partners, vault = fleetgen.generate(devices)
    if bad:
        fleetgen.plant_bad(inventory, partners, many=max(1, devices // 20))
    row = counts(inventory, partners)
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        path = fleetgen.write(tmp, inventory, partners, vault, fmt)
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"), ANSIBLE_NOCOLOR="1")
        cmd = [os.path.join(ROOT, ".venv", "bin", "ansible-playbook"), "-i", path, "--vault-password-file",
               os.path.join(tmp, "vault-password.txt"), os.path.join(ROOT, "playbooks", "validate.yml")]
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    row.update(wall=wall, cpu=cpu, load=load, rc=proc.returncode, lines=len(proc.stdout.splitlines()))
    expected = 2 if bad else 0
    if proc.returncode != expected:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[5, 50, 500, 5000])
    parser.add_argument("--format", choices=("json", "yaml"), default="json")
    parser.add_argument("--bad", action="store_true", help="plant bad intent (3 devices, a duplicate VIP, 5 %% alike)")
    args = parser.parse_args()
    print("| devices | partners | sessions | tunnels | VRRP groups | inventory | wall | controller CPU | load before | rc | output lines |")
    print("| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    rows = []
    for devices in args.devices:
        row = run(devices, args.format, args.bad)
        rows.append(row)
        print("| {devices:,} | {partners} | {sessions:,} | {tunnels:,} | {vrrp:,} | {fmt} | {wall:.1f} s | {cpu:.1f} s | "
              "{load:.2f} | {rc} | {lines} |".format(fmt=args.format, **row), flush=True)
    json.dump(rows, sys.stderr)
    print(file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
