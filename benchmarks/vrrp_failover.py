# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VRRP failover, planned drain and apply timing on the namespace lab (issue 8). Run as root from the repo:

    .venv/bin/python benchmarks/vrrp_failover.py [--lab bench-vrrp] [--runs 3] [--adverts 100 10] [--groups 1 10 50]
        [--events graceful link_down killed drain] [--backends keepalived frr_vrrpd]

Builds lab ``--lab`` (default ``$VRRP_BENCH_LAB`` or ``bench-vrrp``) from tests/topologies/vrrp-basic.clab.yml,
converges it with the role (per advert interval), and for the keepalived pair (lan1: kgw1 -> kgw2) and the FRR
vrrpd pair (lan2: fgw1 -> fgw2) measures, from host h1 on the segment (benchmarks/vrrp/h1_probe.py: ping every
10 ms, kernel receive timestamps; the event fires only once h1 has its first reply), per event:

* graceful stop, link down, daemon killed (on the Master, timestamped by the Master itself: one clock for every
  namespace); ``drain`` = the Master's intent says ``maintenance: drained`` (a host_vars override in the
  benchmark's own inventory) and playbooks/vrrp.yml converges it, then ``restore`` = ``active`` again (the
  Master takes its role back after its preemption delay; the lab intent's delays are kept for these two);
* ``lost``: echo requests without a reply (matched by ICMP id and sequence) and the longest time without a reply
  around the event. Honest for keepalived. NOT for FRR vrrpd failures: the backup's macvlan in protodown still
  receives frames for the virtual MAC and the backup answers them (LAB-NOTES);
