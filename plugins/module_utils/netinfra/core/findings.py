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


GROUP_AT = 4  # this many hosts with the same finding (field, message, fix) print as one line
SHOW_HOSTS = 5  # hosts named on a grouped line before "and N more"
MAX_LINES = 60  # finding lines shown; the rest are counted (every finding stays in the result's findings)


def _bucket(findings, key):
    groups = {}
    for finding in findings:
        groups.setdefault(key(finding), []).append(finding)
    return groups


def _hosts_text(members):
    hosts = []
    for finding in members:
        if finding.host not in hosts:
            hosts.append(finding.host)
    shown = ", ".join(hosts[:SHOW_HOSTS]) + (" and %d more" % (len(hosts) - SHOW_HOSTS) if len(hosts) > SHOW_HOSTS else "")
    return "%d hosts (%s)" % (len(hosts), shown)


def _grouped(findings, label):
    """Lines for ``findings`` (one severity), in the order of their first host. A finding several hosts
    share (same field, file, message and fix, as a fleet-wide default makes it) is one line naming the
    first hosts and the count; so is, with its first message as the example, a finding whose message
    differs by host but whose field, file and fix are the same. The rest: one line each."""
    exact = _bucket(findings, lambda f: (f.field, f.file, f.message, f.fix))
    alike = _bucket([f for f in findings if len(exact[(f.field, f.file, f.message, f.fix)]) < GROUP_AT],
                    lambda f: (f.field, f.file, f.fix))
    lines = []
    done = set()
    for finding in findings:
        one = (finding.field, finding.file, finding.message, finding.fix)
        similar = (finding.field, finding.file, finding.fix)
        if len(exact[one]) >= GROUP_AT:
            if one not in done:
                done.add(one)
                lines.append("%s %s: %s" % (label, _hosts_text(exact[one]), str(finding).split(": ", 1)[1]))
        elif len(alike.get(similar, ())) >= GROUP_AT:
            if similar not in done:
                done.add(similar)
                members = alike[similar]
                head = Finding(finding.host, finding.field, "%s (%d like it on the others)"
                               % (finding.message.rstrip("."), len(members) - 1), finding.fix, finding.severity, finding.file)
                lines.append("%s %s: %s" % (label, _hosts_text(members), str(head).split(": ", 1)[1]))
        else:
            lines.append("%s %s" % (label, finding))
    return lines


def format_findings(findings, changed_nothing="no device was changed"):
    """One line a finding, errors first, then a count line; '' when there is nothing to say.

    At fleet scale the same finding on many hosts is one line (:data:`GROUP_AT`), and at most
    :data:`MAX_LINES` lines are shown, errors first, with the count of the rest."""
    if not findings:
        return ""
    errs = [f for f in findings if f.severity == ERROR]
    warns = [f for f in findings if f.severity != ERROR]
    lines = _grouped(errs, "ERROR") + _grouped(warns, "WARNING")
    if len(lines) > MAX_LINES:
        rest = len(lines) - MAX_LINES
        lines = lines[:MAX_LINES] + ["... and %d more line%s of findings (every finding is in the task result's "
                                     "findings: register it, or run with -v)" % (rest, "" if rest == 1 else "s")]
    summary = "%d error%s, %d warning%s in the intent" % (
        len(errs), "" if len(errs) == 1 else "s", len(warns), "" if len(warns) == 1 else "s")
    if errs:
        summary += "; %s. Fix the errors and run again" % changed_nothing
    lines.append(summary)
    return "\n".join(lines)
