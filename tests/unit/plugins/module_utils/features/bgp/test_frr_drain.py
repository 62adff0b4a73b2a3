"""Maintenance drain of BGP partners on FRR: device drain (bgp graceful-shutdown), the per-partner
fallback ``drain: prepend`` and the per-partner drain of offboarding, rendered as FRR 8.4.4 prints
them (the route-map form below is FRR's own ``show running-config`` after entering these lines),
parsed back, planned with exact diffs both ways."""

from __future__ import annotations

import copy

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.model import (
    device_config_from_intent, normalise_device)
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import (
    parse as frr_parse, plan as frr_plan, render as frr_render)

# captured from FRR 8.4.4 (vtysh, show running-config) after entering the set lines in another order
FRR_ROUTE_MAP = """route-map PARTNER_X_V4_OUT permit 10
 match ip address prefix-list PARTNER_X_V4_OUT
 set as-path prepend 65010 65010 65010
 set community graceful-shutdown additive
exit
"""

PARTNERS = {
    "gshut_bank": {"asn": 64496, "accept_prefixes": ["198.51.100.0/24"], "max_prefixes": 10,
                   "sessions": [{"device": "e1", "peer_address": "203.0.113.2", "local_address": "203.0.113.1"},
                                {"device": "e2", "peer_address": "203.0.113.6", "local_address": "203.0.113.5"}]},
    "deaf_pay": {"asn": 64497, "accept_prefixes": ["198.51.101.0/24"], "max_prefixes": 10, "drain": "prepend",
                 "drain_prepend": 2,
                 "sessions": [{"device": "e1", "peer_address": "203.0.113.10", "local_address": "203.0.113.9"}]},
}
BGP = {"asn": 65010, "router_id": "198.18.0.1", "announce": ["198.18.10.0/24"]}


def cfg(**kw):
    return device_config_from_intent(PARTNERS, "e1", dict(BGP, **kw.pop("bgp", {})), **kw)


def route_maps(text):
    return [line for line in text.splitlines() if line.startswith(("route-map", " set", " match"))]


def test_undrained_has_no_drain_lines():
    text = frr_render.render_text(cfg())
    assert "graceful-shutdown" not in text and "prepend" not in text and "local-preference" not in text


def test_device_drain_prepends_only_for_prepend_partners():
    text = frr_render.render_text(cfg(drained=True))
    assert " bgp graceful-shutdown" in text
    assert " set as-path prepend 65010 65010" in text.split("route-map PARTNER_DEAF_PAY_V4_OUT permit 10")[1].split("exit")[0]
    assert "prepend" not in text.split("route-map PARTNER_GSHUT_BANK_V4_OUT permit 10")[1].split("exit")[0]
    # FRR's own graceful-shutdown marks and lowers: no per-partner community/local-pref lines
    assert "set community" not in text and "local-preference" not in text


def test_partner_drain_through_its_route_maps_in_frr_order():
    text = frr_render.render_text(cfg(drain=["gshut_bank"]))
    assert "bgp graceful-shutdown" not in text
    assert route_maps(text)[4:] == [
        "route-map PARTNER_GSHUT_BANK_V4_IN permit 10", " match ip address prefix-list PARTNER_GSHUT_BANK_V4_IN",
        " set local-preference 0",
        "route-map PARTNER_GSHUT_BANK_V4_OUT permit 10", " match ip address prefix-list PARTNER_GSHUT_BANK_V4_OUT",
        " set community graceful-shutdown additive"]
    out = text.split("route-map PARTNER_GSHUT_BANK_V4_OUT permit 10")[1].split("exit")[0]
    assert out.splitlines()[1:] == [" match ip address prefix-list PARTNER_GSHUT_BANK_V4_OUT",
                                    " set community graceful-shutdown additive"]
    # the other partner is not drained
    assert "PARTNER_DEAF_PAY_V4_OUT permit 10\n match ip address prefix-list PARTNER_DEAF_PAY_V4_OUT\nexit" in text


def test_prepend_before_community_as_frr_prints():
    """FRR prints as-path before community whatever order they were entered in: ours too."""
    config = copy.deepcopy(cfg(drain=["deaf_pay"]))
    text = frr_render.render_text(config)
    block = text.split("route-map PARTNER_DEAF_PAY_V4_OUT permit 10")[1].split("exit")[0]
    assert block.splitlines()[1:] == [" match ip address prefix-list PARTNER_DEAF_PAY_V4_OUT",
                                      " set as-path prepend 65010 65010"]
    assert FRR_ROUTE_MAP.index("as-path") < FRR_ROUTE_MAP.index("community")


