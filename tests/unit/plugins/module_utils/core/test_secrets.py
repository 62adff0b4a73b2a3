"""module_utils/netinfra/secrets.py: every secret form is masked, nothing else is."""

from __future__ import annotations

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK, mask_text

PEM = """-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7
abcdefghijklmnopqrstuvwxyz0123456789
-----END PRIVATE KEY-----"""


def test_mask_constant():
    assert MASK == "********"


@pytest.mark.parametrize("text, secret, expected", [
    (" neighbor 203.0.113.2 password Acme-S3cret\n", "Acme-S3cret", " neighbor 203.0.113.2 password ********\n"),
    ("neighbor 2001:db8::2 password p@ss", "p@ss", "neighbor 2001:db8::2 password ********"),
    ("neighbor PARTNERS password hunter2 ", "hunter2", "neighbor PARTNERS password ********"),
    ("no neighbor 203.0.113.2 password old1", "old1", "no neighbor 203.0.113.2 password ********"),
    ("password zebra\nenable password z3bra\n", "zebra", "password ********\nenable password ********\n"),
    ("    secret = 0sFpZAZqEN6Ti9sqt4ZP5EWcqx\n", "0sFpZAZqEN6Ti9sqt4ZP5EWcqx", "    secret = ********\n"),
    ('\tsecret = "with spaces inside"\n', "with spaces", "\tsecret = ********\n"),
    ("  psk=abc123\n", "abc123", "  psk=********\n"),
    ('203.0.113.66 198.18.0.1 : PSK "v3ry-s3cret"\n', "v3ry-s3cret", '203.0.113.66 198.18.0.1 : PSK ********\n'),
    ("    auth_pass vrrpPW\n", "vrrpPW", "    auth_pass ********\n"),
    ("rocommunity n0tpublic 10.0.0.0/8\n", "n0tpublic", "rocommunity ******** 10.0.0.0/8\n"),
    ("com2sec readonly default s3cretcomm\n", "s3cretcomm", "com2sec readonly default ********\n"),
])
def test_line_forms(text, secret, expected):
    masked = mask_text(text)
    assert masked == expected
    assert secret not in masked


@pytest.mark.parametrize("line, gone, kept", [
    ("createUser monitor SHA authPass123 AES privPass456", ["authPass123", "privPass456"], "createUser monitor SHA "),
    ("createUser -e 0x80001f8880 monitor SHA-256 'auth pass' AES-256 privPW", ["auth pass", "privPW"], "SHA-256"),
    ("createUser monitor MD5 onlyAuth", ["onlyAuth"], "createUser monitor MD5 "),
])
def test_snmp_create_user(line, gone, kept):
    masked = mask_text(line)
    assert all(g not in masked for g in gone) and kept in masked and masked.count(MASK) == len(gone)


def test_pem_private_key_body_masked_markers_kept():
    masked = mask_text("before\n" + PEM + "\nafter")
    assert "MIIEvQ" not in masked and "abcdefgh" not in masked
    assert masked == "before\n-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\nafter" % MASK


def test_rsa_and_openssh_keys():
    for kind in ("RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"):
        text = "-----BEGIN %s-----\nSECRETBODY\n-----END %s-----\n" % (kind, kind)
        assert "SECRETBODY" not in mask_text(text)


def test_certificates_are_not_masked():
    cert = "-----BEGIN CERTIFICATE-----\nPUBLICBODY\n-----END CERTIFICATE-----"
    assert mask_text(cert) == cert


def test_extra_secrets_longest_first_and_everywhere():
    text = "key abcdef and abc, description abcdef-x"
    assert mask_text(text, extra=["abc", "abcdef", None, ""]) == "key %s and %s, description %s-x" % (MASK, MASK, MASK)


def test_extra_non_string_secret():
    assert mask_text("pin 123456", extra=[123456]) == "pin %s" % MASK


def test_idempotent_and_harmless():
    text = "router bgp 65010\n neighbor 203.0.113.2 remote-as 64496\n neighbor 203.0.113.2 password x\n"
    once = mask_text(text)
    assert mask_text(once) == once
    assert " neighbor 203.0.113.2 remote-as 64496\n" in once
    assert mask_text("description no secrets here") == "description no secrets here"


def test_none_and_non_string():
    assert mask_text(None) is None
    assert mask_text(42) == "42"


def test_password_behind_a_vtysh_prompt_echo_is_masked():
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import mask_text

    echo = "edge1(config-router)# neighbor 203.0.113.77 password Probe-Secret-1"
    assert mask_text(echo) == "edge1(config-router)# neighbor 203.0.113.77 password ********"
