#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fast failure of a wrong BGP password on a live partner session (issue 14), on a running site lab.

    benchmarks/bgp_fast_failure.py --lab flt-faults [--runs 5]

Each run pushes sitebank's sessions on ste1 with a password stp1 does not have
(molecule/faults/files/bgp_change.yml) while a watcher inside ste1 measures how long the session is
not Established (from the change to Established again after the rollback). Prints min/median/max of
that outage and of the playbook's wall time. The lab must be built (playbooks/site.yml).
"""

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOPOLOGY = ROOT / "tests/topologies/site-dc.clab.yml"
WATCHER = ROOT / "molecule/faults/files/session_outage.py"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="flt-faults")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, ANSIBLE_VAULT_PASSWORD_FILE=str(ROOT / "inventories/lab/vault-password.txt"),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"), ANSIBLE_NOCOLOR="1")
    playbook = [str(ROOT / ".venv/bin/ansible-playbook"), "-i", str(ROOT / "inventories/lab/hosts.yml"),
                "-i", str(ROOT / ".lab" / args.lab / "inventory.yml"), str(ROOT / "molecule/faults/files/bgp_change.yml"),
                "-l", "ste1", "-e", "fault_partner=sitebank", "-e", "fault_password=Not-The-Partners-1"]
    outages, walls = [], []
    for run in range(args.runs):
        watcher = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, str(ROOT / "tests/lab/labctl"), "exec", str(TOPOLOGY), "--name", args.lab, "ste1", "--",
             "python3", "-", "198.18.96.2", "90"], stdin=open(WATCHER, "rb"), stdout=subprocess.PIPE, text=True)
        assert watcher.stdout.readline().strip() == "ready"
        started = time.monotonic()
        proc = subprocess.run(playbook, env=env, capture_output=True, text=True, check=False)
        walls.append(time.monotonic() - started)
        line = watcher.stdout.read().strip()
        watcher.wait()
        failed_fast = "certain before the" in proc.stdout and "rolled back" in proc.stdout
        print("run %d: rc %d, failed fast and rolled back: %s, %s, playbook %.1f s"
              % (run + 1, proc.returncode, failed_fast, line, walls[-1]), flush=True)
        if not line.startswith("outage") or not failed_fast:
            sys.exit("run %d did not fail fast and recover: %s" % (run + 1, proc.stdout[-2000:]))
        outages.append(float(line.split()[1]))
    for name, values in (("outage (change -> Established again)", outages), ("playbook wall", walls)):
        print("%s: min %.2f s, median %.2f s, max %.2f s over %d runs"
              % (name, min(values), statistics.median(values), max(values), len(values)))


if __name__ == "__main__":
    main()
