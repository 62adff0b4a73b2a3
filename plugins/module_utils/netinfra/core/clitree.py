# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A CLI running-config as a tree, and the line-level diff that turns one tree into another.

The text has one space of indentation per level and closes blocks with an exit line. A ``Node`` is
one line with its children. What a command means for the diff comes from a :class:`Dialect`: the
platform's framing (lines to skip) plus the :class:`Rules` each feature contributes, composed in order:

- single-valued commands: a new value replaces the old one, so no ``no`` line is sent (and, for
  BGP, the session does not flap);
- container blocks (``router bgp``, ``interface X``): never removed with ``no <header>``, their lines
  are removed one by one; other blocks (``route-map NAME permit 10``) are objects removed whole;
- exit lines per block, display order, the order of whole-object removals;
- collapses: an object inside a block removed with one command (``no neighbor X``) instead of one
  ``no`` per line it had.

A feature adds its own :class:`Rules` without touching another's: ``dialect.extend(rules)``.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DEFAULT_RANK = 9


class Node:
    """One configuration line and the lines nested under it."""

    __slots__ = ("line", "children")

    def __init__(self, line, children=None):
        self.line = line
        self.children = list(children or [])

    def __repr__(self):
        return "Node(%r, %d children)" % (self.line, len(self.children))


def canonical(node):
    """Order-insensitive, hashable form of a node (for verification)."""
    return (node.line, frozenset(canonical(c) for c in node.children))


def trees_equal(left, right):
    return frozenset(canonical(n) for n in left) == frozenset(canonical(n) for n in right)


def negate(line):
    return line[3:] if line.startswith("no ") else "no " + line


class Collapse:
    """Objects inside a block (``block`` matches its header) that are removed with one command.

    ``member`` matches every line of an object (group 1: the object's key), ``anchor`` the lines
    that make it exist (group 1: the key). An object anchored in the current block and not in the
    wanted one is removed with ``command.format(key)``, sent first in the block, and none of its
    lines is removed one by one (at any depth). ``sort_key`` orders the keys.
    """

    def __init__(self, block, member, anchor, command, sort_key=None):
        self.block = block
        self.member = member
        self.anchor = anchor
        self.command = command
        self.sort_key = sort_key

    def keys(self, nodes):
        return {m.group(1) for m in (self.anchor.match(n.line) for n in nodes) if m}

    def owns(self, line, key):
        match = self.member.match(line)
        return bool(match and match.group(1) == key)


class Rules:
    """One feature's contribution to a dialect.

    ``single``: (regex, key template) pairs, the key formatted with the match's groups;
    ``containers``: regexes of block headers that are never removed whole;
    ``block_exits``: {first word of a header: its exit line} where it is not the dialect's default;
    ``order``: line -> display sort key ``(rank, group tuple, seq int, line)``, or None when the
    line is not this feature's (others sort after, by rank 9 and text);
    ``removal_order``: negated top-level line -> int (lower goes first; default 1), or None;
    ``collapse``: :class:`Collapse` rules.
    """

    def __init__(self, name, single=(), containers=(), block_exits=None, order=None, removal_order=None,
                 collapse=()):
        self.name = name
        self.single = tuple(single)
        self.containers = tuple(containers)
        self.block_exits = dict(block_exits or {})
        self.order = order
        self.removal_order = removal_order
        self.collapse = tuple(collapse)

    def __repr__(self):
        return "Rules(%r)" % self.name


def _first(functions, line, default):
    for function in functions:
        value = function(line)
        if value is not None:
            return value
    return default


