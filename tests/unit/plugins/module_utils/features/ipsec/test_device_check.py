"""ipsec_tunnel's own input check: the fleet validator on a one-gateway view of the module's config
(core.fleet.check_device), with the fleet policy it is given. These cases were the old module-only
check's (ipsec_offline.check, "gw1: tunnel partner-x: auth.psk ..."); the merged validator refuses the
same inputs, naming the field of the module's config and the fix ("gw1: config.tunnels[0].auth.psk: ...
Fix: ...")."""

from __future__ import annotations

import base64
import datetime
import json

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.fleet import check_device
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec import validate
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import offline as ipsec_offline, swanctl

FEATURE = validate.FEATURE.name  # importing the feature registers it with the fleet validator

PSK = "Acme-PSK-9f2Kd-8sLq1-Zx7Wm"
CA = "-----BEGIN CERTIFICATE-----\nQUNNRSBURVNUIENBIChub3QgYSByZWFsIGNlcnQp\n-----END CERTIFICATE-----\n"
CERT = "-----BEGIN CERTIFICATE-----\nR1cxIFRFU1QgQ0VSVCAobm90IGEgcmVhbCBjZXJ0KQ==\n-----END CERTIFICATE-----\n"
KEY_BODY = "VEVTVC1PTkxZLU5PVC1BLVJFQUwtS0VZLWFhYWFhYWFh"
KEY = "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n" % KEY_BODY
TODAY = datetime.date(2026, 5, 10)
T0 = "gw1: config.tunnels[0]"
EXCEPTION = {"reason": "partner HSM until 2027-03", "approved_by": "CHG-123456", "expires": "2027-03-31"}


def raw(**changes):
    """A module config tunnel with only the required keys (what a hand-written task gives)."""
    t = {"name": "partner-acme_bank", "peer_gateway": "198.18.200.2", "auth": {"method": "psk", "psk": PSK},
         "inside": {"network": "169.254.10.0/30"}}
    t.update(changes)
    return t


def pubkey(**changes):
    """A certificate tunnel to another partner (its own IKE peer: one peer_gateway per tunnel on a gateway)."""
    base = {"name": "partner-paycloud", "peer_gateway": "198.18.200.3", "remote_id": "CN=vpn.paycloud.example",
            "auth": {"method": "pubkey", "ca_cert": CA, "cert": CERT, "key": KEY}, "inside": {"network": "169.254.10.4/30"}}
    base.update(changes)
    return raw(**base)


def full(*tunnels):
    """Tunnels completed like the module completes them (derived keys filled in)."""
    return ipsec_offline.complete(list(tunnels))


def one(**changes):
    return full(raw(**changes))[0]


def problems(*tunnels, policy=None, host="gw1", today=TODAY, **fleet_policy):
    fleet_policy.setdefault("ipsec_policy", policy)
    return check_device(FEATURE, {"tunnels": list(tunnels)}, fleet_policy, host=host, today=today)


def assert_no_secret(*objects):
    text = json.dumps(objects, default=str)
    for secret in (PSK, KEY_BODY, base64.b64encode(PSK.encode()).decode()):
        assert secret not in text


def only(found, start, words=""):
    """The one problem, on the field ``start`` names, with ``words`` in it and a fix."""
    assert len(found) == 1, found
    assert found[0].startswith(start) and words in found[0] and ". Fix: " in found[0], found
    return found[0]


# -- good input -----------------------------------------------------------------------------------
@pytest.mark.parametrize("second, fleet_policy", [
    ({}, {}),
    ({"inside": {"network": "10.255.0.2/31"}}, {"ipsec_inside_pool": "10.255.0.0/24", "ipsec_inside_prefixlen": 31}),
])
def test_check_good_tunnels_have_no_problem(second, fleet_policy):
    first = raw(inside={"network": "10.255.0.0/31"}) if fleet_policy else raw()
    assert problems(*full(first, pubkey(**second)), **fleet_policy) == []


