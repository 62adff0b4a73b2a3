"""The example two-datacenter estate (inventories/example) against real FRR.

fixtures/example/<host>.running.txt is FRR 8.4.4's `show running-config` after our plan for that host
was applied to a real bgpd. Dual-stack, BFD, GTSM, multihop and warning-only maximum-prefix all
come back in FRR's canonical form exactly as we render them, so a re-plan is empty.
"""

from __future__ import annotations

import json
import pathlib

import pytest
import yaml

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp import model
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.fleet import check_device
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp import validate  # noqa: F401  # pylint: disable=unused-import
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import parse as frr_parse, plan as frr_plan

REPO = pathlib.Path(__file__).resolve().parents[6]
ESTATE = REPO / "inventories" / "example"
FIXTURES = REPO / "tests" / "unit" / "fixtures" / "example"
HOSTS = ["dc1-edge1", "dc1-edge2", "dc2-edge1", "dc2-edge2"]


def estate_partners():
    partners = {}
    for path in sorted((ESTATE / "partners").glob("*.yml")):
        partners.update(yaml.safe_load(path.read_text()))
    return partners


def device_config(host):
    bgp_vars = yaml.safe_load((ESTATE / "host_vars" / (host + ".yml")).read_text())["bgp"]
    cfg = model.device_config_from_intent(estate_partners(), host, bgp_vars)
    for partner in cfg["partners"]:
        for session in partner["sessions"]:
            session["password"] = "Secret-" + partner["name"]
    return cfg


@pytest.mark.parametrize("host", HOSTS)
def test_estate_intent_builds_what_was_applied_to_frr(host):
    stored = json.loads((FIXTURES / (host + ".config.json")).read_text())
    assert device_config(host) == stored


def estate_policy():
    """The estate's fleet policy variables, as the action plugin passes them to the module."""
    policy = {}
    for name in ("bgp_policy.yml", "netinfra_policy.yml"):
        policy.update(yaml.safe_load((ESTATE / "group_vars" / "all" / name).read_text()))
    return policy


@pytest.mark.parametrize("host", HOSTS)
def test_estate_config_passes_the_module_checks(host):
    assert check_device("bgp", device_config(host), estate_policy()) == []


@pytest.mark.parametrize("host", HOSTS)
def test_frr_holds_exactly_what_we_render(host):
    running = (FIXTURES / (host + ".running.txt")).read_text()
    config = model.normalise_device(device_config(host))
    assert frr_plan.plan(running, config, "overridden").commands == []


@pytest.mark.parametrize("host", HOSTS)
def test_gathered_estate_round_trips(host):
    running = (FIXTURES / (host + ".running.txt")).read_text()
    gathered = frr_parse.gather(running)
    assert frr_plan.plan(running, model.normalise_device(gathered), "overridden").commands == []
    names = sorted(p["name"] for p in device_config(host)["partners"])
    assert [p["name"] for p in gathered["partners"]] == names


def test_dual_stack_session_is_activated_only_in_its_family():
    running = (FIXTURES / "dc1-edge2.running.txt").read_text()
    assert "  no neighbor 2001:db8:ffff:1::2 activate" in running
    assert "  neighbor 2001:db8:ffff:1::2 activate" in running
    assert "ipv6 prefix-list PARTNER_CARD_NET_V6_IN seq 5 permit 2001:db8:c000::/48" in running
