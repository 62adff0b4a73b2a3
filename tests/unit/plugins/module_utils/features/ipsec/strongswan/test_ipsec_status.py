"""Unit tests for IPsec tunnel health (platforms/linux/ipsec_status.py).

Fixtures (fixtures/): every ``*_synthetic.json`` and ``*_real.json`` is evaluated automatically.
A capture file holds::

    {"description": str, "source": str, "now": epoch seconds, "data_plane": "xfrm"|"libipsec"|null,
     "list_sas": [...], "list_conns": [...],      # the VICI events exactly as ViciSession returns them
     "intent": "<file>_intent.json",               # optional, see below
     "tunnels": [...],                             # optional inline intent instead
     "expected": {"healthy": bool | {tunnel: bool},
                  "reasons": {tunnel: [substring, ...]},   # optional
                  "unexpected": [conn, ...]}}               # optional

The intent (``{"tunnels": [normalised tunnels]}``, i.e. ipsec_device_config() output) comes from
"intent", else the inline "tunnels", else the companion ``<scenario>_intent.json`` of
``<scenario>_real.json`` / ``<scenario>_synthetic.json``. Synthetic captures are modelled on real
charon 5.9.8 output; ``*_real.json`` are captured from the lab.
"""

from __future__ import annotations

import copy
import json
import pathlib
import re

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import status as st

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
CAPTURES = sorted(FIXTURES.glob("*_synthetic.json")) + sorted(FIXTURES.glob("*_real.json"))
SCENARIO = re.compile(r"^(?P<scenario>.+)_(synthetic|real)\.json$")


def load_capture(path):
    doc = json.loads(path.read_text())
    if "intent" in doc:
        intent_path = FIXTURES / doc["intent"]
    elif "tunnels" in doc:
        return doc, doc["tunnels"]
    else:
        intent_path = FIXTURES / ("%s_intent.json" % SCENARIO.match(path.name).group("scenario"))
    assert intent_path.exists(), "%s: no intent: add %s, an 'intent' key or inline 'tunnels'" % (path.name, intent_path.name)
    return doc, json.loads(intent_path.read_text())["tunnels"]


def run(path):
    doc, tunnels = load_capture(path)
    return doc, tunnels, st.evaluate(tunnels, doc["list_sas"], doc["list_conns"], now=doc.get("now"),
                                     data_plane=doc.get("data_plane"))


def by_name(result):
    return {t["name"]: t for t in result["tunnels"]}


def test_fixtures_are_there():
    assert any(p.name.endswith("_synthetic.json") for p in CAPTURES)
    for path in CAPTURES:  # (other fixtures in the directory belong to other tests)
        doc = json.loads(path.read_text())
        assert {"list_sas", "list_conns", "expected"} <= set(doc), "%s: see the format in this module's docstring" % path.name


@pytest.mark.parametrize("path", CAPTURES, ids=[p.name for p in CAPTURES])
def test_capture_gives_the_expected_health(path):
    doc, tunnels, result = run(path)
    expected = doc["expected"]
    tunnels_out = by_name(result)
    if tunnels:
        assert [t["name"] for t in result["tunnels"]] == [t["name"] for t in tunnels]
    healthy = expected["healthy"]
    if isinstance(healthy, bool):
        healthy = {name: healthy for name in tunnels_out}
    assert set(healthy) == set(tunnels_out), "tunnels reported: %s" % sorted(tunnels_out)
    for name, want in healthy.items():
        assert tunnels_out[name]["healthy"] is want, "%s: %s" % (name, tunnels_out[name]["reasons"])
        assert (not tunnels_out[name]["reasons"]) is want
    for key in ("reasons", "warnings"):
        for name, needles in (expected.get(key) or {}).items():
            text = " | ".join(tunnels_out[name][key])
            for needle in needles:
                assert needle in text, "%s %s: %r not in %s" % (name, key, needle, text)
    assert result["unexpected"] == expected.get("unexpected", [])
    assert result["healthy"] == sum(1 for v in healthy.values() if v)
    assert result["unhealthy"] == sum(1 for v in healthy.values() if not v)
    line = st.summary_line(result)
    assert "%d/%d tunnels healthy" % (result["healthy"], len(healthy)) in line
    json.dumps(result)  # the result goes into module output as is


