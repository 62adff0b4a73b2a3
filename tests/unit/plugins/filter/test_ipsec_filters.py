"""plugins/filter/ipsec.py: thin wrappers, Ansible errors, filter registration."""

from __future__ import annotations

import ipaddress

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.paynet.netinfra.plugins.filter.ipsec import (
    FilterModule,
    ipsec_device_config,
    ipsec_inside_network,
)

PSK = "Acme-pre-shared-key-0123456789"


def partners():
    return {
        "acme_bank": {"asn": 64496, "accept_prefixes": ["198.51.100.0/24"],
                      "tunnels": [{"device": "gw1", "peer_gateway": "198.18.200.2", "auth": {"psk": PSK},
                                   "inside": "169.254.10.0/30"},
                                  {"device": "gw1", "name": "backup", "peer_gateway": "198.18.200.3", "auth": {"psk": PSK}}]},
        "card_net": {"asn": 64497, "tunnels": [{"device": "gw2", "peer_gateway": "198.18.201.2", "auth": {"psk": PSK}}]},
    }


def test_filters_registered():
    filters = FilterModule().filters()
    assert set(filters) == {"ipsec_device_config", "ipsec_inside_network"}
    assert filters["ipsec_device_config"] is ipsec_device_config


def test_ipsec_device_config():
    config = ipsec_device_config(partners(), "gw1", {"announce": ["198.18.10.0/24"]})
    assert [t["name"] for t in config["tunnels"]] == ["partner-acme_bank", "partner-acme_bank-backup"]
    main = config["tunnels"][0]
    assert main["inside"] == {"network": "169.254.10.0/30", "local": "169.254.10.1", "peer": "169.254.10.2", "prefixlen": 30}
    assert main["libipsec_selectors"] == {"local": ["169.254.10.0/30", "198.18.10.0/24"],
                                          "remote": ["169.254.10.0/30", "198.51.100.0/24"]}
    assert ipsec_device_config(partners(), "gw1", None, None, None, "card_net") == {"tunnels": []}  # only as a string


def test_ipsec_device_config_prefixlen_as_string_and_31():
    data = partners()
    data["acme_bank"]["tunnels"][0]["inside"] = "169.254.10.0/31"
    config = ipsec_device_config(data, "gw1", pool="169.254.0.0/16", prefixlen="31")
    assert config["tunnels"][0]["inside"]["prefixlen"] == 31


def test_ipsec_device_config_errors_are_filter_errors():
    data = partners()
    data["card_net"]["tunnels"][0]["inside"] = "169.254.10.0/30"
    with pytest.raises(AnsibleFilterError, match=r"ipsec_device_config for gw1: .*overlaps.*Fix: pin inside: 169\.254\."):
        ipsec_device_config(data, "gw1")
    with pytest.raises(AnsibleFilterError, match="unknown partner"):
        ipsec_device_config(partners(), "gw1", only=["nobody"])
    data = partners()
    data["acme_bank"]["tunnels"][1]["auth"] = {"psk": PSK, "cert": "x"}
    with pytest.raises(AnsibleFilterError) as info:
        ipsec_device_config(data, "gw1")
    assert PSK not in str(info.value)


def test_ipsec_inside_network():
    data = partners()
    assert ipsec_inside_network(data, "acme_bank", "gw1") == "169.254.10.0/30"
    backup = ipsec_inside_network(data, "acme_bank", "gw1", "backup")
    assert ipaddress.ip_network(backup).subnet_of(ipaddress.ip_network("169.254.0.0/16"))
    assert ipsec_inside_network(data, "acme_bank", "gw1", "backup") == backup  # deterministic
    data["zulu"] = {"tunnels": [{"device": "gw1", "peer_gateway": "192.0.2.1"}]}
    assert ipsec_inside_network(data, "acme_bank", "gw1", "backup") == backup  # a new partner moves nothing
    del data["acme_bank"]["tunnels"][0]["inside"]
    other = ipaddress.ip_network(ipsec_inside_network(data, "card_net", "gw2", pool="10.9.0.0/24", prefixlen=31))
    assert other.prefixlen == 31 and other.subnet_of(ipaddress.ip_network("10.9.0.0/24"))


@pytest.mark.parametrize("partner, device, tunnel, words", [
    ("nobody", "gw1", "main", "use a name from the partners intent"),
    ("acme_bank", "gw1", "third", "use one of its tunnels there: backup, main"),
    ("acme_bank", "gw9", "main", "add a tunnel"),
])
def test_ipsec_inside_network_unknown_tunnel(partner, device, tunnel, words):
    with pytest.raises(AnsibleFilterError, match=words):
        ipsec_inside_network(partners(), partner, device, tunnel)
