# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VRRP failover and apply timing on the namespace lab (issue 8). Run as root from the repo:

    .venv/bin/python benchmarks/vrrp_failover.py [--runs 3] [--adverts 100 10] [--groups 1 10 50]

Builds lab ``bench-vrrp`` from tests/topologies/vrrp-basic.clab.yml, converges it with playbooks/vrrp.yml
(the role, per advert interval), and for the keepalived pair (lan1: kgw1 -> kgw2) and the FRR vrrpd pair
(lan2: fgw1 -> fgw2) measures, from host h1 on the segment, per event (graceful stop, link down, daemon
killed):

* ``ping``: the longest gap between two echo replies from the IPv4 VIP (ping every 10 ms) around the event:
  the time the host loses replies. Honest for keepalived. NOT for FRR vrrpd: the backup's macvlan in
  protodown still receives frames for the virtual MAC and the backup answers them (LAB-NOTES), so pings
  keep being answered while no gateway is Master;
* ``takeover``: from the event (timestamped on the gateway itself; one clock for every namespace) to the
  first advertisement h1 sees from the new Master: when the segment has a working Master again. The
  measure for FRR vrrpd (the backup starts forwarding when it becomes Master), and a cross-check for
  keepalived.

Then apply / no-op / check time of the vrrp module for 1, 10 and 50 groups on one gateway of each backend.
Writes benchmarks/results/vrrp-<date>.json and prints Markdown tables (docs/vrrp.md) with the load average.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  # pylint: disable=wrong-import-position

ROOT = benchlib.ROOT
TOPO = os.path.join(ROOT, "tests", "topologies", "vrrp-basic.clab.yml")
LAB = "bench-vrrp"
PROBE = open(os.path.join(ROOT, "benchmarks", "vrrp", "h1_probe.py"), encoding="utf-8").read()
PAIRS = {
    "keepalived": {"master": "kgw1", "backup": "kgw2", "dev": "eth1", "vip": "198.18.31.1", "iface": "eth1", "vrid": 10},
    "frr_vrrpd": {"master": "fgw1", "backup": "fgw2", "dev": "eth2", "vip": "198.18.32.1", "iface": "eth1", "vrid": 20},
}
START_KEEPALIVED = "env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TMPDIR=/tmp keepalived --use-file /etc/keepalived/keepalived.conf"
EVENTS = {
    # (event command, restore command), run on the Master
    ("keepalived", "graceful"): ("kill -TERM $(cat /run/keepalived.pid)", START_KEEPALIVED),
    ("keepalived", "link_down"): ("ip link set eth1 down", "ip link set eth1 up"),
    # both processes at once: the VRRP child of a parent killed alone shuts down gracefully (priority 0)
    ("keepalived", "killed"): ("kill -KILL $(cat /run/vrrp.pid) $(cat /run/keepalived.pid)",
                               "ip link del v4-eth1-10 2>/dev/null; ip link del v6-eth1-10 2>/dev/null; " + START_KEEPALIVED),
    ("frr_vrrpd", "graceful"): ("vtysh -c 'configure terminal' -c 'interface eth1' -c 'vrrp 20 shutdown'",
                                "vtysh -c 'configure terminal' -c 'interface eth1' -c 'no vrrp 20 shutdown'"),
    ("frr_vrrpd", "link_down"): ("ip link set eth1 down", "ip link set eth1 up"),
    # watchfrr restarts vrrpd (at most once a minute: "Min Restart Interval: 60"), and vrrpd gets its config back
    ("frr_vrrpd", "killed"): ("kill -KILL $(pidof vrrpd)", "for i in $(seq 1 150); do pidof vrrpd >/dev/null && break; sleep 1; done"),
}


