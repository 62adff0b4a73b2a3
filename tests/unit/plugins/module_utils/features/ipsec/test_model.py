"""ipsec/model.py: inside allocation, tunnel normalisation, and ipsec sessions in the BGP model."""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import ipaddress
import typing as t

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.inside import InsideError, InsidePool
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.model import (
    allocate_inside,
    if_id,
    inside_addresses,
    ipsec_device_config,
    normalise_tunnel,
    parse_duration,
)
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.model import (
    device_config_from_intent,
    normalise_device,
)

PSK = "Acme-pre-shared-key-0123456789"
NORMALISED_KEYS = {
    "name", "partner", "tunnel", "description", "local_gateway", "peer_gateway", "local_id", "remote_id", "auth",
    "ike_proposals", "esp_proposals", "dpd_delay", "dpd_action", "start_action", "close_action", "rekey_time",
    "reauth_time", "child_rekey_time", "inside", "if_id", "interface", "traffic_selectors", "libipsec_selectors",
    "crypto_exception",
}


def fleet() -> dict[str, t.Any]:
    return {
        "acme_bank": {
            "asn": 64496,
            "description": "ACME Bank card settlement",
            "accept_prefixes": ["198.51.100.0/24", {"prefix": "203.0.113.0/24", "le": 26}],
            "max_prefixes": 10,
            "sessions": [{"device": "gw1", "transport": "ipsec", "tunnel": "main", "password": "bgp-secret"}],
            "tunnels": [{"device": "gw1", "peer_gateway": "198.18.200.2", "local_gateway": "198.18.200.1",
                         "auth": {"psk": PSK}, "inside": "169.254.10.0/30"}],
        },
        "card_net": {
            "asn": 64497,
            "accept_prefixes": ["192.0.2.0/24"],
            "max_prefixes": 10,
            "sessions": [{"device": "gw1", "transport": "ipsec", "password": "x"},
                         {"device": "edge1", "peer_address": "192.0.2.254", "password": "x"}],
            "tunnels": [{"device": "gw1", "peer_gateway": "198.18.201.2", "auth": {"psk": PSK}}],
        },
    }


@functools.lru_cache(maxsize=None)
def usable_networks(pool, prefixlen):
    net = ipaddress.ip_network(pool)
    size = 1 << (32 - prefixlen)
    reserved = [ipaddress.ip_network(r) for r in ("169.254.0.0/24", "169.254.169.0/24", "169.254.255.0/24")]
    usable = [ipaddress.ip_network((int(net.network_address) + i * size, prefixlen))
              for i in range(1 << (prefixlen - net.prefixlen))]
    return [n for n in usable if not any(n.overlaps(r) for r in reserved)]


def expected_hashed(partner, device, tunnel, pool="169.254.0.0/16", prefixlen=30):
    """The documented formula, written independently of the implementation."""
    usable = usable_networks(pool, prefixlen)
    digest = int(hashlib.sha256(("%s/%s/%s" % (partner, device, tunnel)).encode()).hexdigest(), 16)
    return str(usable[digest % len(usable)])


# --- allocation -------------------------------------------------------------------------------------

def test_allocation_follows_the_formula_and_explicit_wins():
    inside = allocate_inside(fleet())
    assert inside == {("acme_bank", "gw1", "main"): "169.254.10.0/30",
                      ("card_net", "gw1", "main"): expected_hashed("card_net", "gw1", "main")}


@pytest.mark.parametrize("prefixlen", [30, 31])
def test_allocation_is_deterministic_and_adding_partners_moves_nothing(prefixlen):
    partners = fleet()
    partners["acme_bank"]["tunnels"][0].pop("inside")
    before = allocate_inside(partners, prefixlen=prefixlen)
    assert allocate_inside(copy.deepcopy(partners), prefixlen=prefixlen) == before
    for i in range(12):  # adding partners (inserted before and after in name order) never renumbers others
        partners["p%02d" % i] = {"tunnels": [{"device": "gw%d" % (i % 3), "peer_gateway": "192.0.2.%d" % i}]}
        partners["a%02d" % i] = {"tunnels": [{"device": "gw9", "name": "t%d" % i, "peer_gateway": "192.0.2.%d" % i}]}
    after = allocate_inside(partners, prefixlen=prefixlen)
    assert {k: after[k] for k in before} == before
    assert after[("p07", "gw1", "main")] == expected_hashed("p07", "gw1", "main", prefixlen=prefixlen)
    del partners["card_net"]
    assert allocate_inside(partners, prefixlen=prefixlen)[("acme_bank", "gw1", "main")] == before[("acme_bank", "gw1", "main")]


