#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark partner BGP provisioning on one lab FRR router (edge1 of tests/topologies/bgp-basic).

    .venv/bin/python benchmarks/bgp_bench.py --partners 1 10 50     (as root; builds and removes lab "bench")

For each N it applies the SAME intent (N partners) with three approaches, from a clean router:
  A  ours      paynet.netinfra.bgp_peering, one task, state replaced (network_cli)
  B  template  ansible.builtin.template of the whole frr.conf + handler frr-reload.py --reload (ssh, root)
  C  cli_cfg   ansible.netcommon.cli_config looped over partners, one templated block each (network_cli)
and times (1) apply, (2) no-op re-run, (3) --check --diff run: wall time and controller CPU (user+sys of
the ansible-playbook process tree, including the daemonised ansible-connection process, collected by
making this script a child subreaper while a playbook runs). Playbooks and Jinja2 templates live in
benchmarks/baselines/. It also runs a drift check (a hand-made prefix-list change on edge1) against A
and B. Prints a markdown table and writes raw results to benchmarks/results/bgp-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  (benchmarks/benchlib.py)

ROOT = benchlib.ROOT
BASE = os.path.join(ROOT, "benchmarks", "baselines")
TOPO = os.path.join(ROOT, "tests", "topologies", "bgp-basic.clab.yml")
LABCTL = benchlib.LABCTL
PLAYBOOK = benchlib.PLAYBOOK
ENV = benchlib.ENV
ASN = 65010
APPROACHES = {
    "A": ("ours (bgp_peering)", "ours.yml", []),
    "B": ("template + frr-reload", "template_baseline.yml",
          ["-e", "ansible_connection=ssh", "-e", "ansible_user=root"]),
    "C": ("cli_config loop", "cli_config_loop.yml", []),
}


def intent(n):
    """The device config (module `config` shape) for N partners."""
    partners = []
    for i in range(1, n + 1):
        partners.append({
            "name": "bench_p%03d" % i,
            "asn": 64512 + i,
            "description": "bench partner %d" % i,
            # 198.19.0.0/16, two /24s a partner (wraps after 128 partners; still valid prefix-lists)
            "accept_prefixes": ["198.19.%d.0/24" % ((2 * i) % 256), "198.19.%d.0/24" % ((2 * i + 1) % 256)],
            "max_prefixes": 100,
            # peers in 198.18.64.0/18: clear of the loopback 198.18.0.1, the announce 198.18.10.0/24
            # and the lab's mgmt range 198.18.128.0/17
            "sessions": [{"peer_address": "198.18.%d.%d" % (64 + i // 250, i % 250 + 1),
                          "local_address": "198.18.0.1", "password": "benchpw%03d" % i}],
        })
    return {"asn": ASN, "router_id": "198.18.0.1", "announce": ["198.18.10.0/24"], "partners": partners}


# -- lab ------------------------------------------------------------------------------------------
def lab(*args, check=True):
    return subprocess.run(LABCTL + list(args), cwd=ROOT, env=ENV, capture_output=True, text=True, check=check)


def lab_up(name, inv):
    t = time.perf_counter()
    lab("up", TOPO, "--name", name, "--inventory", inv)
    return time.perf_counter() - t


def lab_down(name):
    t = time.perf_counter()
    lab("down", TOPO, "--name", name, check=False)
    return time.perf_counter() - t


def vtysh(name, *cmds, check=True):
    args = ["exec", TOPO, "--name", name, "edge1", "--", "vtysh"]
    for c in cmds:
        args += ["-c", c]
    return lab(*args, check=check).stdout


def running(name):
    return vtysh(name, "show running-config")


def reset_vtysh(name):
    """Remove every BGP/prefix-list/route-map/static object from edge1 and save (one vtysh call)."""
    run = running(name)
    cmds = ["configure terminal"]
    if re.search(r"^router bgp %d$" % ASN, run, re.M):
        cmds.append("no router bgp %d" % ASN)
    cmds += ["no " + l for l in run.splitlines() if l.startswith("ip route ")]
    cmds += ["no ip prefix-list " + x for x in sorted(set(re.findall(r"^ip prefix-list (\S+)", run, re.M)))]
    cmds += ["no route-map " + x for x in sorted(set(re.findall(r"^route-map (\S+) ", run, re.M)))]
    cmds += ["end", "write memory"]
    vtysh(name, *cmds)
    left = running(name)
    assert not re.search(r"^(router bgp|ip prefix-list|route-map|ip route)", left, re.M), left


def bgp_neighbors(name):
    out = vtysh(name, "show bgp summary json")
    data = json.loads(out or "{}")
    return len((data.get("ipv4Unicast") or {}).get("peers") or {})


def config_digest(name):
    """Hash of the BGP-relevant running config (order-insensitive), to show A, B and C end up equal."""
    lines = sorted(l.rstrip() for l in running(name).splitlines()
                   if l.strip() and not l.startswith(("Building", "Current", "frr version", "!", "end")) and
                   l.strip() not in ("exit", "exit-address-family", "!"))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12], len(lines)


