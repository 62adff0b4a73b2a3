#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark paynet.netinfra.ipsec_tunnel for N partner tunnels on ONE lab gateway (gw1 of
tests/topologies/ipsec-bench.clab.yml).

    .venv/bin/python benchmarks/ipsec_bench.py --tunnels 1 10 50    (as root; builds and removes lab "ipsec-bench")

The lab node `peers` plays the N partner gateways (IKE addresses 198.18.201.1..50, one swanctl conn each,
start_action trap); it is configured by this script (swanctl conf + inside addresses on ipsec0, and its
charon restarted without the per-initiator-IP DoS limits, see PEERS_SETTINGS), never by the module under
test. For each N, gw1 is reset to no tunnels (labctl exec: paynet-* files removed,
`swanctl --load-all`, every SA terminated, 169.254.x addresses removed from ipsec0), then the one-task
playbook benchmarks/baselines/ipsec_ours.yml (state overridden, default verify) runs three times:
(1) apply, (2) no-op re-run, (3) --check --diff. Measured: wall time and controller CPU (user+sys of the
ansible-playbook process tree, ssh ControlMaster included: this script is a child subreaper while a
playbook runs, as in bgp_bench.py), `changed` from PLAY RECAP; after the apply, gw1's SAs are read with the
PyPI vici package (labctl exec): exactly N IKE SAs ESTABLISHED with an INSTALLED CHILD SA, or the cell is
marked FAILED and the script exits 1; charon log events during the apply (IKE retransmits, refused duplicate
CHILD_SAs, COOKIEs) are counted on both nodes. Also recorded (not part of the controller CPU): CPU used by gw1's
charon during each run, /proc/loadavg and the number of other ansible-playbook/molecule processes before
each run.
PSKs are random per run, live only in a 0600 extra-vars file in a 0700 temp dir (deleted at the end) and
in the `peers` node, and are never printed or stored. Prints a markdown table and writes raw results to
benchmarks/results/ipsec-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402  (benchmarks/benchlib.py)

import vici as _vici  # noqa: F401  (fail early when the venv lacks the PyPI vici package)

ROOT = benchlib.ROOT
BOOK = os.path.join(ROOT, "benchmarks", "baselines", "ipsec_ours.yml")
TOPO = os.path.join(ROOT, "tests", "topologies", "ipsec-bench.clab.yml")
LABCTL = benchlib.LABCTL
PLAYBOOK = benchlib.PLAYBOOK
ENV = benchlib.ENV
GW_ADDR = "198.18.200.1"
MAX_TUNNELS = 50
# Charon is read from the host, through the node's VICI socket as the host sees it
# (`labctl root` + /run/charon.vici): nodes have a private /root and /tmp, so this venv may be
# invisible inside them.
_VICI_CONNECT = (
    "import os, socket\n"
    "_sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
    "_sock.connect(os.environ['VICI_SOCKET'])\n"
)

# Run on the host against a node's VICI socket (vici_run): an independent reader of charon, never the
# module under test. "sas": per IKE SA its name, state and CHILD SA states; "conns": loaded conn names.
VICI_READ = r"""
import json, vici
def s(v):
    return v.decode() if isinstance(v, bytes) else v
ses = vici.Session(_sock)
sas = []
for ev in ses.list_sas():
    for name, sa in ev.items():
        children = sa.get(b"child-sas") or sa.get("child-sas") or {}
        kids = [s(c.get(b"state") or c.get("state")) for c in children.values()]
        sas.append({"name": s(name), "state": s(sa.get(b"state") or sa.get("state")), "children": kids})
conns = []
for ev in ses.list_conns():
    conns.extend(s(k) for k in ev.keys())
print(json.dumps({"sas": sas, "conns": conns}))
"""
VICI_TERMINATE_ALL = r"""
import vici
ses = vici.Session(_sock)
ids = []
for ev in ses.list_sas():
    for _name, sa in ev.items():
        ids.append(sa[b"uniqueid"] if b"uniqueid" in sa else sa["uniqueid"])
for i in ids:
    try:
        for _log in ses.terminate({"ike-id": i, "timeout": 2000}):
            pass
    except Exception as exc:  # an SA that went away meanwhile
        print("terminate %s: %s" % (i, exc))
print(len(ids))
"""
# utime+stime of gw1's charon in clock ticks (read inside the node): the IKE work of a run
CHARON_CPU = r"""
set -- $(cut -d' ' -f14,15 /proc/$(pidof -s charon-systemd)/stat)
echo "$(( $1 + $2 )) $(getconf CLK_TCK)"
"""