def test_allocation_never_uses_reserved_networks():
    space = InsidePool()
    assert space.usable == 16384 - 3 * 64
    nets = {space.network_at(i) for i in range(space.usable)}
    assert len(nets) == space.usable
    for reserved in ("169.254.0.0/24", "169.254.169.0/24", "169.254.255.0/24"):
        assert not any(n.overlaps(ipaddress.ip_network(reserved)) for n in nets)
    assert str(space.network_at(0)) == "169.254.1.0/30"
    assert str(space.network_at(space.usable - 1)) == "169.254.254.252/30"


def test_other_pool_only_skips_reserved_inside_it():
    space = InsidePool("10.255.0.0/24", 31)
    assert space.usable == 128 and space.reserved == []
    inside = allocate_inside({"p": {"tunnels": [{"device": "gw1", "peer_gateway": "192.0.2.1"}]}}, "10.255.0.0/24", 31)
    assert ipaddress.ip_network(inside[("p", "gw1", "main")]).subnet_of(ipaddress.ip_network("10.255.0.0/24"))


def test_explicit_overlap_names_both_and_a_free_network():
    partners = fleet()
    partners["card_net"]["tunnels"][0]["inside"] = "169.254.10.0/30"
    partners["card_net"]["tunnels"][0]["device"] = "gw2"  # anywhere in the fleet, not only on one device
    with pytest.raises(InsideError) as info:
        allocate_inside(partners)
    text = str(info.value)
    assert "acme_bank" in text and "card_net" in text and "169.254.10.0/30" in text
    free = info.value.fix.split("pin inside: ")[1].split()[0]
    assert free != "169.254.10.0/30"
    partners["card_net"]["tunnels"][0]["inside"] = free
    assert allocate_inside(partners)[("card_net", "gw2", "main")] == free


def test_hashed_overlap_with_explicit_suggests_pinning_the_allocated_one():
    partners = fleet()
    partners["acme_bank"]["tunnels"][0]["inside"] = expected_hashed("card_net", "gw1", "main")
    with pytest.raises(InsideError) as info:
        allocate_inside(partners)
    assert "partners.card_net.tunnels[0].inside" in info.value.fix
    assert "allocated" in str(info.value) and "pinned" in str(info.value)


def test_hashed_hashed_overlap_is_refused():
    # find two tunnel names of one partner on one device that hash to the same /30 (birthday search)
    seen: dict[str, str] = {}
    names = None
    for i in range(5000):
        net = expected_hashed("p", "gw1", "t%d" % i)
        if net in seen:
            names = (seen[net], "t%d" % i)
            break
        seen[net] = "t%d" % i
    assert names, "no collision found"
    partners = {"p": {"tunnels": [{"device": "gw1", "name": n, "peer_gateway": "192.0.2.%d" % k} for k, n in enumerate(names)]}}
    with pytest.raises(InsideError) as info:
        allocate_inside(partners)
    assert names[0] in str(info.value) and names[1] in str(info.value) and "pin inside:" in str(info.value)


@pytest.mark.parametrize("inside, words", [
    ("169.254.10.1/30", "CIDR"), ("10.0.0.0/30", "not inside the pool"), ("169.254.10.0/29", "is a /29"),
    ("169.254.169.252/30", "reserved"), ("169.254.0.4/30", "reserved"),
])
def test_bad_explicit_inside(inside, words):
    partners = fleet()
    partners["acme_bank"]["tunnels"][0]["inside"] = inside
    with pytest.raises(InsideError, match=words) as info:
        allocate_inside(partners)
    assert "partners.acme_bank.tunnels[0].inside" in str(info.value)


@pytest.mark.parametrize("pool, prefixlen", [("169.254.0.0/16", 29), ("169.254.0.0/16", 32), ("2001:db8::/64", 30),
                                             ("nope", 30), ("169.254.0.0/30", 30)])
def test_bad_pool(pool, prefixlen):
    with pytest.raises(InsideError):
        allocate_inside(fleet(), pool, prefixlen)


def test_duplicate_tunnel_name_on_one_device():
    partners = fleet()
    partners["acme_bank"]["tunnels"].append({"device": "gw1", "peer_gateway": "198.18.200.9"})
    with pytest.raises(ValueError, match="two tunnels named main"):
        allocate_inside(partners)