* ``takeover``: from the event to the first advertisement h1 sees from the new Master (drain: from the drained
  Master's first priority-1 advert, i.e. when the daemon took the change; restore: from the playbook start).

Then apply / no-op / check time of the vrrp module for 1, 10 and 50 groups on one gateway of each backend.
Writes benchmarks/results/vrrp-<date><tag>.json and prints Markdown tables (docs/vrrp.md) with the load average.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  # pylint: disable=wrong-import-position

ROOT = benchlib.ROOT
TOPO = os.path.join(ROOT, "tests", "topologies", "vrrp-basic.clab.yml")
LAB = os.environ.get("VRRP_BENCH_LAB", "bench-vrrp")  # --lab overrides
PLAYBOOK_VRRP = os.path.join(ROOT, "playbooks", "vrrp.yml")
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


def playbook(inventory_dir, *extra, play=None):
    cmd = [benchlib.PLAYBOOK, "-i", os.path.join(inventory_dir, "hosts.yml"), "-i", "/tmp/nslab/%s/inventory.yml" % LAB,
           play or os.path.join(inventory_dir, "play.yml")] + list(extra)
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


def lab_hostvars(advert, keep_delay=False):
    import yaml  # pylint: disable=import-outside-toplevel
    out = {}
    for host in ("kgw1", "kgw2", "fgw1", "fgw2"):
        with open(os.path.join(ROOT, "inventories", "lab", "host_vars", host + ".yml"), encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        for group in data["vrrp"]["groups"]:
            group["advert_interval"] = advert
            if not keep_delay:  # the next run starts from the original Master at once
                group.pop("preempt_delay", None)
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


class Probe:
    """h1_probe.py on h1: started, then ready once h1 has its first echo reply (an event fired before that
    would hide the outage: the old probe started blind and a late start looked like "no outage")."""

    def __init__(self, pair, max_seconds):
        self.proc = subprocess.Popen(benchlib.LABCTL + ["exec", TOPO, "--name", LAB, "h1", "--", "/usr/bin/python3", "-c",
                                                        PROBE, pair["dev"], pair["vip"], str(max_seconds), "0.01"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            readable, _w, _x = select.select([self.proc.stdout], [], [], 1.0)
            if readable:
                line = self.proc.stdout.readline()
                if line.strip() == "ready":
                    return
                if not line:
                    break
        self.proc.kill()
        raise RuntimeError("the probe on h1 got no echo reply from %s: %s" % (pair["vip"], self.proc.stderr.read()))

    def stop(self):
        out, err = self.proc.communicate("stop\n", timeout=60)
        if self.proc.returncode != 0 or not out.strip():
            raise RuntimeError("probe failed: %s" % err)
        return json.loads(out.strip().splitlines()[-1])


def analyse(data, since):
    """Echo requests sent from ``since`` on (up to 1.2 s before the probe stopped: ping's -W 1) that never got a
    reply, and the longest time without a reply from ``since`` on, including the gap that straddles ``since``."""
    replies = sorted(data["replies"])
    answered = {(r[1], r[2]) for r in replies}
    last_request = data["end"] - 1.2
    sent = [q for q in data["requests"] if since <= q[0] <= last_request]
    lost = [q for q in sent if (q[1], q[2]) not in answered]
    times = [r[0] for r in replies]
    before = [t for t in times if t < since]
    if not before:
        raise RuntimeError("no echo reply before the event: the run cannot measure an outage")
    tail = [before[-1]] + [t for t in times if t >= since]
    gaps = [b - a for a, b in zip(tail, tail[1:])]
    recovered = tail[-1] >= last_request - 0.5
    if not recovered:
        gaps.append(data["end"] - tail[-1])
    macs = sorted({r[3] for r in replies if r[0] >= since})
    return {"lost": len(lost), "sent": len(sent), "lost_span": [lost[0][0] - since, lost[-1][0] - since] if lost else None,
            "ping_gap_s": max(gaps) if gaps else 0.0, "ping_recovered": recovered, "reply_macs": macs}


def first_advert(data, src, after, priority=None):
    hits = [a[0] for a in data["adverts"] if a[1] == src and a[0] >= after and (priority is None or a[2] == priority)]
    return min(hits) if hits else None


GATEWAY_IP = {"kgw1": "198.18.31.2", "kgw2": "198.18.31.3", "fgw1": "198.18.32.2", "fgw2": "198.18.32.3"}


def one_run(backend, event, advert_cs):
    pair = PAIRS[backend]
    if not wait_master(pair["master"], backend):
        raise RuntimeError("%s is not Master before the run" % pair["master"])
    other = pair["backup"]
    if not wait_until_backup_only(other, backend):
        raise RuntimeError("%s still holds the VIP before the run" % other)
    window = 3.0 + 8 * advert_cs / 100.0
    probe = Probe(pair, window + 60)
    time.sleep(0.5)  # a baseline of replies before the event
    cmd, restore = EVENTS[(backend, event)]
    stamp = float(node(pair["master"], "date +%s.%N; " + cmd).split()[0])
    time.sleep(max(0.0, stamp + window - time.time()))
    data = probe.stop()
    entry = analyse(data, stamp)
    after = first_advert(data, GATEWAY_IP[other], stamp)
    takeover = (after - stamp) if after else None
    node(pair["master"], restore, check=False)
    if not wait_master(pair["master"], backend, timeout=200):  # back to the intended Master before anything else
        raise RuntimeError("%s did not become Master again after restoring (%s)" % (pair["master"], restore))
    entry.update({"backend": backend, "event": event, "advert_cs": advert_cs, "takeover_s": takeover,
                  "replies": len(data["replies"]), "event_at": stamp})
    return entry


def drain_runs(backend, advert_cs, tmp, hostvars):
    """Planned drain as an operator does it: the intent says ``maintenance: drained`` for the Master (a host_vars
    override in the benchmark's own inventory; the committed lab intent is untouched) and playbooks/vrrp.yml
    converges it (every gateway, as the operator runs it: the module, then the role's status read and the
    verdict, which needs both peers of each group). Then ``active`` again: the
    Master takes its role back after its preemption delay. Two entries: drain and restore."""
    pair = PAIRS[backend]
    master, other = pair["master"], pair["backup"]
    if not (wait_master(master, backend) and wait_until_backup_only(other, backend)):
        raise RuntimeError("%s is not the only Master before the drain" % master)
    out = []
    for event, maintenance, new_master in (("drain", "drained", other), ("restore", "active", master)):
        intent = json.loads(json.dumps(hostvars))
        intent[master]["vrrp"]["maintenance"] = maintenance
        write_inventory(tmp, intent)
        probe = Probe(pair, 300)
        time.sleep(0.5)
        load = os.getloadavg()[0]
        start = time.time()
        proc, wall, _cpu, _reaped = playbook(tmp, play=PLAYBOOK_VRRP)  # every gateway: the verdict needs both peers
        if proc.returncode != 0:
            probe.stop()
            raise RuntimeError("%s of %s failed:\n%s" % (event, master, proc.stdout[-3000:]))
        old = other if event == "restore" else master
        if not (wait_master(new_master, backend, timeout=60) and wait_until_backup_only(old, backend, timeout=60)):
            probe.stop()
            raise RuntimeError("%s: %s did not become the only Master" % (event, new_master))
        time.sleep(1.0 + 3 * advert_cs / 100.0)  # replies after the switch: a late loss would show
        data = probe.stop()
        entry = analyse(data, start)
        took = first_advert(data, GATEWAY_IP[new_master], start)
        # when the change reached the daemon, as h1 sees it: the drained Master's first priority-1 advert
        changed = first_advert(data, GATEWAY_IP[master], start, priority=1) if event == "drain" else None
        entry.update({"backend": backend, "event": event, "advert_cs": advert_cs, "load1": load,
                      "playbook_s": round(wall, 2), "event_at": start,
                      "takeover_s": (took - changed) if (took and changed) else None,
                      "from_playbook_start_s": (took - start) if took else None,
                      "replies": len(data["replies"]), "arps": [a for a in data["arps"] if a[0] >= start],
                      "vmac_frames": [f for f in data.get("vmac_frames", []) if f[0] >= start]})
        out.append(entry)
    return out


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
    global LAB  # pylint: disable=global-statement
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--adverts", type=int, nargs="*", default=[100, 10])
    parser.add_argument("--backends", nargs="+", default=list(PAIRS))
    parser.add_argument("--groups", type=int, nargs="*", default=[1, 10, 50])
    parser.add_argument("--events", nargs="+", default=["graceful", "link_down", "killed", "drain"],
                        help="drain = planned drain and restore through playbooks/vrrp.yml (two table rows)")
    parser.add_argument("--lab", default=LAB, help="lab name (default: $VRRP_BENCH_LAB or bench-vrrp)")
    parser.add_argument("--keep", action="store_true", help="leave the lab up")
    parser.add_argument("--tag", default="", help="suffix of the results file name")
    args = parser.parse_args()
    LAB = args.lab
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
                for event in [e for e in args.events if e != "drain"]:
                    for _run in range(args.runs):
                        load = os.getloadavg()[0]
                        entry = one_run(backend, event, advert)
                        entry["load1"] = load
                        results["failover"].append(entry)
                        print(json.dumps(entry), flush=True)
            if "drain" in args.events:
                # the lab intent's own preemption delays (kgw1/kgw2: 4 s): restore waits for it as in production
                hostvars = lab_hostvars(advert, keep_delay=True)
                write_inventory(tmp, hostvars)
                proc, wall, _cpu, _reaped = playbook(tmp)
                if proc.returncode != 0:
                    raise RuntimeError("converge failed:\n%s" % proc.stdout[-3000:])
                for backend in args.backends:
                    for _run in range(args.runs):
                        for entry in drain_runs(backend, advert, tmp, hostvars):
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
    print("\n| backend | event | advert | lost replies (min / median / max) | longest gap s | new Master's first advert s "
          "| runs | load1 |")
    print("|---|---|---:|---|---|---|---:|---|")
    order = {"graceful": 0, "link_down": 1, "killed": 2, "drain": 3, "restore": 4}
    keys = sorted({(r["backend"], r["event"], r["advert_cs"]) for r in results["failover"]},
                  key=lambda k: (k[0], -k[2], order.get(k[1], 9)))
    for backend, event, advert in keys:
        rows = [r for r in results["failover"] if (r["backend"], r["event"], r["advert_cs"]) == (backend, event, advert)]
        lost = sorted(r["lost"] for r in rows)
        print("| %s | %s | %d cs | %d / %d / %d | %s | %s | %d | %.2f-%.2f |" % (
            backend, event, advert, lost[0], lost[len(lost) // 2], lost[-1],
            summary([r["ping_gap_s"] for r in rows], {i for i, r in enumerate(rows) if not r.get("ping_recovered", True)}),
            summary([r["takeover_s"] if event != "restore" else r["from_playbook_start_s"] for r in rows]),
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
