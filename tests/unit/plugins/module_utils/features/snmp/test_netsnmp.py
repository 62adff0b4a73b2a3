"""net-snmp backend: renderer, parsers (fixtures captured from the lab's snmpd 5.9) and the plan: a re-run
is a no-op, a rotated key is seen and masked, nothing shown ever holds a key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import run
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp import offline
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp.model import Agent
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp.netsnmp import backend, parse, render

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "snmp"
PERSISTENT = (FIXTURES / "persistent-netsnmp-5.9.conf").read_text()
SGW1_CONF = (FIXTURES / "snmpd-sgw1.conf").read_text()
KEYS = {"nms": ("Test-auth-pass-phrase-0001", "Test-priv-pass-phrase-0001"),
        "nmsaes": ("Test-auth-pass-phrase-0002", "Test-priv-pass-phrase-0002"),
        "nmstrap": ("Test auth pass phrase 0003", "Test-priv-pass-phrase-0003")}
CONFIG = {
    "sys_name": "sgw1", "location": "lab oob segment 198.18.62.0/24", "contact": "noc@paynet.example",
    "listen": ["198.18.62.2"],
    "users": [{"name": "nms", "auth": "SHA-512", "auth_key": KEYS["nms"][0], "priv": "AES-256", "priv_key": KEYS["nms"][1],
               "group": "monitoring"},
              {"name": "nmsaes", "auth": "SHA-256", "auth_key": KEYS["nmsaes"][0], "priv": "AES-128",
               "priv_key": KEYS["nmsaes"][1], "group": "monitoring"},
              {"name": "nmstrap", "auth": "SHA-512", "auth_key": KEYS["nmstrap"][0], "priv": "AES-256",
               "priv_key": KEYS["nmstrap"][1]}],
    "views": [{"name": "nms", "included": [".1.3.6.1.2.1.1", ".1.3.6.1.2.1.2", ".1.3.6.1.2.1.31", ".1.3.6.1.2.1.15"],
               "excluded": [".1.3.6.1.2.1.15.5", ".1.3.6.1.2.1.15.6"]}],
    "groups": [{"name": "monitoring", "read_view": "nms"}],
    "targets": [{"address": "198.18.62.10", "type": "inform", "user": "nmstrap"}],
}
ALL_KEYS = [k for pair in KEYS.values() for k in pair]


def rendered_conf(config=None):
    conf = render.snmpd_conf(Agent(config or CONFIG))
    # the fixture's trap user had other pass phrases: compare everything but that line's keys
    return conf


def test_render_matches_what_the_lab_agent_runs():
    ours = rendered_conf().splitlines()
    captured = SGW1_CONF.splitlines()
    assert [l for l in ours if not l.startswith("trapsess")] == [l for l in captured if not l.startswith("trapsess")]
    assert ours[-1].startswith("trapsess -Ci -v 3 -u nmstrap -l authPriv -a SHA-512 -A ")
    assert "master agentx" not in ours and "rocommunity" not in "\n".join(ours)
    agentx = render.snmpd_conf(Agent(dict(CONFIG, agentx=True, listen=["2001:db8::1", "198.18.62.2"])))
    assert agentx.endswith("master agentx\nagentXSocket tcp:127.0.0.1:705\n")
    assert "agentAddress udp6:[2001:db8::1]:161,udp:198.18.62.2:161" in agentx


def test_create_user_quotes_blanks():
    line = render.create_user(Agent(CONFIG).users[2])
    assert line == 'createUser nmstrap SHA-512 "Test auth pass phrase 0003" AES-256 Test-priv-pass-phrase-0003'
    assert render.create_user(Agent(CONFIG).users[1]).split()[4] == "AES"


def test_parse_persistent_file():
    persistent = parse.Persistent(PERSISTENT)
    assert persistent.engine_id and persistent.engine_id.startswith("0x80001f88")
    assert sorted(persistent.users) == ["nms", "nmsaes", "nmstrap"]
    assert persistent.users["nmsaes"].auth == "SHA-256" and persistent.users["nmsaes"].priv == "AES"
    for user in Agent(CONFIG).users:
        assert parse.key_state(persistent.users[user["name"]], user, persistent.engine_id) == (True, True)
        other = dict(user, priv_key=user["priv_key"] + "x")
        assert parse.key_state(persistent.users[user["name"]], other, persistent.engine_id) == (True, False)
        assert parse.key_state(persistent.users[user["name"]], user, "0x80001f8880000000000000000000000000") == (False, False)


def test_parse_pending_create_user():
    persistent = parse.Persistent(render.create_user(Agent(CONFIG).users[2]) + "\n")
    user = Agent(CONFIG).users[2]
    assert persistent.users["nmstrap"].pending
    assert parse.key_state(persistent.users["nmstrap"], user, None) == (True, True)
    assert persistent.users["nmstrap"].public()["auth_key"] == "********"


def test_parsed_round_trip_and_no_secret():
    parsed = offline.parsed(SGW1_CONF)
    assert parsed["listen"] == ["198.18.62.2"] and parsed["sys_name"] == "sgw1"
    assert parsed["views"] == CONFIG["views"] and parsed["groups"] == CONFIG["groups"]
    assert parsed["targets"] == [{"type": "inform", "port": 162, "user": "nmstrap", "address": "198.18.62.10"}]
    assert {u["name"]: u["group"] for u in parsed["users"]} == {"nms": "monitoring", "nmsaes": "monitoring"}
    assert "Test-" not in repr(parsed)


def test_rendered_is_masked():
    out = offline.rendered(CONFIG)
    assert not [k for k in ALL_KEYS if k in repr(out)]
    assert "createUser nms SHA-512 ******** AES-256 ********" in out["/var/lib/snmp/snmpd.conf"]


class FakeDevice:
    """The two files and snmpd's state in memory: the plan reads them through backend._read."""

    def __init__(self, monkeypatch, conf, persistent, running=True):
        self.files = {backend.CONF: conf, backend.PERSISTENT: persistent}
        monkeypatch.setattr(backend, "_read", self.files.get)
        self.running = running


