# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/hygiene/scan.py: the secret list comes from the vault, every form of a planted secret is found,
hits are file:line with the secret masked, and a clean tree passes."""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import importlib.util
import json
import os
import sys
import urllib.parse
from pathlib import Path

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("hygiene_scan", ROOT / "tests" / "hygiene" / "scan.py")
scan = importlib.util.module_from_spec(_SPEC)
sys.modules["hygiene_scan"] = scan
_SPEC.loader.exec_module(scan)

PASSWORD = b"unit-test-vault-password"
BGP = "Xq7-planted-bgp-password-4417"
PSK = "Zr9/planted+psk=with/special&chars"
SNMP = "Wk3planted-snmp-auth-pass"
PEM = ("-----BEGIN EC PRIVATE KEY-----\n"
       "MIGkAgEBBDCuT5DVsRJPw9oIEMbhzPLANTEDKEYBODYLINEONEaaaaaaaaaaaaaa\n"
       "Eiswx2x2UmqgBwYFK4EEACKhZANiAATPLANTEDKEYBODYLINETWObbbbbbbbbbbb\n"
       "-----END EC PRIVATE KEY-----\n")


def _encrypt(text: str) -> str:
    return VaultLib([("default", VaultSecret(PASSWORD))]).encrypt(text).decode("ascii")


@pytest.fixture(name="inventory")
def fixture_inventory(tmp_path):
    inv = tmp_path / "inv"
    (inv / "group_vars" / "all").mkdir(parents=True)
    (inv / "host_vars").mkdir()
    (inv / "partners").mkdir()
    # a whole vault-encrypted file with nested values and a PEM key
    whole = "vault_bgp_passwords:\n  bank: %s\nvault_keys:\n  gw1: |\n%s" % (
        BGP, "".join("    " + line + "\n" for line in PEM.splitlines()))
    (inv / "group_vars" / "all" / "vault.yml").write_text(_encrypt(whole))
    # inline !vault values in host_vars and partners/*.yml, next to plain values that are not secrets
    cipher = _encrypt(PSK)
    inline = "psk: !vault |\n" + "".join("  " + line + "\n" for line in cipher.splitlines())
    (inv / "host_vars" / "gw1.yml").write_text("asn: 65010\nname: gw1-not-a-secret\n" + inline)
    cipher = _encrypt(SNMP)
    snmp = "snmp:\n  users:\n    - name: nms\n      auth: !vault |\n" + "".join(
        "        " + line + "\n" for line in cipher.splitlines())
    (inv / "partners" / "nms.yml").write_text(snmp)
    (inv / "group_vars" / "all" / "plain.yml").write_text("template: '{{ vault_bgp_passwords.bank }}'\nshort: !vault |\n"
                                                          + "".join("  " + line + "\n" for line in _encrypt("abc").splitlines()))
    (tmp_path / "vault-password.txt").write_bytes(PASSWORD + b"\n")
    return inv


def _secrets(inventory):
    return scan.vault_secrets(inventory, PASSWORD)


def test_secrets_come_from_the_vault_files_and_inline_values(inventory):
    secrets, notes = _secrets(inventory)
    by_name = {s.name: s.value for s in secrets}
    assert by_name == {
        "vault_bgp_passwords.bank": BGP,
        "vault_keys.gw1": PEM,
        "psk": PSK,
        "snmp.users[0].auth": SNMP,
    }
    # a vaulted value too short to search is reported, not silently dropped
    assert notes and "short" in notes[0] and "abc" not in notes[0]


def test_the_lab_vault_yields_its_secrets():
    secrets, _notes = scan.vault_secrets(ROOT / "inventories" / "lab",
                                         (ROOT / "inventories" / "lab" / "vault-password.txt").read_bytes().strip())
    names = {s.name for s in secrets}
    assert {"vault_bgp_passwords.sitebank", "vault_ipsec_psks.sitepay", "vault_site_snmp_keys.nms.priv",
            "vault_ipsec_keys.gw1_paycloud"} <= names
    assert len(secrets) >= 20


def _planted(value: str) -> dict[str, str]:
    raw = value.encode()
    return {
        "plain": "x %s y" % value,
        "json-escaped": json.dumps({"k": "a\"" + value}),
        "percent-encoded": "https://h/?p=" + urllib.parse.quote(value, safe=""),
        "base64 padded": base64.b64encode(raw).decode(),
        "base64 unpadded": base64.b64encode(raw).decode().rstrip("="),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "base64 in a blob offset 1": base64.b64encode(b"A" + raw + b"tail-bytes").decode(),
        "base64 in a blob offset 2": base64.b64encode(b"AB" + raw + b"t").decode(),
        "base64 in a blob offset 0": base64.b64encode(b"ABC" + raw + b"tt").decode(),
        "base64url in a blob offset 1": base64.urlsafe_b64encode(b"\xfb" + raw + b"\xff\xfe").decode(),
        "hex": binascii.hexlify(raw).decode(),
        "HEX": binascii.hexlify(raw).decode().upper(),
        "snmp Ku sha1": hashlib.sha1((raw * (1048576 // len(raw) + 1))[:1048576]).hexdigest(),
    }


@pytest.mark.parametrize("secret", [BGP, PSK, SNMP])
def test_every_form_of_a_planted_secret_is_found(tmp_path, inventory, secret):
    forms = scan.needles(_secrets(inventory)[0])
    out = tmp_path / "out"
    out.mkdir()
    for form, text in _planted(secret).items():
        path = out / (form.replace(" ", "_") + ".log")
        path.write_text("line one\nline two\n" + text + "\n")
        hits, files, _size = scan.scan([path], forms)
        assert files == 1
        assert hits, "form %r of the planted secret was not found" % form
        assert {h.line for h in hits} == {3}, form
        assert all(h.needle.secret.value == secret for h in hits)


def test_a_line_of_a_pem_key_and_a_gzip_file_are_found(tmp_path, inventory):
    forms = scan.needles(_secrets(inventory)[0])
    body_line = PEM.splitlines()[2]
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    (tmp_path / "key.log").write_text("masked key but one line:\n" + body_line + "\n")
    (tmp_path / "backup.gz").write_bytes(gzip.compress(("x\ny\nneighbor 1 password %s\n" % BGP).encode()))
    hits, files, _size = scan.scan([tmp_path], forms)
    assert files == 3  # key.log, backup.gz and its decompressed content
    found = {(Path(h.path.replace("[gunzip]", "")).name, h.line, h.needle.secret.name) for h in hits}
    assert ("key.log", 2, "vault_keys.gw1") in found
    assert ("backup.gz", 3, "vault_bgp_passwords.bank") in found


def test_snmp_localized_keys_are_found_with_the_engine_id(tmp_path, inventory):
    engine = bytes.fromhex("80001f88807c0f9a2b5e6c7d")
    raw = SNMP.encode()
    ku = hashlib.sha256((raw * (1048576 // len(raw) + 1))[:1048576]).digest()
    kul = hashlib.sha256(ku + engine + ku).hexdigest()
    (tmp_path / "usm.conf").write_text("usmUser 1 3 0x80001f88807c0f9a2b5e6c7d 0x6e6d7300 ... 0x%s\n" % kul)
    assert not scan.scan([tmp_path], scan.needles(_secrets(inventory)[0]))[0]
    hits = scan.scan([tmp_path], scan.needles(_secrets(inventory)[0], engine_ids=[engine]))[0]
    assert [h.needle.form for h in hits] == ["snmp localized sha256 engine 80001f88807c0f9a2b5e6c7d"]


def test_base64_cores_are_exactly_the_secret_dependent_characters():
    raw = b"exactly-the-secret"
    for offset in range(3):
        for tail in (b"", b"1", b"12", b"123"):
            for head in (b"", b"h" * 3):
                blob = base64.b64encode(head + b"p" * offset + raw + tail).decode()
                cores = dict(scan.base64_cores(raw))
                assert cores["offset %d" % offset] in blob
    # neighbouring bytes never change a core: two different neighbours, the same core matches both
    a = base64.b64encode(b"\x00" + raw + b"\x00").decode()
    b = base64.b64encode(b"\xff" + raw + b"\xff").decode()
    core = dict(scan.base64_cores(raw))["offset 1"]
    assert core in a and core in b


def test_hits_are_file_line_with_the_secret_masked_and_the_cli_fails(tmp_path, inventory, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "ansible.log").write_text("ok\n" * 41 + "neighbor 198.18.96.2 password %s\n" % BGP)
    (out / "clean.log").write_text("neighbor 198.18.96.2 password ********\n")
    summary = tmp_path / "summary.json"
    rc = scan.main(["--inventory", str(inventory), "--vault-password-file", str(tmp_path / "vault-password.txt"),
                    "--summary", str(summary), str(out)])
    printed = capsys.readouterr().out
    assert rc == 1
    assert "%s:42: vault_bgp_passwords.bank (plain) 'Xq...'" % (out / "ansible.log") in printed
    assert BGP not in printed and BGP[2:] not in printed
    data = json.loads(summary.read_text())
    assert data["files"] == 2 and len(data["hits"]) == 1 and BGP not in summary.read_text()


def test_a_clean_tree_passes_and_an_empty_one_does_not(tmp_path, inventory, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "report.json").write_text(json.dumps({"diff": "password ********"}))
    args = ["--inventory", str(inventory), "--vault-password-file", str(tmp_path / "vault-password.txt")]
    assert scan.main(args + [str(out)]) == 0
    assert "4 secrets from the vault" in capsys.readouterr().out
    # the inventory (ciphertext) and the password file are never scanned, even when under a given path
    assert scan.main(args + [str(tmp_path)]) == 0
    # a scan that looked at fewer files than expected fails (a test that scanned nothing must not pass)
    assert scan.main(args + ["--min-files", "5", str(out)]) == 2
    # no vault secret at all: nothing to look for is an error, not a pass
    empty = tmp_path / "empty-inv"
    empty.mkdir()
    assert scan.main(["--inventory", str(empty), "--vault-password-file", str(tmp_path / "vault-password.txt"),
                      str(out)]) == 2


def test_symlinked_and_repeated_paths_are_scanned_once(tmp_path, inventory):
    forms = scan.needles(_secrets(inventory)[0])
    tmp_path = tmp_path / "out"
    (tmp_path / "a").mkdir(parents=True)
    (tmp_path / "a" / "f.log").write_text(BGP)
    os.symlink(tmp_path / "a" / "f.log", tmp_path / "link.log")
    hits, files, _size = scan.scan([tmp_path / "a", tmp_path / "link.log", tmp_path], forms)
    assert files == 1 and len(hits) == 1


def test_a_secret_wrapped_by_a_terminal_echo_is_found(tmp_path, inventory):
    forms = scan.needles(_secrets(inventory)[0])
    out = tmp_path / "out"
    out.mkdir()
    # network_cli echo of a long config line: the terminal wraps it with a CR inside the secret,
    # and the message log shows the bytes repr with a literal backslash-r
    (out / "raw.log").write_bytes(b"a\nste1(config-router)# neighbor 198.18.96.2 password " + BGP[:9].encode()
                                  + b"\r" + BGP[9:].encode() + b"\r\n")
    (out / "repr.log").write_text("a\nb\nresponse-1: b'neighbor 1 password %s\\r%s\\r\\n'\n" % (BGP[:5], BGP[5:]))
    hits, _files, _size = scan.scan([out], forms)
    assert sorted((Path(h.path).name, h.line) for h in hits if h.needle.form == "plain") == [("raw.log", 2), ("repr.log", 3)]
