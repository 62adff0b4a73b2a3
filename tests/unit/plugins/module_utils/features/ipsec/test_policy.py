"""ipsec/policy.py: proposal parsing and the strong-crypto policy."""

from __future__ import annotations

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.policy import (
    DEFAULT_ESP_PROPOSALS,
    DEFAULT_IKE_PROPOSALS,
    POLICY_DEFAULTS,
    PolicyError,
    check_policy,
    check_proposals,
    classify,
    effective_policy,
    parse_proposal,
)


def problems(ike=None, esp=None, policy=None, **kwargs):
    return check_proposals(ike, esp, effective_policy(policy), **kwargs)


def tokens(found):
    return {p.token for p in found}


# --- parsing ----------------------------------------------------------------------------------------

def test_parse_aead_ike_proposal():
    parsed = parse_proposal("AES256GCM16-PRFSHA384-ECP384", "ike")
    assert parsed["proposal"] == "aes256gcm16-prfsha384-ecp384"
    assert parsed["encryption"] == ["aes256gcm16"] and parsed["prf"] == ["prfsha384"] and parsed["dh"] == ["ecp384"]
    assert parsed["integrity"] == [] and parsed["unknown"] == [] and parsed["aead"] is True


def test_parse_classic_proposal():
    parsed = parse_proposal("aes256-sha384-ecp384", "ike")
    assert (parsed["encryption"], parsed["integrity"], parsed["prf"], parsed["dh"]) == (
        ["aes256"], ["sha384"], [], ["ecp384"])
    assert parsed["aead"] is False


def test_parse_esp_with_esn_and_several_groups():
    parsed = parse_proposal("aes256gcm16-ecp384-modp4096-esn", "esp")
    assert parsed["dh"] == ["ecp384", "modp4096"] and parsed["other"] == ["esn"]


@pytest.mark.parametrize("token, cls, name", [
    ("sha2_384", "integrity", "sha384"), ("sha2_512", "integrity", "sha512"), ("aes256gcm", "encryption", "aes256gcm16"),
    ("aes256gcm128", "encryption", "aes256gcm16"), ("aes256gcm96", "encryption", "aes256gcm12"),
    ("aes", "encryption", "aes128"), ("x25519", "dh", "x25519"), ("ke1_mlkem768", "dh", "mlkem768"),
    ("prfsha2_512", "prf", "prfsha512"), ("foo", "unknown", "foo"), ("noesn", "other", "noesn"),
])
def test_classify_aliases(token, cls, name):
    assert classify(token) == (cls, name)


@pytest.mark.parametrize("text, kind", [("", "ike"), ("   ", "esp"), (None, "ike"), (42, "esp"), ("aes256", "ah")])
def test_parse_rejects_bad_input(text, kind):
    with pytest.raises(ValueError):
        parse_proposal(text, kind)


# --- good proposals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("ike, esp", [
    (list(DEFAULT_IKE_PROPOSALS), list(DEFAULT_ESP_PROPOSALS)),
    (["aes256-sha384-ecp384"], ["aes256-sha512-modp4096"]),
    (["aes256-sha512-modp4096"], ["aes256gcm12-ecp521"]),
    (["aes256-sha2_512-x25519", "AES256GCM16-PRFSHA512-ECP521"], ["aes256gcm128-curve25519-esn"]),
    (["aes256gcm16-prfsha384-ecp384"], ["aes256gcm16-ecp384", "aes256-sha384-modp3072"]),
])
def test_strong_proposals_pass(ike, esp):
    assert problems(ike, esp) == []


def test_defaults_meet_the_policy():
    assert POLICY_DEFAULTS["ike_proposals"] == ["aes256gcm16-prfsha384-ecp384"]
    assert POLICY_DEFAULTS["esp_proposals"] == ["aes256gcm16-ecp384"]
    assert problems(None, None) == []


# --- weak proposals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("ike, esp, token, words", [
    (["3des-sha384-ecp384"], None, "3des", "Sweet32"),
    (["des-sha384-ecp384"], None, "des", "56-bit"),
    (["aes256-md5-ecp384"], None, "md5", "MD5"),
    (["aes256-sha1-ecp384"], None, "sha1", "SHA-1"),
    (["aes256-sha-ecp384"], None, "sha", "SHA-1"),
    (["aes256-sha384-modp768"], None, "modp768", "broken"),
    (["aes256-sha384-modp1024"], None, "modp1024", "too weak"),
    (["aes256-sha384-modp1536"], None, "modp1536", "too weak"),
    (["aes128-sha384-ecp384"], None, "aes128", "not in ipsec_policy.encryption"),
    (["aes256-sha256-ecp384"], None, "sha256", "not in ipsec_policy.integrity"),
    (["aes256gcm16-prfsha256-ecp384"], None, "prfsha256", "not in ipsec_policy.prf"),
    (["aes256-sha384-modp2048"], None, "modp2048", "not in ipsec_policy.dh_groups"),
    (None, ["aes256-sha1-ecp384"], "sha1", "SHA-1"),
    (None, ["aes128gcm16-ecp384"], "aes128gcm16", "not in ipsec_policy.encryption"),
])
def test_weak_tokens_are_named(ike, esp, token, words):
    found = problems(ike, esp)
    match = [p for p in found if p.token == token]
    assert match, found
    assert words in match[0].reason
    assert match[0].invalid is False  # a crypto_exception may allow it
    assert "use aes256" in match[0].fix


