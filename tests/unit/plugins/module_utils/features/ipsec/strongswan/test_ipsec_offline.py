"""ipsec_tunnel without a gateway (platforms/linux/ipsec_offline.py): complete the module's config,
check it (strong-crypto policy, authentication, inside network) and render/parse with secrets masked."""

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


def problems(*tunnels, policy=None, host="gw1", today=TODAY):
    return ipsec_offline.check(list(tunnels), policy, host=host, today=today)


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


# -- check ----------------------------------------------------------------------------------------
def test_check_good_tunnels_have_no_problem():
    good = ipsec_offline.complete([raw(), pubkey(inside={"network": "169.254.10.4/31"})])
    assert problems(*good) == []


def test_check_refuses_a_weak_proposal_naming_host_tunnel_token_and_fix():
    found = problems(one(esp_proposals=["aes256-sha1-modp2048"]))
    assert found and all(p.startswith("gw1: tunnel partner-acme_bank: ESP proposal 'aes256-sha1-modp2048'") for p in found)
    sha1 = [p for p in found if "'sha1'" in p]
    assert len(sha1) == 1 and "SHA-1 is deprecated" in sha1[0] and ". Fix: use aes256-sha384-ecp384" in sha1[0]
    assert any("'modp2048' is not in ipsec_policy.dh_groups" in p for p in found)


@pytest.mark.parametrize("ike, esp, token", [
    (["3des-sha256-prfsha256-modp3072"], None, "3des"),
    (["aes256-md5-prfsha384-ecp384"], None, "md5"),
    (["aes256gcm16-prfsha384-modp1024"], None, "modp1024"),
    (None, ["aes256gcm16"], "no DH group"),                # no PFS
    (None, ["aes256gcm16-ecp384", "null-sha384-ecp384"], "null"),
])
def test_check_refuses_each_weak_token(ike, esp, token):
    changes = {}
    if ike:
        changes["ike_proposals"] = ike
    if esp:
        changes["esp_proposals"] = esp
    found = problems(one(**changes))
    assert any(token in p and "Fix: " in p for p in found), found


def test_check_uses_the_policy_overrides():
    t = one(esp_proposals=["aes256gcm16-modp2048"])
    assert any("modp2048" in p for p in problems(t))
    assert problems(t, policy={"dh_groups": ["ecp384", "modp2048"]}) == []
    bad = problems(t, policy={"dh_groups": ["modp1024"]})
    assert len(bad) == 1 and bad[0].startswith("gw1: ipsec_policy.dh_groups: ") and "Fix: " in bad[0]


def test_check_crypto_exception_allows_policy_violations_only():
    exception = {"reason": "partner HSM until 2027-03", "approved_by": "CHG-123456", "expires": "2027-03-31"}
    weak = one(esp_proposals=["aes256-sha1-modp2048"], crypto_exception=exception)
    assert problems(weak) == []
    invalid = one(ike_proposals=["aes256gcm16-sha384-prfsha384-ecp384"], crypto_exception=exception)
    found = problems(invalid)
    assert len(found) == 1 and "AEAD" in found[0] and "'sha384' would be invalid" in found[0]
    unknown = one(esp_proposals=["aes256-sha384-ecp384-bogus"], crypto_exception=exception)
    assert any("bogus" in p for p in problems(unknown))


@pytest.mark.parametrize("exception, needle", [
    ({"reason": "r", "approved_by": "CHG-1", "expires": "2026-05-09"}, "crypto_exception (CHG-1) expired on 2026-05-09"),
    ({"reason": "r", "approved_by": "CHG-1", "expires": "31.03.2027"}, "crypto_exception.expires '31.03.2027' is not a date"),
    ({"reason": " ", "approved_by": "CHG-1", "expires": None}, "crypto_exception.reason is empty"),
    ({"reason": "r", "approved_by": "", "expires": None}, "crypto_exception.approved_by is empty"),
])
def test_check_unusable_crypto_exception_covers_nothing(exception, needle):
    found = problems(one(esp_proposals=["aes256-sha1-modp2048"], crypto_exception=exception))
    assert any(needle in p for p in found), found
    assert any("'sha1'" in p for p in found)  # the weak proposal is refused again
    still_valid = dict(exception, reason="r", approved_by="CHG-1", expires="2026-05-10")  # expires today: still valid
    assert problems(one(esp_proposals=["aes256-sha1-modp2048"], crypto_exception=still_valid)) == []


@pytest.mark.parametrize("psk, needle", [(None, "auth.psk is missing"), ("", "auth.psk is missing"),
                                         ("short-psk-1234", "auth.psk is shorter than 20 characters")])
