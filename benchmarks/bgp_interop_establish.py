#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""Time to Established with partners on other BGP implementations (BIRD 2, GoBGP 3).

Builds the bgp-interop lab (tests/topologies/bgp-interop.clab.yml) under its own name, then per run:
offboards both partners (bgp_peering state=deleted), onboards them again with one bgp_peering call
(state=replaced, verify none) and polls xedge1's ``show bgp vrf default summary json`` every ~0.1 s.
Per session it reports the time from the moment the neighbor appears on the router (the change
reached bgpd) to Established, and from the start of the ansible-playbook run. Removes the lab at the
end. Run as root from the repository root:

    .venv/bin/python benchmarks/bgp_interop_establish.py --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOPOLOGY = REPO / "tests" / "topologies" / "bgp-interop.clab.yml"
LABCTL = [sys.executable, str(REPO / "tests" / "lab" / "labctl")]
PEERS = {"198.18.71.2": "BIRD IPv4", "2001:db8:71::2": "BIRD IPv6",
         "198.18.72.2": "GoBGP IPv4", "2001:db8:72::2": "GoBGP IPv6"}
PLAY = """
- hosts: xedge1
  gather_facts: false
  tasks:
    - paynet.netinfra.bgp_peering:
        config: "{{ partners | paynet.netinfra.bgp_device_config(inventory_hostname, bgp) }}"
        state: "{{ bench_state }}"
        verify: none
      vars:
        ansible_connection: ansible.netcommon.network_cli
        ansible_network_os: paynet.netinfra.frr
"""


def summary(lab):
    out = subprocess.run(LABCTL + ["exec", str(TOPOLOGY), "--name", lab, "xedge1", "--", "vtysh", "-c",
                                   "show bgp vrf default summary json"], capture_output=True, text=True, check=True)
    peers = {}
    for af in json.loads(out.stdout).values():
        peers.update({p: v["state"] for p, v in (af.get("peers") or {}).items()})
    return peers


def playbook(lab, inventory, play, state):
    cmd = [str(REPO / ".venv" / "bin" / "ansible-playbook"), "-i", str(REPO / "inventories/lab/hosts.yml"),
           "-i", str(inventory), "--vault-password-file", str(REPO / "inventories/lab/vault-password.txt"),
           "-e", "bench_state=" + state, str(play)]
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True)


def one_run(lab, inventory, play):
    playbook(lab, inventory, play, "deleted")
    while any(p in summary(lab) for p in PEERS):
        time.sleep(0.2)
    seen, established, stop = {}, {}, threading.Event()
    t0 = time.monotonic()

    def poll():
        while not stop.is_set() and len(established) < len(PEERS):
            now = time.monotonic()
            for peer, state in summary(lab).items():
                if peer in PEERS:
                    seen.setdefault(peer, now)
                    if state == "Established":
                        established.setdefault(peer, now)
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    playbook(lab, inventory, play, "replaced")
    t_done = time.monotonic()
    poller.join(timeout=120)
    stop.set()
    return {peer: {"after_config": established[peer] - seen[peer], "after_start": established[peer] - t0,
                   "after_task": established[peer] - t_done} for peer in PEERS if peer in established}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lab", default="bgpx-bench")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (the namespace lab)")
    state_dir = Path(tempfile.mkdtemp(prefix="bgpx-bench-"))
    inventory = state_dir / "inventory.yml"
    play = state_dir / "play.yml"
    play.write_text(PLAY)
    subprocess.run(LABCTL + ["up", str(TOPOLOGY), "--name", args.lab, "--inventory", str(inventory)], check=True)
    try:
        playbook(args.lab, inventory, play, "replaced")  # first onboarding, then measured runs
        results = [one_run(args.lab, inventory, play) for _run in range(args.runs)]
    finally:
        subprocess.run(LABCTL + ["down", str(TOPOLOGY), "--name", args.lab], check=False)
    print("| session | runs | to Established after the config reached bgpd, s (median, max) "
          "| after the bgp_peering run started, s (median) |")
    print("| --- | ---: | --- | ---: |")
    for peer, label in PEERS.items():
        cfg = [r[peer]["after_config"] for r in results if peer in r]
        start = [r[peer]["after_start"] for r in results if peer in r]
        if not cfg:
            print("| %s (%s) | 0 | never | - |" % (label, peer))
            continue
        print("| %s (%s) | %d | %.2f, %.2f | %.2f |"
              % (label, peer, len(cfg), statistics.median(cfg), max(cfg), statistics.median(start)))


if __name__ == "__main__":
    main()