# -- crypto -----------------------------------------------------------------------------------------
def test_check_refuses_a_weak_proposal_naming_host_field_token_and_fix():
    found = problems(one(esp_proposals=["aes256-sha1-modp2048"]))
    assert found and all(p.startswith(T0 + ".esp_proposals[0]: ESP proposal 'aes256-sha1-modp2048'") for p in found)
    sha1 = [p for p in found if "'sha1'" in p]
    assert len(sha1) == 1 and "SHA-1 is deprecated" in sha1[0] and ". Fix: use aes256-sha384-ecp384" in sha1[0]
    assert any("'modp2048' is not in ipsec_policy.dh_groups" in p for p in found)


@pytest.mark.parametrize("ike, esp, field, token", [
    (["3des-sha256-prfsha256-modp3072"], None, "ike_proposals[0]", "3des"),
    (["aes256-md5-prfsha384-ecp384"], None, "ike_proposals[0]", "md5"),
    (["aes256gcm16-prfsha384-modp1024"], None, "ike_proposals[0]", "modp1024"),
    (None, ["aes256gcm16"], "esp_proposals[0]", "no DH group"),                # no PFS
    (None, ["aes256gcm16-ecp384", "null-sha384-ecp384"], "esp_proposals[1]", "null"),
])
def test_check_refuses_each_weak_token(ike, esp, field, token):
    found = problems(one(**{k: v for k, v in (("ike_proposals", ike), ("esp_proposals", esp)) if v}))
    assert any(p.startswith("%s.%s: " % (T0, field)) and token in p and ". Fix: " in p for p in found), found


def test_check_uses_the_policy_overrides():
    t = one(esp_proposals=["aes256gcm16-modp2048"])
    assert any("modp2048" in p for p in problems(t))
    assert problems(t, policy={"dh_groups": ["ecp384", "modp2048"]}) == []
    bad = problems(t, policy={"dh_groups": ["modp1024"]})  # refused, and the defaults apply instead
    only([p for p in bad if p.startswith("gw1: ipsec_policy.dh_groups: ")], "gw1: ipsec_policy.dh_groups: dh_groups may not allow", "'modp1024'")


def test_check_crypto_exception_allows_policy_violations_only():
    assert problems(one(esp_proposals=["aes256-sha1-modp2048"], crypto_exception=EXCEPTION)) == []
    invalid = one(ike_proposals=["aes256gcm16-sha384-prfsha384-ecp384"], crypto_exception=EXCEPTION)
    only(problems(invalid), T0 + ".ike_proposals[0]: ", "'sha384' would be invalid")
    unknown = one(esp_proposals=["aes256-sha384-ecp384-bogus"], crypto_exception=EXCEPTION)
    assert any(p.startswith(T0 + ".esp_proposals[0]: ") and "bogus" in p for p in problems(unknown))


@pytest.mark.parametrize("exception, needle", [
    ({"reason": "r", "approved_by": "CHG-1", "expires": "2026-05-09"},
     ".crypto_exception.expires: crypto_exception (CHG-1) expired on 2026-05-09"),
    ({"reason": "r", "approved_by": "CHG-1", "expires": "31.03.2027"},
     ".crypto_exception.expires: expires '31.03.2027' is not a date"),
    ({"reason": " ", "approved_by": "CHG-1", "expires": None}, ".crypto_exception.reason: reason is empty"),
    ({"reason": "r", "approved_by": "", "expires": None}, ".crypto_exception.approved_by: approved_by is empty"),
])
def test_check_unusable_crypto_exception_covers_nothing(exception, needle):
    found = problems(one(esp_proposals=["aes256-sha1-modp2048"], crypto_exception=exception))
    assert any(p.startswith(T0 + needle) and ". Fix: " in p for p in found), found
    assert any("'sha1'" in p for p in found)  # the weak proposal is refused again
    still_valid = dict(exception, reason="r", approved_by="CHG-1", expires="2026-05-10")  # expires today: still valid
    assert problems(one(esp_proposals=["aes256-sha1-modp2048"], crypto_exception=still_valid)) == []


