"""Fault driver of molecule/commit_confirm: runs change.yml as its own ansible-playbook and strikes once
the device-side commit-confirm timer is armed, then waits for the device to restore itself.

--mode cut   a watcher INSIDE the node (labctl exec, never over ssh) waits for the timer's armed.json and at
             once drops every packet on the node's management interface mgmt0 (its own nftables table
             inet cc_fault); the run must fail; the drop is removed at the end.
--mode kill  ansible-playbook runs in its own process group; once armed.json exists (polled from the lab
             side) that group and the run's ansible-connection processes are SIGKILLed by PID.

Either way it then waits (condition, generous timeout) for fired.json, checks that the device's state
equals the state before the run (nft table, FRR running-config, or for ipsec our swanctl files and charon's loaded
connections; counters and headers aside) and prints
one JSON object: the playbook's rc and output tail, the armed and fired records, the fault time and the
measured recovery (fault -> restore finished). Exit 0 only when the device restored itself correctly.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

STATE = "/var/lib/paynet-netinfra/confirm/%s"
IPSEC_STATE = ("cd /etc/swanctl && find . -name 'paynet-*' -type f -printf '%m %p\\n' | sort && "
               "find . -name 'paynet-*' -type f | sort | xargs -r md5sum && swanctl --list-conns --raw")
WATCH = r"""
import json, os, subprocess, sys, time
path, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while not os.path.exists(path):
    if time.monotonic() > deadline:
        print(json.dumps({"watch": "timeout"})); sys.exit(1)
    time.sleep(0.01)
rules = ("table inet cc_fault {\n chain in { type filter hook input priority -300; iifname \"mgmt0\" drop; }\n"
         " chain out { type filter hook output priority -300; oifname \"mgmt0\" drop; }\n}\n")
