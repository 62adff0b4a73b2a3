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

6. with ``--stages``: each stage alone (``--tags vrrp`` ... ``--tags snmp``, no-op; validate, reachability and
   the summary always run), for the per-feature rows of the scaling table,

and tears the lab down. Run as root:  .venv/bin/python benchmarks/site_bench.py [--repeat 2] [--keep]
The 20-device site (issue 14, inventories/site20):
  .venv/bin/python benchmarks/site_bench.py --description tests/topologies/site/dc-site-20.yml \
      --inventory inventories/site20/hosts.yml --site-group site20 --lab s20-bench --stages
``--forks N`` passes ``-f N``; ``--profile`` adds ansible.posix.profile_tasks (per-task times in the log).
Results: benchmarks/results/site-<date>.json (``--out`` to choose), each run with its log under --log-dir.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  # pylint: disable=wrong-import-position

ROOT = benchlib.ROOT
DESCRIPTION = os.path.join(ROOT, "tests", "topologies", "site", "dc-site.yml")
STAGES = ("vrrp", "hsm", "ipsec", "bgp", "snmp")


def site_lab(description):
    """(topology path, our managed devices) of a site description (tests/lab/sitegen.py's input)."""
    with open(description, encoding="utf-8") as handle:
        site = yaml.safe_load(handle)
    topology = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(description))),
                            site.get("clab_file", "site-dc.clab.yml"))
    roles = site["roles"]
    hosts = tuple(name for name, dev in site["devices"].items()
                  if roles[dev["role"]].get("platform") and not roles[dev["role"]].get("partner"))
    return topology, hosts


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
    parser.add_argument("--reuse", action="store_true", help="use the lab as it is (already built): no set-up, no check/build")
    parser.add_argument("--description", default=DESCRIPTION, help="site description (default: the 6-device dc-site.yml)")
    parser.add_argument("--inventory", default=os.path.join(ROOT, "inventories", "lab", "hosts.yml"), help="its intent")
    parser.add_argument("--site-group", default="site", help="site.yml's site_group (default: site)")
    parser.add_argument("--lab", default="site-bench", help="lab name (default: site-bench)")
    parser.add_argument("--stages", action="store_true", help="also each stage alone (--tags <stage>, no-op)")
    parser.add_argument("--forks", type=int, help="ansible-playbook -f N (default: ansible.cfg's)")
    parser.add_argument("--profile", action="store_true", help="per-task times (ansible.posix.profile_tasks)")
    parser.add_argument("--out", help="results JSON (default: benchmarks/results/site-<date>.json)")
    parser.add_argument("--log-dir", help="write each run's output here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (the namespace lab needs it)")
    topology, hosts = site_lab(args.description)
    inventory = os.path.join(ROOT, ".lab", args.lab, "inventory.yml")
    env = dict(benchlib.ENV, ANSIBLE_VAULT_PASSWORD_FILE=os.path.join(ROOT, "inventories", "lab", "vault-password.txt"),
               NETINFRA_LAB_NAME=args.lab, NETINFRA_LAB_INVENTORY=inventory)
    if args.profile:
        env["ANSIBLE_CALLBACKS_ENABLED"] = "paynet.netinfra.audit,ansible.posix.profile_tasks"
    base = [benchlib.PLAYBOOK, "-i", os.path.abspath(args.inventory), "-i", inventory, "-e", "site_group=" + args.site_group]
    if args.forks:
        base += ["-f", str(args.forks)]
    site = os.path.join(ROOT, "playbooks", "site.yml")
    results = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "cpu": benchlib.cpu_model(), "nproc": os.cpu_count(), "devices": len(hosts),
               "description": os.path.relpath(os.path.abspath(args.description), ROOT), "forks": args.forks,
               "load_before": os.getloadavg(), "runs": []}
    down = benchlib.LABCTL + ["down", topology, "--name", args.lab]
    up = base + ["-e", "site_lab_topology=" + topology, "-e", "site_lab_description=" + os.path.abspath(args.description),
                 os.path.join(ROOT, "tests", "lab", "site-up.yml")]
    if not args.reuse:
        benchlib.timed_run(down, ROOT, env)
    proc, wall, _cpu, _reaped = benchlib.timed_run(up, ROOT, env)
    if proc.returncode:
        sys.exit("site lab set-up failed:\n" + proc.stdout[-3000:] + proc.stderr[-2000:])
    results["lab_up_s"] = round(wall, 1)
    backup_dir = tempfile.mkdtemp(prefix="site-bench-backup-")
    steps = [] if args.reuse else [("check on empty", base + ["--check", "--diff", site]), ("build from empty", base + [site])]
    steps += [("no-op %d" % (i + 1), base + [site]) for i in range(args.repeat)]
    steps += [("no-op --limit " + hosts[0], base + ["--limit", hosts[0], site])]
    if args.stages:
        # --tags always: validation, the reachability probe and the summary only (what every stage run also pays)
        steps += [("no-op --tags " + stage, base + ["--tags", stage, site]) for stage in ("always",) + STAGES]
    steps += [("backup.yml", base + [os.path.join(ROOT, "playbooks", "backup.yml"), "-e", "netinfra_backup_dir=" + backup_dir,
                                     "-e", "backup_hosts=" + args.site_group])]
    try:
        for name, cmd in steps:
            load = os.getloadavg()
            proc, wall, cpu, reaped = benchlib.timed_run(cmd, ROOT, env)
            if args.log_dir:
                os.makedirs(args.log_dir, exist_ok=True)
                with open(os.path.join(args.log_dir, re.sub(r"\W+", "_", name) + ".log"), "w", encoding="utf-8") as handle:
                    handle.write(proc.stdout + proc.stderr)
            rc = recap(proc.stdout)
            row = {"step": name, "rc": proc.returncode, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                   "changed": sum(v.get("changed", 0) for h, v in rc.items() if h in hosts),
                   "tasks_ok": sum(v.get("ok", 0) for h, v in rc.items() if h in hosts), "reaped": reaped,
                   "load_1m_before": round(load[0], 2), "load_1m_after": round(os.getloadavg()[0], 2)}
            if not any(h in hosts for h in rc):
                row["rc"] = row["rc"] or 3  # a run that reached none of our devices measures nothing
                print("%s: no device of the site in the PLAY RECAP (wrong --site-group or inventory?)" % name, file=sys.stderr)
            results["runs"].append(row)
            print("%-22s rc=%d wall %6.1f s  cpu %6.1f s  changed=%d  load %.2f -> %.2f"
                  % (name, row["rc"], row["wall_s"], row["cpu_s"], row["changed"], load[0], row["load_1m_after"]), flush=True)
            if row["rc"]:
                print(proc.stdout[-3000:], proc.stderr[-2000:], file=sys.stderr)
                break
    finally:
        if not args.keep:
            proc, _w, _c, _r = benchlib.timed_run(down, ROOT, env)
            print(proc.stdout.strip())
    results["load_after"] = os.getloadavg()
    out = args.out or os.path.join(ROOT, "benchmarks", "results", "site-%s.json" % datetime.date.today().isoformat())
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1)
    print("results:", os.path.relpath(out, ROOT))
    return 0 if all(r["rc"] == 0 for r in results["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
