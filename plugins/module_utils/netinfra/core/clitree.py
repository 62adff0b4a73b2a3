# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""FRR running-config as a tree, and the line-level diff that turns one tree into another.

FRR prints its configuration with one space of indentation per level and closes blocks with
``exit``/``exit-address-family``. A ``Node`` is one line with its children. The diff knows which
FRR commands are single-valued (a new value replaces the old one, so no ``no`` line is sent and the
session does not flap) and which blocks are containers (``router bgp``, ``address-family``) versus
objects that are removed whole (``route-map NAME permit 10``).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress
import re

SKIP_LINES = ("!", "end", "exit", "exit-address-family", "exit-vrf", "exit-vni", "quit")
SKIP_PREFIXES = ("Building configuration", "Current configuration", "frr version", "frr defaults")

# Container blocks: never removed with "no <header>", their lines are removed one by one.
CONTAINER_RE = re.compile(r"^(router bgp \d+|address-family \S+( \S+)?)$")
BLOCK_EXIT = {"address-family": "exit-address-family"}

# Single-valued commands: (regex, key template). A new value replaces the old.
_SINGLE = [
    (re.compile(r"^(?:no )?neighbor (\S+) activate$"), "neighbor {0} activate"),
    (re.compile(r"^neighbor (\S+) (remote-as|description|password|update-source|timers connect|timers"
                r"|maximum-prefix|ebgp-multihop|ttl-security hops|local-as|port|advertisement-interval"
                r"|weight|allowas-in)\b"), "neighbor {0} {1}"),
    (re.compile(r"^neighbor (\S+) (route-map|prefix-list|filter-list) \S+ (in|out)$"), "neighbor {0} {1} {2}"),
    (re.compile(r"^bgp (router-id|cluster-id|confederation identifier)\b"), "bgp {0}"),
    (re.compile(r"^(ip|ipv6) prefix-list (\S+) seq (\d+) "), "{0} prefix-list {1} seq {2}"),
    (re.compile(r"^(match|set) (\S+(?: \S+)?(?: prefix-list)?) "), "{0} {1}"),
    (re.compile(r"^description "), "description"),
]


class Node:
    """One configuration line and the lines nested under it."""

    __slots__ = ("line", "children")

    def __init__(self, line, children=None):
        self.line = line
        self.children = list(children or [])

    def __repr__(self):
        return "Node(%r, %d children)" % (self.line, len(self.children))


def parse(text):
    """Running-config text -> list of top-level Nodes."""
    root = Node("")
    stack = [(-1, root)]
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped in SKIP_LINES or stripped.startswith(SKIP_PREFIXES):
            continue
        indent = len(line) - len(line.lstrip(" "))
        while stack[-1][0] >= indent:
            stack.pop()
        node = Node(stripped)
        stack[-1][1].children.append(node)
        stack.append((indent, node))
    return root.children


def line_key(line):
    """Identity of a line: its single-valued key, or the line itself."""
    for regex, template in _SINGLE:
        match = regex.match(line)
        if match:
            return template.format(*match.groups())
    return line


def negate(line):
    return line[3:] if line.startswith("no ") else "no " + line


def canonical(node):
    """Order-insensitive, hashable form of a node (for verification)."""
    return (node.line, frozenset(canonical(c) for c in node.children))


def trees_equal(left, right):
    return frozenset(canonical(n) for n in left) == frozenset(canonical(n) for n in right)


# -- display order ------------------------------------------------------------------------------
_NEIGHBOR_RE = re.compile(r"^(?:no )?neighbor (\S+) (.*)$")
_NEIGHBOR_ATTR_RANK = ["remote-as", "description", "shutdown", "bfd", "password", "ebgp-multihop",
                       "ttl-security", "update-source", "timers", "activate", "maximum-prefix",
                       "prefix-list", "route-map"]


def _addr_key(text):
    try:
        addr = ipaddress.ip_address(text)
        return (0, addr.version, addr.packed)
    except ValueError:
        return (1, 0, text.encode())


def _sort_key(node):
    line = node.line
    top_rank = [("ip route", 0), ("ipv6 route", 1), ("router bgp", 2), ("ip prefix-list", 3),
                ("ipv6 prefix-list", 4), ("route-map", 5)]
    rank = next((r for prefix, r in top_rank if line.startswith(prefix)), 9)
    match = _NEIGHBOR_RE.match(line)
    if match:
        attr = match.group(2).split()[0]
        attr_rank = _NEIGHBOR_ATTR_RANK.index(attr) if attr in _NEIGHBOR_ATTR_RANK else 99
        return (6, _addr_key(match.group(1)), attr_rank, line)
    if line.startswith("bgp "):
        return (4, (), 0, line)
    if line.startswith("network "):
        return (5, (), 0, line)
    if line.startswith("address-family"):
        return (8, (), 0, line)
    seq = re.match(r"^(ip|ipv6) prefix-list (\S+) seq (\d+)", line)
    if seq:
        return (rank, (seq.group(2),), int(seq.group(3)), line)
    rmap = re.match(r"^route-map (\S+) (permit|deny) (\d+)$", line)
    if rmap:
        return (rank, (rmap.group(1),), int(rmap.group(3)), line)
    return (rank, (), 0, line)


