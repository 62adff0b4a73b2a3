"""strongSwan swanctl files of IPsec partner tunnels: render, parse back, mask, plan.

Golden files under golden/ are the exact conf files for one PSK and one pubkey tunnel on each data
plane. Regenerate after an intended change with::

    PAYNET_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/unit/plugins/module_utils/linux -q \
        -p no:pytest-ansible -p no:cacheprovider

and review the diff of golden/ before committing.
"""

from __future__ import annotations

import base64
import copy
import difflib
import json
import os
import pathlib
import subprocess
import sys

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import swanctl
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK

GOLDEN = pathlib.Path(__file__).parent / "golden"
REGEN = os.environ.get("PAYNET_REGEN_GOLDEN") == "1"
ROOT = "/etc/swanctl"
PSK = "Acme-PSK s3cr3t #1"
PSK_B64 = base64.b64encode(PSK.encode()).decode()
CA = "-----BEGIN CERTIFICATE-----\nQUNNRSBURVNUIENBIChub3QgYSByZWFsIGNlcnQp\n-----END CERTIFICATE-----\n"
CERT = "-----BEGIN CERTIFICATE-----\nR1cxIFRFU1QgQ0VSVCAobm90IGEgcmVhbCBjZXJ0KQ==\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nVEVTVC1PTkxZLU5PVC1BLVJFQUwtS0VZLWFhYWFhYWFh\n-----END PRIVATE KEY-----\n"
KEY_BODY = "VEVTVC1PTkxZLU5PVC1BLVJFQUwtS0VZLWFhYWFhYWFh"


def psk_tunnel(**changes):
    tunnel = {
        "name": "partner-acme_bank", "partner": "acme_bank", "tunnel": "main", "description": None,
        "local_gateway": "198.18.200.1", "peer_gateway": "198.18.200.2",
        "local_id": "198.18.200.1", "remote_id": "198.18.200.2",
        "auth": {"method": "psk", "psk": PSK},
        "ike_proposals": ["aes256gcm16-prfsha384-ecp384"], "esp_proposals": ["aes256gcm16-ecp384"],
        "dpd_delay": 10, "dpd_action": "restart", "start_action": "start", "close_action": "start",
        "rekey_time": 14400, "reauth_time": 0, "child_rekey_time": 3600,
        "inside": {"network": "169.254.10.0/30", "local": "169.254.10.1", "peer": "169.254.10.2", "prefixlen": 30},
        "if_id": 1281, "interface": "xfrm1281", "traffic_selectors": None,
        "libipsec_selectors": {"local": ["169.254.10.0/30", "192.0.2.0/24"],
                               "remote": ["169.254.10.0/30", "198.51.100.0/24"]},
        "crypto_exception": None,
    }
    tunnel.update(changes)
    return tunnel


def pubkey_tunnel(**changes):
    tunnel = psk_tunnel(
        name="partner-card_net-backup", partner="card_net", tunnel="backup", description="Card Net DR site",
        local_gateway=None, peer_gateway="203.0.113.50", local_id=None,
        remote_id="C=US, O=Card Net, CN=vpn.card.example",
        auth={"method": "pubkey", "ca_cert": CA, "cert": CERT, "key": KEY},
        ike_proposals=["aes256-sha384-prfsha384-modp2048", "aes256gcm16-prfsha384-ecp384"],
        esp_proposals=["aes256-sha384-modp2048"], dpd_delay=30, dpd_action="clear", start_action="trap",
        close_action="none", rekey_time=28800, reauth_time=86400, child_rekey_time=1800,
        inside={"network": "169.254.10.4/31", "local": "169.254.10.4", "peer": "169.254.10.5", "prefixlen": 31},
        if_id=1283, interface="xfrm1283",
        libipsec_selectors={"local": ["169.254.10.4/31"], "remote": ["169.254.10.4/31", "203.0.113.128/25"]},
        crypto_exception={"reason": "partner HSM only supports modp2048 until 2027-03", "approved_by": "CHG-123456",
                          "expires": "2027-03-31"},
    )
    tunnel.update(changes)
    return tunnel