@pytest.mark.parametrize("path", CAPTURES, ids=[p.name for p in CAPTURES])
def test_capture_shapes(path):
    """Every reported SA has the documented keys with typed values."""
    _doc, _tunnels, result = run(path)
    for tunnel in result["tunnels"]:
        assert set(tunnel) >= {"name", "partner", "loaded", "ike_state", "ike", "child", "healthy", "reasons"}
        assert tunnel["name"].startswith("partner-") and tunnel["partner"]
        if tunnel["ike"]:
            ike = tunnel["ike"]
            assert set(ike) >= {"local_host", "remote_host", "encap", "encr_alg", "encr_keysize", "integ_alg", "prf_alg",
                                "dh_group", "established", "rekey_time", "reauth_time"}
            assert isinstance(ike["encap"], bool)
            assert ike["established"] is None or isinstance(ike["established"], int)
        if tunnel["child"]:
            child = tunnel["child"]
            assert set(child) >= {"state", "mode", "protocol", "encr_alg", "encr_keysize", "integ_alg", "dh_group",
                                  "rekey_time", "life_time", "install_time", "bytes_in", "bytes_out", "packets_in",
                                  "packets_out", "use_in", "use_out", "local_ts", "remote_ts"}
            for key in ("bytes_in", "bytes_out", "packets_in", "packets_out"):
                assert child[key] is None or isinstance(child[key], int)


# --- details of the healthy capture ---------------------------------------------------------------

HEALTHY = FIXTURES / "healthy_xfrm_synthetic.json"


def healthy_case():
    doc, tunnels = load_capture(HEALTHY)
    return copy.deepcopy(doc), copy.deepcopy(tunnels)


def test_healthy_details():
    doc, _tunnels, result = run(HEALTHY)
    acme = by_name(result)["partner-acme_bank"]
    assert acme["ike_state"] == "ESTABLISHED"
    assert acme["ike"]["encr_alg"] == "AES_GCM_16" and acme["ike"]["encr_keysize"] == 256
    assert acme["ike"]["prf_alg"] == "PRF_HMAC_SHA2_384" and acme["ike"]["dh_group"] == "ECP_384"
    assert acme["ike"]["local_port"] == 4500 and acme["ike"]["encap"] is False  # MOBIKE float, no NAT
    # the INSTALLED CHILD SA is reported, not its REKEYED predecessor listed first
    assert acme["child"]["state"] == "INSTALLED" and acme["child"]["uniqueid"] == 7
    assert acme["child"]["dh_group"] == "ECP_384"
    assert acme["child"]["packets_in"] == 611 and acme["child"]["use_out"] == 1
    assert acme["ike"]["established_at"] == "2026-11-18T09:36:40Z"
    assert doc["now"] - 5400 == 1794994600
    card = by_name(result)["partner-card_net"]
    assert card["ike"]["integ_alg"] is None and card["ike"]["dh_group"] == "CURVE_25519"  # second IKE proposal
    assert card["child"]["integ_alg"] == "HMAC_SHA2_384_192" and card["child"]["dh_group"] is None
    assert st.summary_line(result) == "IPsec: 2/2 tunnels healthy"


def test_data_plane_picks_the_default_selectors():
    doc, tunnels = healthy_case()
    assert by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"], data_plane="xfrm"))["partner-acme_bank"]["healthy"]
    result = st.evaluate(tunnels, doc["list_sas"], doc["list_conns"], data_plane="libipsec")
    reasons = by_name(result)["partner-acme_bank"]["reasons"]
    assert len(reasons) == 1
    assert "traffic selectors differ" in reasons[0] and "local 0.0.0.0/0, ::/0 instead of 169.254.10.0/30, 198.18.20.0/24" in reasons[0]