# -- measuring ------------------------------------------------------------------------------------


def run_playbook(key, inv, varsfile, check=False):
    book, extra = APPROACHES[key][1:]
    cmd = [PLAYBOOK, "-i", inv, "-e", "@" + varsfile, os.path.join(BASE, book)] + extra
    if check:
        cmd += ["--check", "--diff"]
    proc, wall, cpu, reaped = benchlib.timed_run(cmd, ROOT, ENV)
    m = re.search(r"^edge1\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", proc.stdout, re.M)
    res = {"wall": round(wall, 3), "cpu": round(cpu, 3), "rc": proc.returncode, "all_reaped": reaped,
           "ok": int(m.group(1)) if m else None, "changed": int(m.group(2)) if m else None,
           "failed": int(m.group(4)) if m else None}
    if proc.returncode != 0 or not m:
        res["output_tail"] = (proc.stdout + proc.stderr)[-3000:]
        res["msg"] = re.findall(r'"msg": "((?:[^"\\]|\\.){0,2000})', proc.stdout)[:3]
        print("  !! %s rc=%s\n%s" % (key, proc.returncode, res["output_tail"]), file=sys.stderr)
    return res, proc.stdout


def machine():
    model = benchlib.cpu_model()
    core = subprocess.run([PLAYBOOK, "--version"], capture_output=True, text=True, check=False).stdout.splitlines()[0]
    netcommon = ""
    try:
        mf = os.path.join(ROOT, ".venv", "lib")
        for dp, _dirs, fs in os.walk(mf):
            if dp.endswith("ansible_collections/ansible/netcommon") and "MANIFEST.json" in fs:
                netcommon = json.load(open(os.path.join(dp, "MANIFEST.json")))["collection_info"]["version"]
                break
    except OSError:
        pass
    frr = subprocess.run(["/usr/lib/frr/zebra", "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    return {"nproc": os.cpu_count(), "cpu_model": model, "kernel": platform.release(),
            "python": platform.python_version(), "ansible_core": core, "ansible_netcommon": netcommon,
            "frr": frr}


# -- report ---------------------------------------------------------------------------------------
def ratio(a, b):
    return "%.2f" % (a / b) if a and b else "-"


def table(results):
    out = ["| N | approach | apply s | no-op s | check s | CPU apply s | CPU no-op s | CPU check s | changed apply/no-op/check |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for n, per in results.items():
        for key in "ABC":
            if key not in per:
                continue
            r = per[key]
            out.append("| %s | %s %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s/%s/%s |" % (
                n, key, APPROACHES[key][0], r["apply"]["wall"], r["noop"]["wall"], r["check"]["wall"],
                r["apply"]["cpu"], r["noop"]["cpu"], r["check"]["cpu"],
                r["apply"]["changed"], r["noop"]["changed"], r["check"]["changed"]))
    out += ["", "| N | ours/template apply | ours/template no-op | ours/template check | cli_config/ours apply |"
                " cli_config/ours no-op | cli_config/ours check | ours/template CPU (no-op) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, per in results.items():
        if not all(k in per for k in "ABC"):
            continue
        a, b, c = per["A"], per["B"], per["C"]
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            n, ratio(a["apply"]["wall"], b["apply"]["wall"]), ratio(a["noop"]["wall"], b["noop"]["wall"]),
            ratio(a["check"]["wall"], b["check"]["wall"]), ratio(c["apply"]["wall"], a["apply"]["wall"]),
            ratio(c["noop"]["wall"], a["noop"]["wall"]), ratio(c["check"]["wall"], a["check"]["wall"]),
            ratio(a["noop"]["cpu"], b["noop"]["cpu"])))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("--partners", type=int, nargs="+", default=[1, 10, 50])
    ap.add_argument("--approaches", default="ABC", help="subset of ABC (default ABC)")
    ap.add_argument("--name", default="bench", help="lab name (default bench)")
    ap.add_argument("--drift-n", type=int, default=None, help="N for the drift check (default: smallest N); 0 skips")
    ap.add_argument("--keep-lab", action="store_true", help="leave the lab up at the end")
    ap.add_argument("--out", default=None, help="JSON path (default benchmarks/results/bgp-<date>.json)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (the lab needs namespaces)")

    tmp = tempfile.mkdtemp(prefix="bgp-bench-")
    inv = os.path.join(tmp, "inventory.yml")
    info = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(), "command": " ".join([os.path.relpath(sys.executable, ROOT)] + sys.argv),
            "results": {}, "reset": {}, "checks": [], "drift": {}}
    print("machine:", json.dumps(info["machine"]))

    lab_down(args.name)
    info["reset"]["lab_up_s"] = round(lab_up(args.name, inv), 2)
    try:
        # Which reset is faster: vtysh cleanup of the objects, or lab down + up?
        t = time.perf_counter()
        reset_vtysh(args.name)
        info["reset"]["vtysh_empty_s"] = round(time.perf_counter() - t, 2)
        info["reset"]["lab_down_s"] = round(lab_down(args.name), 2)
        info["reset"]["lab_up2_s"] = round(lab_up(args.name, inv), 2)
        info["reset"]["down_up_s"] = round(info["reset"]["lab_down_s"] + info["reset"]["lab_up2_s"], 2)
        use_vtysh = True  # decided after the first loaded reset below; vtysh unless it is slower
        print("reset: %s" % info["reset"])

        def reset():
            nonlocal use_vtysh
            t = time.perf_counter()
            if use_vtysh:
                reset_vtysh(args.name)
                d = time.perf_counter() - t
                info["reset"].setdefault("vtysh_loaded_s", []).append(round(d, 2))
                if d > info["reset"]["down_up_s"]:
                    use_vtysh = False
            else:
                lab_down(args.name)
                lab_up(args.name, inv)
                info["reset"].setdefault("down_up_loaded_s", []).append(round(time.perf_counter() - t, 2))

        for n in args.partners:
            cfg = intent(n)
            varsfile = os.path.join(tmp, "intent-%d.json" % n)
            with open(varsfile, "w") as f:
                # the fleet policy the module checks its config with (filled into fleet_policy by its action
                # plugin): the lab's, since the bench's prefixes are benchmarking space (198.18.0.0/15)
                json.dump({"bench_config": cfg, "netinfra_policy": {"environment": "lab"}}, f)
            per = info["results"].setdefault(str(n), {})
            for key in args.approaches:
                reset()
                r = {}
                r["apply"] = run_playbook(key, inv, varsfile)[0]
                nb = bgp_neighbors(args.name)
                digest, nlines = config_digest(args.name)
                r["neighbors_after_apply"], r["config_digest"], r["config_lines"] = nb, digest, nlines
                r["noop"] = run_playbook(key, inv, varsfile)[0]
                r["check"] = run_playbook(key, inv, varsfile, check=True)[0]
                per[key] = r
                ok = nb == n
                info["checks"].append({"n": n, "approach": key, "neighbors_ok": ok,
                                       "noop_changed": r["noop"]["changed"]})
                print("N=%-3d %s apply %6.2fs (cpu %5.2f, changed=%s) no-op %6.2fs (changed=%s) check %6.2fs "
                      "(changed=%s) neighbors=%d config=%s/%d" % (
                          n, key, r["apply"]["wall"], r["apply"]["cpu"], r["apply"]["changed"], r["noop"]["wall"],
                          r["noop"]["changed"], r["check"]["wall"], r["check"]["changed"], nb, digest, nlines),
                      flush=True)
                if key == "A" and (not ok or r["noop"]["changed"] != 0 or r["apply"]["rc"] != 0):
                    # Record and go on: a failure of ours is a result to report, not a reason to lose the run.
                    r["FAILED"] = "ours: apply rc=%s, %d neighbors after apply (expected %d), no-op changed=%s" % (
                        r["apply"]["rc"], nb, n, r["noop"]["changed"])
                    print("  FAILED: " + r["FAILED"], flush=True)

        # Drift: a hand-made prefix-list change on edge1 after the intent was applied.
        dn = args.drift_n if args.drift_n is not None else min(args.partners)
        if dn:
            cfg = intent(dn)
            varsfile = os.path.join(tmp, "intent-%d.json" % dn)
            with open(varsfile, "w") as f:
                # the fleet policy the module checks its config with (filled into fleet_policy by its action
                # plugin): the lab's, since the bench's prefixes are benchmarking space (198.18.0.0/15)
                json.dump({"bench_config": cfg, "netinfra_policy": {"environment": "lab"}}, f)
            drift_cmd = ["configure terminal", "ip prefix-list PARTNER_BENCH_P001_V4_IN seq 15 permit 198.19.250.0/24",
                         "end"]
            probe = "PARTNER_BENCH_P001_V4_IN seq 15 permit 198.19.250.0/24"
            for key in "AB":
                if key not in args.approaches:
                    continue
                reset()
                run_playbook(key, inv, varsfile)
                vtysh(args.name, *drift_cmd)
                assert probe in running(args.name)
                chk = run_playbook(key, inv, varsfile, check=True)[0]
                real = run_playbook(key, inv, varsfile)[0]
                still = probe in running(args.name)
                info["drift"][key] = {"n": dn, "check_changed": chk["changed"], "check_wall": chk["wall"],
                                      "run_changed": real["changed"], "run_wall": real["wall"],
                                      "drift_left_after_run": still}
                print("drift %s: check changed=%s, run changed=%s, drift still on router after run: %s" % (
                    key, chk["changed"], real["changed"], still), flush=True)
    finally:
        if not args.keep_lab:
            lab_down(args.name)

    print()
    md = table(info["results"])
    print(md)
    info["table_md"] = md
    out = args.out or os.path.join(ROOT, "benchmarks", "results",
                                   "bgp-%s.json" % datetime.date.today().isoformat())
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(info, f, indent=1)
    print("\nraw results:", os.path.relpath(out, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
