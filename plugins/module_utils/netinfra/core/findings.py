# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings: one problem in the intent, naming the place (host), the field and the fix.

Every validator (the fleet's, and a module's check of its own input, which is the same validator
on a one-device view) reports through a :class:`Report` and returns :class:`Finding` objects.
Plain Python, no Ansible import, Python 3.9 compatible.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re
from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


def sentence(text):
    """``text`` stripped and ending with a full stop (unless it already ends a sentence)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


@dataclass(frozen=True)
class Finding:
    """One problem in the intent. ``host`` is an inventory hostname, ``partner:<name>``, ``policy``,
    ``partners`` or ``inventory``; ``file`` the reviewed file the field lives in, when known."""

    host: str
    field: str
    message: str
    fix: str = ""
    severity: str = ERROR
    file: str = ""

    def __str__(self):
        where = "%s (%s)" % (self.field, self.file) if self.file else self.field
        text = "%s: %s: %s" % (self.host, where, sentence(self.message))
        if self.fix:
            text += " Fix: %s" % sentence(self.fix)
        return text

    def to_dict(self):
        return asdict(self)

    def relabel(self, **changes):
        values = asdict(self)
        values.update(changes)
        return Finding(**values)


class Report:
    """Collects the findings of one validation run (no state outlives the call)."""

    def __init__(self):
        self.findings = []

    def error(self, host, field, message, fix=""):
        self.findings.append(Finding(host, field, message, fix, ERROR))

    def warning(self, host, field, message, fix=""):
        self.findings.append(Finding(host, field, message, fix, WARNING))


def _natural(text):
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def sort_key(finding):
    return (finding.host, _natural(finding.field), finding.severity != ERROR, finding.message)


def has_errors(findings):
    return any(f.severity == ERROR for f in findings)


def format_findings(findings, changed_nothing="no device was changed"):
    """One line a finding, errors first, then a count line; '' when there is nothing to say."""
    if not findings:
        return ""
    errs = [f for f in findings if f.severity == ERROR]
    warns = [f for f in findings if f.severity != ERROR]
    lines = ["ERROR %s" % f for f in errs] + ["WARNING %s" % f for f in warns]
    summary = "%d error%s, %d warning%s in the intent" % (
        len(errs), "" if len(errs) == 1 else "s", len(warns), "" if len(warns) == 1 else "s")
    if errs:
        summary += "; %s. Fix the errors and run again" % changed_nothing
    lines.append(summary)
    return "\n".join(lines)