def test_young_child_sa_is_not_judged_for_one_way_traffic():
    doc, tunnels = load_capture(FIXTURES / "duplicate_and_one_way_synthetic.json")
    sa = doc["list_sas"][2]["partner-card_net"]["child-sas"]["partner-card_net-66"]
    sa["install-time"] = str(st.ONE_WAY_GRACE - 1)
    card = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-card_net"]
    assert card["healthy"], card["reasons"]
    sa["install-time"] = str(st.ONE_WAY_GRACE)
    assert "one-way traffic" in by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-card_net"]["reasons"][0]


def test_one_way_the_other_direction_and_inbound_silence():
    doc, tunnels = healthy_case()
    child = doc["list_sas"][0]["partner-acme_bank"]["child-sas"]["partner-acme_bank-7"]
    child.update({"packets-out": "0", "bytes-out": "0", "install-time": "900"})
    del child["use-out"]
    reasons = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["reasons"]
    assert reasons == ["one-way traffic: 611 packets received from the partner in 900s, none sent: our routing does not "
                       "steer traffic into the tunnel (check routes/BGP over the inside network)"]
    child.update({"packets-out": "700", "bytes-out": "56000", "use-out": "2", "use-in": "400"})
    reasons = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["reasons"]
    assert reasons == ["one-way traffic: nothing received for 400s while we keep sending (last sent 2s ago): the partner "
                       "stopped sending"]


def test_proposals_default_or_unknown_are_not_judged():
    doc, tunnels = load_capture(FIXTURES / "algorithms_differ_synthetic.json")
    acme = next(t for t in tunnels if t["name"] == "partner-acme_bank")
    acme["ike_proposals"] = ["default"]
    acme["esp_proposals"] = ["aes256gcm16-mlkem768new"]
    assert by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["healthy"]


def test_several_proposals_name_the_closest():
    doc, tunnels = load_capture(FIXTURES / "algorithms_differ_synthetic.json")
    acme = next(t for t in tunnels if t["name"] == "partner-acme_bank")
    acme["ike_proposals"] = ["aes256gcm16-prfsha384-ecp384", "aes128-sha256-modp3072"]
    reasons = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["reasons"]
    assert ("IKE algorithms in use differ from the intended proposals aes256gcm16-prfsha384-ecp384, aes128-sha256-modp3072: "
            "matches none of aes256gcm16-prfsha384-ecp384, aes128-sha256-modp3072 (closest aes128-sha256-modp3072: "
            "DH group MODP_2048 instead of MODP_3072)") in reasons


def test_missing_child_name_key_of_older_strongswan():
    doc, tunnels = healthy_case()
    children = doc["list_sas"][0]["partner-acme_bank"]["child-sas"]
    for child in children.values():
        del child["name"]
    assert by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["healthy"]


def test_start_action_is_named_when_the_sa_is_down():
    doc, tunnels = load_capture(FIXTURES / "ike_down_synthetic.json")
    next(t for t in tunnels if t["name"] == "partner-acme_bank")["start_action"] = "trap"
    acme = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]
    assert acme["reasons"][0].startswith("IKE SA down (start_action trap: it is only started by traffic")
    assert acme["ike"] is None and acme["child"] is None and acme["ike_state"] is None and acme["loaded"] is True


def test_responder_connecting():
    doc, tunnels = load_capture(FIXTURES / "ike_auth_pending_synthetic.json")
    del doc["list_sas"][0]["partner-acme_bank"]["initiator"]
    reasons = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["reasons"]
    assert reasons[0].startswith("IKE SA CONNECTING as responder: peer 198.18.200.2 started IKE_SA_INIT")


def test_other_ike_and_child_states():
    doc, tunnels = healthy_case()
    sa = doc["list_sas"][0]["partner-acme_bank"]
    sa["state"] = "DELETING"
    reasons = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["reasons"]
    assert reasons[0] == "IKE SA DELETING: being deleted (DPD timeout, or the partner sent a DELETE)"
    sa["state"] = "REKEYING"  # still carries traffic
    assert by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["healthy"]
    for child in sa["child-sas"].values():
        child["state"] = "ROUTED"
    reasons = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["reasons"]
    assert reasons == ["CHILD SA partner-acme_bank is ROUTED, not INSTALLED: only a trap policy is installed: waiting for traffic"]