def files_of(tunnels, dataplane="xfrm"):
    return {path: pair[0] for path, pair in swanctl.render_files(tunnels, dataplane).items()}


def conf_path(name):
    return "%s/conf.d/paynet-%s.conf" % (ROOT, name)


# -- golden ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["psk", "pubkey"])
@pytest.mark.parametrize("dataplane", ["xfrm", "libipsec"])
def test_render_conf_matches_golden(kind, dataplane):
    tunnel = psk_tunnel() if kind == "psk" else pubkey_tunnel()
    text = swanctl.render_conf(tunnel, dataplane)
    path = GOLDEN / ("%s_%s.conf" % (kind, dataplane))
    if REGEN:
        path.write_text(text)
    assert text == path.read_text()


def test_golden_shape_psk_xfrm():
    text = (GOLDEN / "psk_xfrm.conf").read_text()
    lines = text.splitlines()
    assert lines[0].startswith("# Managed by paynet.netinfra: partner acme_bank, tunnel main.")
    assert "                if_id_in = 1281" in lines and "                if_id_out = 1281" in lines
    assert "                local_ts = 0.0.0.0/0,::/0" in lines
    assert "        secret = 0s%s" % PSK_B64 in lines
    assert "        id-local = 198.18.200.1" in lines and "        mobike = no" in lines
    for line in lines:  # one setting per line, 4-space indentation
        assert line.count(" = ") <= 1
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 4 == 0 and "\t" not in line


def test_golden_shape_pubkey_libipsec():
    lines = (GOLDEN / "pubkey_libipsec.conf").read_text().splitlines()
    assert "            certs = paynet-partner-card_net-backup.pem" in lines
    assert "            cacerts = paynet-partner-card_net-backup-ca.pem" in lines
    assert '            id = "C=US, O=Card Net, CN=vpn.card.example"' in lines
    assert "                local_ts = 169.254.10.4/31" in lines
    assert "                remote_ts = 169.254.10.4/31,203.0.113.128/25" in lines
    assert not any("if_id" in line and not line.startswith("#") for line in lines)
    assert not any(line.startswith("secrets") for line in lines)
    assert not any("local_addrs" in line for line in lines)  # local_gateway None: %any
    assert not any(line.strip().startswith("id = ") and "card" not in line for line in lines)  # no local id


# -- round trip -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dataplane", ["xfrm", "libipsec"])
@pytest.mark.parametrize("make", [psk_tunnel, pubkey_tunnel], ids=["psk", "pubkey"])
def test_parse_of_render_round_trips(make, dataplane):
    tunnel = make()
    files = files_of([tunnel], dataplane)
    text = files[conf_path(tunnel["name"])]
    assert swanctl.tunnels_from_conf(text, files) == [tunnel]
    assert swanctl.tunnels_from_files(files) == [tunnel]


@pytest.mark.parametrize("dataplane", ["xfrm", "libipsec"])
def test_round_trip_explicit_selectors_and_odd_values(dataplane):
    tunnel = psk_tunnel(
        traffic_selectors={"local": ["0.0.0.0/0", "::/0"], "remote": ["0.0.0.0/0", "::/0"]},  # explicit == default
        description='ops: "primary" # link\\ with\ttab', local_id="gw1@paynet.example",
        auth={"method": "psk", "psk": 'p"s k\\#}{=\n\u00e9'}, start_action="trap|start", reauth_time=3600)
    text = swanctl.render_conf(tunnel, dataplane)
    assert swanctl.tunnels_from_conf(text) == [tunnel]


def test_round_trip_several_tunnels_in_one_text():
    zeta = psk_tunnel(name="partner-zeta", partner="zeta", if_id=9, interface="xfrm9", remote_id="zeta.example",
                      auth={"method": "psk", "psk": "z"})
    tunnels = [psk_tunnel(), pubkey_tunnel(), zeta]
    files = files_of(tunnels)
    text = "".join(files[conf_path(t["name"])] for t in tunnels)
    assert swanctl.tunnels_from_conf(text, files) == sorted(tunnels, key=lambda t: t["name"])


def test_pubkey_without_files_gives_none_pems():
    tunnel = pubkey_tunnel()
    (back,) = swanctl.tunnels_from_conf(swanctl.render_conf(tunnel, "xfrm"))
    assert back["auth"] == {"method": "pubkey", "ca_cert": None, "cert": None, "key": None}


