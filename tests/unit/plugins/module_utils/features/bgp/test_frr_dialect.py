"""BGP's contribution to the FRR dialect composes with another feature's (here a vrrpd-like one):
the second feature gets its own single-valued commands and container blocks, and every BGP plan,
rendering and rollback stays exactly what it is with BGP's rules alone."""

from __future__ import annotations

import copy
import json
import pathlib
import re

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.clitree import Rules
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.vtysh import frr_dialect
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.model import normalise_device
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import dialect as bgp_dialect
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import (
    parse as frr_parse, plan as frr_plan, render as frr_render)

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
ESTATE = pathlib.Path(__file__).resolve().parents[6] / "tests" / "unit" / "fixtures" / "example"
RUNNING = (FIXTURES / "running_unmanaged_ibgp.txt").read_text()
EMPTY = (FIXTURES / "running_empty.txt").read_text()
ACME = json.loads((FIXTURES / "acme_v4_v6.json").read_text())
VRRP_RUNNING = "interface eth1\n vrrp 5\n vrrp 5 priority 100\n vrrp 5 ip 198.18.1.1\nexit\n!\n"

# what frr_vrrpd would contribute: "vrrp 5 priority 200" replaces "vrrp 5 priority 100" under
# "interface X", and an interface is a container (its lines go one by one, never "no interface X")
VRRP_RULES = Rules(
    "vrrp",
    single=[(re.compile(r"^vrrp (\d+) (priority|advertisement-interval)\b"), "vrrp {0} {1}")],
    containers=[re.compile(r"^interface \S+$")],
    order=lambda line: (7, (), 0, line) if line.startswith("interface ") else None,
)
BOTH = frr_dialect(bgp_dialect.RULES, VRRP_RULES)


def _acme(**changes):
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0].update(changes)
    return cfg


def _scenarios():
    other = {"asn": 65010, "router_id": "198.18.0.1", "announce": ["198.18.10.0/24"], "partners": [
        {"name": "card_net", "asn": 64497, "accept_prefixes": ["198.51.101.0/24"], "max_prefixes": 5,
         "sessions": [{"peer_address": "198.51.100.200", "password": "x"}]}]}
    configs = [ACME, _acme(accept_prefixes=["198.51.100.0/24", "198.51.101.0/24"]),
               _acme(sessions=ACME["partners"][0]["sessions"][:1]), _acme(ttl_security=None, ebgp_multihop=2),
               other, {"partners": []}]
    out = []
    for running in (RUNNING, EMPTY, RUNNING + VRRP_RUNNING):
        for cfg in configs:
            for state in frr_plan.STATES:
                out.append((running, cfg, state))
    for path in sorted(ESTATE.glob("*.running.txt")):
        config = json.loads(path.with_name(path.name.replace(".running.txt", ".config.json")).read_text())
        out.extend((path.read_text(), config, state) for state in ("overridden", "deleted"))
    return out


def _bgp_results(running, cfg, state):
    plan = frr_plan.plan(running, normalise_device(cfg), state)
    after = frr_parse.DIALECT.render(plan.expected)
    return (plan.commands, frr_plan.display(plan), after, frr_plan.rollback_commands(plan, after),
            frr_render.render_text(cfg) if cfg.get("asn") else None, frr_parse.gather(running + VRRP_RUNNING))


def test_a_second_contribution_does_not_change_any_bgp_result(monkeypatch):
    scenarios = _scenarios()
    alone = [_bgp_results(*s) for s in scenarios]
    assert any(result[0] for result in alone) and len(scenarios) > 50
    for module in (bgp_dialect, frr_parse, frr_plan, frr_render):
        monkeypatch.setattr(module, "DIALECT", BOTH)
    assert [_bgp_results(*s) for s in scenarios] == alone


def test_the_second_contribution_has_its_own_rules():
    current = BOTH.parse(VRRP_RUNNING)
    wanted = BOTH.parse(VRRP_RUNNING.replace("priority 100", "priority 200"))
    assert BOTH.diff(current, wanted) == (["interface eth1", " vrrp 5 priority 200", "exit"], [])
    # with BGP's rules alone the same change is a removal and an addition, and the block is an object
    alone = bgp_dialect.DIALECT
    assert alone.diff(alone.parse(VRRP_RUNNING), alone.parse(VRRP_RUNNING.replace("priority 100", "priority 200")))[0] \
        == ["interface eth1", " no vrrp 5 priority 100", " vrrp 5 priority 200", "exit"]
    assert alone.diff(current, [])[1] == ["no interface eth1"]
    assert BOTH.diff(current, []) == (["interface eth1", " no vrrp 5", " no vrrp 5 priority 100",
                                       " no vrrp 5 ip 198.18.1.1", "exit"], [])


def test_composition_leaves_each_contribution_as_it_was():
    assert bgp_dialect.DIALECT.rules == (bgp_dialect.RULES,)
    extended = bgp_dialect.DIALECT.extend(VRRP_RULES)
    assert extended.rules == BOTH.rules == (bgp_dialect.RULES, VRRP_RULES)
    assert bgp_dialect.DIALECT.line_key("vrrp 5 priority 200") == "vrrp 5 priority 200"
    assert BOTH.line_key("vrrp 5 priority 200") == "vrrp 5 priority"
    assert BOTH.line_key("neighbor 192.0.2.1 password x") == bgp_dialect.DIALECT.line_key("neighbor 192.0.2.1 password x")
