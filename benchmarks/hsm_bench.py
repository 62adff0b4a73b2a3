# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HSM attachment apply / no-op / check time on one segment gateway (issue 10). Run as root from the repo:

    .venv/bin/python benchmarks/hsm_bench.py [--lab hsmA-bench] [--clients 10 100 1000] [--keep]

Builds lab ``--lab`` from tests/topologies/hsm-basic.clab.yml (no keepalived needed: the table only needs the
gateway's vrrp intent for its interface) and, for each client count N, gives the lab intent's ``payment_apps``
set N addresses (half single hosts, half /30 prefixes, IPv4 and IPv6) and runs one paynet.netinfra.hsm_attachment
task on hgw1 (ansible-playbook, wall and controller CPU seconds):

* ``apply``: from no table to the table with N clients (nft -c, the atomic load, read back and compared);
* ``no-op``: the same intent again (one nft -j read, nothing loaded);
* ``check``: check mode with one more client (read, diff, nft -c; nothing loaded).

Also times the plain ``nft -f`` of the same file inside the node, as the floor a hand-written ruleset pays.
Writes benchmarks/results/hsm-<date>.json and prints a Markdown table (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import copy
import datetime
import ipaddress
import json
import os
import subprocess
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  # pylint: disable=wrong-import-position

ROOT = benchlib.ROOT
TOPO = os.path.join(ROOT, "tests", "topologies", "hsm-basic.clab.yml")
sys.path.insert(0, os.path.join(ROOT, ".collections"))
# pylint: disable=wrong-import-position
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import model  # noqa: E402
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.nftables import render  # noqa: E402

ENV = dict(benchlib.ENV, ANSIBLE_VAULT_PASSWORD_FILE=os.path.join(ROOT, "inventories", "lab", "vault-password.txt"),
           ANSIBLE_HOST_KEY_CHECKING="false")
PLAY = """
- name: HSM attachment benchmark
  hosts: hgw1
  gather_facts: false
  become: true
  vars:
    ansible_connection: ansible.builtin.ssh
  tasks:
    - name: Apply
      paynet.netinfra.hsm_attachment:
        config: "{{ bench_hsm }}"
        state: "{{ bench_state }}"
"""


def clients(n):
    out = []
    for i in range(n):
        if i % 4 == 3:
            out.append("2001:db8:41:%x::/64" % (i + 1))
        elif i % 2:
            out.append(str(ipaddress.ip_network("198.19.0.0/16")[(i // 2) * 4 + 0]) + "/30")
        else:
            out.append(str(ipaddress.ip_network("198.18.128.0/17")[i + 1]))
    return out


def intent(n, extra=0):
    hsm = yaml.safe_load(open(os.path.join(ROOT, "inventories/lab/group_vars/all/hsm.yml"), encoding="utf-8"))["hsm"]
    hsm = copy.deepcopy(hsm)
    hsm["address_sets"][0]["addresses"] = ["198.18.41.10"] + clients(n - 1 + extra)
    return hsm


def labctl(*args, stdin=None):
    return subprocess.run(benchlib.LABCTL + list(args), input=stdin, capture_output=True, text=True, check=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", default=os.environ.get("HSM_BENCH_LAB", "hsmA-bench"))
    ap.add_argument("--clients", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--keep", action="store_true", help="leave the lab up")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="hsm-bench-")
    inventory = os.path.join(work, "inventory.yml")
    labctl("up", TOPO, "--name", args.lab, "--inventory", inventory)
    playbook = os.path.join(work, "bench.yml")
    with open(playbook, "w", encoding="utf-8") as fh:
        fh.write(PLAY)
    results = []
    try:
        for n in args.clients:
            labctl("exec", TOPO, "--name", args.lab, "hgw1", "--", "sh", "-c", "nft delete table inet paynet_hsm || true")
            row = {"clients": n}
            for step, hsm, state, check in (("apply", intent(n), "replaced", False), ("no-op", intent(n), "replaced", False),
                                            ("check", intent(n, extra=1), "replaced", True)):
                varfile = os.path.join(work, "vars.json")
                with open(varfile, "w", encoding="utf-8") as fh:
                    json.dump({"bench_hsm": hsm, "bench_state": state}, fh, default=str)
                cmd = [benchlib.PLAYBOOK, "-i", os.path.join(ROOT, "inventories/lab/hosts.yml"), "-i", inventory,
                       "-e", "@" + varfile, playbook] + (["--check"] if check else [])
                proc, wall, cpu, _reaped = benchlib.timed_run(cmd, ROOT, ENV)
                if proc.returncode != 0:
                    raise SystemExit("%s with %d clients failed:\n%s\n%s"
                                     % (step, n, proc.stdout[-3000:], proc.stderr[-3000:]))
                changed = "changed=1" in proc.stdout
                row[step] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "changed": changed}
            dev = model.device_model(intent(n), "hgw1", yaml.safe_load(open(os.path.join(
                ROOT, "inventories/lab/host_vars/hgw1.yml"), encoding="utf-8"))["vrrp"])
            text = render.apply_file("paynet_hsm", render.table_text(dev, model.address_sets(intent(n))))
            t0 = time.perf_counter()
            labctl("exec", TOPO, "--name", args.lab, "hgw1", "--", "nft", "-f", "-", stdin=text)
            row["nft_f_s"] = round(time.perf_counter() - t0, 3)
            row["table_lines"] = text.count("\n")
            results.append(row)
            print(json.dumps(row), flush=True)
    finally:
        if not args.keep:
            labctl("down", TOPO, "--name", args.lab)
    date = datetime.date.today().isoformat()
    out = {"date": date, "cpu": benchlib.cpu_model(), "nproc": os.cpu_count(), "loadavg": os.getloadavg(),
           "results": results}
    os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "benchmarks", "results", "hsm-%s.json" % date), "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1)
    print("\n| clients | apply (wall / CPU s) | no-op | check | nft -f alone (s) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print("| %d | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | %.2f |" % (
            r["clients"], r["apply"]["wall_s"], r["apply"]["cpu_s"], r["no-op"]["wall_s"], r["no-op"]["cpu_s"],
            r["check"]["wall_s"], r["check"]["cpu_s"], r["nft_f_s"]))


if __name__ == "__main__":
    main()