def make(monkeypatch, config, state="replaced", conf=SGW1_CONF, persistent=PERSISTENT, running=True):
    device = FakeDevice(monkeypatch, conf, persistent, running)
    snmp = backend.NetSnmp(lambda argv: (0, "", ""), config, state)
    monkeypatch.setattr(snmp.daemon, "running", lambda: device.running)
    return snmp, device


def trap_conf():
    # the fixture's conf with the trap user's current keys (as the module renders it)
    return rendered_conf()


def test_rerun_is_a_no_op(monkeypatch):
    snmp, _device = make(monkeypatch, CONFIG, conf=trap_conf())
    plan = snmp.plan(snmp.gather())
    assert not plan.changed and plan.commands == [], plan.commands
    assert run(snmp, check_mode=True)["changed"] is False


def test_rotated_key_is_detected_and_masked(monkeypatch):
    config = copy.deepcopy(CONFIG)
    config["users"][0]["priv_key"] = "Rotated-priv-pass-phrase-0009"
    snmp, _device = make(monkeypatch, config, conf=trap_conf())
    result = run(snmp, check_mode=True)
    assert result["changed"] and result["modified"] == ["nms"] and not result["added"] and not result["removed"]
    assert "user nms group=monitoring auth=SHA-512 auth_key=******** priv=AES-256 priv_key=******** (changed)" \
        in result["diff"]["after"]
    assert "priv_key=******** (changed)" not in result["diff"]["before"]
    assert any("createUser nms SHA-512 ******** AES-256 ********" in c for c in result["commands"])
    assert "stop snmpd (it rewrites /var/lib/snmp/snmpd.conf on exit)" in result["commands"]
    text = repr(result)
    assert not [k for k in ALL_KEYS + ["Rotated-priv-pass-phrase-0009"] if k in text]


def test_overridden_removes_unknown_users_merged_keeps_them(monkeypatch):
    config = copy.deepcopy(CONFIG)
    config["users"] = config["users"][:2]
    config["targets"] = []
    for state, removed in (("overridden", ["nmstrap"]), ("merged", [])):
        snmp, _device = make(monkeypatch, config, state=state)
        result = run(snmp, check_mode=True)
        assert result["removed"] == removed, state


def test_first_run_without_engine_adds_every_user(monkeypatch):
    snmp, _device = make(monkeypatch, CONFIG, conf=None, persistent=None, running=False)
    result = run(snmp, check_mode=True)
    assert result["added"] == ["nms", "nmsaes", "nmstrap"] and result["engine_id"] is None
    assert result["commands"][0] == "write /etc/snmp/snmpd.conf" and result["commands"][-1] == "start snmpd"
    assert "(absent)" in result["diff"]["before"]
    assert not [k for k in ALL_KEYS if k in repr(result)]


def test_old_trap_keys_in_the_current_file_are_masked_too(monkeypatch):
    # the device's conf holds the trap user's OLD pass phrases (not in the intent): still masked
    snmp, _device = make(monkeypatch, CONFIG, conf=SGW1_CONF)
    result = run(snmp, check_mode=True)
    assert "Test-auth-pass-phrase-0003" not in repr(result) and "-A ******** -x AES-256 -X ********" in result["diff"]["before"]