# --- addresses, if_id, timers -----------------------------------------------------------------------

@pytest.mark.parametrize("network, local_inside, expected", [
    ("169.254.10.0/30", None, ("169.254.10.1", "169.254.10.2")),
    ("169.254.10.0/30", "169.254.10.2", ("169.254.10.2", "169.254.10.1")),
    ("169.254.10.0/31", None, ("169.254.10.0", "169.254.10.1")),
    ("169.254.10.0/31", "169.254.10.1", ("169.254.10.1", "169.254.10.0")),
])
def test_inside_addresses(network, local_inside, expected):
    assert inside_addresses(network, local_inside) == expected


@pytest.mark.parametrize("local_inside", ["169.254.10.0", "169.254.10.3", "169.254.11.1"])
def test_local_inside_must_be_usable(local_inside):
    with pytest.raises(InsideError, match="use 169.254.10.1 or 169.254.10.2"):
        inside_addresses("169.254.10.0/30", local_inside)


@pytest.mark.parametrize("network, expected", [
    ("169.254.10.0/30", ((0xA9FE0A00 & 0xFFFF) >> 1) + 1), ("169.254.10.0/30", 1281), ("169.254.0.0/30", 1),
    ("169.254.255.252/30", 32767), ("169.254.255.254/31", 32768), ("169.254.1.2/31", 130),
])
def test_if_id(network, expected):
    assert if_id(network) == expected


@pytest.mark.parametrize("value, seconds", [(14400, 14400), ("14400", 14400), ("4h", 14400), ("30m", 1800), ("90s", 90),
                                            ("1d", 86400), ("1h30m", 5400), (" 2H ", 7200), (0, 0)])
def test_parse_duration(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["4 hours", "-1", -5, True, 1.5, "", "h", None])
def test_parse_duration_rejects(value):
    with pytest.raises(ValueError):
        parse_duration(value, "rekey_time")


# --- normalisation ----------------------------------------------------------------------------------

def test_normalise_psk_tunnel_with_defaults():
    partners = fleet()
    tunnel = normalise_tunnel("acme_bank", partners["acme_bank"], partners["acme_bank"]["tunnels"][0],
                              "169.254.10.0/30", ["198.18.10.0/24"])
    assert set(tunnel) == NORMALISED_KEYS
    assert tunnel == {
        "name": "partner-acme_bank", "partner": "acme_bank", "tunnel": "main",
        "description": "ACME Bank card settlement",
        "local_gateway": "198.18.200.1", "peer_gateway": "198.18.200.2",
        "local_id": "198.18.200.1", "remote_id": "198.18.200.2",
        "auth": {"method": "psk", "psk": PSK},
        "ike_proposals": ["aes256gcm16-prfsha384-ecp384"], "esp_proposals": ["aes256gcm16-ecp384"],
        "dpd_delay": 10, "dpd_action": "restart", "start_action": "start", "close_action": "start",
        "rekey_time": 14400, "reauth_time": 0, "child_rekey_time": 3600,
        "inside": {"network": "169.254.10.0/30", "local": "169.254.10.1", "peer": "169.254.10.2", "prefixlen": 30},
        "if_id": 1281, "interface": "xfrm1281",
        "traffic_selectors": None,
        "libipsec_selectors": {"local": ["169.254.10.0/30", "198.18.10.0/24"],
                               "remote": ["169.254.10.0/30", "198.51.100.0/24", "203.0.113.0/24"]},
        "crypto_exception": None,
    }