def test_duplicate_child_sas():
    doc, tunnels = healthy_case()
    children = doc["list_sas"][0]["partner-acme_bank"]["child-sas"]
    children["partner-acme_bank-4"]["state"] = "INSTALLED"
    entry = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]
    # traffic flows over the best SA: an anomaly to report, not an outage
    assert entry["healthy"] and entry["reasons"] == []
    assert entry["warnings"][0].startswith("2 CHILD SAs INSTALLED for partner-acme_bank (duplicate")


def test_stale_actions_and_missing_child_config():
    doc, tunnels = healthy_case()
    child_cfg = doc["list_conns"][0]["partner-acme_bank"]["children"]["partner-acme_bank"]
    child_cfg["dpd_action"] = "none"
    child_cfg["close_action"] = "trap"
    reasons = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["reasons"]
    assert reasons == ["the connection loaded in charon differs from the intended one (dpd_action none instead of start "
                       "(restart); close_action trap instead of start): run the ipsec_tunnels role"]
    doc["list_conns"][0]["partner-acme_bank"]["children"] = {"other": child_cfg}
    reasons = by_name(st.evaluate(tunnels, doc["list_sas"], doc["list_conns"]))["partner-acme_bank"]["reasons"]
    assert reasons[0] == "connection partner-acme_bank is loaded without its CHILD partner-acme_bank (children: other): run the ipsec_tunnels role"


def test_no_intent_and_nothing_loaded():
    result = st.evaluate([], [], [])
    assert result == {"tunnels": [], "healthy": 0, "unhealthy": 0, "unexpected": []}
    assert st.summary_line(result) == "IPsec: no partner tunnels"


def test_an_sa_without_a_loaded_conn_is_reported_without_intent():
    doc, _tunnels = healthy_case()
    result = st.evaluate(None, doc["list_sas"], [])
    names = [t["name"] for t in result["tunnels"]]
    assert names == ["partner-acme_bank", "partner-card_net"]
    assert all(t["reasons"][0].startswith("connection partner-") and "is not loaded in charon" in t["reasons"][0]
               for t in result["tunnels"])


def test_summary_line_names_the_first_reason_and_unexpected():
    _doc, _tunnels, result = run(FIXTURES / "not_loaded_and_stale_synthetic.json")
    line = st.summary_line(result)
    assert line.startswith("IPsec: 0/2 tunnels healthy; partner-acme_bank: connection partner-acme_bank is not loaded in charon")
    assert line.endswith("; loaded but not intended: partner-old_bank")


# --- proposals, selectors, logs ----------------------------------------------------------------------


@pytest.mark.parametrize("text, kind, encr, integ, prf, dh", [
    ("aes256gcm16-prfsha384-ecp384", "ike", [("AES_GCM_16", 256)], [], ["PRF_HMAC_SHA2_384"], ["ECP_384"]),
    ("aes256gcm16-ecp384", "esp", [("AES_GCM_16", 256)], [], [], ["ECP_384"]),
    ("aes256-sha384-ecp384", "ike", [("AES_CBC", 256)], ["HMAC_SHA2_384_192"], ["PRF_HMAC_SHA2_384"], ["ECP_384"]),
    ("aes256-sha384-ecp384", "esp", [("AES_CBC", 256)], ["HMAC_SHA2_384_192"], [], ["ECP_384"]),
    ("aes256gcm-aes128gcm12-aes192gcm8-x25519-curve448", "esp",
     [("AES_GCM_16", 256), ("AES_GCM_12", 128), ("AES_GCM_8", 192)], [], [], ["CURVE_25519", "CURVE_448"]),
    ("aes256gcm128-aes256gcm96-prfsha2_512-modp3072", "ike", [("AES_GCM_16", 256), ("AES_GCM_12", 256)], [],
     ["PRF_HMAC_SHA2_512"], ["MODP_3072"]),
    ("aes-aes256ctr-sha2_256-sha512-modp2048s256-ecp256bp", "ike", [("AES_CBC", 128), ("AES_CTR", 256)],
     ["HMAC_SHA2_256_128", "HMAC_SHA2_512_256"], ["PRF_HMAC_SHA2_256", "PRF_HMAC_SHA2_512"], ["MODP_2048_256", "ECP_256_BP"]),
    ("3des-sha1-modp1024", "ike", [("3DES_CBC", None)], ["HMAC_SHA1_96"], ["PRF_HMAC_SHA1"], ["MODP_1024"]),
    ("chacha20poly1305-prfsha256-ke1_ecp384-esn", "ike", [("CHACHA20_POLY1305", None)], [], ["PRF_HMAC_SHA2_256"],
     ["ECP_384"]),
    ("camellia256-aesxcbc-modp4096", "ike", [("CAMELLIA_CBC", 256)], ["AES_XCBC_96"], ["PRF_AES128_XCBC"], ["MODP_4096"]),
])
def test_parse_proposal(text, kind, encr, integ, prf, dh):
    parsed = st.parse_proposal(text, kind)
    assert (parsed["encr"], parsed["integ"], parsed["prf"], parsed["dh"]) == (encr, integ, prf, dh)
    assert parsed["unknown"] == [] and parsed["default"] is False