def test_deleted_without_users_removes_everything(monkeypatch):
    snmp, _device = make(monkeypatch, {"listen": ["198.18.62.2"]}, state="deleted", conf=trap_conf())
    result = run(snmp, check_mode=True)
    assert result["removed"] == ["nms", "nmsaes", "nmstrap"]
    assert "remove /etc/snmp/snmpd.conf" in result["commands"] and "stop snmpd (it rewrites /var/lib/snmp/snmpd.conf on exit)" in result["commands"]


def test_persistent_rewrite_keeps_engine_and_replaces_users(monkeypatch):
    config = copy.deepcopy(CONFIG)
    config["users"][0]["priv_key"] = "Rotated-priv-pass-phrase-0009"
    snmp, _device = make(monkeypatch, config, conf=trap_conf())
    plan = snmp.plan(snmp.gather())
    text = snmp._persistent_text(plan.payload)  # pylint: disable=protected-access
    assert "oldEngineID" in text and "engineBoots" in text
    assert text.count('"nms"') == 0 and text.count('"nmsaes"') == 2
    assert text.rstrip().endswith("createUser nms SHA-512 Test-auth-pass-phrase-0001 AES-256 Rotated-priv-pass-phrase-0009")


def test_agentx_without_restart_permission_is_refused_before_any_change(monkeypatch):
    snmp, _device = make(monkeypatch, dict(CONFIG, agentx=True), conf=trap_conf())
    monkeypatch.setattr(snmp.frr, "gather", lambda: {"daemons": 'bgpd_options="  -A 127.0.0.1"\nzebra_options="  -A 127.0.0.1 -s 90000000"\n',
                                                     "loaded": {"zebra": False, "bgpd": False}, "agentx_line": False,
                                                     "vtysh": True})
    with pytest.raises(backend.SnmpError, match="frr_restart: true"):
        run(snmp, check_mode=True)
    snmp.frr_restart = True
    result = run(snmp, check_mode=True)
    assert result["frr_restart_needed"] and any(c.startswith("restart FRR") for c in result["commands"])
    assert "vtysh: agentx" in result["commands"]


def test_daemons_text_adds_the_module_once():
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp.frr_agentx.backend import daemons_text
    text = 'bgpd=yes\nzebra_options="  -A 127.0.0.1 -s 90000000"\nbgpd_options="   -A 127.0.0.1"\n'
    once = daemons_text(text)
    assert 'zebra_options="  -A 127.0.0.1 -s 90000000 -M snmp"' in once and 'bgpd_options="   -A 127.0.0.1 -M snmp"' in once
    assert daemons_text(once) == once


def test_agentx_sessions_counts_established_connections(tmp_path):
    table = tmp_path / "tcp"
    table.write_text("  sl  local_address rem_address   st\n"
                     "   0: 0100007F:02C1 00000000:0000 0A\n"
                     "   1: 0100007F:02C1 0100007F:A1B2 01\n"
                     "   2: 0100007F:02C1 0100007F:A1B3 01\n"
                     "   3: 0100007F:A1B2 0100007F:02C1 01\n"
                     "   4: 0100007F:A1B3 0100007F:02C1 01\n"
                     "   5: 0100007F:A1B4 0100007F:02C1 06\n")
    # one per subagent: the client ends (remote 127.0.0.1:705) that are established
    assert backend.agentx_sessions(str(table)) == 2


def test_module_input_check():
    params = {"state": "replaced", "config": dict(CONFIG, users=[]), "fleet_policy": {}, "allow_empty": False}
    problems = offline.problems(params, host="sgw1")
    assert any("config.users is empty with state=replaced" in p for p in problems), problems
    assert any("config.targets[0].user" in p for p in problems)
    assert offline.problems(dict(params, config=CONFIG), host="sgw1") == []
    no_listen = offline.problems(dict(params, config=dict(CONFIG, listen=[])), host="sgw1")
    assert any(p.startswith("sgw1: config.listen:") for p in no_listen)
    assert offline.problems(dict(params, state="gathered")) == []


@pytest.mark.parametrize("line", [
    "trapsess -Ci -v 3 -u t -l authPriv -a SHA-512 -A Secret-A-0001 -x AES-256 -X Secret-X-0001 udp:198.18.62.10:162",
    "trap2sink 198.18.62.10 Secret-C-0001",
    "informsink 198.18.62.10 Secret-C-0001 162",
    "defAuthPassphrase Secret-A-0001",
    'createUser nms SHA-512 "Secret A 0001" AES-256 Secret-X-0001',
])
def test_masking_of_net_snmp_secrets(line):
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import mask_text
    masked = mask_text(line)
    assert "Secret" not in masked and "********" in masked and mask_text(masked) == masked