def test_normalise_pubkey_tunnel_with_everything_set():
    tunnel = {
        "device": "gw1", "name": "backup", "description": "  backup   path ", "peer_gateway": "2001:db8::2",
        "remote_id": "CN=vpn.acme.example", "local_id": "CN=gw1.paynet.example",
        "auth": {"ca_cert": "CA PEM", "cert": "CERT PEM", "key": "KEY PEM"},
        "local_inside": "169.254.20.1", "ike_proposals": ["AES256-SHA384-ECP384"], "esp_proposals": "AES256GCM16-ECP384",
        "dpd_delay": "30s", "dpd_action": "Clear", "start_action": "trap", "close_action": "none",
        "rekey_time": "4h", "reauth_time": "1d", "child_rekey_time": "30m",
        "traffic_selectors": {"local": ["0.0.0.0/0", "::/0"], "remote": "0.0.0.0/0"},
        "crypto_exception": {"reason": "HSM", "approved_by": "CHG-1", "expires": datetime.date(2027, 3, 31)},
    }
    out = normalise_tunnel("acme_bank", {"accept_prefixes": []}, tunnel, "169.254.20.0/31")
    assert set(out) == NORMALISED_KEYS
    assert out["name"] == "partner-acme_bank-backup" and out["tunnel"] == "backup"
    assert out["description"] == "backup path"
    assert out["auth"] == {"method": "pubkey", "ca_cert": "CA PEM", "cert": "CERT PEM", "key": "KEY PEM"}
    assert (out["local_id"], out["remote_id"], out["local_gateway"]) == ("CN=gw1.paynet.example", "CN=vpn.acme.example", None)
    assert out["ike_proposals"] == ["aes256-sha384-ecp384"] and out["esp_proposals"] == ["aes256gcm16-ecp384"]
    assert (out["dpd_delay"], out["rekey_time"], out["reauth_time"], out["child_rekey_time"]) == (30, 14400, 86400, 1800)
    assert (out["dpd_action"], out["start_action"], out["close_action"]) == ("clear", "trap", "none")
    assert out["inside"] == {"network": "169.254.20.0/31", "local": "169.254.20.1", "peer": "169.254.20.0", "prefixlen": 31}
    assert out["if_id"] == ((int(ipaddress.ip_address("169.254.20.0")) & 0xFFFF) >> 1) + 1
    assert out["traffic_selectors"] == {"local": ["0.0.0.0/0", "::/0"], "remote": ["0.0.0.0/0"]}
    assert out["libipsec_selectors"] == {"local": ["169.254.20.0/31"], "remote": ["169.254.20.0/31"]}
    assert out["crypto_exception"] == {"reason": "HSM", "approved_by": "CHG-1", "expires": "2027-03-31"}


def test_pubkey_without_psk_has_no_default_local_id():
    tunnel = {"device": "gw1", "peer_gateway": "198.18.200.2", "local_gateway": "198.18.200.1", "remote_id": "CN=x",
              "auth": {"ca_cert": "A", "cert": "B", "key": "C"}}
    assert normalise_tunnel("p", {}, tunnel, "169.254.10.0/30")["local_id"] is None


def test_policy_default_proposals_are_used():
    tunnel = {"device": "gw1", "peer_gateway": "198.18.200.2", "auth": {"psk": PSK}}
    out = normalise_tunnel("p", {}, tunnel, "169.254.10.0/30",
                           policy={"esp_proposals": ["aes256-sha512-modp4096"]})
    assert out["esp_proposals"] == ["aes256-sha512-modp4096"]


@pytest.mark.parametrize("change, words", [
    ({"auth": {"ca_cert": "A", "cert": "B", "key": "C"}}, "remote_id is required"),
    ({"auth": {"psk": PSK, "cert": "B"}}, "both psk and cert"),
    ({"auth": {"cert": "B"}}, "ca_cert, key"),
    ({"auth": {}}, "neither psk nor"),
    ({"peer_gateway": "gw.example"}, "not an IP address"),
    ({"dpd_action": "hold"}, "dpd_action 'hold'"),
    ({"rekey_time": "soon"}, "rekey_time"),
    ({"name": "Main-Tunnel"}, "must match"),
    ({"traffic_selectors": {"local": ["0.0.0.0/0"]}}, "both local and remote"),
])
def test_normalise_refuses(change, words):
    tunnel = {"device": "gw1", "peer_gateway": "198.18.200.2", "auth": {"psk": PSK}}
    tunnel.update(change)
    with pytest.raises(ValueError, match=words) as info:
        normalise_tunnel("p", {}, tunnel, "169.254.10.0/30")
    assert PSK not in str(info.value)


def test_ipsec_device_config_selects_sorts_and_limits():
    partners = fleet()
    partners["acme_bank"]["tunnels"].append({"device": "gw1", "name": "backup", "peer_gateway": "198.18.200.3",
                                             "auth": {"psk": PSK}})
    partners["zeta"] = {"accept_prefixes": [], "tunnels": [{"device": "gw2", "peer_gateway": "198.18.202.2",
                                                            "auth": {"psk": PSK}}]}
    config = ipsec_device_config(partners, "gw1", {"announce": ["198.18.10.0/24"]})
    assert [t["name"] for t in config["tunnels"]] == ["partner-acme_bank", "partner-acme_bank-backup", "partner-card_net"]
    assert all(set(t) == NORMALISED_KEYS for t in config["tunnels"])
    assert config["tunnels"][2]["inside"]["network"] == expected_hashed("card_net", "gw1", "main")
    assert config["tunnels"][0]["libipsec_selectors"]["local"] == ["169.254.10.0/30", "198.18.10.0/24"]
    only = ipsec_device_config(partners, "gw1", only=["card_net"])
    assert [t["name"] for t in only["tunnels"]] == ["partner-card_net"]
    assert ipsec_device_config(partners, "edge1") == {"tunnels": []}
    with pytest.raises(ValueError, match="unknown partner"):
        ipsec_device_config(partners, "gw1", only=["nobody"])


