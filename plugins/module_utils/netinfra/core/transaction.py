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
    Issue 14 arms a device-side commit-confirm timer here (the device restores itself when the
    confirm never comes). A no-op today.
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
    Make the verified change stick (save; issue 14: disarm the timer). A failure here is reported,
    never rolled back: the running state is the verified one.

Exceptions raised by ``gather``, ``plan``, ``snapshot``, ``realised`` and ``verify`` propagate as they
are (a backend turns its own into a ``why`` where it wants a rollback).
No Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import time


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

    def arm(self, plan):
        """Issue 14: arm a device-side commit-confirm timer. Deliberately a no-op today."""

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


def run(backend, check_mode=False, rollback=True):
    """Drive ``backend`` through one transaction; returns the module result, or raises
    :class:`ChangeFailed` (with ``.result``) when an applied change failed."""
    plan = backend.plan(backend.gather())
    result = plan.result()
    if not plan.changed or check_mode:
        return result

    def undo(why):
        if not rollback:
            result["rolled_back"] = False
            raise ChangeFailed("%s; rollback disabled, the %s keeps the partial change" % (why, backend.noun), result)
        try:
            restored = backend.rollback(plan, result)
        except Exception as exc:  # pylint: disable=broad-except
            result["rolled_back"] = False
            hint = backend.rollback_failed_hint or "The %s needs a look now." % backend.noun
            raise ChangeFailed("%s; ROLLBACK FAILED too: %s. %s" % (why, exc, hint), result) from exc
        result["rolled_back"] = bool(restored)
        raise ChangeFailed("%s; rolled back to the previous configuration%s" % (
            why, "" if restored else " (but %s: check the %s)" % (backend.not_restored, backend.noun)), result)

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
    try:
        backend.confirm(plan, result)
    except StepFailed as exc:
        raise ChangeFailed(str(exc), result) from exc
    except Exception as exc:  # pylint: disable=broad-except
        raise ChangeFailed("the change is applied and verified but confirming it failed: %s" % exc, result) from exc
    return result
