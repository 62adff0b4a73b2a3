# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bgp_peering's backend for FRR on core.transaction: read the running config once, plan locally,
send the commands through vtysh, check the owned scope is what the plan predicted, wait for the
sessions that must stay up, save; or send the commands that undo the change.

The device is a :class:`~...devices.vtysh.VtyshDevice` (or, in unit tests and benchmarks, anything
with ``running_config``, ``edit``, ``show`` and ``save``).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import time

from ....core import transaction
from ....core.clitree import trees_equal
from ..model import normalise_device
from . import plan as frr_plan
from . import status


def peers_up(device):
    return {peer for peer, info in status.parse_summary(device.show(status.SUMMARY_COMMAND)).items()
            if info["established"]}


def wait_established(device, peers, timeout, interval=1.0, sleep=time.sleep, clock=time.monotonic):
    """Poll until every peer in ``peers`` is Established or ``timeout`` runs out; returns the
    summary of the last poll and the peers still down."""
    def down_in(summary):
        return sorted(p for p in peers if not (summary.get(p) or {}).get("established"))

    summary = transaction.wait_until(lambda: status.parse_summary(device.show(status.SUMMARY_COMMAND)),
                                     lambda s: not down_in(s), timeout, interval=interval, sleep=sleep, clock=clock)
    return summary, down_in(summary)


class FrrBgp(transaction.Backend):
    """Partner peering on one FRR router (``config``: the device config, ``state``: merged,
    replaced, overridden or deleted)."""

    noun = "device"
    confirm_feature = "bgp"
    confirm_what = "BGP partner peering (FRR running-config)"
    refused = "the router refused the change"
    not_restored = "the owned scope still differs"
    rollback_failed_hint = ("The router is not saved (startup config still holds the previous state); "
                            "it needs a look now.")

    def __init__(self, device, config, state, verify="established_before", verify_timeout=60, save=True,
                 sleep=time.sleep):
        self.device = device
        self.config = normalise_device(config)
        self.state = state
        self.verify_mode = verify
        self.verify_timeout = verify_timeout
        self.save = save
        self.sleep = sleep
        self.must_stay_up = set()

    def gather(self):
        return self.device.running_config()

    def plan(self, current):
        plan = frr_plan.plan(current, self.config, self.state)
        before, after = frr_plan.display(plan)
        return transaction.Plan(plan.changed, frr_plan.mask_commands(plan.commands),
                                transaction.diff_of(before, after, "running (owned scope)", "after %s" % self.state),
                                payload=plan)

    def recipe(self, plan):
        """Commit-confirm: FRR's whole running-config (frr-reload.py --reload back to it)."""
        return [{"kind": "frr"}]

    def snapshot(self, plan):
        if self.verify_mode == "none":
            return
        wanted = {s["peer_address"] for p in self.config["partners"] for s in p["sessions"] if not s["shutdown"]}
        if self.state == "deleted":
            wanted = set()
        self.must_stay_up = wanted if self.verify_mode == "all" else peers_up(self.device) & wanted

    def apply(self, plan):
        self.device.edit(plan.payload.commands)

    def realised(self, plan):
        if not plan.payload.realised(self.device.running_config()):
            return "the router's configuration after the change is not what the plan predicted"
        return None

    def verify(self, plan, result):
        if not self.must_stay_up:
            return None
        summary, down = wait_established(self.device, self.must_stay_up, self.verify_timeout, sleep=self.sleep)
        result["verification"] = {"required_established": sorted(self.must_stay_up), "down": down}
        if not down:
            return None
        reasons = "; ".join("%s: %s" % (p, status.reason_for(
            (summary.get(p) or {}).get("state"), p,
            neighbor=status.parse_neighbor(self.device.show(status.NEIGHBOR_COMMAND % p), p))) for p in down)
        return "verification failed: not Established within %ds: %s" % (self.verify_timeout, reasons)

    def rollback(self, plan, result):
        undo = frr_plan.rollback_commands(plan.payload, self.device.running_config())
        result["rollback_commands"] = frr_plan.mask_commands(undo)
        if undo:
            self.device.edit(undo)
        return trees_equal(plan.payload.scope_of(self.device.running_config()), plan.payload.before)

    def confirm(self, plan, result):
        if not self.save:
            return
        try:
            self.device.save()
        except Exception as exc:  # pylint: disable=broad-except
            raise transaction.StepFailed(
                "the change is applied and verified but saving it failed: %s. The running config is right; "
                "run 'write memory' once the cause is fixed." % exc) from exc
        result["saved"] = True


def run(device, config, state, check_mode=False, verify="established_before", verify_timeout=60,
        save=True, rollback=True, sleep=time.sleep, confirm_timeout=0, timer=None):
    """Plan and, unless ``check_mode``, apply ``state`` for ``config`` on ``device`` (``timer``: the
    router's commit-confirm timer, a devices.rollback_timer.RemoteTimer; saved only after its confirm)."""
    backend = FrrBgp(device, config, state, verify=verify, verify_timeout=verify_timeout, save=save, sleep=sleep)
    return transaction.run(backend, check_mode=check_mode, rollback=rollback, confirm_timeout=confirm_timeout,
                           timer=timer)
