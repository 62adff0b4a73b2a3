# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Commit-confirm options shared by every change module (issue 14): the ``confirm_timeout`` field
and its check against the verify timeout.

The timer itself is ``devices/rollback_timer.py``; the transaction core arms, confirms and disarms
it (``core/transaction.py``). No Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from .findings import Finding
from .schema import Field

DEFAULT_TIMEOUT = 120
#: seconds the timer must outlast the verification by: the change's apply, the read-back, the
#: controller's new connection that confirms, all on a loaded controller
MARGIN = 15


def confirm_timeout_field(verify_timeout=None):
    """The ``confirm_timeout`` option of a change module (``verify_timeout``: what its verify waits, for
    the doc; None when verify does not wait)."""
    waits = ("I(verify_timeout) + %d s" % MARGIN) if verify_timeout else "%d s" % MARGIN
    return Field("int", "seconds, 0 (off) or at least %s" % waits, default=DEFAULT_TIMEOUT, low=0, high=86400,
                 unit="seconds",
                 description=["Device-side commit-confirm: before a change the device arms a detached timer that "
                              "restores the configuration from before the change after this many seconds unless the "
                              "run confirms it, after verification, over a new connection from the controller. It "
                              "protects against a change that cuts the management path and against a controller "
                              "that dies mid-run. C(0) turns it off. Must be at least %s." % waits,
                              "Check mode and no-op runs never arm. A pending timer of another run fails the task "
                              "before anything is changed; a timer that fired is reported as a warning."])


def check_timeout(host, confirm_timeout, verify_timeout=0, field="confirm_timeout"):
    """A Finding when ``confirm_timeout`` does not outlast the verification by :data:`MARGIN`; else None."""
    if not confirm_timeout:
        return None
    need = int(verify_timeout or 0) + MARGIN
    if int(confirm_timeout) < need:
        what = ("the verification waits up to %ds (verify_timeout), and the confirm comes after it"
                % verify_timeout if verify_timeout else "the confirm comes after the apply and the read-back")
        return Finding(host or "localhost", field,
                       "%ds is too short: %s, so the device would roll a good change back before the run can "
                       "confirm it (at least %ds needed)" % (int(confirm_timeout), what, need),
                       "set %s to %d or more (or 0 to turn commit-confirm off), or lower verify_timeout"
                       % (field, max(need, DEFAULT_TIMEOUT) if need > DEFAULT_TIMEOUT else need))
    return None