def sort_tree(nodes):
    return [Node(n.line, sort_tree(n.children)) for n in sorted(nodes, key=_sort_key)]


def render(nodes, indent=0):
    """Tree -> running-config style text (in display order)."""
    out = []
    for node in sort_tree(nodes):
        out.append(" " * indent + node.line)
        if node.children:
            out.extend(render(node.children, indent + 1).splitlines())
            out.append(" " * indent + _exit_for(node.line))
    return "\n".join(out) + ("\n" if out and indent == 0 else "")


def _exit_for(header):
    return BLOCK_EXIT.get(header.split()[0], "exit")


# -- merge and diff -------------------------------------------------------------------------------
def merge(current, wanted):
    """What the device holds after ``merged``: wanted lines win, nothing is removed."""
    by_key = {}
    result = []
    for node in current:
        copy = Node(node.line, node.children)
        by_key[line_key(node.line)] = copy
        result.append(copy)
    for node in wanted:
        key = line_key(node.line)
        existing = by_key.get(key)
        if existing is None:
            copy = Node(node.line, node.children)
            by_key[key] = copy
            result.append(copy)
        elif node.children or existing.children:
            existing.line = node.line
            existing.children = merge(existing.children, node.children)
        else:
            existing.line = node.line
    return result


def diff(current, wanted, remove=True, removed_neighbors=(), top=True):
    """Commands that turn ``current`` into ``wanted`` (or into merge(current, wanted)).

    Returns ``(phase_a, phase_b)`` lists of indented command lines. Phase A adds and changes; inside
    a block it first removes the lines that go (``ebgp-multihop`` must go before ``ttl-security``
    can come). Phase B removes top-level lines and whole objects after everything that referred to
    them has changed: a new prefix-list entry is in place before the old one goes, a route-map is
    dropped only after its neighbors stopped using it. Removing a neighbor is one ``no neighbor X``.
    """
    inner_removals, phase_b = [], []
    cur_by_key = {line_key(n.line): n for n in current}
    want_keys = {line_key(n.line) for n in wanted}
    if remove:
        for key, node in cur_by_key.items():
            if key in want_keys or _mentions(node.line, removed_neighbors):
                continue
            if node.children and CONTAINER_RE.match(node.line):
                sub_a, sub_b = diff(node.children, [], True, removed_neighbors, top=False)
                if sub_a or sub_b:
                    inner_removals.extend(_wrap(node.line, sub_a + sub_b))
            elif top or node.children:
                phase_b.append(negate(node.line))
            else:
                inner_removals.append(negate(node.line))
    additions, blocks = [], []
    for node in wanted:
        cur = cur_by_key.get(line_key(node.line))
        if node.children or (cur is not None and cur.children):
            if cur is None:
                blocks.extend(_wrap(node.line, _all_lines(node.children)))
                continue
            gone = ()
            if node.line.startswith("router bgp"):
                gone = tuple(a for a in _removed_neighbor_addrs(cur, node, remove) if a not in removed_neighbors)
            sub_a, sub_b = diff(cur.children, node.children, remove, tuple(removed_neighbors) + gone, top=False)
            sub_a = ["no neighbor %s" % a for a in gone] + sub_a
            if sub_a or sub_b:
                blocks.extend(_wrap(node.line, sub_a + sub_b))
        elif cur is None or cur.line != node.line:
            additions.append(node.line)
    phase_b.sort(key=lambda line: 0 if line.startswith("no route-map") else 1)
    return inner_removals + additions + blocks, phase_b


def _removed_neighbor_addrs(cur_block, want_block, remove):
    if not remove:
        return []
    want = {m.group(1) for m in (_NEIGHBOR_RE.match(n.line) for n in want_block.children)
            if m and m.group(2).startswith("remote-as")}
    gone = []
    for node in cur_block.children:
        match = _NEIGHBOR_RE.match(node.line)
        if match and match.group(2).startswith("remote-as") and match.group(1) not in want:
            gone.append(match.group(1))
    return sorted(gone, key=_addr_key)


def _mentions(line, neighbors):
    match = _NEIGHBOR_RE.match(line)
    return bool(match and match.group(1) in neighbors)


def _wrap(header, lines):
    exit_line = _exit_for(header)
    return [header] + [" " + line for line in lines] + [exit_line]


def _all_lines(nodes):
    out = []
    for node in nodes:
        if node.children:
            out.extend(_wrap(node.line, _all_lines(node.children)))
        else:
            out.append(node.line)
    return out