def tunnel_inside(i):
    return "169.254.%d.%d/30" % (20 + i // 64, (i % 64) * 4)


def inside_addrs(i):
    base = "169.254.%d." % (20 + i // 64)
    return base + str((i % 64) * 4 + 1), base + str((i % 64) * 4 + 2)


def intent(n, psks):
    """The module's `config` for N tunnels (normalised tunnel shape, docs/ipsec.md)."""
    tunnels = []
    for i in range(1, n + 1):
        net = tunnel_inside(i)
        tunnels.append({
            "name": "partner-bench%03d" % i,
            "partner": "bench%03d" % i,
            "tunnel": "main",
            "description": "bench partner %d" % i,
            "peer_gateway": "198.18.201.%d" % i,
            "local_gateway": GW_ADDR,
            "auth": {"method": "psk", "psk": psks[i]},
            "inside": {"network": net},
            "dpd_delay": 10,
            # libipsec picks the SA by selector: both sides agree on the inside network only
            "traffic_selectors": {"local": [net], "remote": [net]},
        })
    return {"tunnels": tunnels}


def partner_conf(n, psks):
    """swanctl config of the `peers` node: one responder conn per tunnel (the test's own config)."""
    out = ["# ipsec-bench partners, written by benchmarks/ipsec_bench.py (never by the module under test)",
           "connections {"]
    for i in range(1, n + 1):
        me, net = "198.18.201.%d" % i, tunnel_inside(i)
        out += ["    bench%03d {" % i,
                "        version = 2",
                "        local_addrs = %s" % me,
                "        remote_addrs = %s" % GW_ADDR,
                "        proposals = aes256gcm16-prfsha384-ecp384",
                "        dpd_delay = 10s",
                "        local {", "            auth = psk", "            id = %s" % me, "        }",
                "        remote {", "            auth = psk", "            id = %s" % GW_ADDR, "        }",
                "        children {",
                "            bench%03d {" % i,
                "                local_ts = %s" % net,
                "                remote_ts = %s" % net,
                "                esp_proposals = aes256gcm16-ecp384",
                "                start_action = trap",
                "                dpd_action = clear",
                "            }",
                "        }",
                "    }"]
    out += ["}", "secrets {"]
    for i in range(1, n + 1):
        out += ["    ike-bench%03d {" % i,
                "        id-1 = 198.18.201.%d" % i,
                "        id-2 = %s" % GW_ADDR,
                '        secret = "%s"' % psks[i],
                "    }"]
    out += ["}", ""]
    return "\n".join(out)


class Scrubber:
    """Replace every PSK of this run by ******** in anything printed or stored."""

    def __init__(self, psks):
        self.values = sorted((v for v in psks.values() if v), key=len, reverse=True)

    def leaks(self, text):
        """How many PSK values occur in text (a leak is a finding; the text itself is never kept)."""
        return sum(text.count(v) for v in self.values)

    def __call__(self, text):
        for v in self.values:
            text = text.replace(v, "********")
        return text


# -- lab ------------------------------------------------------------------------------------------
def lab(*args, check=True, stdin=None):
    return subprocess.run(LABCTL + list(args), cwd=ROOT, env=ENV, capture_output=True, text=True, check=check,
                          input=stdin)


def lab_up(name, inv):
    t = time.perf_counter()
    lab("up", TOPO, "--name", name, "--inventory", inv)
    return time.perf_counter() - t


def lab_down(name):
    t = time.perf_counter()
    r = lab("down", TOPO, "--name", name, check=False)
    return time.perf_counter() - t, r.returncode, (r.stdout + r.stderr).strip()[-500:]


def node(name, host, *cmd, check=True, stdin=None):
    return lab("exec", TOPO, "--name", name, host, "--", *cmd, check=check, stdin=stdin)


def vici_run(name, host, code):
    root = lab("root", TOPO, "--name", name, host).stdout.strip()
    env = dict(os.environ, VICI_SOCKET=root + "/run/charon.vici")
    return subprocess.run([sys.executable, "-c", _VICI_CONNECT + code], env=env, capture_output=True,
                          text=True, check=True)


def charon_view(name, host):
    return json.loads(vici_run(name, host, VICI_READ).stdout)


def charon_cpu(name, host):
    """CPU seconds charon has used so far in a node (None if unreadable)."""
    try:
        ticks, hz = node(name, host, "sh", "-c", CHARON_CPU).stdout.split()
        return int(ticks) / int(hz)
    except (subprocess.CalledProcessError, ValueError):
        return None


# One charon plays up to 50 partner gateways, so it sees all of gw1's IKE_SA_INITs come from ONE address
# and its DoS protection kicks in (charon 5.9 defaults: COOKIEs above 3 half-open IKE_SAs from one IP,
# IKE_SA_INITs from one IP ignored above 5 half-open: gw1 then retransmits after 1 s). Fifty real partners
# each see one IKE_SA_INIT from us, so by default the `peers` node lifts these limits (the test's own
# setting; --partner-default-limits keeps them).
PEERS_SETTINGS = """\
# ipsec-bench: one charon plays 50 partners; lift the per-initiator DoS limits (benchmarks/ipsec_bench.py)
charon-systemd {
    cookie_threshold = 100000
    cookie_threshold_ip = 100000
    block_threshold = 100000
}
"""
# restart charon in the node (it reads these settings only at start; ipsec0 is re-created with it)
RESTART_CHARON = r"""
umask 022
cat > /etc/strongswan.d/zz-ipsec-bench.conf
kill $(pidof charon-systemd) 2>/dev/null
for _ in $(seq 100); do pidof charon-systemd >/dev/null || break; sleep 0.05; done
rm -f /run/charon.vici
setsid /usr/sbin/charon-systemd </dev/null >>/var/log/charon.console 2>&1 &
for _ in $(seq 200); do [ -S /run/charon.vici ] && ip link show ipsec0 >/dev/null 2>&1 && exit 0; sleep 0.05; done
echo "charon did not come back" >&2; exit 1
"""


def setup_peers(name, n, psks, lift_limits=True):
    if lift_limits:
        node(name, "peers", "sh", "-c", RESTART_CHARON, stdin=PEERS_SETTINGS)
    addrs = ["%s/30" % inside_addrs(i)[1] for i in range(1, n + 1)]
    script = ('umask 077 && cat > /etc/swanctl/conf.d/bench.conf && '
              'for a in "$@"; do ip addr replace "$a" dev ipsec0 || exit 1; done && '
              'swanctl --load-all --noprompt >/dev/null')
    node(name, "peers", "sh", "-c", script, "sh", *addrs, stdin=partner_conf(n, psks))
    conns = charon_view(name, "peers")["conns"]
    assert len([c for c in conns if c.startswith("bench")]) == n, "peers loaded %d of %d conns" % (len(conns), n)


LOG_COUNTS = r"""
for p in 'retransmit [0-9]* of request' 'due to existing duplicate' 'per-IP half-open IKE_SA limit' 'N(COOKIE)'; do
  grep -c "$p" /var/log/charon.log
done
"""


def log_counts(name, host):
    """Cumulative counts of a few charon log events in a node (IKE retransmits, refused duplicate
    CHILD_SAs, ignored and COOKIE-answered IKE_SA_INITs)."""
    out = node(name, host, "sh", "-c", LOG_COUNTS, check=False).stdout.split()
    keys = ("ike_retransmits", "duplicate_child_refused", "ignored_half_open_limit", "cookie_lines")
    return {k: int(v) for k, v in zip(keys, out)}


def log_delta(before, after):
    return {k: after[k] - before.get(k, 0) for k in after}


def reset_gw(name):
    """gw1 back to no tunnels, done by the test (labctl exec), not by the module under test."""
    t = time.perf_counter()
    node(name, "gw1", "sh", "-c",
         "rm -f /etc/swanctl/conf.d/paynet-* /etc/swanctl/x509ca/paynet-* /etc/swanctl/x509/paynet-* "
         "/etc/swanctl/private/paynet-* && swanctl --load-all --noprompt >/dev/null")
    vici_run(name, "gw1", VICI_TERMINATE_ALL)
    node(name, "gw1", "ip", "-4", "addr", "flush", "dev", "ipsec0", "to", "169.254.0.0/16")
    # the partners got the DELETEs; make sure nothing is left there either
    deadline = time.monotonic() + 10
    while True:
        gw, peers = charon_view(name, "gw1"), charon_view(name, "peers")
        if not gw["sas"] and not peers["sas"]:
            break
        if time.monotonic() > deadline:
            if peers["sas"]:
                vici_run(name, "peers", VICI_TERMINATE_ALL)
            gw, peers = charon_view(name, "gw1"), charon_view(name, "peers")
            break
        time.sleep(0.2)
    addrs = node(name, "gw1", "ip", "-4", "-o", "addr", "show", "dev", "ipsec0").stdout
    files = node(name, "gw1", "sh", "-c", "ls /etc/swanctl/*/ | grep -c '^paynet-' || true").stdout.strip()
    left = {"gw_sas": len(gw["sas"]), "gw_conns": [c for c in gw["conns"] if c.startswith("partner-")],
            "peers_sas": len(peers["sas"]), "ipsec0_169_254": "169.254." in addrs, "paynet_files": int(files or 0)}
    assert not any(left.values()), "gw1 reset left %s" % left
    return time.perf_counter() - t


def sa_check(name, n):
    """gw1's SAs after an apply: N bench IKE SAs ESTABLISHED with an INSTALLED CHILD SA, no duplicates."""
    view = charon_view(name, "gw1")
    want = {"partner-bench%03d" % i for i in range(1, n + 1)}
    ike = [s for s in view["sas"] if s["name"] in want]
    up = {s["name"] for s in ike if s["state"] == "ESTABLISHED" and "INSTALLED" in s["children"]}
    peers = charon_view(name, "peers")
    return {"ike_sas_total": len(view["sas"]), "ike_sas_bench": len(ike), "established": len(up),
            "child_sas_total": sum(len(s["children"]) for s in view["sas"]),
            "child_installed": sum(s["children"].count("INSTALLED") for s in view["sas"]),
            "missing": sorted(want - up)[:10], "peers_ike_sas": len(peers["sas"]),
            "peers_child_sas": sum(len(s["children"]) for s in peers["sas"]),
            "ok": len(up) == n and len(ike) == n}


# -- measuring ------------------------------------------------------------------------------------


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def busy_others():
    """ansible-playbook / molecule processes on the machine that are not ours (noise indicator)."""
    count = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ")
        except OSError:
            continue
        if (b"ansible-playbook" in cmd or b"bin/molecule" in cmd) and b"ipsec_ours.yml" not in cmd:
            count += 1
    return count


def run_playbook(name, inv, varsfile, scrub, check=False):
    cmd = [PLAYBOOK, "-i", inv, "-e", "@" + varsfile, BOOK]
    if check:
        cmd += ["--check", "--diff"]
    load, others = loadavg(), busy_others()
    gw_before = charon_cpu(name, "gw1")
    proc, wall, cpu, reaped = benchlib.timed_run(cmd, ROOT, ENV)
    gw_after = charon_cpu(name, "gw1")
    leaks = scrub.leaks(proc.stdout + proc.stderr)
    out = scrub(proc.stdout + proc.stderr)
    m = re.search(r"^gw1\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", out, re.M)
    res = {"wall": round(wall, 3), "cpu": round(cpu, 3), "rc": proc.returncode, "all_reaped": reaped,
           "ok": int(m.group(1)) if m else None, "changed": int(m.group(2)) if m else None,
           "failed": int(m.group(4)) if m else None, "loadavg_before": load, "other_ansible_procs": others,
           "psk_in_output": leaks}
    if gw_before is not None and gw_after is not None:
        res["gw1_charon_cpu"] = round(gw_after - gw_before, 2)
    if proc.returncode != 0 or not m:
        res["output_tail"] = out[-4000:]
        res["msg"] = re.findall(r'"msg": "((?:[^"\\]|\\.){0,2000})', out)[:3]
        print("  !! rc=%s\n%s" % (proc.returncode, res["output_tail"]), file=sys.stderr)
    return res


def machine():
    model = benchlib.cpu_model()
    core = subprocess.run([PLAYBOOK, "--version"], capture_output=True, text=True, check=False).stdout.splitlines()[0]
    sw = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "charon-systemd"], capture_output=True, text=True,
                        check=False).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu_model": model, "kernel": platform.release(),
            "python": platform.python_version(), "ansible_core": core, "strongswan_charon_systemd": sw}


