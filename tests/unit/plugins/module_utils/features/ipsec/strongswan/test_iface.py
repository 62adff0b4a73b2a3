"""Inside addresses and XFRM interfaces of IPsec partner tunnels (platforms/linux/iface.py).

fixtures/ip_addr_root_capture.json is real ``ip -d -j addr show`` output; fixtures/ip_addr_gateway.json
is a hand-written gateway in the same format with XFRM interfaces and charon's ipsec0 (see
fixtures/ip_addr_README.md). A small simulator applies the planned ``ip`` commands to the parsed
state, so "apply then re-plan is empty" and "rollback restores" are checked, not assumed.

golden/iface_commands.json holds the exact command lists of the main scenarios; regenerate with
PAYNET_REGEN_GOLDEN=1 (see test_swanctl.py) and review the diff.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import iface

HERE = pathlib.Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden" / "iface_commands.json"
REGEN = os.environ.get("PAYNET_REGEN_GOLDEN") == "1"
GATEWAY = iface.parse_ip_addr_json((FIXTURES / "ip_addr_gateway.json").read_text())


def tunnel(name, partner, tun, network, local, prefixlen=30):
    import ipaddress
    if_id = ((int(ipaddress.ip_network(network).network_address) & 0xFFFF) >> 1) + 1
    return {"name": name, "partner": partner, "tunnel": tun,
            "inside": {"network": network, "local": local, "peer": None, "prefixlen": prefixlen},
            "if_id": if_id, "interface": "xfrm%d" % if_id}


ACME = tunnel("partner-acme_bank", "acme_bank", "main", "169.254.10.0/30", "169.254.10.1")
OLD = tunnel("partner-old_partner", "old_partner", "main", "169.254.10.4/30", "169.254.10.5")
LEGACY = tunnel("partner-legacy", "legacy", "main", "169.254.10.8/30", "169.254.10.9")
CARD = tunnel("partner-card_net-backup", "card_net", "backup", "169.254.10.12/30", "169.254.10.13")
MANAGED = [ACME, LEGACY, OLD]  # what the gateway's paynet files describe before the run


def apply(state, commands):
    """Apply ``ip`` argument lists to a parse_ip_addr_json state like the kernel would (strictly)."""
    state = copy.deepcopy(state)
    for cmd in commands:
        if cmd[:2] == ["link", "add"]:
            name = cmd[2]
            assert name not in state, cmd
            assert cmd[3:5] == ["type", "xfrm"] and cmd[5] == "dev" and cmd[7] == "if_id", cmd
            assert cmd[6] in state, "lower device %s missing" % cmd[6]
            state[name] = {"kind": "xfrm", "if_id": int(cmd[8], 0), "link": cmd[6], "alias": None, "addresses": [], "up": False}
        elif cmd[:2] == ["link", "del"]:
            assert cmd[2] in state, cmd
            del state[cmd[2]]
        elif cmd[:2] == ["link", "set"]:
            dev = state[cmd[2]]
            if cmd[3:] == ["up"]:
                dev["up"] = True
            elif cmd[3:] == ["down"]:
                dev["up"] = False
            else:
                assert cmd[3] == "alias" and len(cmd) == 5, cmd
                dev["alias"] = cmd[4]
        elif cmd[:2] == ["addr", "add"]:
            assert cmd[3] == "dev" and cmd[2] not in state[cmd[4]]["addresses"], cmd
            state[cmd[4]]["addresses"].append(cmd[2])
        elif cmd[:2] == ["addr", "del"]:
            assert cmd[3] == "dev" and cmd[2] in state[cmd[4]]["addresses"], cmd
            state[cmd[4]]["addresses"].remove(cmd[2])
        else:
            raise AssertionError("unexpected command %r" % cmd)
    return state


def _canon(state):
    return {n: dict(i, addresses=sorted(i["addresses"])) for n, i in state.items()}


# -- parsing --------------------------------------------------------------------------------------
def test_parse_real_capture():
    parsed = iface.parse_ip_addr_json((FIXTURES / "ip_addr_root_capture.json").read_text())
    assert list(parsed) == ["lo", "ifb0", "ifb1", "eth0", "nl-add14e", "nl-add14e-1", "nl-add14e-2", "nl-add14e-3"]
    assert parsed["lo"] == {"kind": None, "if_id": None, "link": None, "alias": None,
                            "addresses": ["127.0.0.1/8", "::1/128"], "up": True}
    assert parsed["ifb0"]["kind"] == "ifb" and parsed["ifb0"]["up"] is False and parsed["ifb0"]["addresses"] == []
    assert parsed["eth0"]["addresses"] == ["192.0.2.2/24", "fd00::2/64", "fe80::fc:ff:fe00:1/64"]
    veth = parsed["nl-add14e-1"]
    assert veth["kind"] == "veth" and veth["link"] is None  # peer in another netns: link_index only
    assert veth["alias"] == "nslab:ipsec-basic@/tmp/nslab/ipsec-basic"
    assert not any(iface.is_ours(n, i) for n, i in parsed.items())


def test_parse_gateway_fixture():
    assert GATEWAY["xfrm1281"] == {"kind": "xfrm", "if_id": 1281, "link": "eth1", "alias": "paynet acme_bank main",
                                   "addresses": ["169.254.10.1/30"], "up": True}
    assert GATEWAY["xfrm99"]["alias"] is None and GATEWAY["xfrm99"]["if_id"] == 99
    assert GATEWAY["ipsec0"]["kind"] == "tun" and GATEWAY["ipsec0"]["addresses"] == ["169.254.10.9/30", "10.99.0.1/24"]
    assert [n for n, i in GATEWAY.items() if iface.is_ours(n, i)] == ["xfrm1281", "xfrm1283"]


@pytest.mark.parametrize("if_id", [2561, "2561", "0xa01"])
def test_parse_if_id_forms_and_info_data_link(if_id):
    text = json.dumps([{"ifname": "xfrm2561", "flags": ["NOARP"], "ifalias": "paynet a b",
                        "linkinfo": {"info_kind": "xfrm", "info_data": {"link": "eth1", "if_id": if_id}}, "addr_info": []}])
    assert iface.parse_ip_addr_json(text)["xfrm2561"] == {
        "kind": "xfrm", "if_id": 2561, "link": "eth1", "alias": "paynet a b", "addresses": [], "up": False}


def test_is_ours_needs_the_name_and_the_alias():
    assert iface.is_ours("xfrm5", {"alias": "paynet p t"})
    assert not iface.is_ours("xfrm5", {"alias": "ops paynet p t"})
    assert not iface.is_ours("xfrm5", {"alias": None})
    assert not iface.is_ours("ipsec0", {"alias": "paynet p t"})
    assert not iface.is_ours("xfrm5a", {"alias": "paynet p t"})


# -- golden scenarios -----------------------------------------------------------------------------
SCENARIOS = {
    "xfrm merged acme+card": dict(tunnels=[ACME, CARD], dataplane="xfrm", state="merged"),
    "xfrm replaced acme+card": dict(tunnels=[ACME, CARD], dataplane="xfrm", state="replaced"),
    "xfrm overridden acme+card": dict(tunnels=[ACME, CARD], dataplane="xfrm", state="overridden"),
    "xfrm deleted old_partner": dict(tunnels=[OLD], dataplane="xfrm", state="deleted"),
    "xfrm deleted all": dict(tunnels=[], dataplane="xfrm", state="deleted"),
    "libipsec merged acme+card": dict(tunnels=[ACME, CARD], dataplane="libipsec", state="merged"),
    "libipsec overridden acme+card": dict(tunnels=[ACME, CARD], dataplane="libipsec", state="overridden"),
    "libipsec deleted legacy": dict(tunnels=[LEGACY], dataplane="libipsec", state="deleted"),
    "libipsec deleted all": dict(tunnels=[], dataplane="libipsec", state="deleted"),
}


def _plan(scenario, current=None):
    return iface.plan_interfaces(GATEWAY if current is None else current, scenario["tunnels"], scenario["dataplane"],
                                 wan="eth1", state=scenario["state"], managed=MANAGED)


def test_golden_command_lists():
    got = {name: _plan(scenario) for name, scenario in SCENARIOS.items()}
    if REGEN:
        GOLDEN.write_text(json.dumps(got, indent=1) + "\n")
    assert got == json.loads(GOLDEN.read_text())


def test_golden_xfrm_overridden_exactly():
    assert _plan(SCENARIOS["xfrm overridden acme+card"]) == [
        ["link", "del", "xfrm1283"],
        ["addr", "del", "169.254.10.9/30", "dev", "ipsec0"],
        ["link", "add", "xfrm1287", "type", "xfrm", "dev", "eth1", "if_id", "1287"],
        ["link", "set", "xfrm1287", "alias", "paynet card_net backup"],
        ["addr", "add", "169.254.10.13/30", "dev", "xfrm1287"],
        ["link", "set", "xfrm1287", "up"],
    ]


def test_golden_libipsec_merged_exactly():
    # acme moves from its xfrm interface to ipsec0; other tunnels untouched
    assert _plan(SCENARIOS["libipsec merged acme+card"]) == [
        ["link", "del", "xfrm1281"],
        ["addr", "add", "169.254.10.1/30", "dev", "ipsec0"],
        ["addr", "add", "169.254.10.13/30", "dev", "ipsec0"],
    ]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_foreign_interfaces_and_addresses_are_never_touched(name):
    commands = _plan(SCENARIOS[name])
    for cmd in commands:
        assert "xfrm7" not in cmd and "xfrm99" not in cmd and "10.99.0.1/24" not in cmd
        assert "eth0" not in cmd and "lo" not in cmd
        if cmd[-1] == "eth1":
            pytest.fail("eth1 changed: %r" % cmd)
    after = apply(GATEWAY, commands)
    for dev in ("lo", "eth0", "eth1", "xfrm7", "xfrm99"):
        assert after[dev] == GATEWAY[dev]
    assert "10.99.0.1/24" in after["ipsec0"]["addresses"]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_apply_then_replan_is_empty_and_rollback_restores(name):
    scenario = SCENARIOS[name]
    commands = _plan(scenario)
    after = apply(GATEWAY, commands)
    managed_after = MANAGED if scenario["state"] != "deleted" else []
    assert iface.plan_interfaces(after, scenario["tunnels"], scenario["dataplane"], wan="eth1",
                                 state=scenario["state"], managed=managed_after or scenario["tunnels"]) == []
    back = apply(after, iface.rollback_interfaces(GATEWAY, after))
    assert _canon(back) == _canon(GATEWAY)


def test_merged_keeps_unlisted_tunnels_overridden_removes_them():
    merged = apply(GATEWAY, _plan(SCENARIOS["xfrm merged acme+card"]))
    assert "xfrm1283" in merged and "169.254.10.9/30" in merged["ipsec0"]["addresses"]
    overridden = apply(GATEWAY, _plan(SCENARIOS["xfrm overridden acme+card"]))
    assert "xfrm1283" not in overridden and "169.254.10.9/30" not in overridden["ipsec0"]["addresses"]
    assert overridden["xfrm1287"] == {"kind": "xfrm", "if_id": 1287, "link": "eth1", "alias": "paynet card_net backup",
                                      "addresses": ["169.254.10.13/30"], "up": True}


def test_deleted_by_name_uses_managed():
    assert iface.plan_interfaces(GATEWAY, ["partner-old_partner"], "xfrm", state="deleted", managed=MANAGED) == [
        ["link", "del", "xfrm1283"]]
    assert iface.plan_interfaces(GATEWAY, ["partner-legacy"], "libipsec", state="deleted", managed=MANAGED) == [
        ["addr", "del", "169.254.10.9/30", "dev", "ipsec0"]]


# -- convergence and refusals ---------------------------------------------------------------------
def test_tunnel_moved_to_another_inside_network_replaces_its_interface():
    moved = tunnel("partner-acme_bank", "acme_bank", "main", "169.254.20.0/30", "169.254.20.1")
    assert iface.plan_interfaces(GATEWAY, [moved], "xfrm", wan="eth1", state="merged", managed=MANAGED) == [
        ["link", "del", "xfrm1281"],
        ["link", "add", "xfrm2561", "type", "xfrm", "dev", "eth1", "if_id", "2561"],
        ["link", "set", "xfrm2561", "alias", "paynet acme_bank main"],
        ["addr", "add", "169.254.20.1/30", "dev", "xfrm2561"],
        ["link", "set", "xfrm2561", "up"],
    ]


def test_drifted_interface_is_converged():
    current = copy.deepcopy(GATEWAY)
    current["xfrm1281"].update(alias="paynet acme_bank old", up=False,
                               addresses=["169.254.99.1/30", "fe80::1/64", "169.254.10.1/30"])
    assert iface.plan_interfaces(current, [ACME], "xfrm", state="merged", managed=MANAGED) == [
        ["link", "set", "xfrm1281", "alias", "paynet acme_bank main"],
        ["addr", "del", "169.254.99.1/30", "dev", "xfrm1281"],
        ["link", "set", "xfrm1281", "up"],
    ]
    current["xfrm1281"]["if_id"] = 77  # wrong if_id cannot be fixed in place: re-created
    commands = iface.plan_interfaces(current, [ACME], "xfrm", wan="eth1", state="merged", managed=MANAGED)
    assert commands[:2] == [["link", "del", "xfrm1281"],
                            ["link", "add", "xfrm1281", "type", "xfrm", "dev", "eth1", "if_id", "1281"]]


def test_wanted_name_held_by_a_foreign_interface_is_refused():
    clash = tunnel("partner-x", "x", "main", "169.254.0.12/30", "169.254.0.13")
    assert clash["interface"] == "xfrm7"
    with pytest.raises(iface.InterfacePlanError, match="xfrm7 exists and is not managed by paynet"):
        iface.plan_interfaces(GATEWAY, [clash], "xfrm", wan="eth1", state="merged")


def test_refusals():
    with pytest.raises(iface.InterfacePlanError, match="^wan"):
        iface.plan_interfaces(GATEWAY, [CARD], "xfrm", state="merged")
    assert iface.plan_interfaces(GATEWAY, [ACME], "xfrm", state="merged") == []  # exists: no wan needed
    no_tun = {n: i for n, i in GATEWAY.items() if n != "ipsec0"}
    with pytest.raises(iface.InterfacePlanError, match="ipsec0 does not exist"):
        iface.plan_interfaces(no_tun, [ACME], "libipsec", state="merged")
    assert iface.plan_interfaces(no_tun, [], "libipsec", state="deleted", managed=MANAGED) == [
        ["link", "del", "xfrm1281"], ["link", "del", "xfrm1283"]]
    with pytest.raises(iface.InterfacePlanError, match="same inside address"):
        iface.plan_interfaces(GATEWAY, [ACME, dict(CARD, inside=ACME["inside"])], "libipsec", state="merged")
    with pytest.raises(iface.InterfacePlanError, match="^state"):
        iface.plan_interfaces(GATEWAY, [], "xfrm", state="gathered")
    with pytest.raises(iface.InterfacePlanError, match="^dataplane"):
        iface.plan_interfaces(GATEWAY, [], "auto", state="merged")


def test_managed_address_outside_the_pool_is_never_removed():
    odd = tunnel("partner-odd", "odd", "main", "10.99.0.0/24", "10.99.0.1", prefixlen=24)
    assert iface.plan_interfaces(GATEWAY, [], "libipsec", state="overridden", managed=MANAGED + [odd]) == [
        ["link", "del", "xfrm1281"], ["link", "del", "xfrm1283"], ["addr", "del", "169.254.10.9/30", "dev", "ipsec0"]]
    commands = iface.plan_interfaces(GATEWAY, [], "libipsec", state="overridden", managed=[odd], pool="10.0.0.0/8")
    assert ["addr", "del", "10.99.0.1/24", "dev", "ipsec0"] in commands


def test_unmanaged_169_254_address_on_ipsec0_is_left_alone():
    current = copy.deepcopy(GATEWAY)
    current["ipsec0"]["addresses"].append("169.254.77.1/30")  # not any paynet tunnel's
    commands = iface.plan_interfaces(current, [], "libipsec", state="deleted", managed=MANAGED)
    assert ["addr", "del", "169.254.77.1/30", "dev", "ipsec0"] not in commands
    assert ["addr", "del", "169.254.10.9/30", "dev", "ipsec0"] in commands


def test_rollback_recreates_a_deleted_interface_with_its_settings():
    before = copy.deepcopy(GATEWAY)
    before["xfrm1283"]["up"] = False
    after = apply(before, [["link", "del", "xfrm1283"], ["addr", "add", "169.254.10.13/30", "dev", "ipsec0"]])
    assert iface.rollback_interfaces(before, after) == [
        ["link", "add", "xfrm1283", "type", "xfrm", "dev", "eth1", "if_id", "1283"],
        ["link", "set", "xfrm1283", "alias", "paynet old_partner main"],
        ["addr", "add", "169.254.10.5/30", "dev", "xfrm1283"],
        ["addr", "del", "169.254.10.13/30", "dev", "ipsec0"],
    ]
