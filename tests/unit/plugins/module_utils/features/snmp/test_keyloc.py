"""SNMPv3 key derivation against RFC 3414 A.3 and against the keys net-snmp 5.9's snmpd stored itself
(fixtures/snmp/usmuser-netsnmp-5.9.txt: createUser lines with known pass phrases, captured from the lab)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp import keyloc

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "snmp"
RFC_ENGINE = "000000000000000000000002"


def test_rfc3414_a3_1_md5():
    assert keyloc.password_to_key("maplesyrup", "MD5").hex() == "9faf3283884e92834ebc9847d8edd963"
    assert keyloc.auth_key("maplesyrup", RFC_ENGINE, "MD5").hex() == "526f5eed9fcce26f8964c2930787d82b"


def test_rfc3414_a3_2_sha():
    assert keyloc.password_to_key("maplesyrup", "SHA").hex() == "9fb5cc0381497b3793528939ff788d5d79145211"
    assert keyloc.auth_key("maplesyrup", RFC_ENGINE, "SHA").hex() == "6695febc9288e36282235fc7151f128497b38f3f"


def test_engine_id_forms_and_errors():
    assert keyloc.engine_id_bytes("0x" + RFC_ENGINE) == keyloc.engine_id_bytes(RFC_ENGINE) == bytes.fromhex(RFC_ENGINE)
    for bad in ("0xzz", "0x0102"):
        with pytest.raises(ValueError):
            keyloc.engine_id_bytes(bad)
    with pytest.raises(ValueError):
        keyloc.password_to_key("", "SHA-256")
    with pytest.raises(ValueError):
        keyloc.auth_key("maplesyrup", RFC_ENGINE, "SHA-1024")


def _captured():
    rows = []
    for line in (FIXTURES / "usmuser-netsnmp-5.9.txt").read_text().splitlines():
        if line.startswith("usmUser"):
            words = line.split()
            rows.append((words[4].strip('"'), words[3], keyloc.AUTH_BY_OID[words[7]], words[8],
                         keyloc.PRIV_BY_OID[words[9]], words[10]))
    return rows


CAPTURED = _captured()


@pytest.mark.parametrize("name, engine, auth, auth_hex, priv, priv_hex", CAPTURED, ids=[r[0] for r in CAPTURED])
def test_keys_as_snmpd_stored_them(name, engine, auth, auth_hex, priv, priv_hex):
    """SHA-1/224/256/384/512 with AES-128/192/256 (and MD5/DES): the AES-192/256 keys from a short hash
    (SHA-1, SHA-224) need net-snmp's key extension; longer hashes are truncated."""
    auth_pass, priv_pass = ("maplesyrup", "maplesyrup") if name == "umd5" else ("authkey12345678", "priv12345678xx")
    assert keyloc.auth_key(auth_pass, engine, auth).hex() == auth_hex[2:]
    assert keyloc.priv_key(priv_pass, engine, auth, priv).hex() == priv_hex[2:]
    assert keyloc.same_key(priv_hex, keyloc.priv_key(priv_pass, engine, auth, priv))
    assert not keyloc.same_key(priv_hex, keyloc.priv_key(priv_pass + "x", engine, auth, priv))


def test_the_capture_covers_the_extension():
    assert {(r[2], r[4]) for r in CAPTURED} >= {("SHA", "AES-256"), ("SHA-224", "AES-256"), ("SHA-512", "AES-256"),
                                                ("SHA-256", "AES"), ("SHA-384", "AES-192")}


def test_the_key_depends_on_the_engine():
    one = keyloc.auth_key("a-long-pass-phrase-0001", "0x80001f8880b02a1757490d0f6b00000000", "SHA-512")
    two = keyloc.auth_key("a-long-pass-phrase-0001", "0x80001f8880b02a1757490d0f6b00000001", "SHA-512")
    assert one != two and len(one) == 64