def test_parse_proposal_unknown_and_default():
    assert st.parse_proposal("aes256gcm16-frobnicate", "esp")["unknown"] == ["frobnicate"]
    assert st.parse_proposal("AES256GCM16-PRFSHA384-ECP384", "ike")["encr"] == [("AES_GCM_16", 256)]
    assert st.parse_proposal("default", "ike")["default"] is True
    assert st.parse_proposal("aes256gmac", "esp")["encr"] == [("NULL_AES_GMAC", 256)]


@pytest.mark.parametrize("raw, norm", [
    ("10.0.0.1/24", "10.0.0.0/24"),
    ("10.0.0.0/24[TCP/179]", "10.0.0.0/24[tcp/179]"),
    ("10.1.1.7", "10.1.1.7/32"),
    ("::0/0", "::/0"),
    ("2001:DB8::/32", "2001:db8::/32"),
    ("10.1.1.1..10.1.1.5", "10.1.1.1..10.1.1.5"),
    ("dynamic", "dynamic"),
    (" 0.0.0.0/0 ", "0.0.0.0/0"),
])
def test_normalise_ts(raw, norm):
    assert st.normalise_ts(raw) == norm


def test_partner_of():
    assert st.partner_of("partner-acme_bank") == "acme_bank"
    assert st.partner_of("partner-acme_bank-backup") == "acme_bank"
    assert st.partner_of("lab") == "lab"


def test_explain_log():
    lines = ["[IKE] initiating IKE_SA partner-acme_bank[1] to 198.18.200.2",
             "[NET] retransmit 1 of request with message ID 0", "[NET] retransmit 2 of request with message ID 0",
             "[IKE] giving up after 5 retransmits", "[VICI] establishing CHILD_SA 'partner-acme_bank' failed"]
    assert st.explain_log(lines) == ["the partner gateway does not answer: giving up after retransmits -- check UDP "
                                     "500/4500 reachability"]
    assert st.explain_log(lines[:3]) == ["the partner gateway answers slowly or not at all (2 retransmits so far)"]
    assert st.explain_log(["[IKE] received AUTHENTICATION_FAILED notify error"])[0].startswith(
        "the partner rejected our authentication")
    assert st.explain_log(["[IKE] received NO_PROPOSAL_CHOSEN notify error"]) == [
        "the partner accepts none of our IKE proposals (NO_PROPOSAL_CHOSEN)"]
    child = st.explain_log(["[IKE] received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"])
    assert child[0] == "the partner accepts none of our ESP proposals (NO_PROPOSAL_CHOSEN for the CHILD SA)"
    assert st.explain_log(["[IKE] received TS_UNACCEPTABLE notify, no CHILD_SA built"])[0].startswith(
        "the partner rejected our traffic selectors")
    assert st.explain_log(["[IKE] tried 1 shared key for '198.18.200.1' - '198.18.200.2', but MAC mismatched"]) == [
        "the partner's authentication did not verify: the pre-shared keys differ"]
    assert st.explain_log(["[CHD] CHILD_SA partner-acme_bank{1} established"]) == []
    assert st.explain_log(None) == []