def test_unknown_partner_to_drain_is_an_error():
    try:
        cfg(drain=["nobody"])
    except ValueError as exc:
        assert "nobody" in str(exc)
    else:
        raise AssertionError("draining an unknown partner must fail")


def test_drain_and_restore_plans_are_exact_and_idempotent():
    """FRR 8.4 answers '% Unknown command' to 'no set as-path prepend 65010 65010': the undo is the bare form."""
    plain = frr_render.render_text(cfg())
    drained_cfg = normalise_device(cfg(drained=True))
    plan = frr_plan.plan(plain, drained_cfg, "replaced")
    assert [c.strip() for c in plan.commands] == [
        "route-map PARTNER_DEAF_PAY_V4_OUT permit 10", "set as-path prepend 65010 65010", "exit",
        "router bgp 65010", "bgp graceful-shutdown", "exit"]
    drained_text = frr_render.render_text(cfg(drained=True))
    assert not frr_plan.plan(drained_text, drained_cfg, "replaced").changed
    back = frr_plan.plan(drained_text, normalise_device(cfg()), "replaced")
    assert [c.strip() for c in back.commands] == [
        "route-map PARTNER_DEAF_PAY_V4_OUT permit 10", "no set as-path prepend", "exit",
        "router bgp 65010", "no bgp graceful-shutdown", "exit"]
    before, after = frr_plan.display(back)
    assert "set as-path prepend" in before and "set as-path prepend" not in after


def test_gathered_state_shows_the_drain():
    got = frr_parse.gather(frr_render.render_text(cfg(drain=["gshut_bank", "deaf_pay"])))
    by = {p["name"]: p for p in got["partners"]}
    assert by["gshut_bank"]["graceful_shutdown"] and by["gshut_bank"]["drain"] == "community"
    assert by["deaf_pay"]["graceful_shutdown"] and by["deaf_pay"]["drain"] == "prepend"
    assert by["deaf_pay"]["drain_prepend"] == 2
    device = frr_parse.gather(frr_render.render_text(cfg(drained=True)))
    assert device["graceful_shutdown"]
    assert {p["name"]: p["graceful_shutdown"] for p in device["partners"]} == {"deaf_pay": False, "gshut_bank": False}
    assert {p["name"]: p["drain"] for p in device["partners"]} == {"deaf_pay": "prepend", "gshut_bank": "community"}


def test_offboarding_deleted_state_removes_every_partner_object():
    text = frr_render.render_text(cfg(drain=["gshut_bank"]))
    plan = frr_plan.plan(text, normalise_device(cfg(only=["gshut_bank"])), "deleted")
    commands = [c.strip() for c in plan.commands]
    assert "no neighbor 203.0.113.2" in commands
    assert "no route-map PARTNER_GSHUT_BANK_V4_OUT permit 10" in commands
    assert "no ip prefix-list PARTNER_GSHUT_BANK_V4_IN seq 5 permit 198.51.100.0/24" in commands
    assert not any("DEAF_PAY" in c or "203.0.113.10" in c for c in commands)
    after = frr_render.render_text(cfg(only=["deaf_pay"]))
    assert "GSHUT_BANK" not in after


def test_module_check_accepts_the_argspec_defaults_and_a_partner_drain():
    """The module fills drain: community from its argspec and the offboarding sets graceful_shutdown: the
    module's own check (the fleet validator on a one-device view) must accept both."""
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import fleet
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features import registry  # noqa: F401  # pylint: disable=unused-import
    config = cfg(drain=["gshut_bank"])
    for partner in config["partners"]:
        partner.setdefault("drain", "community")
    config["partners"][0]["sessions"][0]["password"] = "S3cret-bgp-0001"
    problems = fleet.check_device("bgp", config, {"netinfra_policy": {"environment": "lab"},
                                                  "bgp_policy": {"password_required": False}})
    assert not [p for p in problems if "drain" in p or "graceful_shutdown" in p], problems
    config["partners"][1]["drain_prepend"] = 4
    config["partners"][0]["drain_prepend"] = 4
    problems = fleet.check_device("bgp", config, {"netinfra_policy": {"environment": "lab"},
                                                  "bgp_policy": {"password_required": False}})
    assert any("drain_prepend is set but drain is community" in p for p in problems), problems