def test_ipsec_device_config_does_not_modify_input():
    partners = fleet()
    before = copy.deepcopy(partners)
    ipsec_device_config(partners, "gw1")
    assert partners == before


# --- ipsec sessions in the BGP device model ---------------------------------------------------------

def test_ipsec_sessions_get_inside_addresses():
    partners = fleet()
    config = device_config_from_intent(partners, "gw1", {"asn": 65010, "router_id": "198.18.0.1"})
    sessions = {p["name"]: p["sessions"] for p in config["partners"]}
    assert sessions["acme_bank"] == [{"password": "bgp-secret", "peer_address": "169.254.10.2", "local_address": "169.254.10.1"}]
    card = ipaddress.ip_network(expected_hashed("card_net", "gw1", "main"))
    assert sessions["card_net"] == [{"password": "x", "peer_address": str(card.network_address + 2),
                                     "local_address": str(card.network_address + 1)}]
    normalise_device(config)  # the module accepts it
    # direct sessions are unchanged
    edge = device_config_from_intent(partners, "edge1", {})
    assert edge["partners"][0]["sessions"] == [{"peer_address": "192.0.2.254", "password": "x"}]


def test_ipsec_session_with_local_inside_and_31():
    partners = fleet()
    partners["acme_bank"]["tunnels"][0].update({"inside": "169.254.10.0/31", "local_inside": "169.254.10.1"})
    partners["card_net"]["tunnels"][0]["inside"] = "169.254.10.2/31"
    config = device_config_from_intent(partners, "gw1", {}, prefixlen=31)
    acme = config["partners"][0]["sessions"][0]
    assert (acme["local_address"], acme["peer_address"]) == ("169.254.10.1", "169.254.10.0")


def test_ipsec_session_matching_explicit_address_is_fine_other_is_an_error():
    partners = fleet()
    partners["acme_bank"]["sessions"][0]["peer_address"] = "169.254.10.2"
    assert device_config_from_intent(partners, "gw1", {})["partners"][0]["sessions"][0]["peer_address"] == "169.254.10.2"
    partners["acme_bank"]["sessions"][0]["peer_address"] = "203.0.113.2"
    with pytest.raises(ValueError, match="remove peer_address"):
        device_config_from_intent(partners, "gw1", {})


@pytest.mark.parametrize("change, words", [
    ({"tunnel": "backup"}, "names tunnel 'backup'"),
    ({"device": "gw2", "tunnel": None}, "no tunnel on gw2"),
])
def test_ipsec_session_without_its_tunnel(change, words):
    partners = fleet()
    partners["acme_bank"]["sessions"][0].update(change)
    if change.get("tunnel", "") is None:
        del partners["acme_bank"]["sessions"][0]["tunnel"]
    with pytest.raises(ValueError, match=words):
        device_config_from_intent(partners, change.get("device", "gw1"), {})


def test_ipsec_session_ambiguous_tunnel():
    partners = fleet()
    partners["card_net"]["tunnels"].append({"device": "gw1", "name": "backup", "peer_gateway": "198.18.201.3"})
    with pytest.raises(ValueError, match="name one with tunnel"):
        device_config_from_intent(partners, "gw1", {})
    partners["card_net"]["sessions"][0]["tunnel"] = "backup"
    config = device_config_from_intent(partners, "gw1", {})
    backup = ipaddress.ip_network(expected_hashed("card_net", "gw1", "backup"))
    assert config["partners"][1]["sessions"][0]["peer_address"] == str(backup.network_address + 2)


def test_device_without_ipsec_sessions_never_allocates():
    partners = fleet()
    partners["card_net"]["tunnels"][0]["inside"] = "169.254.10.0/30"  # overlap, but edge1 has no ipsec session
    assert device_config_from_intent(partners, "edge1", {})["partners"][0]["name"] == "card_net"
    with pytest.raises(InsideError):
        device_config_from_intent(partners, "gw1", {})