def test_check_psk_missing_or_short(psk, needle):
    found = problems(one(auth={"method": "psk", "psk": psk}))
    assert len(found) == 1 and needle in found[0] and "openssl rand -base64 32" in found[0]
    if psk:
        assert psk not in found[0]
    assert problems(one(auth={"method": "psk", "psk": "x" * 20})) == []


def test_check_psk_with_a_key_and_pubkey_with_a_psk():
    found = problems(one(auth={"method": "psk", "psk": PSK, "key": KEY}))
    assert found == ["gw1: tunnel partner-acme_bank: auth.key is set with method psk. Fix: remove it, or use method pubkey"]
    t = ipsec_offline.complete([pubkey()])[0]
    t["auth"]["psk"] = PSK
    assert problems(t) == ["gw1: tunnel partner-paycloud: auth.psk is set with method pubkey. Fix: remove it, or use "
                           "method psk"]


def test_check_pubkey_needs_remote_id_and_pem():
    t = ipsec_offline.complete([pubkey(remote_id=None)])[0]
    found = problems(t)
    assert len(found) == 1 and "remote_id is missing for certificate authentication" in found[0]
    t = ipsec_offline.complete([pubkey(auth={"method": "pubkey", "ca_cert": "MIIB...", "cert": None, "key": KEY_BODY})])[0]
    found = problems(t)
    assert "gw1: tunnel partner-paycloud: auth.ca_cert is not PEM. Fix: give the PEM text" in found[0]
    assert "auth.cert is missing" in found[1] and "auth.key is not PEM" in found[2]


@pytest.mark.parametrize("auth, needle", [
    ({"ca_cert": CA, "cert": CERT, "key": CERT}, "auth.key is not a PEM private key"),
    ({"ca_cert": CA, "cert": KEY, "key": KEY}, "auth.cert is holding a private key"),
    ({"ca_cert": CA + KEY, "cert": CERT, "key": KEY}, "auth.ca_cert is holding a private key"),
    ({"ca_cert": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "cert": CERT, "key": KEY},
     "auth.ca_cert is not a PEM certificate"),
])
def test_check_pem_kinds_like_the_renderer(auth, needle):
    t = ipsec_offline.complete([pubkey(auth=dict(auth, method="pubkey"))])[0]
    found = problems(t)
    assert len(found) == 1 and needle in found[0]
    assert KEY_BODY not in found[0]
    with pytest.raises(swanctl.SwanctlError):  # the renderer refuses it too: check keeps it from the gateway
        swanctl.render_files([t], "xfrm")


@pytest.mark.parametrize("inside, needle", [
    ({"network": "10.0.0.0/30"}, "inside.network 10.0.0.0/30 is not a /30 or /31 in 169.254.0.0/16"),
    ({"network": "169.254.10.0/29"}, "inside.network 169.254.10.0/29 is not a /30 or /31"),
    ({"network": "169.254.10.0/30", "local": "169.254.10.5"}, "inside.local 169.254.10.5 is outside 169.254.10.0/30"),
    ({"network": "169.254.10.0/30", "peer": "169.254.11.2"}, "inside.peer 169.254.11.2 is outside 169.254.10.0/30"),
    ({"network": "169.254.10.0/30", "local": "169.254.10.1", "peer": "169.254.10.1"}, "inside.local equals inside.peer"),
    ({"network": "169.254.10.0/30", "local": "gw1-inside", "peer": "169.254.10.2"},
     "inside.local 'gw1-inside' is not an IP address"),
])
def test_check_inside_network(inside, needle):
    found = problems(one(inside=inside))
    assert any(needle in p and "Fix: " in p for p in found), found


def test_check_other_fields_and_duplicates():
    found = problems(one(peer_gateway="vpn.acme.example", local_gateway="198.18.200.1.5", dpd_delay=-1),
                     one(name="partner-acme_bank"))
    assert "gw1: tunnel partner-acme_bank: name is given twice. Fix: give every tunnel its own name" in found
    assert any("peer_gateway 'vpn.acme.example' is not an IP address" in p for p in found)
    assert any("local_gateway '198.18.200.1.5' is not an IP address" in p for p in found)
    assert any("dpd_delay is negative" in p for p in found)


def test_check_without_host_has_no_host_prefix():
    assert ipsec_offline.check([one(auth={"method": "psk", "psk": "short"})])[0].startswith("tunnel partner-acme_bank: ")


def test_no_secret_in_any_problem():
    tunnels = [one(auth={"method": "psk", "psk": PSK, "key": KEY}, esp_proposals=["des-md5"],
                   inside={"network": "169.254.10.0/30", "local": "x", "peer": "y"}),
               ipsec_offline.complete([pubkey(auth={"method": "pubkey", "psk": PSK, "ca_cert": KEY, "cert": KEY,
                                                    "key": KEY_BODY}, remote_id=None)])[0]]
    found = problems(*tunnels)
    assert len(found) > 8
    assert_no_secret(found)


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
