# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Grace: a known, approved drift may stand until a date (the ``compliance_grace`` variable).

Each entry: ``check`` (a check id, or a shell-style pattern such as ``hgw1.vrrp.*``), ``until``
(YYYY-MM-DD, the last day the grace holds), ``reason`` and ``approved_by`` (all required).
:func:`parse` refuses a bad entry with an error naming the field and the fix; :func:`apply` turns a
failing check a valid grace covers into ``waived`` and adds one check per entry: an expired grace fails
(the run fails), so it has to be renewed or removed.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import fnmatch

from . import checks as ck
from ..core.policy import parse_date

VAR = "compliance_grace"
FIELDS = ("check", "until", "reason", "approved_by")


class GraceError(ValueError):
    """A grace entry that cannot be used; the message names the field and the fix."""


def _date(value, where):
    try:
        return parse_date(value)
    except ValueError:
        raise GraceError("%s.until: %r is not a date. Fix: write the last day of the grace as YYYY-MM-DD, e.g. 2027-03-31"
                         % (where, value)) from None


def parse(entries):
    """The checked entries: [{check, until (date), reason, approved_by}]. Raises :class:`GraceError`."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise GraceError("%s: expected a list of {check, until, reason, approved_by}, got %s. Fix: write a YAML list"
                         % (VAR, type(entries).__name__))
    out = []
    for index, entry in enumerate(entries):
        where = "%s[%d]" % (VAR, index)
        if not isinstance(entry, dict):
            raise GraceError("%s: expected a mapping {check, until, reason, approved_by}, got %s" % (where, type(entry).__name__))
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise GraceError("%s.%s: unknown field. Fix: use only %s" % (where, unknown[0], ", ".join(FIELDS)))
        for key in FIELDS:
            value = entry.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise GraceError("%s.%s: is missing or empty. Fix: set %s" % (where, key, {
                    "check": "the check id or a pattern, e.g. hgw1.vrrp.drift or hgw1.vrrp.*",
                    "until": "the last day of the grace, YYYY-MM-DD",
                    "reason": "why the drift may stand",
                    "approved_by": "the change or risk ticket, e.g. CHG-123456"}[key]))
            if key != "until" and not isinstance(value, str):
                raise GraceError("%s.%s: expected a string, got %s" % (where, key, type(value).__name__))
        out.append({"check": entry["check"].strip(), "until": _date(entry["until"], where),
                    "reason": entry["reason"].strip(), "approved_by": entry["approved_by"].strip(), "index": index})
    return out


def _matches(pattern, check_id):
    return pattern == check_id or fnmatch.fnmatchcase(check_id, pattern)


def apply(checks, entries, today):
    """Apply parsed grace ``entries`` to ``checks`` (in place) and return the grace checks to add."""
    used = {e["index"]: [] for e in entries}
    for check in checks:
        if check["status"] != "fail":
            continue
        for entry in entries:
            if not _matches(entry["check"], check["id"]):
                continue
            grace = {"until": entry["until"].isoformat(), "reason": entry["reason"], "approved_by": entry["approved_by"],
                     "pattern": entry["check"], "expired": entry["until"] < today}
            check["grace"] = grace
            if entry["until"] < today:
                check["message"] = "%s (grace %s expired on %s)" % (check["message"], entry["approved_by"], grace["until"])
            else:
                check["status"] = "waived"
                check["message"] = "%s (grace %s until %s: %s)" % (
                    check["message"], entry["approved_by"], grace["until"], entry["reason"])
                used[entry["index"]].append(check["id"])
            break
    out = []
    for entry in entries:
        expired = entry["until"] < today
        evidence = {"check": entry["check"], "until": entry["until"].isoformat(), "reason": entry["reason"],
                    "approved_by": entry["approved_by"], "covers": used[entry["index"]]}
        if expired:
            status, msg = "fail", "grace %s for %s expired on %s: meet the intent, or renew the approval with a new until" % (
                entry["approved_by"], entry["check"], entry["until"].isoformat())
        else:
            status, msg = "pass", "grace %s for %s until %s covers %d failing check(s)" % (
                entry["approved_by"], entry["check"], entry["until"].isoformat(), len(used[entry["index"]]))
        out.append(ck.make(ck.FLEET, "compliance", "grace", "grace[%d]" % entry["index"], status, msg, evidence))
    return out