proc = subprocess.run(["nft", "-f", "-"], input=rules, universal_newlines=True)
print(json.dumps({"watch": "dropped", "at": time.time(), "rc": proc.returncode}))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("cut", "kill"), required=True)
    ap.add_argument("--feature", choices=("hsm", "bgp", "ipsec"), required=True)
    ap.add_argument("--node", default="edge1")
    ap.add_argument("--labctl", required=True)
    ap.add_argument("--topology", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--playbook", required=True)
    ap.add_argument("--inventory", action="append", default=[])
    ap.add_argument("--extra", default="{}", help="extra vars (JSON)")
    ap.add_argument("--confirm-timeout", type=int, required=True)
    ap.add_argument("--block-bgp-on", default="", help="a partner node whose BGP is blocked during the run")
    args = ap.parse_args()

    def lab(node, *argv, data=None, check=True):
        proc = subprocess.run([sys.executable, args.labctl, "exec", args.topology, "--name", args.name, node, "--"]
                              + list(argv), input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=120, check=False)
        if check and proc.returncode != 0:
            raise SystemExit("labctl exec %s %s failed: %s" % (node, argv, proc.stderr))
        return proc

    def device_state():
        if args.feature == "hsm":
            out = lab(args.node, "nft", "list", "table", "inet", "paynet_cc", check=False).stdout
            return re.sub(r"counter packets \d+ bytes \d+", "counter", out)
        if args.feature == "ipsec":  # our swanctl files (content and mode) and the conns charon has loaded
            return lab(args.node, "/bin/sh", "-c", IPSEC_STATE).stdout
        out = lab(args.node, "vtysh", "-c", "show running-config").stdout
        return "\n".join(line for line in out.splitlines()
                         if not line.startswith(("Building configuration", "Current configuration")))

    state = STATE % args.feature
    before = device_state()
    report = {"mode": args.mode, "feature": args.feature, "confirm_timeout": args.confirm_timeout}
    if args.block_bgp_on:
        lab(args.block_bgp_on, "nft", "-f", "-", data="table inet cc_block {\n chain in { type filter hook input "
            "priority -300; tcp dport 179 drop; tcp sport 179 drop; }\n}\n")
    extra = dict(json.loads(args.extra), cc_feature=args.feature, cc_confirm_timeout=args.confirm_timeout)
    binary = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    cmd = [binary if os.path.exists(binary) else "ansible-playbook"] + ["--inventory=%s" % inv for inv in args.inventory] + \
        ["-e", json.dumps(extra), args.playbook]
    # its own ssh ControlPath: a master connection of an earlier run (no ServerAlive) would hang on the dead link
    control_dir = tempfile.mkdtemp(prefix="cc-fault-cp-")
    env = dict(os.environ, ANSIBLE_TIMEOUT="5", ANSIBLE_PERSISTENT_COMMAND_TIMEOUT="30",
               ANSIBLE_SSH_CONTROL_PATH_DIR=control_dir,
               ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o ServerAliveInterval=2 "
                                "-o ServerAliveCountMax=3")
    watcher = None
    if args.mode == "cut":
        watcher = subprocess.Popen([sys.executable, args.labctl, "exec", args.topology, "--name", args.name, args.node,
                                    "--", "python3", "-c", WATCH, state + "/armed.json", "300"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    started = time.time()
    play = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                            env=env, start_new_session=True)
    if args.mode == "cut":
        watch_out, watch_err = watcher.communicate(timeout=600)
        try:
            watched = json.loads(watch_out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise SystemExit("the in-node watcher said nothing: %s %s" % (watch_out, watch_err))
        report["fault_at"] = watched.get("at")
        report["watch"] = watched
    else:
        deadline = time.monotonic() + 300
        while lab(args.node, "test", "-f", state + "/armed.json", check=False).returncode != 0:
            if play.poll() is not None or time.monotonic() > deadline:
                out = play.communicate()[0]
                raise SystemExit("the run ended (rc %s) or 300 s passed before the timer was armed:\n%s"
                                 % (play.returncode, out[-3000:]))
            time.sleep(0.1)
        victims = connection_processes(group_pids(play.pid))
        os.killpg(play.pid, signal.SIGKILL)
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        report["fault_at"] = time.time()
        report["killed_ansible_connection"] = len(victims)
        out = play.communicate(timeout=60)[0]
    # the device restores itself: wait for fired.json (condition; generous: confirm timeout + 120 s)
    deadline = time.monotonic() + args.confirm_timeout + 120
    while True:
        proc = lab(args.node, "cat", state + "/fired.json", check=False)
        if proc.returncode == 0 and proc.stdout.strip():
            fired = json.loads(proc.stdout)
            break
        if time.monotonic() > deadline:
            raise SystemExit("no fired.json %ds after the fault: the device did not restore itself\n%s"
                             % (args.confirm_timeout + 120, json.dumps(report)))
        time.sleep(0.5)
    if args.mode == "cut":
        # the run must have failed by itself (unreachable: ServerAlive 2 s x 3); bounded, then killed and reported
        try:
            out = play.communicate(timeout=180)[0]
        except subprocess.TimeoutExpired:
            report["run_hung"] = True
            os.killpg(play.pid, signal.SIGKILL)
            out = play.communicate(timeout=60)[0]
        lab(args.node, "nft", "delete", "table", "inet", "cc_fault")
    report["rc"] = play.returncode
    report["output_tail"] = out[-2500:]
    if args.block_bgp_on:
        lab(args.block_bgp_on, "nft", "delete", "table", "inet", "cc_block")
    after = device_state()
    report["fired"] = fired
    report["run_started_at"] = started
    report["recovery_seconds"] = round(fired["fired_at"] + fired["restore_seconds"] - report["fault_at"], 2)
    report["armed_to_fired_seconds"] = round(fired["fired_at"] - fired["armed_at"], 2)
    report["restored_equals_before"] = after == before
    report["armed_left"] = lab(args.node, "test", "-e", state + "/armed.json", check=False).returncode == 0
    if after != before:
        report["before"], report["after"] = before, after
    print(json.dumps(report))
    return 0 if fired["ok"] and after == before and not report["armed_left"] else 1


def group_pids(pgid):
    """PIDs of the process group ``pgid`` (ansible-playbook and its forks)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry, encoding="utf-8") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2:].split()[2]) == pgid:
                pids.append(int(entry))
    return pids


def connection_processes(pids):
    """ansible-connection processes (daemonised, in their own session) started by one of ``pids``: their
    command line carries the PID of the worker that started them."""
    wanted = {str(pid) for pid in pids}
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as fh:
                argv = fh.read().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        if any("ansible-connection" in part or "ansible_connection_cli_stub" in part for part in argv[:3]) \
                and wanted & set(argv):
            found.append(int(entry))
    return found


if __name__ == "__main__":
    sys.exit(main())
