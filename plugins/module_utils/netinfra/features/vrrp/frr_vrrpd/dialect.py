# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VRRP's contribution to the FRR config-tree dialect (see core/clitree.py), in FRR 8.4's canonical
form: ``vrrp 5 version 3`` prints as ``vrrp 5``; defaults (priority 100, advertisement-interval
1000, preempt) are not printed; the order inside ``interface X`` is ``vrrp N``, priority,
``no ... preempt``, advertisement-interval, ``ip``, ``ipv6``.

- single-valued: ``vrrp N`` (its version), priority, advertisement-interval, preempt, shutdown;
- container: ``interface X`` (never removed whole: other features own lines there);
- a removed group is one ``no vrrp N``, not one ``no`` per line it had.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

from ....core.clitree import Collapse, Rules
from ....devices.vtysh import frr_dialect

VRRP_RE = re.compile(r"^(?:no )?vrrp (\d+)\b")
ANCHOR_RE = re.compile(r"^vrrp (\d+)(?: version \d)?$")
SINGLE = (
    (ANCHOR_RE, "vrrp {0}"),
    (re.compile(r"^(?:no )?vrrp (\d+) (preempt|shutdown)$"), "vrrp {0} {1}"),
    (re.compile(r"^vrrp (\d+) (priority|advertisement-interval) "), "vrrp {0} {1}"),
)
CONTAINERS = (re.compile(r"^interface \S+$"),)
_SUB = (("priority", 1), ("preempt", 2), ("no preempt", 2), ("shutdown", 3), ("advertisement-interval", 4),
        ("ip ", 5), ("ipv6 ", 6))


def display_order(line):
    match = VRRP_RE.match(line)
    if match:
        rest = line[match.end():].strip()
        negated = line.startswith("no ")
        sub = 0
        for prefix, rank in _SUB:
            if rest.startswith(prefix.strip()) and (prefix.endswith(" ") is False or rest.startswith(prefix)):
                sub = rank
                break
        if negated and rest == "preempt":
            sub = 2
        return (5, (int(match.group(1)),), sub, line)
    if line.startswith("interface "):
        return (3, (line.split()[1],), 0, line)
    return None


RULES = Rules("vrrp", single=SINGLE, containers=CONTAINERS, order=display_order,
              collapse=[Collapse(block=re.compile(r"^interface "), member=VRRP_RE, anchor=ANCHOR_RE,
                                 command="no vrrp {0}", sort_key=int)])
DIALECT = frr_dialect(RULES)


def send_form(line):
    """The command that makes a canonical line: ``vrrp N`` is sent as ``vrrp N version 3``."""
    stripped = line.strip()
    if re.match(r"^vrrp \d+$", stripped):
        return line + " version 3"
    return line
