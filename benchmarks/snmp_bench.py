# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SNMP benchmark: apply / no-op / check of 1, 10, 50 SNMPv3 users on one agent (sgw1 of the SNMP lab).

For each N: snmpd is reset on sgw1 (stopped, both files removed: a fresh agent), then
1. apply   - one paynet.netinfra.snmp task (state overridden) writes snmpd.conf and N createUser lines,
             starts snmpd, polls until the localized keys read back as the intent, and verifies an authPriv
             get of sysName as every user (N users in the polling group);
2. no-op   - the same again: every stored key compared with the pass phrase localized to the engineID;
3. check   - check mode with every user's priv key rotated: predicts N modified users, changes nothing.
Wall time and the CPU of the whole process tree (ansible-playbook, ssh, the module) are recorded with the
load average, and every output is searched for the keys (none may appear).

    .venv/bin/python benchmarks/snmp_bench.py [--users 1 10 50] [--keep-lab]
Writes benchmarks/results/snmp-<date>.json. Run as root (it builds lab bench-snmp).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import string
import subprocess
import sys
import tempfile

import benchlib

ROOT = benchlib.ROOT
TOPOLOGY = os.path.join(ROOT, "tests", "topologies", "snmp-basic.clab.yml")
BOOK = os.path.join(ROOT, "benchmarks", "baselines", "snmp_ours.yml")
ENV = dict(benchlib.ENV)


def key(n=28):
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _i in range(n))


def config(n, keys):
    return {"sys_name": "sgw1", "listen": ["198.18.62.2"], "pci_scope": True,
            "users": [{"name": "nms%02d" % i, "auth": "SHA-512", "auth_key": keys[i][0], "priv": "AES-256",
                       "priv_key": keys[i][1], "group": "monitoring"} for i in range(n)],
            "views": [{"name": "nms", "included": [".1.3.6.1.2.1.1"]}],
            "groups": [{"name": "monitoring", "read_view": "nms"}]}


def lab(*args, check=True):
    return subprocess.run(benchlib.LABCTL + list(args), capture_output=True, text=True, check=check)


def reset_agent(name):
    script = ("if [ -s /run/snmpd.pid ] && kill -0 $(cat /run/snmpd.pid) 2>/dev/null; then p=$(cat /run/snmpd.pid); "
              "kill $p; while kill -0 $p 2>/dev/null; do sleep 0.05; done; fi; "
              "rm -f /etc/snmp/snmpd.conf /var/lib/snmp/snmpd.conf")
    lab("exec", TOPOLOGY, "--name", name, "sgw1", "--", "sh", "-c", script)


def loadavg():
    with open("/proc/loadavg", encoding="ascii") as fh:
        return fh.read().split()[0]


def run(name, inv, cfg, all_keys, check=False):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        os.chmod(fh.name, 0o600)
        json.dump({"bench_config": cfg}, fh)
        path = fh.name
    try:
        cmd = [benchlib.PLAYBOOK, "-i", inv, "-e", "@" + path, BOOK] + (["--check", "--diff"] if check else [])
        load = loadavg()
        proc, wall, cpu, reaped = benchlib.timed_run(cmd, ROOT, ENV)
    finally:
        os.unlink(path)
    out = proc.stdout + proc.stderr
    leaked = sum(1 for k in all_keys if k in out)
    m = re.search(r"^sgw1\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", out, re.M)
    res = {"wall": round(wall, 3), "cpu": round(cpu, 3), "rc": proc.returncode, "all_reaped": reaped,
           "changed": int(m.group(2)) if m else None, "failed": int(m.group(4)) if m else None,
           "loadavg_before": load, "keys_in_output": leaked}
    if proc.returncode != 0:
        tail = out[-3000:]
        for k in all_keys:
            tail = tail.replace(k, "********")
        res["output_tail"] = tail
        print("  !! rc=%s\n%s" % (proc.returncode, tail), file=sys.stderr)
    return res


def machine():
    core = subprocess.run([benchlib.PLAYBOOK, "--version"], capture_output=True, text=True, check=False).stdout.splitlines()[0]
    snmpd = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "snmpd"], capture_output=True, text=True,
                           check=False).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu_model": benchlib.cpu_model(), "kernel": platform.release(),
            "python": platform.python_version(), "ansible_core": core, "snmpd": snmpd}


def table(results):
    out = ["| users | apply s | no-op s | check s | CPU apply s | CPU no-op s | CPU check s | changed apply/no-op/check | load before |",
           "|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for n, r in results.items():
        out.append("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s/%s/%s | %s/%s/%s |" % (
            n, r["apply"]["wall"], r["noop"]["wall"], r["check"]["wall"], r["apply"]["cpu"], r["noop"]["cpu"],
            r["check"]["cpu"], r["apply"]["changed"], r["noop"]["changed"], r["check"]["changed"],
            r["apply"]["loadavg_before"], r["noop"]["loadavg_before"], r["check"]["loadavg_before"]))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("--users", type=int, nargs="+", default=[1, 10, 50])
    ap.add_argument("--name", default="bench-snmp", help="lab name (default bench-snmp)")
    ap.add_argument("--keep-lab", action="store_true", help="leave the lab up at the end")
    ap.add_argument("--out", default=None, help="JSON path (default benchmarks/results/snmp-<date>.json)")
    args = ap.parse_args()
    inv = os.path.join(ROOT, ".lab", args.name, "inventory.yml")
    lab("up", TOPOLOGY, "--name", args.name, "--inventory", inv)
    results = {}
    try:
        for n in args.users:
            keys = [(key(), key()) for _i in range(n)]
            rotated = [(auth, key()) for auth, _priv in keys]
            all_keys = [k for pair in keys + rotated for k in pair]
            reset_agent(args.name)
            r = {"apply": run(args.name, inv, config(n, keys), all_keys)}
            r["noop"] = run(args.name, inv, config(n, keys), all_keys)
            r["check"] = run(args.name, inv, config(n, rotated), all_keys, check=True)
            results[n] = r
            print("N=%d apply %.2fs no-op %.2fs check %.2fs (changed %s/%s/%s, keys in output: %d)" % (
                n, r["apply"]["wall"], r["noop"]["wall"], r["check"]["wall"], r["apply"]["changed"],
                r["noop"]["changed"], r["check"]["changed"],
                r["apply"]["keys_in_output"] + r["noop"]["keys_in_output"] + r["check"]["keys_in_output"]), flush=True)
    finally:
        if not args.keep_lab:
            print(lab("down", TOPOLOGY, "--name", args.name, check=False).stdout.strip().splitlines()[-1])
    out = args.out or os.path.join(ROOT, "benchmarks", "results", "snmp-%s.json" % datetime.date.today().isoformat())
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"machine": machine(), "results": results}, fh, indent=2)
    print(table(results))
    print("written", out)
    bad = [n for n, r in results.items() if r["apply"]["rc"] or r["noop"]["changed"] != 0 or r["check"]["changed"] != 1
           or any(r[s]["keys_in_output"] for s in ("apply", "noop", "check"))]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
