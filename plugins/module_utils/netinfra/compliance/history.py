# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""History: when each check's state last changed, from the previous run's JSON report.

A check whose status equals its status in the previous report keeps that report's ``since``; a new
check, or one whose status changed, starts ``since`` now. ``previous_status`` is what it was (None for
a new check). So a failing check says since when it has drifted, a passing one since when it complies.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import json


def load(path):
    """{id: {status, since}} from a previous JSON report at ``path``; {} when absent or unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    out = {}
    for check in data.get("checks") or [] if isinstance(data, dict) else []:
        if isinstance(check, dict) and isinstance(check.get("id"), str):
            out[check["id"]] = {"status": check.get("status"), "since": check.get("since")}
    return out


def apply(checks, previous, now):
    """Set ``since`` and ``previous_status`` on each check (in place). ``now``: an ISO timestamp."""
    for check in checks:
        before = previous.get(check["id"])
        check["previous_status"] = before["status"] if before else None
        if before and before.get("status") == check["status"] and before.get("since"):
            check["since"] = before["since"]
        else:
            check["since"] = now
    return checks
