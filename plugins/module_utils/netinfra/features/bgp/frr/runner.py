# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transaction behind bgp_peering: fetch once, plan locally, apply once, verify, confirm or
roll back. Talks to the device through a small adapter, so unit tests and benchmarks drive it with
captured outputs and the module with an ansible.netcommon Connection."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import time

from ..model import normalise_device
from . import config as bgp
from . import status


class ChangeFailed(Exception):
    """The change was applied and then rolled back (or the rollback itself failed)."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class ConnectionDevice:
    """Adapter over an ansible.netcommon Connection to a paynet.netinfra.frr cliconf."""

    def __init__(self, connection):
        self._conn = connection

    def running_config(self):
        return self._conn.get_config()

    def edit(self, lines):
        return self._conn.edit_config(candidate=[line.strip() for line in lines])

    def show(self, command):
        return self._conn.get(command=command)

    def save(self):
        return self._conn.save_config()


def peers_up(device):
    return {peer for peer, info in status.parse_summary(device.show(status.SUMMARY_COMMAND)).items()
            if info["established"]}


def wait_established(device, peers, timeout, interval=1.0, sleep=time.sleep, clock=time.monotonic):
    """Poll until every peer in ``peers`` is Established or ``timeout`` runs out; returns the
    summary of the last poll and the peers still down."""
    deadline = clock() + timeout
    while True:
        summary = status.parse_summary(device.show(status.SUMMARY_COMMAND))
        down = sorted(p for p in peers if not (summary.get(p) or {}).get("established"))
        if not down or clock() >= deadline:
            return summary, down
        sleep(interval)


def run(device, config, state, check_mode=False, verify="established_before", verify_timeout=60,
        save=True, rollback=True, sleep=time.sleep):
    """Plan and, unless ``check_mode``, apply ``state`` for ``config`` on ``device``."""
    config = normalise_device(config)
    running = device.running_config()
    plan = bgp.plan(running, config, state)
    before_text, after_text = bgp.display(plan)
    result = {
        "changed": plan.changed,
        "commands": bgp.mask_commands(plan.commands),
        "diff": {"before": before_text, "after": after_text,
                 "before_header": "running (owned scope)", "after_header": "after %s" % state},
    }
    if not plan.changed or check_mode:
        return result

    must_stay_up = set()
    if verify != "none":
        wanted = {s["peer_address"] for p in config["partners"] for s in p["sessions"] if not s["shutdown"]}
        if state == "deleted":
            wanted = set()
        if verify == "all":
            must_stay_up = wanted
        else:
            must_stay_up = peers_up(device) & wanted

    def undo(why):
        if not rollback:
            raise ChangeFailed("%s; rollback disabled, the device keeps the partial change" % why, result)
        try:
            undo_cmds = bgp.rollback_commands(plan, device.running_config())
            result["rollback_commands"] = bgp.mask_commands(undo_cmds)
            if undo_cmds:
                device.edit(undo_cmds)
            restored = bgp.extract_scope(bgp.parse(device.running_config()), plan.names, plan.peers,
                                         plan.include_globals, plan.announce)
        except Exception as exc:  # pylint: disable=broad-except
            result["rolled_back"] = False
            raise ChangeFailed("%s; ROLLBACK FAILED too: %s. The router is not saved (startup config "
                               "still holds the previous state); it needs a look now." % (why, exc), result) from exc
        result["rolled_back"] = bgp.trees_equal(restored, plan.before)
        raise ChangeFailed("%s; rolled back to the previous configuration%s" % (
            why, "" if result["rolled_back"] else " (but the owned scope still differs: check the device)"), result)

    try:
        device.edit(plan.commands)
    except Exception as exc:  # pylint: disable=broad-except
        undo("the router refused the change: %s" % exc)
    if not plan.realised(device.running_config()):
        undo("the router's configuration after the change is not what the plan predicted")
    if must_stay_up:
        summary, down = wait_established(device, must_stay_up, verify_timeout, sleep=sleep)
        result["verification"] = {"required_established": sorted(must_stay_up), "down": down}
        if down:
            reasons = "; ".join("%s: %s" % (p, status.reason_for((summary.get(p) or {}).get("state"), p))
                                for p in down)
            undo("verification failed: not Established within %ds: %s" % (verify_timeout, reasons))
    if save:
        try:
            device.save()
        except Exception as exc:  # pylint: disable=broad-except
            raise ChangeFailed("the change is applied and verified but saving it failed: %s. The running "
                               "config is right; run 'write memory' once the cause is fixed." % exc, result) from exc
        result["saved"] = True
    return result
