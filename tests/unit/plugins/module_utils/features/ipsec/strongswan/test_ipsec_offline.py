"""ipsec_tunnel without a gateway (features/ipsec/strongswan/offline.py): complete the module's config
and render/parse with secrets masked. (Its input check is the fleet validator: test_device_check.py.)"""

from __future__ import annotations

import base64
import copy
import datetime
import json

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import offline as ipsec_offline, swanctl
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK

PSK = "Acme-PSK-9f2Kd-8sLq1-Zx7Wm"
CA = "-----BEGIN CERTIFICATE-----\nQUNNRSBURVNUIENBIChub3QgYSByZWFsIGNlcnQp\n-----END CERTIFICATE-----\n"
CERT = "-----BEGIN CERTIFICATE-----\nR1cxIFRFU1QgQ0VSVCAobm90IGEgcmVhbCBjZXJ0KQ==\n-----END CERTIFICATE-----\n"
KEY_BODY = "VEVTVC1PTkxZLU5PVC1BLVJFQUwtS0VZLWFhYWFhYWFh"
KEY = "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n" % KEY_BODY
TODAY = datetime.date(2026, 5, 10)


def raw(**changes):
    """A module config tunnel with only the required keys (what a hand-written task gives)."""
    t = {"name": "partner-acme_bank", "peer_gateway": "198.18.200.2", "auth": {"method": "psk", "psk": PSK},
         "inside": {"network": "169.254.10.0/30"}}
    t.update(changes)
    return t


def pubkey(**changes):
    base = {"name": "partner-paycloud", "auth": {"method": "pubkey", "ca_cert": CA, "cert": CERT, "key": KEY},
            "remote_id": "CN=vpn.paycloud.example"}
    base.update(changes)
    return raw(**base)


def one(**changes):
    return ipsec_offline.complete([raw(**changes)])[0]


def assert_no_secret(*objects):
    text = json.dumps(objects, default=str)
    for secret in (PSK, KEY_BODY, base64.b64encode(PSK.encode()).decode()):
        assert secret not in text


# -- complete -------------------------------------------------------------------------------------
@pytest.mark.parametrize("inside, local, peer, prefixlen", [
    ({"network": "169.254.10.0/30"}, "169.254.10.1", "169.254.10.2", 30),
    ({"network": "169.254.10.0/31"}, "169.254.10.0", "169.254.10.1", 31),
    ({"network": "169.254.10.0/30", "local": "169.254.10.2"}, "169.254.10.2", "169.254.10.1", 30),   # the other side
    ({"network": "169.254.10.0/31", "local": "169.254.10.1"}, "169.254.10.1", "169.254.10.0", 31),
    ({"network": "169.254.10.0/30", "peer": "169.254.10.1", "local": "169.254.10.2"}, "169.254.10.2", "169.254.10.1", 30),
])
def test_complete_derives_the_inside_addresses(inside, local, peer, prefixlen):
    assert one(inside=inside)["inside"] == {"network": inside["network"], "local": local, "peer": peer,
                                            "prefixlen": prefixlen}


@pytest.mark.parametrize("network, if_id", [("169.254.10.0/30", 1281), ("169.254.10.4/30", 1283),
                                            ("169.254.10.4/31", 1283), ("169.254.10.6/31", 1284),
                                            ("169.254.0.0/30", 1), ("169.254.255.252/30", 32767)])
def test_complete_derives_if_id_and_interface(network, if_id):
    t = one(inside={"network": network})
    assert t["if_id"] == if_id == ipsec_offline.if_id_for(network)
    assert t["interface"] == "xfrm%d" % if_id


def test_complete_keeps_given_if_id_and_interface():
    t = one(if_id=77, interface="xfrm900")
    assert (t["if_id"], t["interface"]) == (77, "xfrm900")
    assert one(if_id=77)["interface"] == "xfrm77"


def test_complete_fills_the_defaults_of_docs_ipsec_md():
    t = one()
    assert t == {
        "name": "partner-acme_bank", "partner": "acme_bank", "tunnel": "main", "description": None,
        "local_gateway": None, "peer_gateway": "198.18.200.2", "local_id": None, "remote_id": "198.18.200.2",
        "auth": {"method": "psk", "psk": PSK},
        "ike_proposals": ["aes256gcm16-prfsha384-ecp384"], "esp_proposals": ["aes256gcm16-ecp384"],
        "dpd_delay": 10, "dpd_action": "restart", "start_action": "start", "close_action": "start",
        "rekey_time": 14400, "reauth_time": 0, "child_rekey_time": 3600,
        "inside": {"network": "169.254.10.0/30", "local": "169.254.10.1", "peer": "169.254.10.2", "prefixlen": 30},
        "if_id": 1281, "interface": "xfrm1281", "traffic_selectors": None,
        "libipsec_selectors": {"local": ["169.254.10.0/30"], "remote": ["169.254.10.0/30"]},
        "crypto_exception": None,
    }
    # ...and renders, and parses back to itself
    files = swanctl.render_files([t], "xfrm")
    assert swanctl.tunnels_from_files({p: c for p, (c, _m) in files.items()}) == [t]