def test_fix_names_a_good_proposal_close_to_the_bad_one():
    found = problems(["aes256-sha256-modp2048"])
    assert tokens(found) == {"sha256", "modp2048"}
    good = found[0].fix.split()[1]
    assert good == "aes256-sha384-ecp384"
    assert problems([good]) == []
    assert "aes256gcm16-prfsha384-ecp384" in found[0].fix  # and the default


def test_fix_for_weak_esp_is_itself_good():
    found = problems(None, ["3des-md5-modp1024"])
    good = found[0].fix.split()[1]
    assert problems(None, [good]) == []


def test_esp_without_dh_refused_when_pfs_required():
    found = problems(None, ["aes256gcm16"])
    assert len(found) == 1 and "PFS" in found[0].reason and found[0].fix.startswith("use aes256gcm16-ecp384")
    assert problems(None, ["aes256gcm16"], {"pfs_required": False}) == []


def test_aead_with_integrity_is_invalid():
    found = problems(["aes256gcm16-sha384-prfsha384-ecp384"])
    assert [(p.token, p.invalid) for p in found] == [("sha384", True)]
    assert "AEAD" in found[0].reason


def test_non_aead_without_integrity_is_invalid():
    found = problems(None, ["aes256-ecp384"])
    assert [(p.token, p.invalid) for p in found] == [("aes256", True)]
    assert "no integrity" in found[0].reason


def test_ike_aead_needs_prf_and_every_ike_needs_dh():
    assert [p.invalid for p in problems(["aes256gcm16-ecp384"])] == [True]
    assert "PRF" in problems(["aes256gcm16-ecp384"])[0].reason
    found = problems(["aes256-sha384"])
    assert [p.reason for p in found] == ["an IKE proposal must name a DH group"]


def test_mixing_aead_and_classic_is_invalid():
    found = problems(None, ["aes256gcm16-aes256-sha384-ecp384"])
    assert any(p.invalid and "cannot be mixed" in p.reason for p in found)


def test_prf_in_esp_and_esn_in_ike_are_invalid():
    assert [p.token for p in problems(None, ["aes256gcm16-prfsha384-ecp384"])] == ["prfsha384"]
    assert [p.token for p in problems(["aes256gcm16-prfsha384-ecp384-esn"])] == ["esn"]


def test_unknown_token_and_default_are_invalid():
    found = problems(["aes256gcm16-prfsha384-ecp385"])
    assert [(p.token, p.invalid) for p in found] == [("ecp385", True)]
    found = problems(None, ["default"])
    assert [(p.token, p.invalid) for p in found] == [("default", True)]


def test_implied_prf_must_be_allowed():
    policy = {"integrity": ["sha384", "sha512"], "prf": ["prfsha512"], "ike_proposals": ["aes256gcm16-prfsha512-ecp384"]}
    found = problems(["aes256-sha384-ecp384"], None, policy)
    assert [p.token for p in found] == ["sha384"] and "prfsha384" in found[0].reason


def test_ikev1_and_aggressive_refused():
    found = problems(ike_version=1)
    assert len(found) == 1 and found[0].kind == "ike_version" and "IKEv1" in found[0].reason and found[0].invalid
    found = problems(aggressive=True)
    assert len(found) == 1 and "aggressive" in found[0].reason


def test_problem_str_names_proposal_token_and_fix():
    text = str(problems(["aes256-sha1-ecp384"])[0])
    assert text.startswith("IKE proposal 'aes256-sha1-ecp384': 'sha1': SHA-1") and "Fix: use aes256-sha384-ecp384" in text


# --- policy overrides -------------------------------------------------------------------------------

def test_effective_policy_defaults_and_override():
    assert effective_policy(None) == POLICY_DEFAULTS
    effective = effective_policy({"integrity": ["sha2_256", "sha384"], "pfs_required": False})
    assert effective["integrity"] == ["sha256", "sha384"] and effective["pfs_required"] is False
    weaker = {"integrity": ["sha256"], "prf": ["prfsha256"], "pfs_required": False}
    assert problems(["aes256-sha256-ecp384"], ["aes256-sha256"], weaker) == []
    assert tokens(problems(["aes256-sha256-ecp384"], None, {"integrity": ["sha256"]})) == {"sha256"}  # implied prfsha256
    assert POLICY_DEFAULTS["integrity"] == ["sha384", "sha512"]  # defaults not modified


@pytest.mark.parametrize("overrides, key, words", [
    ({"integrity": ["md5"]}, "integrity", "MD5"),
    ({"dh_groups": ["modp1024"]}, "dh_groups", "too weak"),
    ({"encryption": ["sha384"]}, "encryption", "not a encryption algorithm"),
    ({"encryption": []}, "encryption", "empty"),
    ({"ike_versions": [1, 2]}, "ike_versions", "only IKEv2"),
    ({"pfs_required": "yes"}, "pfs_required", "true or false"),
    ({"dh_group": ["ecp384"]}, "dh_group", "unknown key"),
    ({"esp_proposals": ["aes256-sha1-ecp384"]}, "esp_proposals", "does not meet the policy"),
])
def test_bad_policy(overrides, key, words):
    _effective, found = check_policy(overrides)
    assert found and found[0].key == key and words in str(found[0]) and found[0].fix
    with pytest.raises(PolicyError):
        effective_policy(overrides)


def test_policy_default_proposals_override():
    effective = effective_policy({"esp_proposals": ["AES256-SHA512-MODP4096"]})
    assert effective["esp_proposals"] == ["aes256-sha512-modp4096"]


def test_policy_not_a_mapping():
    _effective, found = check_policy(["x"])
    assert found and found[0].key is None
