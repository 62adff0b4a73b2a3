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

import re
import time

from ....core import transaction
from ....core.clitree import trees_equal
from ..model import normalise_device
from . import plan as frr_plan
from . import status


#: How long a rollback waits for the sessions it restored to be Established again, and for a daemon
#: that died during the change to answer again (watchfrr restarts it from the saved configuration).
RECOVER_TIMEOUT = 30
_NOT_RUNNING = re.compile(r"\b(\w+) is not running|connecting to (\w+)\.\.\.failed")


def device_error(exc):
    """What a failed read of the router says, in a few words (the daemon that is not running, else its
    message with passwords masked)."""
    text = " ".join(str(exc).replace("\\r", " ").replace("\\n", " ").split())
    match = _NOT_RUNNING.search(text)
    if match:
        return "%s is not running" % (match.group(1) or match.group(2))
    return frr_plan.mask_passwords(text)


def daemon_down(running_text):
    """vtysh prints what it could read when a daemon is down (``Warning: connecting to bgpd...failed!``):
    that is no configuration to diff against."""
    return bool(_NOT_RUNNING.search(running_text or ""))


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


_PASSWORD_LINE = re.compile(r"^\s*(?:no\s+)?neighbor\s+(\S+)\s+password\b")


def password_peers(commands):
    """The peers whose TCP-MD5 password the commands set, change or remove."""
    return {m.group(1) for m in (_PASSWORD_LINE.match(line) for line in commands) if m}


def tcp_counters(device):
    """The device's kernel TcpExt counters ({} when the device cannot show them: a login shell that is
    vtysh, or a test double without ``tcp_counters``)."""
    reader = getattr(device, "tcp_counters", None)
    if reader is None:
        return {}
    try:
        return status.parse_netstat(reader())
    except Exception:  # pylint: disable=broad-except
        return {}


def neighbors(device):
    """Every neighbor's FRR JSON in one call: {peer: entry}."""
    return status.parse_neighbors(device.show(status.NEIGHBORS_COMMAND))