def test_tunnels_from_hand_written_conf_without_meta():
    text = """
connections {
    partner-acme_bank-dr {          # hand-written, no paynet-meta lines
        remote_addrs = 198.18.201.2
        proposals = aes256gcm16-prfsha384-ecp384, aes256-sha384-prfsha384-ecp384
        dpd_delay = 1m
        rekey_time = 4h
        local { auth = psk }
        remote {
            auth = psk
            id = "peer 1"
        }
        children {
            partner-acme_bank-dr {
                remote_ts = 10.0.0.0/8
                rekey_time = 1d
                if_id_in = 0x10
            }
        }
    }
}
secrets {
    ike-other {
        id-1 = "peer 1"
        secret = 0x616263
    }
}
"""
    (tunnel,) = swanctl.tunnels_from_conf(text)
    assert tunnel["partner"] == "acme_bank" and tunnel["tunnel"] == "dr"
    assert tunnel["ike_proposals"] == ["aes256gcm16-prfsha384-ecp384", "aes256-sha384-prfsha384-ecp384"]
    assert (tunnel["dpd_delay"], tunnel["rekey_time"], tunnel["reauth_time"], tunnel["child_rekey_time"]) == (60, 14400, 0, 86400)
    assert tunnel["auth"] == {"method": "psk", "psk": "abc"}  # found by identity, decoded from 0x
    assert tunnel["if_id"] == 16 and tunnel["local_gateway"] is None and tunnel["remote_id"] == "peer 1"
    assert tunnel["traffic_selectors"] == {"local": [], "remote": ["10.0.0.0/8"]}
    assert (tunnel["dpd_action"], tunnel["start_action"], tunnel["close_action"]) == ("clear", "none", "none")
    assert tunnel["inside"] is None and tunnel["description"] is None


# -- parse_conf -----------------------------------------------------------------------------------
def test_parse_conf_syntax():
    text = (
        'a = b c   "d  e"\n'
        "sec\n{\n"
        '  x = "q\\"uo\\\\te # not a comment"\n'
        "  y = 0sAB==   # comment\n"
        "  z =\n"
        "  include /nonexistent/*.conf\n"
        "  inner { k = 1 }\n"
        "}\n"
        "sec { w = 1\n  inner {\n    k = 2\n  }\n}\n"
        "a = replaced\n"
        'm = "multi\\\nline"\n'
        "r : sec {\n  v = 2\n}\n"
    )
    assert swanctl.parse_conf(text) == {
        "a": "replaced",
        "sec": {"x": 'q"uo\\te # not a comment', "y": "0sAB==", "z": None, "inner": {"k": "2"}, "w": "1"},
        "m": "multiline",
        "r": {"v": "2"},
    }


@pytest.mark.parametrize("text, line", [
    ('a = "open\n', 1),
    ("x = 1\na {\n b = 1\n", 2),
    ("}\n", 1),
    ("a b\n", 1),
    ('"a" = 1\n', 1),
    ("a = 1\na {\n}\n", 2),
])
def test_parse_conf_errors_name_the_line(text, line):
    with pytest.raises(swanctl.ConfParseError, match="line %d" % line):
        swanctl.parse_conf(text)


_STRONGSWAN_READER = r"""
import ctypes, json, sys
lib = ctypes.CDLL(sys.argv[1])
lib.library_init.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
lib.library_init.restype = ctypes.c_bool
if not lib.library_init(sys.argv[2].encode(), b"paynet-test"):
    sys.exit(3)
lib.settings_create_string.argtypes = [ctypes.c_char_p]
lib.settings_create_string.restype = ctypes.c_void_p
get_str_t = ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p)
out = []
for text, keys in json.load(sys.stdin):
    settings = lib.settings_create_string(text.encode())
    get_str = get_str_t(ctypes.cast(settings, ctypes.POINTER(ctypes.c_void_p))[0])  # settings_t.get_str
    values = {}
    for key in keys:
        value = get_str(settings, key.encode(), None)
        values[key] = value.decode() if value is not None else None
    out.append(values)
print(json.dumps(out))
"""
LIBSTRONGSWAN = "/usr/lib/ipsec/libstrongswan.so.0"