class Dialect:
    """A platform's framing plus the features' rules: parse, render, merge and diff trees."""

    def __init__(self, skip_lines=(), skip_prefixes=(), rules=(), default_exit="exit"):
        self.skip_lines = tuple(skip_lines)
        self.skip_prefixes = tuple(skip_prefixes)
        self.rules = tuple(rules)
        self.default_exit = default_exit
        self._single = [pair for r in self.rules for pair in r.single]
        self._containers = [regex for r in self.rules for regex in r.containers]
        self._exits = {}
        for r in reversed(self.rules):  # the first contribution wins
            self._exits.update(r.block_exits)
        self._order = [r.order for r in self.rules if r.order]
        self._removal_order = [r.removal_order for r in self.rules if r.removal_order]
        self._collapse = [c for r in self.rules for c in r.collapse]

    def extend(self, *rules):
        """This dialect with more features' rules after its own (its own are unchanged)."""
        return Dialect(self.skip_lines, self.skip_prefixes, self.rules + tuple(rules), self.default_exit)

    # -- reading and writing text ------------------------------------------------------------------
    def parse(self, text):
        """Running-config text -> list of top-level Nodes."""
        root = Node("")
        stack = [(-1, root)]
        for raw in text.splitlines():
            line = raw.rstrip()
            stripped = line.strip()
            if not stripped or stripped in self.skip_lines or stripped.startswith(self.skip_prefixes):
                continue
            indent = len(line) - len(line.lstrip(" "))
            while stack[-1][0] >= indent:
                stack.pop()
            node = Node(stripped)
            stack[-1][1].children.append(node)
            stack.append((indent, node))
        return root.children

    def sort_key(self, node):
        return _first(self._order, node.line, (DEFAULT_RANK, (), 0, node.line))

    def sort_tree(self, nodes):
        return [Node(n.line, self.sort_tree(n.children)) for n in sorted(nodes, key=self.sort_key)]

    def render(self, nodes, indent=0):
        """Tree -> running-config style text (in display order)."""
        out = []
        for node in self.sort_tree(nodes):
            out.append(" " * indent + node.line)
            if node.children:
                out.extend(self.render(node.children, indent + 1).splitlines())
                out.append(" " * indent + self.exit_for(node.line))
        return "\n".join(out) + ("\n" if out and indent == 0 else "")

    def exit_for(self, header):
        return self._exits.get(header.split()[0], self.default_exit)

    # -- what a line means -------------------------------------------------------------------------
    def line_key(self, line):
        """Identity of a line: its single-valued key, or the line itself."""
        for regex, template in self._single:
            match = regex.match(line)
            if match:
                return template.format(*match.groups())
        return line

    def is_container(self, line):
        return any(regex.match(line) for regex in self._containers)

    # -- merge and diff ----------------------------------------------------------------------------
    def merge(self, current, wanted):
        """What the device holds after ``merged``: wanted lines win, nothing is removed."""
        by_key = {}
        result = []
        for node in current:
            copy = Node(node.line, node.children)
            by_key[self.line_key(node.line)] = copy
            result.append(copy)
        for node in wanted:
            key = self.line_key(node.line)
            existing = by_key.get(key)
            if existing is None:
                copy = Node(node.line, node.children)
                by_key[key] = copy
                result.append(copy)
            elif node.children or existing.children:
                existing.line = node.line
                existing.children = self.merge(existing.children, node.children)
            else:
                existing.line = node.line
        return result

    def diff(self, current, wanted, remove=True):
        """Commands that turn ``current`` into ``wanted`` (or into merge(current, wanted)).

        Returns ``(phase_a, phase_b)`` lists of indented command lines. Phase A adds and changes;
        inside a block it first removes the lines that go (``ebgp-multihop`` must go before
        ``ttl-security`` can come). Phase B removes top-level lines and whole objects after
        everything that referred to them has changed (a new prefix-list entry is in place before the
        old one goes; the rules' ``removal_order`` says which objects go first).
        """
        return self._diff(current, wanted, remove, (), True)

    def _diff(self, current, wanted, remove, gone, top):
        inner_removals, phase_b = [], []
        cur_by_key = {self.line_key(n.line): n for n in current}
        want_keys = {self.line_key(n.line) for n in wanted}
        if remove:
            for key, node in cur_by_key.items():
                if key in want_keys or any(rule.owns(node.line, k) for rule, k in gone):
                    continue
                if node.children and self.is_container(node.line):
                    sub_a, sub_b = self._diff(node.children, [], True, gone, False)
                    if sub_a or sub_b:
                        inner_removals.extend(self._wrap(node.line, sub_a + sub_b))
                elif top or node.children:
                    phase_b.append(negate(node.line))
                else:
                    inner_removals.append(negate(node.line))
        additions, blocks = [], []
        for node in wanted:
            cur = cur_by_key.get(self.line_key(node.line))
            if node.children or (cur is not None and cur.children):
                if cur is None:
                    blocks.extend(self._wrap(node.line, self._all_lines(node.children)))
                    continue
                collapsed = self._collapsed(cur, node, remove, gone)
                sub_a, sub_b = self._diff(cur.children, node.children, remove, tuple(gone) + tuple(collapsed), False)
                sub_a = [rule.command.format(key) for rule, key in collapsed] + sub_a
                if sub_a or sub_b:
                    blocks.extend(self._wrap(node.line, sub_a + sub_b))
            elif cur is None or cur.line != node.line:
                additions.append(node.line)
        phase_b.sort(key=lambda line: _first(self._removal_order, line, 1))
        return inner_removals + additions + blocks, phase_b

    def _collapsed(self, cur_block, want_block, remove, gone):
        """[(rule, key)] of the objects in ``cur_block`` that ``want_block`` no longer has."""
        if not remove:
            return []
        out = []
        for rule in self._collapse:
            if not rule.block.match(want_block.line):
                continue
            keys = rule.keys(cur_block.children) - rule.keys(want_block.children)
            out.extend((rule, key) for key in sorted(keys, key=rule.sort_key) if (rule, key) not in gone)
        return out

    def _wrap(self, header, lines):
        return [header] + [" " + line for line in lines] + [self.exit_for(header)]

    def _all_lines(self, nodes):
        out = []
        for node in nodes:
            if node.children:
                out.extend(self._wrap(node.line, self._all_lines(node.children)))
            else:
                out.append(node.line)
        return out
