# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Did the partners' traffic leave a drained router? Packet rates on the interfaces toward the
partners' peers, from the kernel's counters (``/sys/class/net/<if>/statistics``), sampled until the
rate falls below a threshold (playbooks/maintenance.yml waits on this, never on a fixed sleep).

Plain Python; the reads are passed in so unit tests give captured values.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import json
import time


def egress_interfaces(route_get_json_by_peer):
    """{peer: interface} from ``ip -j route get <peer>`` outputs (JSON text or parsed)."""
    out = {}
    for peer, text in sorted(route_get_json_by_peer.items()):
        data = json.loads(text) if isinstance(text, str) else text
        if data and data[0].get("dev"):
            out[peer] = data[0]["dev"]
    return out


def rates(before, after, seconds):
    """{interface: packets per second} from two {interface: packet count} samples."""
    seconds = max(seconds, 1e-6)
    return {i: round(max(after.get(i, 0) - before.get(i, 0), 0) / seconds, 1) for i in sorted(before)}


def wait_below(read, interfaces, below, timeout, interval=1.0, sleep=time.sleep, clock=time.monotonic):
    """Sample ``read(interfaces) -> {interface: packets}`` every ``interval`` seconds until every
    interface's rate is below ``below`` packets/s, or ``timeout``. Returns (ok, last rates, seconds waited,
    samples)."""
    start = clock()
    if not interfaces:
        return True, {}, 0.0, []
    prev, prev_t = read(interfaces), clock()
    samples = []
    while True:
        sleep(interval)
        now, now_t = read(interfaces), clock()
        current = rates(prev, now, now_t - prev_t)
        samples.append(current)
        if all(r < below for r in current.values()):
            return True, current, round(now_t - start, 2), samples
        if now_t - start >= timeout:
            return False, current, round(now_t - start, 2), samples
        prev, prev_t = now, now_t
