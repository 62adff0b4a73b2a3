# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HSM segmentation proof run time on the hsm-basic lab (docs/benchmarks.md, "HSM segmentation proof").

Brings up a copy of tests/topologies/hsm-basic.clab.yml (lab ``hsmP-bench``, or --lab NAME), starts the
HSM stand-in, puts the VIPs on hgw1 and the hand-written policy table (tests/lab/hsm_prooftest.nft) on
both gateways, then times ``playbooks/hsm_segmentation_proof.yml`` (wall clock and controller CPU of
the whole process tree) N times each:

- ``policy``: the table in place (the proof passes; 10 of 15 probes are dropped and wait for the
  probe timeout, all at once per source host);
- ``policy_check``: the same in check mode;
- ``open``: no table (every probe connects at once; the proof fails, as it must).

Also records each run's slowest probe and the sum of all probes' times (what one-at-a-time probing
would cost). Counters are off (hsm_proof_counters=false: hsm_status is on another branch); each
counters play adds one hsm_status task per gateway (about 1 s each, in parallel over the gateways).

  .venv/bin/python benchmarks/hsm_proof_bench.py [--runs 3] [--timeout 3] [--keep] [--out results/x.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ENV, LABCTL, PLAYBOOK, ROOT, timed_run  # noqa: E402  # pylint: disable=wrong-import-position

VIPS = (("198.18.40.1/24", "eth1"), ("198.18.41.1/24", "eth2"), ("198.18.42.1/24", "eth3"))


def run(cmd, stdin=None):
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False, timeout=300)
    if proc.returncode != 0:
        raise SystemExit("%s failed (%s): %s%s" % (cmd, proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    ap.add_argument("--lab", default="hsmP-bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=3.0, help="hsm_proof_timeout (s)")
    ap.add_argument("--keep", action="store_true", help="leave the lab up")
    ap.add_argument("--out", help="write the results as JSON here")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="hsm-proof-bench-")
    topology = yaml.safe_load(open(os.path.join(ROOT, "tests", "topologies", "hsm-basic.clab.yml")))
    topology["name"] = args.lab
    topo = os.path.join(work, "%s.clab.yml" % args.lab)
    with open(topo, "w") as handle:
        yaml.safe_dump(topology, handle, sort_keys=False)
    inventory = os.path.join(work, "inventory.yml")
    run(LABCTL + ["up", topo, "--inventory", inventory, "--timeout", "120"])
    exec_ = LABCTL + ["exec", topo]
    results = {"machine": {"cpus": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()},
               "date": datetime.date.today().isoformat(), "timeout": args.timeout, "runs": {}}
    try:
        with open(os.path.join(ROOT, "inventories", "lab", "group_vars", "all", "hsm.yml")) as handle:
            appliance = yaml.safe_load(handle)["hsm"]["segments"][0]["appliances"][0]
        with open(os.path.join(ROOT, "tests", "lab", "hsm_standin.py")) as handle:
            standin = handle.read()
        # the node has a private /tmp (the checkout may live there): the script on stdin, the appliance as JSON
        run(exec_ + ["hsm1", "--", "python3", "-", "start", "--appliance-json", json.dumps(appliance)], stdin=standin)
        for address, dev in VIPS:
            run(exec_ + ["hgw1", "--", "ip", "addr", "add", address, "dev", dev])
        table = open(os.path.join(ROOT, "tests", "lab", "hsm_prooftest.nft")).read()
        env = dict(ENV, ANSIBLE_HOME=os.path.join(work, "ansible-home"), ANSIBLE_HOST_KEY_CHECKING="False")
        for scenario, extra, with_table in (("policy", [], True), ("policy_check", ["--check"], True), ("open", [], False)):
            for gateway in ("hgw1", "hgw2"):
                run(exec_ + [gateway, "--", "nft", "-f", "-"],
                    stdin=table if with_table else "table inet prooftest\ndelete table inet prooftest\n")
            runs = []
            for i in range(args.runs):
                evidence_dir = os.path.join(work, "evidence-%s-%d" % (scenario, i))
                cmd = [PLAYBOOK, "-i", os.path.join(ROOT, "inventories", "lab", "hosts.yml"), "-i", inventory,
                       "--vault-password-file", os.path.join(ROOT, "inventories", "lab", "vault-password.txt"),
                       os.path.join(ROOT, "playbooks", "hsm_segmentation_proof.yml"), "-e", "hsm_proof_counters=false",
                       "-e", "hsm_proof_timeout=%s" % args.timeout, "-e", "hsm_evidence_dir=%s" % evidence_dir] + extra
                proc, wall, cpu, _reaped = timed_run(cmd, ROOT, env)
                doc = json.load(open(os.path.join(evidence_dir, "latest.json")))
                elapsed = [p["result"]["elapsed_ms"] or 0.0 for p in doc["probes"] if p["result"]]
                runs.append({"rc": proc.returncode, "verdict": doc["verdict"], "wall_s": round(wall, 2),
                             "cpu_s": round(cpu, 2), "slowest_probe_ms": max(elapsed),
                             "sum_of_probes_ms": round(sum(elapsed), 1), "probes": len(elapsed)})
                print("%-13s run %d: rc %d %s wall %.2f s cpu %.2f s slowest probe %.0f ms, sum of probes %.0f ms"
                      % (scenario, i + 1, proc.returncode, doc["verdict"], wall, cpu, max(elapsed), sum(elapsed)), flush=True)
            results["runs"][scenario] = runs
    finally:
        if not args.keep:
            print(run(LABCTL + ["down", topo]).strip())
        shutil.rmtree(work, ignore_errors=True)
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(results, handle, indent=2)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