def watch_sessions(device, peers, timeout, marks=None, counters=None, md5_peers=(), interval=0.5,
                   sleep=time.sleep, clock=time.monotonic):
    """Poll until every peer in ``peers`` is Established, one of them is certain to stay down
    (``status.certain_failure`` against ``marks`` read just before the change and ``counters`` read once it
    is in place), or ``timeout`` runs out. ``md5_peers``: {peer: whether it has a password after the change}
    of the sessions whose password the change touched (a plain collection: all with one). Returns
    (summary, peers still down, {peer: certain cause}, seconds)."""
    if not isinstance(md5_peers, dict):
        md5_peers = dict.fromkeys(md5_peers, True)
    started = clock()
    deadline = started + timeout
    while True:
        summary = status.parse_summary(device.show(status.SUMMARY_COMMAND))
        down = sorted(p for p in peers if not (summary.get(p) or {}).get("established"))
        causes = {}
        if down and marks is not None:
            data = neighbors(device)
            drops = status.md5_drops(counters, tcp_counters(device)) if set(down) & set(md5_peers) else {}
            for peer in down:
                cause = status.certain_failure(peer, marks.get(peer, {}), status.parse_neighbor(data, peer),
                                               md5=status.md5_evidence(drops, md5_peers[peer]) if peer in md5_peers
                                               else None)
                if cause:
                    causes[peer] = cause
        if not down or causes or clock() >= deadline:
            return summary, down, causes, round(clock() - started, 2)
        sleep(interval)


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
        self.marks = {}
        self.counters = {}
        self.md5_peers = set()
        self.lost = None

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
        if not self.must_stay_up:
            return
        # Fast failure (issue 14): what each session's counters say just before the change, and the
        # kernel's TCP-MD5 drop counters when the change touches a password of a session that must stay up.
        data = neighbors(self.device)
        self.marks = {peer: status.session_marks(status.parse_neighbor(data, peer)) for peer in self.must_stay_up}
        touched = password_peers(plan.payload.commands) & self.must_stay_up
        passwords = {s["peer_address"]: bool(s.get("password")) for p in self.config["partners"] for s in p["sessions"]}
        self.md5_peers = {peer: passwords.get(peer, False) for peer in touched}

    def apply(self, plan):
        self.device.edit(plan.payload.commands)

    def realised(self, plan):
        try:
            running = self.device.running_config()
        except Exception as exc:  # pylint: disable=broad-except
            return self.lost_daemon(exc, "checked")
        if daemon_down(running):
            return self.lost_daemon(RuntimeError(running), "checked")
        if not plan.payload.realised(running):
            return "the router's configuration after the change is not what the plan predicted"
        return None

    def verify(self, plan, result):
        if not self.must_stay_up:
            return None
        # the kernel's TCP-MD5 counters from here on: the change is in place (realised), so a partner's segment
        # that reached the old key (or no key) before bgpd installed the new one is not counted against it
        self.counters = tcp_counters(self.device) if self.md5_peers else {}
        try:
            summary, down, causes, seconds = watch_sessions(
                self.device, self.must_stay_up, self.verify_timeout, marks=self.marks, counters=self.counters,
                md5_peers=self.md5_peers, sleep=self.sleep)
        except Exception as exc:  # pylint: disable=broad-except
            return self.lost_daemon(exc, "verified")
        result["verification"] = {"required_established": sorted(self.must_stay_up), "down": down,
                                  "seconds": seconds}
        if not down:
            return None
        if causes:
            result["verification"]["cause"] = dict(causes)
            # every session that is down is named: the certain causes, then the others' usual reasons
            return "verification failed after %ss, certain before the %ds timeout: %s" % (
                seconds, self.verify_timeout, "; ".join("%s: %s" % (p, causes.get(p) or status.reason_for(
                    (summary.get(p) or {}).get("state"), p)) for p in sorted(down, key=lambda p: p not in causes)))
        reasons = "; ".join("%s: %s" % (p, status.reason_for(
            (summary.get(p) or {}).get("state"), p,
            neighbor=status.parse_neighbor(self.device.show(status.NEIGHBOR_COMMAND % p), p))) for p in down)
        return "verification failed: not Established within %ds: %s" % (self.verify_timeout, reasons)

    def lost_daemon(self, exc, step):
        """A read failed after the change was applied (bgpd killed or crashed mid-change): the why of
        the rollback, which first waits for the router to answer again."""
        self.lost = device_error(exc)
        return ("the router stopped answering while the change was %s (%s): a daemon died mid-change"
                % (step, self.lost))

    def wait_answering(self, result):
        """After a daemon died: wait until bgpd answers and its configuration has settled (watchfrr
        restarts it and loads the saved configuration); records ``recovered_daemon``."""
        def poll():
            try:
                self.device.show(status.SUMMARY_COMMAND)
                text = self.device.running_config()
            except Exception:  # pylint: disable=broad-except
                return None
            return None if daemon_down(text) else text

        last = [None]

        def settled(text):
            done = text is not None and text == last[0]
            last[0] = text
            return done

        transaction.wait_until(poll, settled, RECOVER_TIMEOUT, interval=1.0, sleep=self.sleep)
        result["recovered_daemon"] = {"error": self.lost, "answering": last[0] is not None}

    def rollback(self, plan, result):
        try:
            running = self.device.running_config()
        except Exception as exc:  # pylint: disable=broad-except
            running = None
            self.lost = self.lost or device_error(exc)
        if self.lost or running is None or daemon_down(running):
            # a daemon died mid-change (also while the change was sent): diff against what it restarted with
            self.lost = self.lost or device_error(RuntimeError(running))
            self.wait_answering(result)
            running = self.device.running_config()
        undo = frr_plan.rollback_commands(plan.payload, running)
        result["rollback_commands"] = frr_plan.mask_commands(undo)
        if undo:
            self.device.edit(undo)
        restored = trees_equal(plan.payload.scope_of(self.device.running_config()), plan.payload.before)
        if self.must_stay_up and "verification" in result:
            try:
                self.recover(result)
            except Exception as exc:  # pylint: disable=broad-except
                result["verification"]["after_rollback"] = {"error": str(exc)}
        return restored

    def recover(self, result):
        """After a rollback, restart the connect of every session that was up before and is down now
        (bgpd would otherwise wait for its ConnectRetry timer, 120 s by default), then wait until they are
        Established again; records ``verification.after_rollback``."""
        down = sorted(p for p, info in status.parse_summary(self.device.show(status.SUMMARY_COMMAND)).items()
                      if p in self.must_stay_up and not info["established"])
        for peer in down:
            self.device.show(status.CLEAR_COMMAND % peer)
        dummy, still, dummy_causes, seconds = watch_sessions(
            self.device, down, min(self.verify_timeout, RECOVER_TIMEOUT), sleep=self.sleep)
        result["verification"]["after_rollback"] = {"cleared": down, "established": sorted(set(down) - set(still)),
                                                    "down": still, "seconds": seconds}

    def confirm(self, plan, result):
        if not self.save:
            return
        try:
            self.device.save()
        except Exception as exc:  # pylint: disable=broad-except
            self.lost = device_error(exc)
            if "not running" in self.lost or "Not all daemons are up" in str(exc):
                # A daemon died after the verification (bgpd killed mid-change): watchfrr restarts it from
                # the saved configuration, which does not hold the change.
                self.wait_answering(result)
                try:
                    still_there = plan.payload.realised(self.device.running_config())
                except Exception:  # pylint: disable=broad-except
                    still_there = False
                if not still_there:
                    raise transaction.StepFailed(
                        "a daemon died before the verified change was saved (%s): bgpd restarted from the saved "
                        "configuration, so the router is on its last good config without this change; re-run to "
                        "apply it" % self.lost) from exc
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