def labctl(*args, stdin=None, check=True):
    proc = subprocess.run(benchlib.LABCTL + list(args), input=stdin, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError("labctl %s failed: %s%s" % (" ".join(args), proc.stdout, proc.stderr))
    return proc.stdout


def node(name, command, stdin=None, check=True):
    return labctl("exec", TOPO, "--name", LAB, name, "--", "/bin/sh", "-c", command, stdin=stdin, check=check)


def playbook(inventory_dir, *extra):
    cmd = [benchlib.PLAYBOOK, "-i", os.path.join(inventory_dir, "hosts.yml"), "-i", "/tmp/nslab/%s/inventory.yml" % LAB,
           os.path.join(inventory_dir, "play.yml")] + list(extra)
    env = dict(benchlib.ENV, ANSIBLE_VAULT_PASSWORD_FILE=os.path.join(ROOT, "inventories", "lab", "vault-password.txt"))
    return benchlib.timed_run(cmd, ROOT, env)


def write_inventory(directory, hostvars, play="roles"):
    os.makedirs(os.path.join(directory, "host_vars"), exist_ok=True)
    hosts = {"all": {"children": {"vrrp_gateways": {"hosts": {h: None for h in hostvars}}}}}
    with open(os.path.join(directory, "hosts.yml"), "w", encoding="utf-8") as fh:
        json.dump(hosts, fh)
    for host, value in hostvars.items():
        with open(os.path.join(directory, "host_vars", host + ".yml"), "w", encoding="utf-8") as fh:
            json.dump(value, fh)
    if play == "roles":
        text = [{"name": "VRRP", "hosts": "vrrp_gateways", "gather_facts": False,
                 "roles": [{"role": "paynet.netinfra.vrrp"}]}]
    else:
        text = [{"name": "VRRP module", "hosts": "vrrp_gateways", "gather_facts": False, "become": True,
                 "vars": {"ansible_connection": "ansible.builtin.ssh"},
                 "tasks": [{"name": "apply", "paynet.netinfra.vrrp": {
                     "config": "{{ vrrp }}", "platform": "{{ netinfra_platform }}", "state": "overridden"}}]}]
    with open(os.path.join(directory, "play.yml"), "w", encoding="utf-8") as fh:
        json.dump(text, fh)


def lab_hostvars(advert):
    import yaml  # pylint: disable=import-outside-toplevel
    out = {}
    for host in ("kgw1", "kgw2", "fgw1", "fgw2"):
        with open(os.path.join(ROOT, "inventories", "lab", "host_vars", host + ".yml"), encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        for group in data["vrrp"]["groups"]:
            group["advert_interval"] = advert
            group.pop("preempt_delay", None)  # the next run starts from the original Master at once
        out[host] = data
    return out


def holds_master(host, backend):
    pair = [p for p in PAIRS.values() if host in (p["master"], p["backup"])][0]
    if backend == "frr_vrrpd":  # a killed vrrpd leaves its macvlan up: ask vrrpd itself
        try:
            groups = json.loads(node(host, "vtysh -c 'show vrrp json'", check=False) or "[]")
        except ValueError:
            return False
        return any(g.get("vrid") == pair["vrid"] and (g.get("v4") or {}).get("status") == "Master" for g in groups)
    name = "v4-eth1-%d" % pair["vrid"]
    out = node(host, "ip -j addr show dev %s 2>/dev/null || echo []" % name)
    try:
        links = json.loads(out or "[]")
    except ValueError:
        return False
    for link in links:
        if "UP" in link.get("flags", []) and not link.get("protodown") and link.get("operstate") != "DOWN":
            if any(a.get("local") == pair["vip"] for a in link.get("addr_info", [])):
                return backend == "keepalived" or "LOWER_UP" in link.get("flags", [])
    return False


def wait_master(host, backend, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if holds_master(host, backend):
            return True
        time.sleep(0.3)
    return False


def one_run(backend, event, advert_cs):
    pair = PAIRS[backend]
    if not wait_master(pair["master"], backend):
        raise RuntimeError("%s is not Master before the run" % pair["master"])
    other = pair["backup"]
    if not wait_until_backup_only(other, backend):
        raise RuntimeError("%s still holds the VIP before the run" % other)
    window = 3.0 + 8 * advert_cs / 100.0
    probe = subprocess.Popen(benchlib.LABCTL + ["exec", TOPO, "--name", LAB, "h1", "--", "/usr/bin/python3", "-c", PROBE,
                                                pair["dev"], pair["vip"], str(window), "0.01"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    cmd, restore = EVENTS[(backend, event)]
    stamp = float(node(pair["master"], "date +%s.%N; " + cmd).split()[0])
    out, err = probe.communicate(timeout=window + 30)
    if probe.returncode != 0:
        raise RuntimeError("probe failed: %s" % err)
    data = json.loads(out)
    replies = sorted(data["replies"])
    gaps = [b - a for a, b in zip(replies, replies[1:]) if b >= stamp - 0.5]
    end = data.get("end", stamp + window)
    # replies that stop for good before the window closes: an outage of at least that long (a lower bound)
    recovered = bool(replies) and end - replies[-1] < 0.5
    if replies and not recovered:
        gaps.append(end - replies[-1])
    ping_gap = max(gaps) if gaps else None
    new_master_ip = {"keepalived": "198.18.31.3", "frr_vrrpd": "198.18.32.3"}[backend]
    after = [t for t, src, _prio in data["adverts"] if t >= stamp and src == new_master_ip]
    takeover = (after[0] - stamp) if after else None
    node(pair["master"], restore, check=False)
    if not wait_master(pair["master"], backend, timeout=200):  # back to the intended Master before anything else
        raise RuntimeError("%s did not become Master again after restoring (%s)" % (pair["master"], restore))
    return {"backend": backend, "event": event, "advert_cs": advert_cs, "ping_gap_s": ping_gap, "takeover_s": takeover,
            "replies": len(replies), "ping_recovered": recovered, "event_at": stamp}


def wait_until_backup_only(host, backend, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not holds_master(host, backend):
            return True
        time.sleep(0.3)
    return False


def summary(values, lower_bound=()):
    """min / median / max; a value marked in ``lower_bound`` (no reply until the window closed) prints as >=."""
    shown = [(v, i in lower_bound) for i, v in enumerate(values) if v is not None]
    if not shown:
        return "n/a"
    ordered = sorted(shown)
    mid = ordered[len(ordered) // 2]
    pick = (ordered[0], mid, ordered[-1])
    return " / ".join(("≥%.2f" if bound else "%.2f") % v for v, bound in pick)


def many_groups(backend, count):
    host = "kgw1" if backend == "keepalived" else "fgw1"
    base = 198 if backend == "keepalived" else 32
    groups = []
    for i in range(count):
        vrid = 100 + i
        if backend == "keepalived":
            groups.append({"segment": "b%d" % i, "vrid": vrid, "interface": "eth1", "address": ["198.18.31.2/24"],
                           "virtual_ipv4": ["198.18.31.%d" % (100 + i)], "priority": 150})
        else:
            groups.append({"segment": "b%d" % i, "vrid": vrid, "interface": "eth1", "address": ["198.18.32.2/24"],
                           "virtual_ipv4": ["198.18.32.%d" % (100 + i)], "priority": 150})
    del base
    platform = "linux" if backend == "keepalived" else "frr"
    return host, {host: {"netinfra_platform": platform, "vrrp": {"backend": backend, "groups": groups}}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--adverts", type=int, nargs="*", default=[100, 10])
    parser.add_argument("--backends", nargs="+", default=list(PAIRS))
    parser.add_argument("--groups", type=int, nargs="*", default=[1, 10, 50])
    parser.add_argument("--events", nargs="+", default=["graceful", "link_down", "killed"])
    parser.add_argument("--keep", action="store_true", help="leave the lab up")
    parser.add_argument("--tag", default="", help="suffix of the results file name")
    args = parser.parse_args()
    results = {"date": datetime.date.today().isoformat(), "machine": {"nproc": os.cpu_count()}, "failover": [], "apply": []}
    labctl("up", TOPO, "--name", LAB)
    tmp = tempfile.mkdtemp(prefix="vrrp-bench-")
    try:
        for advert in args.adverts:
            write_inventory(tmp, lab_hostvars(advert))
            proc, wall, _cpu, _reaped = playbook(tmp)
            if proc.returncode != 0:
                raise RuntimeError("converge failed:\n%s" % proc.stdout[-3000:])
            for backend in args.backends:
                for event in args.events:
                    for _run in range(args.runs):
                        load = os.getloadavg()[0]
                        entry = one_run(backend, event, advert)
                        entry["load1"] = load
                        results["failover"].append(entry)
                        print(json.dumps(entry), flush=True)
        # apply / no-op / check for N groups on one gateway (the pairs' own groups removed: overridden)
        for backend in PAIRS:
            for count in args.groups:
                host, hostvars = many_groups(backend, count)
                write_inventory(tmp, hostvars, play="module")
                row = {"backend": backend, "groups": count, "load1": os.getloadavg()[0]}
                for step, extra in (("apply", []), ("noop", []), ("check", ["--check", "--diff"])):
                    proc, wall, cpu, _reaped = playbook(tmp, "-l", host, *extra)
                    row[step + "_s"] = round(wall, 2)
                    row[step + "_cpu_s"] = round(cpu, 2)
                    row[step + "_rc"] = proc.returncode
                    row[step + "_changed"] = "changed=1" in proc.stdout
                results["apply"].append(row)
                print(json.dumps(row), flush=True)
    finally:
        if not args.keep:
            print(labctl("down", TOPO, "--name", LAB).strip().splitlines()[-1])
    path = os.path.join(ROOT, "benchmarks", "results", "vrrp-%s%s.json" % (results["date"], args.tag))
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=1)
    print("\n| backend | event | advert | ping gap s (min / median / max) | takeover s (min / median / max) | runs | load1 |")
    print("|---|---|---:|---|---|---:|---|")
    keys = sorted({(r["backend"], r["event"], r["advert_cs"]) for r in results["failover"]}, key=lambda k: (k[0], -k[2], k[1]))
    for backend, event, advert in keys:
        rows = [r for r in results["failover"] if (r["backend"], r["event"], r["advert_cs"]) == (backend, event, advert)]
        print("| %s | %s | %d cs | %s | %s | %d | %.2f-%.2f |" % (
            backend, event, advert,
            summary([r["ping_gap_s"] for r in rows], {i for i, r in enumerate(rows) if not r.get("ping_recovered", True)}),
            summary([r["takeover_s"] for r in rows]),
            len(rows), min(r["load1"] for r in rows), max(r["load1"] for r in rows)))
    print("\n| backend | groups | apply s | no-op s | check s | CPU apply/no-op/check s | changed apply/no-op/check | load1 |")
    print("|---|---:|---:|---:|---:|---|---|---:|")
    for r in results["apply"]:
        print("| %s | %d | %.2f | %.2f | %.2f | %.2f / %.2f / %.2f | %s/%s/%s | %.2f |" % (
            r["backend"], r["groups"], r["apply_s"], r["noop_s"], r["check_s"], r["apply_cpu_s"], r["noop_cpu_s"],
            r["check_cpu_s"], int(r["apply_changed"]), int(r["noop_changed"]), int(r["check_changed"]), r["load1"]))
    print("\nwrote %s" % path)


if __name__ == "__main__":
    main()
