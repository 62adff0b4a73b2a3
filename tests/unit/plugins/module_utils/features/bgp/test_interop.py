"""BGP partner peering with partners that do not run FRR (BIRD 2.0.12, GoBGP 3.10).

Every fixture under fixtures/interop/ was captured from FRR 8.4.4 on xedge1 in the bgp-interop lab
(tests/topologies/bgp-interop.clab.yml) with the real partner daemon on the other side:
- xedge1.running.txt / xedge1.intent.json: ``show running-config`` after bgp_peering applied the lab
  intent for birdnet (BIRD) and gopay (GoBGP); passwords replaced by placeholders.
- gobgp_no_shared_family.*: GoBGP configured with afi-safi ipv4-unicast on its IPv6 session; FRR
  refuses the OPEN (Unsupported Capability) and the session stays Idle.
- bird_wrong_as.*: our side expects another AS than BIRD's; bird_admin_shutdown.*: ``birdc disable``.
- gobgp_sends_nothing.*: GoBGP Established with an empty RIB.
"""

from __future__ import annotations

import copy
import json
import pathlib
import re

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.clitree import trees_equal
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import ChangeFailed
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import backend, status
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


# --- why a session is down: FRR's own record of the partner's NOTIFICATION -------------------------

def down_reason(prefix, peer):
    summary = status.parse_summary(read(prefix + ".summary.json"))
    name = prefix + (".neighbors.json" if (FIXTURES / (prefix + ".neighbors.json")).exists() else ".neighbor.json")
    neighbors = {peer: status.parse_neighbor(read(name), peer)}
    results = {r["peer_address"]: r for r in status.evaluate(normalise_device(INTENT), summary, None, neighbors)}
    return results[peer]


def test_gobgp_without_the_sessions_family_is_reported_as_such():
    result = down_reason("gobgp_no_shared_family", "2001:db8:72::2")
    assert not result["ok"] and result["state"] == "Idle"
    assert "last reset: BGP Notification send (OPEN Message Error/Unsupported Capability)" in result["reason"]
    assert "share no address family" in result["reason"]
    assert "GoBGP: afi-safi ipv6-unicast" in result["reason"]


def test_an_established_session_ignores_a_stale_reset_reason():
    """The IPv4 session in the same capture is Established but FRR still lists an old reset reason."""
    summary = status.parse_summary(read("gobgp_no_shared_family.summary.json"))
    entry = status.parse_neighbor(read("gobgp_no_shared_family.neighbors.json"), "198.18.72.2")
    assert entry["lastResetDueTo"] == "No AFI/SAFI activated for peer"
    results = {r["peer_address"]: r for r in status.evaluate(
        normalise_device(INTENT), summary, None, {"198.18.72.2": entry})}
    assert results["198.18.72.2"]["ok"] and results["198.18.72.2"]["reason"] is None


def test_bird_with_another_as_is_reported_as_an_as_mismatch():
    result = down_reason("bird_wrong_as", "198.18.71.2")
    assert "last reset: BGP Notification send (OPEN Message Error/Bad Peer AS)" in result["reason"]
    assert "AS numbers do not match" in result["reason"]


def test_bird_disabled_by_the_partner_is_reported_as_their_shutdown():
    result = down_reason("bird_admin_shutdown", "2001:db8:71::2")
    assert result["reason"].startswith("no TCP session to the peer")
    assert "BGP Notification received (Cease/Administrative Shutdown)" in result["reason"]
    assert "partner's router shut the session down" in result["reason"]


def test_neighbor_entry_is_found_whatever_the_address_spelling():
    text = read("gobgp_no_shared_family.neighbors.json")
    assert status.parse_neighbor(text, "2001:DB8:72:0::2")["bgpState"] == "Idle"
    assert status.parse_neighbor(text, "198.18.99.9") == {}
    assert status.parse_neighbor("", "198.18.72.2") == {}
    assert status.last_reset({}) is None


def test_verification_failure_quotes_the_partners_notification():
    before = RUNNING
    changed = copy.deepcopy(INTENT)
    changed["partners"][0]["sessions"][0]["password"] = "other"
    after = before.replace("neighbor 198.18.71.2 password bird-s3cr3t", "neighbor 198.18.71.2 password other")
    up = json.dumps({"ipv4Unicast": {"peers": {"198.18.71.2": {"state": "Established"}}}})
    down = read("bird_wrong_as.summary.json")
    neighbor = read("bird_wrong_as.neighbor.json")

    class Device:
        def __init__(self):
            self.configs, self.edits = [before, after, after, before], []

        def running_config(self):
            return self.configs.pop(0) if len(self.configs) > 1 else self.configs[0]

        def edit(self, lines):
            self.edits.append(lines)

        def show(self, command):
            if command in (status.NEIGHBOR_COMMAND % "198.18.71.2", status.NEIGHBORS_COMMAND):
                return neighbor if self.edits else "{}"
            if command == status.CLEAR_COMMAND % "198.18.71.2":
                return ""
            assert command == status.SUMMARY_COMMAND
            return up if not self.edits else down

        def save(self):
            raise AssertionError("a failed change is never saved")

    # The partner's NOTIFICATION makes the failure certain at once (issue 14's fast failure).
    with pytest.raises(ChangeFailed, match=r"certain before the 0s timeout: 198\.18\.71\.2: our router refused "
                                           r"the partner's OPEN.*Bad Peer AS.*rolled back") as err:
        backend.run(Device(), changed, "replaced", verify_timeout=0, sleep=lambda s: None)
    assert "other" not in json.dumps(err.value.result)


# --- a partner that never sends anything -----------------------------------------------------------

def test_a_partner_that_sends_nothing_is_established_and_ok():
    """Verification never waits for prefixes or End-of-RIB: an empty announcement is valid."""
    summary = status.parse_summary(read("gobgp_sends_nothing.summary.json"))
    routes = {"198.18.72.2": status.parse_routes(read("gobgp_sends_nothing.routes.json"))}
    results = {r["peer_address"]: r for r in status.evaluate(normalise_device(INTENT), summary, routes)}
    assert results["198.18.72.2"]["ok"] and results["198.18.72.2"]["established"]
    assert results["198.18.72.2"]["prefixes_received"] == 0
    assert results["198.18.72.2"]["accepted_prefixes"] == []
