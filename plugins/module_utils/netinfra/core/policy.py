# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet-wide intent policy (``netinfra_policy``), the ``fleet_policy`` option every feature
module takes, and dated exceptions ("waivers": reason, approver, expiry) shared by every feature
that allows one (crypto exceptions, bogon accept exceptions, ...).

Plain Python, no Ansible import, Python 3.9 compatible.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime

from . import schema as sch
from . import values

ENVIRONMENTS = ("production", "staging", "lab")

NETINFRA_POLICY = {
    "environment": sch.Field(
        "str", "production, staging or lab", choices=ENVIRONMENTS, default="production",
        description=["What this inventory describes. In C(production) documentation and benchmarking address space "
                     "(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15, 2001:db8::/32) is refused in "
                     "partner accept lists like any other bogon; C(staging) and C(lab) allow it."]),
    "secrets_must_be_vaulted": sch.Field(
        "bool", "true or false", default=False,
        description=["A secret (BGP password, pre-shared key, private key) given in clear text in the inventory "
                     "rather than from ansible-vault or a lookup is a warning; with C(true) it is an error."]),
}
NETINFRA_POLICY_VAR = sch.Field("dict", "a mapping with environment and secrets_must_be_vaulted",
                                fields=NETINFRA_POLICY, description="The fleet-wide intent policy (docs/intent.md).")


def fleet_policy_field(names):
    """The ``fleet_policy`` option of a feature module: the fleet policy variables it is checked against."""
    return sch.Field(
        "dict", "a mapping of fleet policy variable names to their values",
        description=["The fleet policy this device's config is checked against, exactly as C(validate_intent) reads "
                     "it: the variables %s." % ", ".join("C(%s)" % n for n in names),
                     "The action plugin fills each one the task leaves out from the variable of the same name, so the "
                     "module and the fleet validator apply the same policy. Unset variables take their defaults "
                     "(docs/intent.md)."])


# ---------------------------------------------------------------------------------------------------
# waivers: approved, dated exceptions to a policy

WAIVER_FIELDS = {
    "reason": sch.Field("str", "why the policy cannot be met, and until when", required=True, max_len=500,
                        description="Why the exception is needed."),
    "approved_by": sch.Field("str", "the change or risk ticket that approved it, e.g. CHG-123456", required=True,
                             max_len=100, description="The change or risk ticket that approved it."),
    "expires": sch.Field("date", "a date like 2027-03-31", doc_type="date",
                         description="Date (YYYY-MM-DD) after which the exception is refused."),
}


def parse_date(value):
    """A ``datetime.date`` from a YAML date or a ``YYYY-MM-DD`` string; ``ValueError`` otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.datetime.strptime(value.strip(), "%Y-%m-%d").date()
        except ValueError:
            pass
    raise ValueError("%r is not a date like 2027-03-31" % (value,))


class Waiver:
    """A checked waiver: ``usable`` when it may allow what it covers (not expired, complete)."""

    __slots__ = ("usable", "reason", "approved_by", "expires", "expired")

    def __init__(self, usable, reason, approved_by, expires, expired):
        self.usable, self.reason, self.approved_by = usable, reason, approved_by
        self.expires, self.expired = expires, expired

    def until(self):
        return "until %s" % self.expires.isoformat() if self.expires else "with no expiry date"


def check_waiver(value, host, path, report, today, label, allows="", fields=None):
    """Check one waiver at ``path``; report problems; return a :class:`Waiver` (or None when it is
    not even a mapping). An expired one is an error naming what it allowed; the caller reports the
    usable one as a warning (every run shows it)."""
    fields = fields or WAIVER_FIELDS
    if not isinstance(value, dict):
        report.error(host, path, "%s is %s, expected a mapping" % (label, values.type_name(value)),
                     "write {reason: ..., approved_by: CHG-..., expires: YYYY-MM-DD}")
        return None
    sub = sch.check_object(value, fields, host, path, report)
    # every required field (reason, approved_by; expires where the feature requires a date) must be usable
    usable = all(key in sub for key, field in fields.items() if field.required)
    for key in ("reason", "approved_by"):
        if key in sub and not sub[key].strip():
            report.error(host, "%s.%s" % (path, key), "%s is empty" % key, "set %s to %s" % (key, fields[key].what))
            usable = False
    expires = None
    if value.get("expires") is not None:
        try:
            expires = parse_date(value["expires"])
        except ValueError:
            report.error(host, path + ".expires", "expires %s is not a date" % values.show(value["expires"]),
                         "write the date as YYYY-MM-DD, e.g. 2027-03-31")
            usable = False
    expired = expires is not None and expires < today
    if expired:
        approval = " (%s)" % sub["approved_by"] if sub.get("approved_by") else ""
        report.error(host, path + ".expires", "%s%s expired on %s%s"
                     % (label, approval, expires.isoformat(), "; it allowed %s" % allows if allows else ""),
                     "meet the policy, or renew the approval and set a new expires")
        usable = False
    return Waiver(usable, sub.get("reason"), sub.get("approved_by"), expires, expired)
