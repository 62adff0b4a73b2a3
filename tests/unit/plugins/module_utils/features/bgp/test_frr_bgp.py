"""Unit tests for the FRR BGP partner peering core: render, ownership, plan, gather, masking.

Fixtures under fixtures/ are `show running-config` captured from FRR 8.4.4 after applying the
plans below to a real bgpd (see the lab), so the canonical forms here are FRR's own.
"""

from __future__ import annotations

import copy
import json
import pathlib

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.model import normalise_device
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import parse as frr_parse, plan as frr_plan, render as frr_render
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.clitree import trees_equal
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr.dialect import DIALECT

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
RUNNING = (FIXTURES / "running_unmanaged_ibgp.txt").read_text()
EMPTY = (FIXTURES / "running_empty.txt").read_text()
ACME = json.loads((FIXTURES / "acme_v4_v6.json").read_text())


def config(**changes):
    cfg = copy.deepcopy(ACME)
    cfg.update(changes)
    return normalise_device(cfg)


def stripped(commands):
    return [c.strip() for c in commands]


def test_render_matches_frr_running_config_exactly():
    """Rendering the intent gives the very lines FRR printed after applying it."""
    ours = frr_parse.extract_scope(DIALECT.parse(frr_render.render_text(ACME)), None, (), True)
    frr = frr_parse.extract_scope(DIALECT.parse(RUNNING), {"acme_bank"}, {"203.0.113.9", "2001:db8::2"}, True)
    assert trees_equal(ours, frr)


def test_noop_when_running_matches_intent():
    plan = frr_plan.plan(RUNNING, config(), "replaced")
    assert plan.commands == []
    assert not plan.changed


def test_unmanaged_ibgp_neighbor_is_never_touched():
    for state in ("merged", "replaced", "overridden", "deleted"):
        plan = frr_plan.plan(RUNNING, config(partners=[]), state)
        assert not any("198.18.99.1" in c for c in plan.commands), state


def test_changed_password_is_one_line_without_removal():
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["sessions"][0]["password"] = "n3w"
    plan = frr_plan.plan(RUNNING, normalise_device(cfg), "replaced")
    assert stripped(plan.commands) == ["router bgp 65010", "neighbor 203.0.113.9 password n3w", "exit"]
    assert frr_plan.mask_commands(plan.commands)[1].strip() == "neighbor 203.0.113.9 password ********"


def test_multihop_replaces_ttl_security_in_the_right_order():
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["ttl_security"] = None
    cfg["partners"][0]["ebgp_multihop"] = 2
    cmds = stripped(frr_plan.plan(RUNNING, normalise_device(cfg), "replaced").commands)
    assert cmds.index("no neighbor 203.0.113.9 ttl-security hops 1") < cmds.index("neighbor 203.0.113.9 ebgp-multihop 2")


def test_removed_session_is_one_no_neighbor_and_its_objects_go_last():
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["sessions"] = cfg["partners"][0]["sessions"][:1]
    cmds = stripped(frr_plan.plan(RUNNING, normalise_device(cfg), "replaced").commands)
    assert "no neighbor 2001:db8::2" in cmds
    assert not any(c.startswith("no neighbor 2001:db8::2 ") for c in cmds)
    assert cmds.index("no neighbor 2001:db8::2") < cmds.index("no route-map PARTNER_ACME_BANK_V6_IN permit 10")
    assert cmds[-1].startswith("no ipv6 prefix-list")


def test_new_prefix_list_entry_comes_before_old_one_goes():
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["accept_prefixes"] = ["198.51.100.0/24", "198.51.101.0/24"]
    cmds = stripped(frr_plan.plan(RUNNING, normalise_device(cfg), "replaced").commands)
    assert cmds == [
        "ip prefix-list PARTNER_ACME_BANK_V4_IN seq 10 permit 198.51.101.0/24",
    ]


def test_merged_never_removes():
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["accept_prefixes"] = ["198.51.100.0/24"]
    cfg["partners"][0]["sessions"] = cfg["partners"][0]["sessions"][:1]
    plan = frr_plan.plan(RUNNING, normalise_device(cfg), "merged")
    assert plan.commands == []


def test_overridden_removes_partners_not_in_intent_and_replaced_does_not():
    other = {"asn": 65010, "router_id": "198.18.0.1", "announce": ["198.18.10.0/24"], "partners": [
        {"name": "card_net", "asn": 64497, "accept_prefixes": ["198.51.101.0/24"], "max_prefixes": 5,
         "sessions": [{"peer_address": "198.51.100.200", "password": "x"}]}]}
    replaced = stripped(frr_plan.plan(RUNNING, normalise_device(other), "replaced").commands)
    overridden = stripped(frr_plan.plan(RUNNING, normalise_device(other), "overridden").commands)
    assert "no neighbor 203.0.113.9" not in replaced
    assert "no neighbor 203.0.113.9" in overridden
    assert "no route-map PARTNER_ACME_BANK_V4_IN permit 10" in overridden


