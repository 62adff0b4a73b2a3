# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compliance run time (issue 12): playbooks/compliance_check.yml on the compliance lab. Run as root from the repo
on a converged lab (molecule/compliance/converge.yml, or scripts/demo_compliance.sh):

    .venv/bin/python benchmarks/compliance_bench.py --lab cmp-dev [--repeat 2]

Times one compliance run (ansible-playbook, wall and controller CPU seconds) per device alone and for the whole lab
(edge1: BGP; hgw1, hgw2: VRRP + HSM; sgw1: SNMP), so the cost per device and per feature can be read off. Writes
benchmarks/results/compliance-<date>.json and prints a Markdown table (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = (("edge1", "BGP"), ("hgw1", "VRRP + HSM"), ("sgw1", "SNMP"), ("edge1:hgw1:hgw2:sgw1", "whole lab (4 devices)"))


def run(lab, hosts, report_dir):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_VAULT_PASSWORD_FILE=os.path.join(REPO, "inventories/lab/vault-password.txt"))
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "inventories/lab/hosts.yml",
            "-i", ".lab/%s/inventory.yml" % lab, "playbooks/compliance_check.yml", "-e", "compliance_hosts=" + hosts,
            "-e", "compliance_report_dir=" + report_dir, "-e", "compliance_diagram=false"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit("compliance run on %s failed (rc %d): %s" % (hosts, proc.returncode, proc.stdout[-2000:]))
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="cmp-dev")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for hosts, what in SETS:
            runs = [run(args.lab, hosts, os.path.join(tmp, "r")) for attempt in range(args.repeat)]
            best = min(runs, key=lambda r: r[0])
            rows.append({"hosts": hosts, "what": what, "wall_s": round(best[0], 1), "cpu_s": round(best[1], 1)})
    load = os.getloadavg()
    out = {"date": datetime.date.today().isoformat(), "cores": os.cpu_count(), "loadavg": load, "rows": rows}
    os.makedirs(os.path.join(REPO, "benchmarks", "results"), exist_ok=True)
    with open(os.path.join(REPO, "benchmarks", "results", "compliance-%s.json" % out["date"]), "w", encoding="utf-8") as handle:
        json.dump(out, handle, indent=1)
    print("| devices | features | wall s | controller CPU s |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| %s | %s | %.1f | %.1f |" % (row["hosts"], row["what"], row["wall_s"], row["cpu_s"]))
    print("\n%d cores, load average %.1f %.1f %.1f at the end" % ((out["cores"],) + tuple(load)))


if __name__ == "__main__":
    main()
