"""ipsec_tunnel's own input check: the fleet validator on a one-gateway view of the module's config
(core.fleet.check_device), with the fleet policy it is given. These cases were the old module-only
check's (ipsec_offline.check); the merged validator must refuse the same inputs."""

from __future__ import annotations

import base64
import datetime
import json

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.fleet import check_device
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec import validate  # noqa: F401
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import offline as ipsec_offline, swanctl

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


def problems(*tunnels, policy=None, host="gw1", today=TODAY, **fleet_policy):
    fleet_policy.setdefault("ipsec_policy", policy)
    return check_device("ipsec", {"tunnels": list(tunnels)}, fleet_policy, host=host, today=today)


def assert_no_secret(*objects):
    text = json.dumps(objects, default=str)
    for secret in (PSK, KEY_BODY, base64.b64encode(PSK.encode()).decode()):
        assert secret not in text


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
