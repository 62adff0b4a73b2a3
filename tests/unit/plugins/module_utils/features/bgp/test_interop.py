"""BGP partner peering with partners that do not run FRR (BIRD 2.0.12, GoBGP 3.10).

Every fixture under fixtures/interop/ was captured from FRR 8.4.4 on xedge1 in the bgp-interop lab
(tests/topologies/bgp-interop.clab.yml) with the real partner daemon on the other side:
- xedge1.running.txt / xedge1.intent.json: ``show running-config`` after bgp_peering applied the lab
  intent for birdnet (BIRD) and gopay (GoBGP); passwords replaced by placeholders.
- gobgp_sends_nothing.*: GoBGP Established with an empty RIB.
"""

from __future__ import annotations

import json
import pathlib
import re

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.clitree import trees_equal
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import status
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import parse as frr_parse
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import plan as frr_plan
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import render as frr_render
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr.dialect import DIALECT
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.model import normalise_device

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "interop"
RUNNING = (FIXTURES / "xedge1.running.txt").read_text()
INTENT = json.loads((FIXTURES / "xedge1.intent.json").read_text())
PEERS = ("198.18.71.2", "2001:db8:71::2", "198.18.72.2", "2001:db8:72::2")
SOFT_RE = re.compile(r"^\s*neighbor \S+ soft-reconfiguration inbound\n", re.M)


def read(name):
    return (FIXTURES / name).read_text()


def stripped(commands):
    return [c.strip() for c in commands]


# --- soft-reconfiguration inbound: an accept-list change without the partner's route refresh -------

def test_render_matches_what_frr_printed_in_the_interop_lab():
    ours = frr_parse.extract_scope(DIALECT.parse(frr_render.render_text(INTENT)), None, (), True)
    frr = frr_parse.extract_scope(DIALECT.parse(RUNNING), {"birdnet", "gopay"}, set(PEERS), True)
    assert trees_equal(ours, frr)
    assert frr_plan.plan(RUNNING, normalise_device(INTENT), "overridden").commands == []


def test_every_partner_session_keeps_what_it_received_in_its_own_family():
    text = frr_render.render_text(INTENT)
    v4, v6 = text.split(" address-family ipv6 unicast\n")
    for peer in PEERS:
        block = v6 if ":" in peer else v4
        assert "  neighbor %s soft-reconfiguration inbound\n" % peer in block, peer
        assert "soft-reconfiguration" not in (v4 if ":" in peer else v6).split(peer)[-1].split("\n")[0]


def test_a_router_from_before_gets_one_line_per_session_and_nothing_else():
    """Upgrading a router configured without soft-reconfiguration adds exactly that line per session
    (FRR asks a partner with route refresh to resend; a partner without it resets once)."""
    old = SOFT_RE.sub("", RUNNING)
    assert "soft-reconfiguration" not in old
    plan = frr_plan.plan(old, normalise_device(INTENT), "replaced")
    assert stripped(plan.commands) == [
        "router bgp 65010",
        "address-family ipv4 unicast",
        "neighbor 198.18.71.2 soft-reconfiguration inbound",
        "neighbor 198.18.72.2 soft-reconfiguration inbound",
        "exit-address-family",
        "address-family ipv6 unicast",
        "neighbor 2001:db8:71::2 soft-reconfiguration inbound",
        "neighbor 2001:db8:72::2 soft-reconfiguration inbound",
        "exit-address-family",
        "exit",
    ]
    assert plan.realised(RUNNING)


def test_offboarding_removes_the_soft_reconfiguration_with_the_neighbor():
    plan = frr_plan.plan(RUNNING, normalise_device(INTENT), "deleted")
    after = "\n".join(plan.commands)
    assert "no neighbor 198.18.71.2" in after and "no neighbor 2001:db8:72::2" in after
    assert "soft-reconfiguration" not in after  # one 'no neighbor X' removes it with everything else


# --- a partner that never sends anything -----------------------------------------------------------

def test_a_partner_that_sends_nothing_is_established_and_ok():
    """Verification never waits for prefixes or End-of-RIB: an empty announcement is valid."""
    summary = status.parse_summary(read("gobgp_sends_nothing.summary.json"))
    routes = {"198.18.72.2": status.parse_routes(read("gobgp_sends_nothing.routes.json"))}
    results = {r["peer_address"]: r for r in status.evaluate(normalise_device(INTENT), summary, routes)}
    assert results["198.18.72.2"]["ok"] and results["198.18.72.2"]["established"]
    assert results["198.18.72.2"]["prefixes_received"] == 0
    assert results["198.18.72.2"]["accepted_prefixes"] == []