def wait_quiet(limit, max_wait):
    t = time.monotonic()
    while float(loadavg()) > limit and time.monotonic() - t < max_wait:
        print("load %s > %.1f, waiting ..." % (loadavg(), limit), flush=True)
        time.sleep(15)
    return round(time.monotonic() - t, 1)


# -- report ---------------------------------------------------------------------------------------
def table(results):
    out = ["| N | apply s | no-op s | check s | CPU apply s | CPU no-op s | CPU check s | changed apply/no-op/check |"
           " SAs up after apply | load before apply/no-op/check |",
           "|---:|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for n, r in results.items():
        out.append("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s/%s/%s | %s/%s | %s/%s/%s |" % (
            n, r["apply"]["wall"], r["noop"]["wall"], r["check"]["wall"],
            r["apply"]["cpu"], r["noop"]["cpu"], r["check"]["cpu"],
            r["apply"]["changed"], r["noop"]["changed"], r["check"]["changed"],
            r["sas"]["established"], n, r["apply"]["loadavg_before"], r["noop"]["loadavg_before"],
            r["check"]["loadavg_before"]))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("--tunnels", type=int, nargs="+", default=[1, 10, 50])
    ap.add_argument("--name", default="ipsec-bench", help="lab name (default ipsec-bench)")
    ap.add_argument("--verify-timeout", type=int, default=30,
                    help="the module's verify_timeout in the bench playbook (module default 30)")
    ap.add_argument("--max-load", type=float, default=1.5, help="wait while the 1-min load is above this")
    ap.add_argument("--max-wait", type=int, default=300, help="wait at most this long for a quiet machine (s)")
    ap.add_argument("--partner-default-limits", action="store_true",
                    help="keep charon's per-initiator DoS limits on the `peers` node (one charon for all partners)")
    ap.add_argument("--keep-lab", action="store_true", help="leave the lab up at the end")
    ap.add_argument("--out", default=None, help="JSON path (default benchmarks/results/ipsec-<date>.json)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (the lab needs namespaces)")
    if any(n < 1 or n > MAX_TUNNELS for n in args.tunnels):
        sys.exit("--tunnels: 1..%d (the topology has %d partner addresses)" % (MAX_TUNNELS, MAX_TUNNELS))

    t_start = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="ipsec-bench-")  # 0700
    inv = os.path.join(tmp, "inventory.yml")
    psks = {i: secrets.token_urlsafe(24) for i in range(1, max(args.tunnels) + 1)}  # 32 chars, per run
    scrub = Scrubber(psks)
    info = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(), "command": " ".join([os.path.relpath(sys.executable, ROOT)] + sys.argv),
            "verify_timeout": args.verify_timeout, "peers_dos_limits_lifted": not args.partner_default_limits,
            "results": {}, "lab": {}, "failures": []}
    print("machine:", json.dumps(info["machine"]), flush=True)
    info["lab"]["waited_for_quiet_s"] = wait_quiet(args.max_load, args.max_wait)
    info["lab"]["loadavg_start"] = open("/proc/loadavg").read().strip()

    lab_down(args.name)
    try:
        info["lab"]["up_s"] = round(lab_up(args.name, inv), 2)
        t = time.perf_counter()
        setup_peers(args.name, max(args.tunnels), psks, lift_limits=not args.partner_default_limits)
        info["lab"]["peers_setup_s"] = round(time.perf_counter() - t, 2)
        for n in args.tunnels:
            varsfile = os.path.join(tmp, "intent-%d.json" % n)
            fd = os.open(varsfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"bench_config": intent(n, psks), "bench_verify_timeout": args.verify_timeout}, f)
            try:
                r = {"reset_s": round(reset_gw(args.name), 2)}
                logs0 = {h: log_counts(args.name, h) for h in ("gw1", "peers")}
                r["apply"] = run_playbook(args.name, inv, varsfile, scrub)
                r["sas"] = sa_check(args.name, n)
                r["apply"]["charon_log"] = {h: log_delta(logs0[h], log_counts(args.name, h)) for h in logs0}
                r["noop"] = run_playbook(args.name, inv, varsfile, scrub)
                r["check"] = run_playbook(args.name, inv, varsfile, scrub, check=True)
                r["sas_after_all"] = sa_check(args.name, n)
            finally:
                os.unlink(varsfile)
            info["results"][str(n)] = r
            print("N=%-3d apply %6.2fs (cpu %5.2f, changed=%s) no-op %6.2fs (cpu %5.2f, changed=%s) check %6.2fs "
                  "(cpu %5.2f, changed=%s) SAs up %d/%d (IKE total %d, CHILD total %d) load %s" % (
                      n, r["apply"]["wall"], r["apply"]["cpu"], r["apply"]["changed"], r["noop"]["wall"],
                      r["noop"]["cpu"], r["noop"]["changed"], r["check"]["wall"], r["check"]["cpu"],
                      r["check"]["changed"], r["sas"]["established"], n, r["sas"]["ike_sas_total"],
                      r["sas"]["child_sas_total"], r["apply"]["loadavg_before"]), flush=True)
            print("       charon log during apply: %s" % json.dumps(r["apply"]["charon_log"]), flush=True)
            problems = []
            if r["apply"]["rc"] != 0:
                problems.append("apply rc=%s: %s" % (r["apply"]["rc"], r["apply"].get("msg")))
            if not r["sas"]["ok"]:
                problems.append("%d of %d tunnels ESTABLISHED after apply (missing e.g. %s)" % (
                    r["sas"]["established"], n, r["sas"]["missing"]))
            if r["sas"]["ike_sas_total"] != n or r["sas"]["child_sas_total"] != n:
                problems.append("gw1 holds %d IKE SAs / %d CHILD SAs after apply, expected %d each" % (
                    r["sas"]["ike_sas_total"], r["sas"]["child_sas_total"], n))
            if r["noop"]["changed"] != 0 or r["noop"]["rc"] != 0:
                problems.append("no-op rc=%s changed=%s" % (r["noop"]["rc"], r["noop"]["changed"]))
            if r["check"]["changed"] != 0 or r["check"]["rc"] != 0:
                problems.append("check rc=%s changed=%s" % (r["check"]["rc"], r["check"]["changed"]))
            if any(r[k]["psk_in_output"] for k in ("apply", "noop", "check")):
                problems.append("a PSK appeared in ansible-playbook's output (scrubbed here)")
            if problems:
                r["FAILED"] = problems
                info["failures"].append({"n": n, "problems": problems})
                print("  FAILED (N=%d): %s" % (n, "; ".join(problems)), flush=True)
    finally:
        if not args.keep_lab:
            d, rc, msg = lab_down(args.name)
            info["lab"]["down_s"], info["lab"]["down_rc"] = round(d, 2), rc
            if rc != 0:
                print("lab down rc=%s: %s" % (rc, msg), file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    info["total_s"] = round(time.perf_counter() - t_start, 1)
    print()
    md = table(info["results"])
    print(md)
    info["table_md"] = md
    out = args.out or os.path.join(ROOT, "benchmarks", "results", "ipsec-%s.json" % datetime.date.today().isoformat())
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(scrub(json.dumps(info, indent=1)))
    print("\nraw results:", os.path.relpath(out, ROOT), " total %.1f s" % info["total_s"])
    if info["failures"]:
        print("FAILED: %s" % json.dumps(info["failures"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