def test_complete_keeps_given_values_lowercases_proposals_and_sorts():
    tunnels = ipsec_offline.complete([
        raw(name="partner-zeta", inside={"network": "169.254.10.8/30"}, ike_proposals=["AES256GCM16-PRFSHA384-ECP384"],
            esp_proposals=["AES256GCM16-ECP384"], dpd_delay=0, reauth_time=3600, remote_id="zeta.example",
            partner="zeta_bank", tunnel="backup", libipsec_selectors={"local": ["10.0.0.0/8"], "remote": ["10.1.0.0/16"]}),
        raw(name="partner-alpha", inside={"network": "169.254.10.12/30"}),
    ])
    assert [t["name"] for t in tunnels] == ["partner-alpha", "partner-zeta"]
    zeta = tunnels[1]
    assert zeta["ike_proposals"] == ["aes256gcm16-prfsha384-ecp384"] and zeta["esp_proposals"] == ["aes256gcm16-ecp384"]
    assert zeta["dpd_delay"] == 0 and zeta["reauth_time"] == 3600  # 0 is a value, not "missing"
    assert (zeta["partner"], zeta["tunnel"], zeta["remote_id"]) == ("zeta_bank", "backup", "zeta.example")
    assert zeta["libipsec_selectors"] == {"local": ["10.0.0.0/8"], "remote": ["10.1.0.0/16"]}


def test_complete_remote_id_defaults_to_peer_gateway_only_for_psk():
    assert one()["remote_id"] == "198.18.200.2"
    assert ipsec_offline.complete([pubkey(remote_id=None)])[0]["remote_id"] is None


def test_complete_does_not_change_its_input():
    given = [raw()]
    before = copy.deepcopy(given)
    ipsec_offline.complete(given)
    assert given == before


@pytest.mark.parametrize("inside, needle", [
    ({"network": "169.254.10.1/30"}, "has host bits set"),
    ({"network": "not-a-network"}, "does not appear to be"),
    ({"network": "169.254.10.1/32"}, "no two usable addresses"),
    ({}, "network"),
])
def test_complete_malformed_inside_is_a_valueerror_naming_tunnel_and_field(inside, needle):
    with pytest.raises(ValueError) as err:
        one(inside=inside)
    assert str(err.value).startswith("tunnel partner-acme_bank: inside.network: ") and needle in str(err.value)


# -- rendered / parsed ----------------------------------------------------------------------------
@pytest.mark.parametrize("dataplane, plane", [("auto", "xfrm"), ("xfrm", "xfrm"), ("libipsec", "libipsec")])
def test_rendered_masks_secrets_and_keys(dataplane, plane):
    tunnels = ipsec_offline.complete([raw(), pubkey(inside={"network": "169.254.10.4/30"})])
    out = ipsec_offline.rendered(tunnels, dataplane, root="/etc/swanctl")
    assert sorted(out) == ["/etc/swanctl/conf.d/paynet-partner-acme_bank.conf", "/etc/swanctl/conf.d/paynet-partner-paycloud.conf",
                           "/etc/swanctl/private/paynet-partner-paycloud.pem", "/etc/swanctl/x509/paynet-partner-paycloud.pem",
                           "/etc/swanctl/x509ca/paynet-partner-paycloud-ca.pem"]
    assert "        secret = %s\n" % MASK in out["/etc/swanctl/conf.d/paynet-partner-acme_bank.conf"]
    assert out["/etc/swanctl/private/paynet-partner-paycloud.pem"] == "(private key, not shown)"
    assert out["/etc/swanctl/x509/paynet-partner-paycloud.pem"] == CERT
    assert ("if_id_in = 1281" in out["/etc/swanctl/conf.d/paynet-partner-acme_bank.conf"]) is (plane == "xfrm")
    assert_no_secret(out)
    # masked, the rendered file is the real one with only the secret replaced
    real = swanctl.render_conf(tunnels[0], plane)
    assert out["/etc/swanctl/conf.d/paynet-partner-acme_bank.conf"] == swanctl.mask_conf(real) != real


def test_rendered_under_another_root():
    out = ipsec_offline.rendered(ipsec_offline.complete([raw()]), "xfrm", root="/srv/swanctl/")
    assert list(out) == ["/srv/swanctl/conf.d/paynet-partner-acme_bank.conf"]


def test_parsed_masks_the_psk():
    t = one(local_gateway="198.18.200.1", local_id="198.18.200.1")
    result = ipsec_offline.parsed(swanctl.render_conf(t, "libipsec"))
    assert result == {"tunnels": [dict(t, auth={"method": "psk", "psk": MASK})]}
    assert_no_secret(result)


def test_parsed_pubkey_masks_the_key_field_only_when_present():
    t = ipsec_offline.complete([pubkey()])[0]
    parsed = ipsec_offline.parsed(swanctl.render_conf(t, "xfrm"))["tunnels"][0]
    # the text of one conf file names the PEM files but does not hold them
    assert parsed["auth"] == {"method": "pubkey", "ca_cert": None, "cert": None, "key": None}
    masked = ipsec_offline.masked_tunnel(t)
    assert masked["auth"] == {"method": "pubkey", "ca_cert": CA, "cert": CERT, "key": MASK}
    assert t["auth"]["key"] == KEY  # the input is not changed


def test_parsed_hand_written_file_with_a_plain_secret():
    text = ('connections {\n  partner-northbank {\n    remote_addrs = 198.18.200.2\n    proposals = aes256gcm16-prfsha384-ecp384\n'
            '    local { auth = psk }\n    remote { auth = psk\n id = 198.18.200.2 }\n'
            '    children { partner-northbank { esp_proposals = aes256gcm16-ecp384 } }\n  }\n}\n'
            'secrets { ike-1 { id-1 = 198.18.200.2\n secret = "%s" } }\n' % PSK)
    [t] = ipsec_offline.parsed(text)["tunnels"]
    assert t["auth"] == {"method": "psk", "psk": MASK} and t["partner"] == "northbank" and t["inside"] is None
    assert_no_secret(t)


def test_parsed_refuses_broken_text_with_the_line():
    with pytest.raises(swanctl.ConfParseError, match="line 2"):
        ipsec_offline.parsed("connections {\n  x = \"unterminated\n")