def _flatten(tree, prefix=""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _flatten(value, prefix + key + ".")
        else:
            yield prefix + key, value


@pytest.mark.skipif(not os.path.exists(LIBSTRONGSWAN), reason="libstrongswan (strongSwan 5.9) not installed")
def test_libstrongswan_reads_every_rendered_setting_like_parse_conf(tmp_path):
    """strongSwan's own settings parser (libstrongswan, in a child process, no daemon) reads each
    rendered setting exactly as parse_conf does: the syntax is what charon will load."""
    texts = [swanctl.render_conf(t, dp) for t in (psk_tunnel(), pubkey_tunnel()) for dp in ("xfrm", "libipsec")]
    texts.append(swanctl.render_conf(psk_tunnel(local_id='C=DE, O="Acme" #1', auth={"method": "psk", "psk": 'x"y'}), "xfrm"))
    batch = []
    for text in texts:
        flat = dict(_flatten(swanctl.parse_conf(text)))
        batch.append((text, sorted(flat)))
    empty = tmp_path / "strongswan.conf"
    empty.write_text("")
    proc = subprocess.run([sys.executable, "-c", _STRONGSWAN_READER, LIBSTRONGSWAN, str(empty)],
                          input=json.dumps(batch), capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    for text, values in zip(texts, results):
        assert values == dict(_flatten(swanctl.parse_conf(text)))
    assert results[-1]["connections.partner-acme_bank.local.id"] == 'C=DE, O="Acme" #1'


def test_parse_seconds_and_decode_secret():
    assert [swanctl.parse_seconds(v) for v in ("10", "10s", "30m", "4h", "2d")] == [10, 10, 1800, 14400, 172800]
    with pytest.raises(swanctl.ConfParseError):
        swanctl.parse_seconds("1.5h")
    assert swanctl.decode_secret("0s" + PSK_B64) == PSK
    assert swanctl.decode_secret("0x414243") == "ABC"
    assert swanctl.decode_secret("plain text") == "plain text"
    with pytest.raises(swanctl.ConfParseError) as err:
        swanctl.decode_secret("0s!!notbase64")
    assert "notbase64" not in str(err.value)


# -- render errors / files ------------------------------------------------------------------------
@pytest.mark.parametrize("changes, dataplane, field", [
    ({"name": "bad name"}, "xfrm", "name"),
    ({"name": "a.b"}, "xfrm", "name"),
    ({}, "auto", "dataplane"),
    ({"if_id": None}, "xfrm", "if_id"),
    ({"libipsec_selectors": None}, "libipsec", "libipsec_selectors"),
    ({"traffic_selectors": {"local": [], "remote": ["0.0.0.0/0"]}}, "xfrm", "traffic_selectors"),
    ({"ike_proposals": ["aes256 gcm"]}, "xfrm", "ike_proposals"),
    ({"esp_proposals": []}, "xfrm", "esp_proposals"),
    ({"dpd_delay": "10"}, "xfrm", "dpd_delay"),
    ({"dpd_action": "hold"}, "xfrm", "dpd_action"),
    ({"auth": {"method": "psk", "psk": ""}}, "xfrm", "auth.psk"),
    ({"auth": {"method": "xauth"}}, "xfrm", "auth.method"),
])
def test_render_refuses_bad_input_naming_the_field(changes, dataplane, field):
    with pytest.raises(swanctl.SwanctlError, match=r"^%s\b" % field.replace(".", r"\.")):
        swanctl.render_conf(psk_tunnel(**changes), dataplane)


@pytest.mark.parametrize("field, value", [("cert", KEY), ("ca_cert", "not a pem"), ("key", CERT)])
def test_render_files_checks_pem_kinds_without_showing_them(field, value):
    auth = dict(pubkey_tunnel()["auth"], **{field: value})
    with pytest.raises(swanctl.SwanctlError) as err:
        swanctl.render_files([pubkey_tunnel(auth=auth)], "xfrm")
    assert str(err.value).startswith("auth.%s" % field)
    assert KEY_BODY not in str(err.value) and "not a pem" not in str(err.value)


def test_render_files_paths_modes_and_pem_normalisation():
    auth = {"method": "pubkey", "ca_cert": "\n" + CA.replace("\n", "\r\n") + "\n\n", "cert": CERT.rstrip("\n"), "key": KEY}
    files = swanctl.render_files([psk_tunnel(), pubkey_tunnel(auth=auth)], "xfrm", root="/srv/swanctl/")
    assert list(files) == sorted(files)
    assert {p: f[1] for p, f in files.items()} == {
        "/srv/swanctl/conf.d/paynet-partner-acme_bank.conf": 0o600,
        "/srv/swanctl/conf.d/paynet-partner-card_net-backup.conf": 0o600,
        "/srv/swanctl/private/paynet-partner-card_net-backup.pem": 0o600,
        "/srv/swanctl/x509/paynet-partner-card_net-backup.pem": 0o644,
        "/srv/swanctl/x509ca/paynet-partner-card_net-backup-ca.pem": 0o644,
    }
    assert files["/srv/swanctl/x509ca/paynet-partner-card_net-backup-ca.pem"][0] == CA
    assert files["/srv/swanctl/x509/paynet-partner-card_net-backup.pem"][0] == CERT
    with pytest.raises(swanctl.SwanctlError, match="listed twice"):
        swanctl.render_files([psk_tunnel(), psk_tunnel()], "xfrm")


def test_owned_file():
    assert swanctl.owned_file("/etc/swanctl/x509ca/paynet-a-b-ca.pem") == ("a-b", "ca")
    assert swanctl.owned_file("/etc/swanctl/private/paynet-a.pem") == ("a", "key")
    for path in ("/etc/swanctl/conf.d/other.conf", "/etc/swanctl/conf.d/paynet-a.conf.bak", "/etc/swanctl/swanctl.conf",
                 "/etc/swanctl/x509ca/paynet-a.pem", "/etc/other/conf.d/paynet-a.conf", "/etc/swanctl/conf.d/sub/paynet-a.conf"):
        assert swanctl.owned_file(path) is None, path


# -- masking --------------------------------------------------------------------------------------
def test_mask_conf_and_private_key():
    text = swanctl.render_conf(psk_tunnel(), "xfrm")
    masked = swanctl.mask_conf(text)
    assert PSK_B64 not in masked and "        secret = %s" % MASK in masked.splitlines()
    assert masked.replace("secret = %s" % MASK, "secret = 0s" + PSK_B64) == text
    one_line = 'secrets { ike-x { secret = "a b" }\n token-y {\n pin = 1234\n }\n}\n'
    assert swanctl.mask_conf(one_line) == 'secrets { ike-x { secret = %s }\n token-y {\n pin = %s\n }\n}\n' % (MASK, MASK)
    broken = "secrets {\n  ike {\n    secret = \"unterminated\n"
    assert "unterminated" not in swanctl.mask_conf(broken)
    assert swanctl.mask_private_key(KEY) == "(private key, %d bytes, not shown)" % len(KEY)


# -- plan -----------------------------------------------------------------------------------------
FOREIGN = {
    "/etc/swanctl/swanctl.conf": "include conf.d/*.conf\n",
    "/etc/swanctl/conf.d/ops-lab.conf": "connections {\n}\n",
    "/etc/swanctl/conf.d/paynet-notes.txt": "not ours either\n",
    "/etc/swanctl/x509/ops.pem": CERT,
    "/etc/swanctl/private/ops.pem": KEY,
}


def _assert_no_secrets(plan_):
    text = json.dumps(plan_.diff)
    for secret in (PSK, PSK_B64, KEY_BODY, "s3cr3t"):
        assert secret not in text


def _changed_lines(diff):
    lines = list(difflib.unified_diff(diff["before"].splitlines(), diff["after"].splitlines(), lineterm="", n=0))
    return [line for line in lines[2:] if not line.startswith("@@")]


def test_merged_adds_a_tunnel_on_an_empty_gateway():
    plan = swanctl.plan(FOREIGN, [psk_tunnel()], "merged", "xfrm")
    path = conf_path("partner-acme_bank")
    assert plan.changed and list(plan.writes) == [path] and plan.deletes == []
    assert plan.writes[path] == (swanctl.render_conf(psk_tunnel(), "xfrm"), 0o600)
    assert (plan.added, plan.removed, plan.changed_tunnels) == (["partner-acme_bank"], [], ["partner-acme_bank"])
    assert plan.diff["before"] == ""
    assert plan.diff["after"].startswith("# file: %s\n# Managed by" % path)
    assert "        secret = %s\n" % MASK in plan.diff["after"]
    _assert_no_secrets(plan)


@pytest.mark.parametrize("state", ["merged", "replaced", "overridden"])
@pytest.mark.parametrize("dataplane", ["xfrm", "libipsec"])
def test_plan_is_idempotent(state, dataplane):
    tunnels = [psk_tunnel(), pubkey_tunnel()]
    current = dict(FOREIGN, **files_of(tunnels, dataplane))
    plan = swanctl.plan(current, tunnels, state, dataplane)
    assert not plan.changed and plan.writes == {} and plan.deletes == []
    assert plan.diff == {"before": "", "after": ""} and plan.changed_tunnels == []
    assert plan.realised(current)


def test_psk_only_change_shows_a_masked_changed_line():
    current = dict(FOREIGN, **files_of([psk_tunnel()]))
    new_psk = "Another-PSK-value"
    plan = swanctl.plan(current, [psk_tunnel(auth={"method": "psk", "psk": new_psk})], "merged", "xfrm")
    assert list(plan.writes) == [conf_path("partner-acme_bank")] and plan.changed_tunnels == ["partner-acme_bank"]
    assert (plan.added, plan.removed) == ([], [])
    assert _changed_lines(plan.diff) == ["-        secret = %s" % MASK, "+        secret = %s (changed)" % MASK]
    _assert_no_secrets(plan)
    for secret in (new_psk, base64.b64encode(new_psk.encode()).decode()):
        assert secret not in json.dumps(plan.diff)


def test_pubkey_to_psk_merged_keeps_and_replaced_deletes_credential_files():
    old = pubkey_tunnel()
    new = pubkey_tunnel(auth={"method": "psk", "psk": PSK}, local_id="198.18.200.1")
    current = dict(FOREIGN, **files_of([old, psk_tunnel()]))
    cred_paths = sorted(p for p in files_of([old]) if not p.endswith(".conf"))
    merged = swanctl.plan(current, [new], "merged", "xfrm")
    assert merged.deletes == [] and list(merged.writes) == [conf_path(old["name"])]
    replaced = swanctl.plan(current, [new], "replaced", "xfrm")
    assert replaced.deletes == cred_paths and list(replaced.writes) == [conf_path(old["name"])]
    assert replaced.changed_tunnels == [old["name"]] and replaced.removed == [] and replaced.added == []
    assert "(private key, not shown)\n" in replaced.diff["before"]
    assert "private/paynet-partner-card_net-backup.pem" not in replaced.diff["after"]
    assert CA in replaced.diff["before"]  # certificates are public and shown
    _assert_no_secrets(replaced)
    assert replaced.realised(dict(FOREIGN, **replaced.expected))
    assert not swanctl.plan(dict(FOREIGN, **replaced.expected), [new], "replaced", "xfrm").changed


def test_psk_to_pubkey_writes_credentials_and_key_change_is_marked():
    current = dict(FOREIGN, **files_of([pubkey_tunnel(auth={"method": "psk", "psk": PSK})]))
    plan = swanctl.plan(current, [pubkey_tunnel()], "replaced", "xfrm")
    assert sorted(plan.writes) == sorted(files_of([pubkey_tunnel()]))
    assert plan.writes["/etc/swanctl/private/paynet-partner-card_net-backup.pem"] == (KEY, 0o600)
    assert "(private key, not shown)\n" in plan.diff["after"]
    _assert_no_secrets(plan)
    new_key = KEY.replace("LWFh", "LWJi")
    current = dict(FOREIGN, **files_of([pubkey_tunnel()]))
    plan = swanctl.plan(current, [pubkey_tunnel(auth=dict(pubkey_tunnel()["auth"], key=new_key))], "merged", "xfrm")
    assert list(plan.writes) == ["/etc/swanctl/private/paynet-partner-card_net-backup.pem"]
    assert _changed_lines(plan.diff) == ["-(private key, not shown)", "+(private key, not shown, changed)"]
    assert "LWJi" not in json.dumps(plan.diff)


def test_merged_and_replaced_leave_unlisted_tunnels_overridden_removes_them():
    current = dict(FOREIGN, **files_of([psk_tunnel(), pubkey_tunnel()]))
    for state in ("merged", "replaced"):
        plan = swanctl.plan(current, [psk_tunnel()], state, "xfrm")
        assert not plan.changed
    plan = swanctl.plan(current, [psk_tunnel()], "overridden", "xfrm")
    assert plan.deletes == sorted(files_of([pubkey_tunnel()])) and plan.writes == {}
    assert (plan.removed, plan.added, plan.changed_tunnels) == (["partner-card_net-backup"], [], ["partner-card_net-backup"])
    _assert_no_secrets(plan)
    assert plan.diff["after"] == ""


@pytest.mark.parametrize("state, tunnels", [("overridden", []), ("deleted", []), ("overridden", "one"), ("deleted", "one")])
def test_foreign_files_are_never_touched(state, tunnels):
    current = dict(FOREIGN, **files_of([psk_tunnel(), pubkey_tunnel()]))
    intended = [psk_tunnel(auth={"method": "psk", "psk": "x"})] if tunnels == "one" else []
    plan = swanctl.plan(current, intended, state, "libipsec")
    for path in FOREIGN:
        assert path not in plan.writes and path not in plan.deletes and path not in plan.diff["before"]
    assert "ops.pem" not in json.dumps(plan.diff) and "paynet-notes" not in json.dumps(plan.diff)


def test_deleted_removes_listed_tunnels_or_all_with_an_empty_list():
    current = dict(FOREIGN, **files_of([psk_tunnel(), pubkey_tunnel()]))
    plan = swanctl.plan(current, [pubkey_tunnel()], "deleted", "xfrm")
    assert plan.deletes == sorted(files_of([pubkey_tunnel()])) and plan.writes == {}
    assert plan.removed == ["partner-card_net-backup"]
    by_name = swanctl.plan(current, ["partner-card_net-backup"], "deleted", "xfrm")
    assert by_name.deletes == plan.deletes and by_name.diff == plan.diff
    everything = swanctl.plan(current, [], "deleted", "xfrm")
    assert everything.deletes == sorted(files_of([psk_tunnel(), pubkey_tunnel()]))
    assert everything.removed == ["partner-acme_bank", "partner-card_net-backup"]
    assert everything.diff["after"] == "" and "# file: %s\n" % conf_path("partner-acme_bank") in everything.diff["before"]
    _assert_no_secrets(everything)
    assert not swanctl.plan(FOREIGN, [], "deleted", "xfrm").changed
    assert not swanctl.plan(current, ["partner-unknown"], "deleted", "xfrm").changed


def test_dataplane_switch_rewrites_the_conf():
    current = files_of([psk_tunnel()], "xfrm")
    plan = swanctl.plan(current, [psk_tunnel()], "merged", "libipsec")
    changed = _changed_lines(plan.diff)
    assert "-                if_id_in = 1281" in changed and "+                local_ts = 169.254.10.0/30,192.0.2.0/24" in changed


def test_diff_shows_every_byte_change():
    """Mutating any one byte of any owned file (secret and key included) makes before != after."""
    tunnels = [psk_tunnel(), pubkey_tunnel()]
    intended = files_of(tunnels)
    for path, content in intended.items():
        positions = range(len(content)) if path.endswith(".conf") else range(0, len(content), 7)
        for pos in positions:
            mutated = content[:pos] + ("X" if content[pos] != "X" else "Y") + content[pos + 1:]
            current = dict(intended, **{path: mutated})
            plan = swanctl.plan(current, tunnels, "merged", "xfrm")
            assert list(plan.writes) == [path]
            assert plan.diff["before"] != plan.diff["after"], (path, pos)
    # trailing newline only
    path = conf_path("partner-acme_bank")
    plan = swanctl.plan(dict(intended, **{path: intended[path].rstrip("\n")}), tunnels, "merged", "xfrm")
    assert _changed_lines(plan.diff) == ["-\\ No newline at end of file"]


def test_diff_without_changes_shows_nothing_for_untouched_files():
    current = files_of([psk_tunnel(), pubkey_tunnel()])
    plan = swanctl.plan(current, [psk_tunnel(dpd_delay=20), pubkey_tunnel()], "merged", "xfrm")
    assert list(plan.writes) == [conf_path("partner-acme_bank")]
    assert "card_net" not in plan.diff["before"] + plan.diff["after"]
    assert _changed_lines(plan.diff) == ["-        dpd_delay = 10s", "+        dpd_delay = 20s"]


def test_modes_are_compared_when_known():
    current = files_of([pubkey_tunnel()])
    key_path = "/etc/swanctl/private/paynet-partner-card_net-backup.pem"
    modes = {p: swanctl.default_mode(p) for p in current}
    modes[key_path] = 0o644
    plan = swanctl.plan(current, [pubkey_tunnel()], "merged", "xfrm", current_modes=modes)
    assert plan.writes == {key_path: (KEY, 0o600)}
    assert _changed_lines(plan.diff) == ["-# file: %s (mode 0644)" % key_path, "+# file: %s (mode 0600)" % key_path]
    assert not swanctl.plan(current, [pubkey_tunnel()], "merged", "xfrm").changed  # modes unknown: not compared


def test_rollback_plan_restores_before():
    current = dict(FOREIGN, **files_of([pubkey_tunnel()]))
    plan = swanctl.plan(current, [psk_tunnel()], "overridden", "xfrm")
    back = swanctl.rollback_plan(plan)
    assert back.expected == plan.before
    assert set(back.writes) == set(plan.deletes) and back.deletes == sorted(plan.writes)
    assert back.writes["/etc/swanctl/private/paynet-partner-card_net-backup.pem"] == (KEY, 0o600)
    assert back.diff == {"before": plan.diff["after"], "after": plan.diff["before"]}


def test_plan_refuses_unknown_state_and_dataplane():
    with pytest.raises(swanctl.SwanctlError, match="state"):
        swanctl.plan({}, [], "gathered", "xfrm")
    with pytest.raises(swanctl.SwanctlError, match="dataplane"):
        swanctl.plan({}, [], "merged", "auto")


def test_plan_does_not_mutate_its_input():
    tunnels = [psk_tunnel(), pubkey_tunnel()]
    snapshot = copy.deepcopy(tunnels)
    current = dict(FOREIGN)
    swanctl.plan(current, tunnels, "overridden", "libipsec")
    assert tunnels == snapshot and current == FOREIGN


def test_diff_exact_when_a_hand_edit_breaks_the_syntax_inside_the_secret():
    current = files_of([psk_tunnel()])
    path = conf_path("partner-acme_bank")
    good = current[path].replace("secret = 0s" + PSK_B64, 'secret = "%s"' % PSK)
    broken = good.replace('secret = "%s"' % PSK, 'secret = "%s' % PSK)  # unterminated: does not parse
    plan = swanctl.plan({path: broken}, [psk_tunnel()], "merged", "xfrm")
    assert plan.diff["before"] != plan.diff["after"]
    assert _changed_lines(plan.diff) == ["-        secret = %s" % MASK, "+        secret = %s (changed)" % MASK]
    _assert_no_secrets(plan)
    plan = swanctl.plan({path: good}, [psk_tunnel()], "merged", "xfrm")  # same PSK, other notation
    assert _changed_lines(plan.diff) == ["-        secret = %s" % MASK, "+        secret = %s (changed)" % MASK]


def test_plan_as_dict_holds_no_file_contents():
    plan = swanctl.plan({}, [psk_tunnel(), pubkey_tunnel()], "merged", "xfrm")
    result = plan.as_dict()
    assert result["writes"][conf_path("partner-acme_bank")] == "0600" and result["changed"] is True
    text = json.dumps(result)
    for secret in (PSK, PSK_B64, KEY_BODY):
        assert secret not in text