# -- authentication -------------------------------------------------------------------------------------
@pytest.mark.parametrize("psk, needle", [(None, "auth.method is psk but psk is missing"),
                                         ("", "auth.method is psk but psk is missing"),
                                         ("short-psk-1234", "psk is 14 characters long, at least 20 are required")])
def test_check_psk_missing_or_short(psk, needle):
    found = only(problems(one(auth={"method": "psk", "psk": psk})), T0 + ".auth.psk: ", needle)
    assert "openssl rand -base64 32" in found
    if psk:
        assert psk not in found
    assert problems(one(auth={"method": "psk", "psk": "x" * 20})) == []


@pytest.mark.parametrize("tunnel, expected", [
    (raw(auth={"method": "psk", "psk": PSK, "key": KEY}),
     T0 + ".auth.key: auth.key is set with method psk. Fix: remove it, or use method pubkey."),
    (pubkey(auth={"method": "pubkey", "ca_cert": CA, "cert": CERT, "key": KEY, "psk": PSK}),
     T0 + ".auth.psk: auth.psk is set with method pubkey. Fix: remove it, or use method psk."),
    (raw(auth={"method": "pubkey", "psk": PSK}), T0 + ".auth.method: auth.method is pubkey but auth has a psk and no "
     "ca_cert, cert or key. Fix: use method psk, or give ca_cert, cert and key instead of psk."),
])
def test_check_auth_keys_must_match_the_method(tunnel, expected):
    assert problems(*full(tunnel)) == [expected]


def test_check_psk_method_with_certificates_only():
    found = problems(*full(pubkey(auth={"method": "psk", "ca_cert": CA, "cert": CERT, "key": KEY})))
    only(found, T0 + ".auth.psk: ", "psk is missing (ca_cert, cert, key given instead)")
    assert "use method pubkey" in found[0]


def test_check_pubkey_needs_remote_id_and_pem():
    only(problems(*full(pubkey(remote_id=None))), T0 + ".remote_id: ", "remote_id is required with pubkey auth")
    found = problems(*full(pubkey(auth={"method": "pubkey", "ca_cert": "MIIB...", "cert": None, "key": KEY_BODY})))
    assert found == [
        T0 + ".auth: pubkey auth needs ca_cert, cert and key; cert is missing. Fix: set cert to our certificate (PEM).",
        T0 + ".auth.ca_cert: ca_cert is not a PEM certificate. Fix: use the PEM text, e.g. \"{{ lookup('file', "
        "'pki/<name>.pem') }}\".",
        T0 + ".auth.key: key is not a PEM private key. Fix: use the vaulted PEM text of the private key."]


@pytest.mark.parametrize("auth, needle", [
    ({"ca_cert": CA, "cert": CERT, "key": CERT}, ".auth.key: key is not a PEM private key"),
    ({"ca_cert": CA, "cert": KEY, "key": KEY}, ".auth.cert: cert holds a private key"),
    ({"ca_cert": CA + KEY, "cert": CERT, "key": KEY}, ".auth.ca_cert: ca_cert holds a private key"),
    ({"ca_cert": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "cert": CERT, "key": KEY},
     ".auth.ca_cert: ca_cert is not a PEM certificate"),
])
def test_check_pem_kinds_like_the_renderer(auth, needle):
    [t] = full(pubkey(auth=dict(auth, method="pubkey")))
    assert KEY_BODY not in only(problems(t), T0 + needle)
    with pytest.raises(swanctl.SwanctlError):  # the renderer refuses it too: check keeps it from the gateway
        swanctl.render_files([t], "xfrm")


