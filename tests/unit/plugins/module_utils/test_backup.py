"""plugins/module_utils/netinfra/backup.py: gather masks every secret, store writes 0700/0600, prune keeps N."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra import backup

FRR = """frr version 8.4.4
hostname ste1
router bgp 65090
 neighbor 198.18.96.2 remote-as 64540
 neighbor 198.18.96.2 password Lab-Sitebank-Md5-GeKc0MWb
exit
"""
SWANCTL = """connections {
}
secrets {
    ike-partner-sitepay {
        id-1 = 198.18.95.2
        secret = 0sTGFiLVNpdGVwYXktUFNLLXhOZkpRam1hcEJUeElVQnZCcm9F
    }
}
"""
KEY = "-----BEGIN EC PRIVATE KEY-----\nMIGkAgEBBDCuT5DVsRJPw9oIEMbhz\n-----END EC PRIVATE KEY-----\n"
SNMPD = "trapsess -Ci -v 3 -u sitetrap -l authPriv -a SHA-512 -A AuthPass-123456789012 -x AES-256 -X PrivPass-1234567890 udp:198.18.90.40:162\n"
KEEPALIVED = "vrrp_instance x {\n    authentication {\n        auth_pass VrrpPass1\n    }\n}\n"
NFT = "table inet paynet_hsm {\n}\n"
SECRETS = ("Lab-Sitebank-Md5-GeKc0MWb", "0sTGFiLVNpdGVwYXktUFNLLXhOZkpRam1hcEJUeElVQnZCcm9F", "AuthPass-123456789012",
           "PrivPass-1234567890", "VrrpPass1", "MIGkAgEBBDCuT5DVsRJPw9oIEMbhz", "LocalizedKey0x1234")


@pytest.fixture()
def etc(tmp_path):
    root = tmp_path / "etc"
    for rel, text in {"swanctl/swanctl.conf": "# default\n", "swanctl/conf.d/paynet-partner-sitepay.conf": SWANCTL,
                      "swanctl/private/paynet-partner-x.key": KEY, "swanctl/x509/paynet-partner-x.pem": "CERT\n",
                      "keepalived/keepalived.conf": KEEPALIVED, "snmp/snmpd.conf": SNMPD}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def fake_run(argv):
    if argv[0] == "vtysh":
        return 0, FRR, ""
    if argv[:4] == ["nft", "list", "table", "inet"]:
        return 0, NFT, ""
    return 127, "", "not found"


def test_gather_masks_every_secret_and_leaves_private_keys_out(etc):
    files, notes = backup.gather(fake_run, etc=str(etc))
    assert sorted(files) == ["frr.conf", "keepalived/keepalived.conf", "nftables-paynet_hsm.nft", "snmpd.conf",
                             "swanctl/conf.d/paynet-partner-sitepay.conf", "swanctl/swanctl.conf",
                             "swanctl/x509/paynet-partner-x.pem"]
    assert notes == []
    text = "\n".join(files.values())
    for secret in SECRETS:
        assert secret not in text, secret
    assert " neighbor 198.18.96.2 password ********" in files["frr.conf"]
    assert "secret = ********" in files["swanctl/conf.d/paynet-partner-sitepay.conf"]
    assert "/var/lib/snmp" in backup.LEFT_OUT and "/etc/swanctl/private" in backup.LEFT_OUT


def test_gather_skips_what_the_device_does_not_run(tmp_path):
    files, notes = backup.gather(lambda argv: (127, "", "no"), etc=str(tmp_path))
    assert files == {}
    assert notes == ["frr: no running FRR (vtysh rc 127)"]
    files, _ = backup.gather(fake_run, features=["nftables"], etc=str(tmp_path))
    assert list(files) == ["nftables-paynet_hsm.nft"]


def test_store_modes_and_prune(tmp_path):
    dest = tmp_path / "store"
    for stamp in ("20261201T000000Z", "20261201T010000Z", "20261202T000000Z"):
        backup.store(str(dest), stamp, "ste1", {"frr.conf": "x\n", "swanctl/conf.d/a.conf": "y\n"})
    os.makedirs(dest / "not-a-backup")
    for root, dirs, names in os.walk(dest / "20261202T000000Z"):
        assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
        for name in names:
            assert stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o700
    assert backup.prune(str(dest), 2, current="20261202T000000Z") == ["20261201T000000Z"]
    assert sorted(os.listdir(dest)) == ["20261201T010000Z", "20261202T000000Z", "not-a-backup"]
    assert backup.prune(str(dest), 2) == []


@pytest.mark.parametrize("stamp, host, name, message", [
    ("2026-12-02", "ste1", "frr.conf", "not YYYYMMDDTHHMMSSZ"),
    ("20261202T000000Z", "../x", "frr.conf", "not a plain name"),
    ("20261202T000000Z", "ste1", "../../etc/passwd", "not a plain relative file name"),
    ("20261202T000000Z", "ste1", "/etc/passwd", "not a plain relative file name"),
])
def test_store_refuses_bad_names(tmp_path, stamp, host, name, message):
    with pytest.raises(backup.BackupError, match=message):
        backup.store(str(tmp_path), stamp, host, {name: "x"})


def test_prune_needs_keep_of_at_least_one(tmp_path):
    with pytest.raises(backup.BackupError, match="at least 1"):
        backup.prune(str(tmp_path), 0)
