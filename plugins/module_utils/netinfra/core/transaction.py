# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one transaction every feature backend runs on.

gather once -> plan locally -> check mode (or nothing to do) stops here with the exact diff ->
arm -> snapshot -> apply -> realised? -> verify -> confirm, or roll back and fail saying why.

A backend (one per platform per feature, in napalm's spirit) is an object holding its device and
the intent, with these steps (see :class:`Backend` for the defaults):

``gather()``
    Read the device once; returns whatever ``plan`` needs.
``plan(current) -> Plan``
    Decide locally what to change; raise a ``ValueError`` subclass when it cannot be planned.
``arm(plan)``
    Extra work of a backend before the change (the commit-confirm timer is armed by ``run`` itself,
    just before, from ``recipe``).
``recipe(plan) -> list | None``
    What the device-side commit-confirm timer (devices/rollback_timer.py) snapshots and restores:
    files, our nftables table, FRR's running config, reload commands. None: no commit-confirm.
``snapshot(plan)``
    Read what verify and rollback need from just before the change (e.g. the sessions up now).
``apply(plan)``
    Push the change. Any exception means the device refused it and is rolled back; a
    :class:`StepFailed` carries its whole reason, any other exception is prefixed with
    ``backend.refused``.
``realised(plan) -> None | why``
    Whether the device now holds what the plan predicted.
``verify(plan, result) -> None | why``
    Health after the change (may add ``verification``/``status`` to ``result``).
``rollback(plan, result) -> bool``
    Put the previous state back (may add ``rollback_commands``); True when the restored state
    equals the state before. Raises when it could not.
``confirm(plan, result)``
    Make the verified change stick (save). A failure here is reported, never rolled back: the
    running state is the verified one. It runs after the commit-confirm timer was confirmed, so a
    device that rolls itself back also comes back from a reboot on the last good config.

Commit-confirm (issue 14), written once here: with ``confirm_timeout`` > 0 and a ``timer`` (a
``rollback_timer.Timer`` on the device, or a stand-in reaching it over ssh), a real change arms the
timer before ``snapshot``/``apply``; after ``verify`` the timer is confirmed, unless the timer is
``deferred`` (the module runs on the device: the action plugin confirms it afterwards over a new
connection, which proves the management path survived the change). The controller's own rollback
runs first and then disarms; if that rollback fails the timer stays armed and the message says when
the device restores itself. A ``local`` timer is also read before ``gather`` (a file on the device,
no cost): another run's pending timer fails the run before anything is read or changed, a fired one
becomes a warning.

Exceptions raised by ``gather``, ``plan``, ``snapshot``, ``realised`` and ``verify`` propagate as they
are (a backend turns its own into a ``why`` where it wants a rollback).
No Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import time

from ..devices import rollback_timer


class ChangeFailed(Exception):
    """The change was applied and then rolled back (or the rollback itself failed, or the confirm
    failed). ``result`` holds the module result keys gathered so far."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class StepFailed(Exception):
    """A step failed and its message already says why in full (no prefix is added)."""


class Plan:
    """What a run will do.

    ``commands`` is what is shown and sent, secrets masked; ``diff`` holds ``before``/``after``
    (masked) and their headers; ``extra`` are more result keys (e.g. added/removed/modified);
    ``payload`` is the backend's own plan, which only the backend reads.
    """

    __slots__ = ("changed", "commands", "diff", "extra", "payload")

    def __init__(self, changed, commands, diff, extra=None, payload=None):
        self.changed = bool(changed)
        self.commands = list(commands)
        self.diff = dict(diff)
        self.extra = dict(extra or {})
        self.payload = payload

    def result(self):
        """The module result of this plan before anything is applied."""
        result = {"changed": self.changed, "commands": list(self.commands), "diff": dict(self.diff)}
        result.update(self.extra)
        return result


def diff_of(before, after, before_header, after_header):
    """The ``diff`` shape Ansible's --diff shows."""
    return {"before": before, "after": after, "before_header": before_header, "after_header": after_header}


class Backend:
    """Defaults for a backend: the optional steps do nothing, and the words of the messages."""

    #: what the messages call the box ("device", "gateway", ...)
    noun = "device"
    #: prefix for an exception from ``apply`` (``"<refused>: <error>"``)
    refused = "the change was refused"
    #: said when the rollback ran but the state still differs from before
    not_restored = "the owned configuration still differs"
    #: said after "ROLLBACK FAILED too: <error>."
    rollback_failed_hint = None

    def gather(self):
        raise NotImplementedError

    def plan(self, current):
        raise NotImplementedError

    #: the commit-confirm state directory's name on the device (one timer per feature)
    confirm_feature = None
    #: a short label of the change in the timer's records
    confirm_what = ""

    def recipe(self, plan):  # pylint: disable=unused-argument
        """Restore steps for the device-side commit-confirm timer; None: this backend has none."""
        return None

    def arm(self, plan):
        """Extra work before the change (the commit-confirm timer is armed by ``run``)."""

    def snapshot(self, plan):
        """Read what verify and rollback need from just before the change."""

    def apply(self, plan):
        raise NotImplementedError

    def realised(self, plan):  # pylint: disable=unused-argument
        return None

    def verify(self, plan, result):  # pylint: disable=unused-argument
        return None

    def rollback(self, plan, result):
        raise NotImplementedError

    def confirm(self, plan, result):
        """Make the change stick (save, disarm)."""


def wait_until(poll, done, timeout, interval=1.0, sleep=time.sleep, clock=time.monotonic):
    """Call ``poll()`` until ``done(value)`` holds or ``timeout`` seconds have passed, sleeping
    ``interval`` between polls; returns the last value. Polls at least once."""
    deadline = clock() + timeout
    while True:
        value = poll()
        if done(value) or clock() >= deadline:
            return value
        sleep(interval)


def _timer_status(backend, timer, check_mode):
    """Warnings about this device's commit-confirm timer of the backend's feature; raises
    :class:`StepFailed` while another run's timer is pending (read before anything else)."""
    try:
        state = timer.status(backend.confirm_feature)
    except rollback_timer.TimerError as exc:
        raise StepFailed("the commit-confirm state on the %s is unreadable, nothing was changed: %s"
                         % (backend.noun, exc)) from exc
    if state.get("pending"):
        raise StepFailed(rollback_timer.pending_message(backend.confirm_feature, state["pending"],
                                                        getattr(timer, "root", rollback_timer.STATE_ROOT)))
    if state.get("fired"):
        if not check_mode:
            timer.clear_fired(backend.confirm_feature)
        return [rollback_timer.fired_warning(state["fired"])]
    return []


def _arm(backend, plan, timer, timeout, result):
    recipe = backend.recipe(plan)
    if not timer or not timeout or recipe is None or not backend.confirm_feature:
        return None
    try:
        armed = timer.arm(backend.confirm_feature, recipe, timeout, backend.confirm_what)
    except rollback_timer.TimerError as exc:
        raise StepFailed("%s; nothing was changed" % exc if "Nothing was changed" not in str(exc) else str(exc)) from exc
    except Exception as exc:  # pylint: disable=broad-except
        raise StepFailed("arming the commit-confirm timer on the %s failed, nothing was changed: %s"
                         % (backend.noun, exc)) from exc
    if armed.get("fired_before"):
        result.setdefault("warnings", []).append(rollback_timer.fired_warning(armed["fired_before"]))
    result["confirm"] = {"timeout": int(timeout), "armed": True, "confirmed": False, "id": armed["id"],
                         "feature": backend.confirm_feature, "armed_at": armed.get("armed_at_iso"),
                         "fires_at": armed.get("fires_at_iso"), "timer_pid": armed.get("pid"),
                         "deferred": bool(getattr(timer, "deferred", False))}
    return armed


def run(backend, check_mode=False, rollback=True, confirm_timeout=0, timer=None):
    """Drive ``backend`` through one transaction; returns the module result, or raises
    :class:`ChangeFailed` (with ``.result``) when an applied change failed.

    ``timer``: the device's commit-confirm timers (see the module docstring); ``confirm_timeout``
    seconds (0: commit-confirm off)."""
    warnings = []
    if timer is not None and getattr(timer, "local", False) and backend.confirm_feature:
        warnings = _timer_status(backend, timer, check_mode)
    plan = backend.plan(backend.gather())
    result = plan.result()
    if warnings:
        result["warnings"] = warnings
    if not plan.changed or check_mode:
        return result

    armed = None

    def disarm():
        """After the controller's own rollback: the timer has nothing left to do."""
        if not armed:
            return ""
        try:
            timer.disarm(backend.confirm_feature, armed["id"])
        except Exception as exc:  # pylint: disable=broad-except
            return ("; the commit-confirm timer could not be disarmed (%s): it restores the configuration from "
                    "before the change at %s anyway" % (exc, armed.get("fires_at_iso")))
        result["confirm"].update(armed=False, disarmed=True)
        return ""

    def undo(why):
        if not rollback:
            result["rolled_back"] = False
            note = disarm()
            raise ChangeFailed("%s; rollback disabled, the %s keeps the partial change%s" % (why, backend.noun, note),
                               result)
        try:
            restored = backend.rollback(plan, result)
        except Exception as exc:  # pylint: disable=broad-except
            result["rolled_back"] = False
            hint = backend.rollback_failed_hint or "The %s needs a look now." % backend.noun
            if armed:
                hint += (" The device-side commit-confirm timer stays armed: the %s restores the configuration "
                         "from before the change by itself at %s." % (backend.noun, armed.get("fires_at_iso")))
            raise ChangeFailed("%s; ROLLBACK FAILED too: %s. %s" % (why, exc, hint), result) from exc
        result["rolled_back"] = bool(restored)
        note = disarm()
        raise ChangeFailed("%s; rolled back to the previous configuration%s%s" % (
            why, "" if restored else " (but %s: check the %s)" % (backend.not_restored, backend.noun), note), result)

    armed = _arm(backend, plan, timer, confirm_timeout, result)
    if armed is None and timer is not None:
        result["confirm"] = {"timeout": int(confirm_timeout or 0), "armed": False, "confirmed": False}
    backend.arm(plan)
    backend.snapshot(plan)
    try:
        backend.apply(plan)
    except StepFailed as exc:
        undo(str(exc))
    except Exception as exc:  # pylint: disable=broad-except
        undo("%s: %s" % (backend.refused, exc))
    why = backend.realised(plan)
    if why:
        undo(why)
    why = backend.verify(plan, result)
    if why:
        undo(why)
    if armed and not getattr(timer, "deferred", False):
        try:
            confirmed = timer.confirm(backend.confirm_feature, armed["id"])
        except Exception as exc:  # pylint: disable=broad-except
            raise ChangeFailed("the change is applied and verified but the commit-confirm did not reach the %s: %s. "
                               "Unless confirmed by %s the %s restores the configuration from before the change "
                               "(and the next run reports it)" % (backend.noun, exc, armed.get("fires_at_iso"),
                                                                  backend.noun), result) from exc
        result["confirm"].update(armed=False, confirmed=True, confirmed_at=confirmed.get("confirmed_at"))
    try:
        backend.confirm(plan, result)
    except StepFailed as exc:
        raise ChangeFailed(str(exc), result) from exc
    except Exception as exc:  # pylint: disable=broad-except
        raise ChangeFailed("the change is applied and verified but confirming it failed: %s" % exc, result) from exc
    return result
