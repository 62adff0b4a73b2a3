# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network resource-module states every feature module offers, and the empty-intent guard.

Plain Python, no Ansible import, Python 3.9 compatible.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from .schema import Field

STATES = ("merged", "replaced", "overridden", "deleted", "rendered", "parsed", "gathered")
CHANGING = ("merged", "replaced", "overridden", "deleted")
NEEDS_CONFIG = ("merged", "replaced", "overridden", "rendered")
# states that remove what the intent does not hold: empty intent there means "remove everything"
DESTRUCTIVE_WHEN_EMPTY = ("replaced", "overridden")

RESOURCE_STATE = Field(
    "str", "one of %s" % ", ".join(STATES), choices=STATES, default="merged",
    description=["C(merged) adds and updates and never removes.",
                 "C(replaced) makes each item in I(config) exactly as given; other items are left alone.",
                 "C(overridden) is C(replaced), and it also removes every item the device has that is not in I(config).",
                 "C(deleted) removes the items named in I(config), or every item we own when none are named.",
                 "C(rendered) returns the device configuration for I(config) without touching a device.",
                 "C(parsed) reads I(running_config) offline. C(gathered) reads the device."])
STATE_REQUIRED_IF = [("state", state, ("config",)) for state in NEEDS_CONFIG] + [("state", "parsed", ("running_config",))]


def role_state_field(module, what):
    """A role's ``<role>_state`` variable: the changing states of ``module``, ``replaced`` by default."""
    return RESOURCE_STATE.replace(
        default="replaced", choices=CHANGING,
        description=["Resource-module state passed to C(paynet.netinfra.%s)." % module,
                     "C(replaced): the listed partners' %s exactly as intended, others untouched (onboarding). "
                     "C(overridden): also remove the %s the device has that the intent does not (site build-out)."
                     % (what, what)])


def allow_empty_field(what):
    return Field("bool", "true or false", default=False,
                 description=["Allow C(replaced) or C(overridden) with no %s in I(config). Without it such a run is "
                              "refused before the device is touched: empty intent usually means intent that did not "
                              "load (an emptied or mis-named partner file, a vars plugin that is not enabled), and "
                              "C(overridden) would then remove every %s the device has." % (what, what.rstrip("s"))])


def empty_intent_problem(state, items, allow_empty, what, host=None):
    """The refusal of a replaced/overridden run with no ``what`` in its config, or None."""
    if state not in DESTRUCTIVE_WHEN_EMPTY or items or allow_empty:
        return None
    where = "%s: " % host if host else ""
    effect = ("would remove every %s the device has" % what.rstrip("s") if state == "overridden"
              else "would change only device-wide settings")
    return ("%sconfig.%s is empty with state=%s: this %s, and empty intent usually means intent that did not load "
            "(an emptied or mis-named partner file, the paynet.netinfra.partners vars plugin not enabled, an inventory "
            "passed without its partners/ directory). Nothing was changed. Fix: check that the intent loaded "
            "(ansible-playbook playbooks/validate.yml), or set allow_empty: true if the device really must hold no %s"
            % (where, what, state, effect, what))