def test_deleted_removes_only_the_named_partner_and_keeps_globals():
    plan = frr_plan.plan(RUNNING, normalise_device({"partners": [
        {"name": "acme_bank", "asn": 1, "sessions": [{"peer_address": "203.0.113.9"}]}]}), "deleted")
    cmds = stripped(plan.commands)
    assert "no neighbor 203.0.113.9" in cmds and "no neighbor 2001:db8::2" in cmds
    assert not any("network" in c or "router-id" in c or "ip route" in c for c in cmds)


def test_asn_mismatch_is_refused_before_anything_is_planned():
    with pytest.raises(frr_plan.PlanError, match="router bgp 65010.*intent says 65011"):
        frr_plan.plan(RUNNING, config(asn=65011), "replaced")


def test_plan_on_empty_router_creates_objects_before_users():
    cmds = stripped(frr_plan.plan(EMPTY, config(), "replaced").commands)
    assert cmds.index("route-map PARTNER_ACME_BANK_V4_IN permit 10") < cmds.index("router bgp 65010")
    assert cmds.index("ip prefix-list PARTNER_ACME_BANK_V4_IN seq 5 permit 198.51.100.0/24") < cmds.index(
        "route-map PARTNER_ACME_BANK_V4_IN permit 10")
    assert cmds[0] == "ip route 198.18.10.0/24 blackhole"


def test_expected_result_and_rollback_round_trip():
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["accept_prefixes"] = ["198.51.100.0/24"]
    plan = frr_plan.plan(RUNNING, normalise_device(cfg), "replaced")
    # Simulate the device after the change: the owned scope equals the expected tree.
    after_text = DIALECT.render(plan.expected)
    assert plan.realised(after_text)
    undo = stripped(frr_plan.rollback_commands(plan, after_text))
    assert undo == ["ip prefix-list PARTNER_ACME_BANK_V4_IN seq 10 permit 203.0.113.128/25 le 26"]


def test_gather_round_trips_through_render():
    gathered = frr_parse.gather(RUNNING)
    assert [p["name"] for p in gathered["partners"]] == ["acme_bank"]
    acme = gathered["partners"][0]
    assert acme["asn"] == 64496
    assert acme["max_prefixes"] == {"limit": 10, "threshold": 80, "restart": 5, "warning_only": False}
    assert acme["accept_prefixes"][1] == {"prefix": "203.0.113.128/25", "ge": None, "le": 26}
    assert frr_plan.plan(RUNNING, normalise_device(gathered), "overridden").commands == []


def test_gather_masks_passwords():
    gathered = frr_parse.gather(RUNNING, mask=frr_plan.MASK)
    assert "s3cr3t" not in json.dumps(gathered)
    assert gathered["partners"][0]["sessions"][0]["password"] == frr_plan.MASK


def test_diff_display_masks_and_marks_changed_password():
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["sessions"][0]["password"] = "n3w"
    before, after = frr_plan.display(frr_plan.plan(RUNNING, normalise_device(cfg), "replaced"))
    assert "s3cr3t" not in before + after and "n3w" not in before + after
    assert "neighbor 203.0.113.9 password ********\n" in before
    assert "neighbor 203.0.113.9 password ******** (changed)" in after


@pytest.mark.parametrize("mp, line", [
    ({"limit": 10}, "maximum-prefix 10"),
    ({"limit": 10, "threshold": 75}, "maximum-prefix 10"),
    ({"limit": 10, "threshold": 90, "warning_only": True}, "maximum-prefix 10 90 warning-only"),
    ({"limit": 12, "restart": 5}, "maximum-prefix 12 restart 5"),
])
def test_maximum_prefix_canonical_forms(mp, line):
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["max_prefixes"] = mp
    assert ("neighbor 203.0.113.9 " + line + "\n") in frr_render.render_text(cfg)


def test_connect_retry_is_one_line_per_session_next_to_the_keepalive_timers():
    """`timers connect` is its own single-valued command in FRR: it never replaces `timers K H`."""
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["connect_retry"] = 10
    plan = frr_plan.plan(RUNNING, normalise_device(cfg), "replaced")
    want = ["neighbor 2001:db8::2 timers connect 10", "neighbor 203.0.113.9 timers connect 10"]
    assert sorted(stripped(plan.commands)[1:-1]) == want
    gathered = frr_parse.gather(frr_render.render_text(normalise_device(cfg)))["partners"][0]
    assert gathered["connect_retry"] == 10
    assert gathered["timers"] == normalise_device(ACME)["partners"][0]["timers"]
    back = frr_plan.plan(RUNNING, normalise_device(ACME), "replaced")
    assert back.commands == []  # without connect_retry nothing is sent: FRR's default stays
