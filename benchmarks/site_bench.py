#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark playbooks/site.yml on the site lab (docs/benchmarks.md, "Site build-out").

Builds lab ``site-bench`` from tests/topologies/site-dc.clab.yml (tests/lab/site-up.yml sets up the partner,
NMS and HSM stand-in nodes), then measures, wall clock and controller CPU (the whole process tree):

1. ``site.yml --check --diff`` on the empty lab,
2. ``site.yml`` from empty (the build-out),
3. ``site.yml`` again (no-op, changed=0), ``--repeat`` times,
4. ``site.yml --limit ste1`` (no-op),
5. ``backup.yml`` (every device),

and tears the lab down. Run as root:  .venv/bin/python benchmarks/site_bench.py [--repeat 2] [--keep]
Results: benchmarks/results/site-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  # pylint: disable=wrong-import-position

ROOT = benchlib.ROOT
TOPOLOGY = os.path.join(ROOT, "tests", "topologies", "site-dc.clab.yml")
LAB = "site-bench"
HOSTS = ("ste1", "ste2", "stv1", "stv2", "sth1", "sth2")


def recap(stdout):
    """{host: {ok, changed, failed, ...}} from the PLAY RECAP."""
    out = {}
    for host, rest in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", stdout, re.M):
        out[host] = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", rest))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="no-op runs (default 2)")
    parser.add_argument("--keep", action="store_true", help="leave the lab up at the end")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (the namespace lab needs it)")
    inventory = os.path.join(ROOT, ".lab", LAB, "inventory.yml")
    env = dict(benchlib.ENV, ANSIBLE_VAULT_PASSWORD_FILE=os.path.join(ROOT, "inventories", "lab", "vault-password.txt"),
               NETINFRA_LAB_NAME=LAB, NETINFRA_LAB_INVENTORY=inventory)
    base = [benchlib.PLAYBOOK, "-i", os.path.join(ROOT, "inventories", "lab", "hosts.yml"), "-i", inventory]
    site = os.path.join(ROOT, "playbooks", "site.yml")
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "cpu": benchlib.cpu_model(), "nproc": os.cpu_count(), "devices": len(HOSTS),
               "load_before": os.getloadavg(), "runs": []}
    down = benchlib.LABCTL + ["down", TOPOLOGY, "--name", LAB]
    benchlib.timed_run(down, ROOT, env)
    proc, wall, _cpu, _reaped = benchlib.timed_run(base + [os.path.join(ROOT, "tests", "lab", "site-up.yml")], ROOT, env)
    if proc.returncode:
        sys.exit("site lab set-up failed:\n" + proc.stdout[-3000:] + proc.stderr[-2000:])
    results["lab_up_s"] = round(wall, 1)
    backup_dir = tempfile.mkdtemp(prefix="site-bench-backup-")
    steps = [("check on empty", base + ["--check", "--diff", site]), ("build from empty", base + [site])]
    steps += [("no-op %d" % (i + 1), base + [site]) for i in range(args.repeat)]
    steps += [("no-op --limit ste1", base + ["--limit", "ste1", site]),
              ("backup.yml", base + [os.path.join(ROOT, "playbooks", "backup.yml"), "-e", "netinfra_backup_dir=" + backup_dir])]
    try:
        for name, cmd in steps:
            proc, wall, cpu, reaped = benchlib.timed_run(cmd, ROOT, env)
            rc = recap(proc.stdout)
            row = {"step": name, "rc": proc.returncode, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                   "changed": sum(v.get("changed", 0) for h, v in rc.items() if h in HOSTS),
                   "tasks_ok": sum(v.get("ok", 0) for h, v in rc.items() if h in HOSTS), "reaped": reaped}
            results["runs"].append(row)
            print("%-20s rc=%d wall %6.1f s  cpu %6.1f s  changed=%d"
                  % (name, row["rc"], row["wall_s"], row["cpu_s"], row["changed"]), flush=True)
            if proc.returncode:
                print(proc.stdout[-3000:], proc.stderr[-2000:], file=sys.stderr)
                break
    finally:
        if not args.keep:
            proc, _w, _c, _r = benchlib.timed_run(down, ROOT, env)
            print(proc.stdout.strip())
    results["load_after"] = os.getloadavg()
    out = os.path.join(ROOT, "benchmarks", "results", "site-%s.json" % datetime.date.today().isoformat())
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1)
    print("results:", os.path.relpath(out, ROOT))
    return 0 if all(r["rc"] == 0 for r in results["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
