"""core.clitree with a toy dialect: nothing platform- or feature-specific lives in the engine, every
rule comes from a contribution."""

from __future__ import annotations

import re

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.clitree import (
    Collapse, Dialect, Rules, trees_equal)

ZONES = Rules(
    "zones",
    single=[(re.compile(r"^member (\S+) (colour|size) "), "member {0} {1}")],
    containers=[re.compile(r"^zone \S+$")],
    block_exits={"zone": "end-zone"},
    order=lambda line: (0, (), 0, line) if line.startswith("zone ") else None,
    removal_order=lambda line: 0 if line.startswith("no label") else None,
    collapse=[Collapse(block=re.compile(r"^zone "), member=re.compile(r"^member (\S+) "),
                       anchor=re.compile(r"^member (\S+) colour "), command="no member {0}")],
)
TOY = Dialect(skip_lines=("!", "exit", "end-zone"), skip_prefixes=("# ",), rules=[ZONES])

CURRENT = """# generated
label b
 text old
zone z1
 member m1 colour red
 member m1 size 3
 member m2 colour blue
end-zone
!
tag t1
"""


def test_parse_skips_the_framing_and_nests_by_indentation():
    tree = TOY.parse(CURRENT)
    assert [n.line for n in tree] == ["label b", "zone z1", "tag t1"]
    assert [c.line for c in tree[1].children] == ["member m1 colour red", "member m1 size 3", "member m2 colour blue"]


def test_render_uses_the_contributed_order_and_exits():
    text = TOY.render(TOY.parse(CURRENT))
    assert text.splitlines()[:5] == ["zone z1", " member m1 colour red", " member m1 size 3",
                                     " member m2 colour blue", "end-zone"]
    assert " text old" in text and "exit" in text  # the default exit for a block nobody claimed
    assert trees_equal(TOY.parse(text), TOY.parse(CURRENT))


def test_single_valued_lines_replace_and_a_removed_member_is_one_command():
    wanted = TOY.parse(CURRENT.replace("colour red", "colour green").replace(" member m2 colour blue\n", ""))
    phase_a, phase_b = TOY.diff(TOY.parse(CURRENT), wanted)
    assert phase_a == ["zone z1", " no member m2", " member m1 colour green", "end-zone"]
    assert phase_b == []


def test_top_level_removals_go_last_in_the_contributed_order():
    phase_a, phase_b = TOY.diff(TOY.parse(CURRENT), TOY.parse("zone z1\n member m1 colour red\n"))
    assert phase_b == ["no label b", "no tag t1"]
    assert phase_a == ["zone z1", " no member m2", " no member m1 size 3", "end-zone"]


def test_merge_never_removes_and_new_values_win():
    merged = TOY.merge(TOY.parse(CURRENT), TOY.parse("zone z1\n member m1 size 4\n member m3 colour red\n"))
    zone = [n for n in merged if n.line == "zone z1"][0]
    assert [c.line for c in zone.children] == ["member m1 colour red", "member m1 size 4", "member m2 colour blue",
                                               "member m3 colour red"]
    assert TOY.diff(TOY.parse(CURRENT), merged, remove=False) == (["zone z1", " member m1 size 4", " member m3 colour red",
                                                                   "end-zone"], [])