# -- inside network and derived fields --------------------------------------------------------------------
@pytest.mark.parametrize("inside, needle", [
    ({"network": "10.0.0.0/30"}, ".inside.network: 10.0.0.0/30 is not inside the pool 169.254.0.0/16"),
    ({"network": "169.254.10.0/29"}, ".inside.network: 169.254.10.0/29 is a /29, the inside networks are /30"),
    ({"network": "169.254.10.0/30", "local": "169.254.10.5"},
     ".inside.local: local_inside 169.254.10.5 is not a usable address of 169.254.10.0/30"),
    ({"network": "169.254.10.0/30", "peer": "169.254.11.2"},
     ".inside.peer: inside.peer '169.254.11.2' is not the other usable address 169.254.10.2"),
    ({"network": "169.254.10.0/30", "local": "169.254.10.1", "peer": "169.254.10.1"},
     ".inside.peer: inside.peer '169.254.10.1' is not the other usable address 169.254.10.2 of 169.254.10.0/30 "
     "(it equals inside.local)"),
    ({"network": "169.254.10.0/30", "local": "gw1-inside", "peer": "169.254.10.2"},
     ".inside.local: local_inside 'gw1-inside' is not an IP address"),
])
def test_check_inside_network(inside, needle):
    only(problems(one(inside=inside)), T0 + needle)


@pytest.mark.parametrize("changes, needle", [
    ({"name": "partner-acme_bank-backup"}, ".name: connection name 'partner-acme_bank-backup' is not partner-acme_bank"),
    ({"if_id": 7}, ".if_id: if_id 7 is not 1281"),
    ({"inside": {"network": "169.254.10.0/30", "prefixlen": 31}}, ".inside.prefixlen: inside.prefixlen 31 is not"),
])
def test_check_derived_fields_agree_with_what_they_derive_from(changes, needle):
    only(problems(raw(**changes)), T0 + needle)


# -- other fields, duplicates ---------------------------------------------------------------------------
def test_check_other_fields_and_duplicates():
    found = problems(one(peer_gateway="vpn.acme.example", local_gateway="198.18.200.1.5", dpd_delay=-1),
                     one(name="partner-acme_bank", peer_gateway="198.18.200.9"))
    assert found == [
        T0 + ".dpd_delay: dpd_delay -1 is negative. Fix: use a value between 1 and 300 seconds.",
        T0 + ".local_gateway: '198.18.200.1.5' is not an IP address. Fix: use our public IKE address.",
        T0 + ".peer_gateway: 'vpn.acme.example' is not an IP address. Fix: use the partner's public IKE address.",
        "gw1: config.tunnels[1].name: partner 'acme_bank' already has a tunnel named 'main' on gw1 (config.tunnels[0]). "
        "Fix: give each of the partner's tunnels on gw1 its own name, e.g. name: backup."]


def test_check_one_peer_gateway_per_tunnel_on_a_gateway():
    found = problems(*full(raw(), pubkey(peer_gateway="198.18.200.2")))
    assert [p.split(": ")[1] for p in found] == ["config.tunnels[0].peer_gateway", "config.tunnels[1].peer_gateway"]
    assert "(also config.tunnels[1])" in found[0] and "Fix: one IKE peer address per gateway" in found[0]


def test_check_without_host_has_no_host_prefix():
    found = problems(one(auth={"method": "psk", "psk": "short"}), host=None)
    assert found[0].startswith("config.tunnels[0].auth.psk: ")


def test_no_secret_in_any_problem():
    tunnels = [one(auth={"method": "psk", "psk": PSK, "key": KEY}, esp_proposals=["des-md5"],
                   inside={"network": "169.254.10.0/30", "local": "x", "peer": "y"}),
               full(pubkey(auth={"method": "pubkey", "psk": PSK, "ca_cert": KEY, "cert": KEY, "key": KEY_BODY},
                           remote_id=None))[0]]
    found = problems(*tunnels)
    fields = {p.split(": ")[1] for p in found}
    assert {"config.tunnels[0].auth.key", "config.tunnels[1].auth.psk", "config.tunnels[1].auth.ca_cert",
            "config.tunnels[1].auth.cert", "config.tunnels[1].auth.key", "config.tunnels[1].remote_id"} <= fields
    assert_no_secret(found)
