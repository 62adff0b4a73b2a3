# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""BGP partner peering on FRR: plan the change for a resource-module state against the running
config, the commands that undo it, and what is shown of both (passwords masked)."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

from ....core.clitree import Node, trees_equal
from ....core.secrets import MASK, mask_text
from .dialect import DIALECT
from .parse import extract_scope, owned_neighbors, router_asn
from .render import render_tree

STATES = ("merged", "replaced", "overridden", "deleted")


class PlanError(ValueError):
    """The change cannot be planned safely (names the field and the fix)."""


class Plan:
    """What a run will do: commands, before/after of the owned scope, and the expected result."""

    def __init__(self, commands, before, expected, names, peers, include_globals, announce):
        self.commands = commands
        self.before = before
        self.expected = expected
        self.names = names
        self.peers = peers
        self.include_globals = include_globals
        self.announce = announce

    @property
    def changed(self):
        return bool(self.commands)

    def scope_of(self, running_text):
        return extract_scope(DIALECT.parse(running_text), self.names, self.peers, self.include_globals, self.announce)

    def realised(self, running_text):
        """True when the device's owned scope is exactly what the plan predicted."""
        return trees_equal(self.scope_of(running_text), self.expected)


def plan(running_text, config, state):
    """Plan ``state`` for the normalised device ``config`` against ``running_text``."""
    if state not in STATES:
        raise PlanError("state %s cannot be planned; use one of %s" % (state, ", ".join(STATES)))
    running = DIALECT.parse(running_text)
    asn = router_asn(running)[0]
    if asn is not None and config.get("asn") is not None and asn != config["asn"]:
        raise PlanError(
            "bgp.asn: the router runs 'router bgp %d' but the intent says %d. Changing a router's own "
            "ASN drops every session: do it in a maintenance window by hand, or fix bgp.asn."
            % (asn, config["asn"]))
    if config.get("asn") is None:
        config = dict(config, asn=asn)
    intended_names = {p["name"] for p in config["partners"]}
    peers = {s["peer_address"] for p in config["partners"] for s in p["sessions"]}
    if state == "overridden":
        names = None
    elif state == "deleted":
        names = intended_names or None
    else:
        names = intended_names
    include_globals = state != "deleted"
    if state == "deleted":
        owners = owned_neighbors(running, names)
        peers = set(owners)
        wanted = []
        router_line = "router bgp %d" % asn if asn is not None else None
        if router_line:
            wanted = [Node(router_line, [])]
    else:
        wanted = render_tree(config, include_globals)
    current = extract_scope(running, names, peers, include_globals, config.get("announce") or ())
    if state == "deleted" and not current:
        wanted = []
    remove = state != "merged"
    phase_a, phase_b = _frr_negations(DIALECT.diff(current, wanted, remove=remove))
    expected = DIALECT.merge(current, wanted) if not remove else wanted
    expected = [n for n in expected if n.children or not n.line.startswith("router bgp") or current]
    return Plan(phase_a + phase_b, current, expected, names, peers, include_globals, config.get("announce") or ())


def rollback_commands(plan_, running_text):
    """Commands that put the owned scope back the way it was before the change."""
    now = plan_.scope_of(running_text)
    phase_a, phase_b = _frr_negations(DIALECT.diff(now, plan_.before, remove=True))
    return phase_a + phase_b


# FRR 8.4 refuses 'no set as-path prepend <ASNs>' (% Unknown command) and takes 'no set as-path prepend'
_PREPEND_NEGATION_RE = re.compile(r"^(\s*)no set as-path prepend( \d+)+$")


def _frr_negations(phases):
    """The negations FRR accepts, in the commands of both phases."""
    return tuple([_PREPEND_NEGATION_RE.sub(r"\1no set as-path prepend", line) for line in phase] for phase in phases)


# -- secrets in what we show ----------------------------------------------------------------------
_PASSWORD_RE = re.compile(r"^(\s*neighbor (\S+) password )(\S.*)$", re.M)


def _passwords(text):
    return {m.group(2): m.group(3) for m in _PASSWORD_RE.finditer(text)}


def mask_passwords(text, compare_to=None):
    """Mask every BGP password; with ``compare_to`` mark the ones that differ from it as changed,
    so a password change still shows as a changed line in the diff without showing either value."""
    other = _passwords(compare_to) if compare_to is not None else {}

    def repl(match):
        peer, value = match.group(2), match.group(3)
        if compare_to is not None and peer in other and other[peer] != value:
            return match.group(1) + MASK + " (changed)"
        return match.group(1) + MASK
    return _PASSWORD_RE.sub(repl, text)


def mask_commands(commands):
    return [mask_text(line) for line in commands]


def display(plan_):
    """Masked before/after texts of the owned scope for Ansible's --diff."""
    before = DIALECT.render(plan_.before)
    after = DIALECT.render(plan_.expected)
    return mask_passwords(before), mask_passwords(after, compare_to=before)
