"""core/audit.py: which runs are audited, the line's fields, masking by field name / syntax / known value
(also base64), the actor (AWX), and the append (0600 file, 0700 parent, concurrent writers never interleave)."""

from __future__ import annotations

import base64
import datetime
import json
import multiprocessing
import os
import stat

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import audit
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK

SECRET = "Sup3r-S3cret-Md5"
NOW = datetime.datetime(2026, 12, 2, 0, 40, 5, tzinfo=datetime.timezone.utc)


def test_auditable_modules_and_declared_ones():
    assert audit.feature_of("paynet.netinfra.snmp", {}) == "snmp"
    assert audit.feature_of("paynet.netinfra.bgp_peering", {}) == "bgp"
    assert audit.feature_of("hsm_attachment", {}) == "hsm"
    assert audit.feature_of("paynet.netinfra.bgp_status", {}) is None
    assert audit.feature_of("ansible.builtin.debug", {}) is None
    assert audit.feature_of("acme.x.newthing", {"netinfra_audit": {"feature": "ntp"}}) == "ntp"


def test_only_real_changing_runs_are_audited():
    assert audit.should_audit("snmp", False, "ok", "merged")
    assert audit.should_audit("snmp", False, "failed", None)
    assert audit.should_audit("snmp", False, "unreachable", "overridden")
    assert not audit.should_audit("snmp", True, "ok", "merged")  # check mode
    assert not audit.should_audit("snmp", False, "skipped", "merged")
    for state in ("rendered", "parsed", "gathered"):
        assert not audit.should_audit("snmp", False, "ok", state)
    assert not audit.should_audit(None, False, "ok", "merged")


def test_state_from_invocation_then_literal_arg():
    assert audit.module_state({"invocation": {"module_args": {"state": "deleted"}}}, {"state": "merged"}) == "deleted"
    assert audit.module_state({}, {"state": "replaced"}) == "replaced"
    assert audit.module_state({}, {"state": "{{ snmp_state }}"}) is None
    assert audit.module_state({"gathered": {}, "changed": False}, {"state": "{{ snmp_state }}"}) == "gathered"


def test_secret_values_from_host_vars():
    host_vars = {
        "vault_bgp_passwords": {"acme": SECRET, "other": "An0ther-One"},
        "snmp": {"users": [{"name": "nms", "auth_key": "authkey-literal-1", "priv_key": "{{ vault_x }}",
                            "auth": "SHA-512"}]},
        "bgp": {"asn": 65001, "router_id": "198.18.0.1"},
        "short": {"password": "no"},
    }
    found = audit.secret_values(host_vars)
    assert SECRET in found and "An0ther-One" in found and "authkey-literal-1" in found
    assert "SHA-512" not in found and "198.18.0.1" not in found and "nms" not in found
    assert not any("{{" in v for v in found) and "no" not in found


def test_record_fields_and_masking():
    b64 = base64.b64encode(SECRET.encode()).decode()
    result = {
        "changed": True,
        "commands": ["neighbor 203.0.113.2 password %s" % SECRET, "router bgp 65001"],
        "diff": {"before": "", "after": "neighbor 203.0.113.2 password %s\nblob %s\n" % (SECRET, b64)},
        "verification": {"established": ["203.0.113.2"]},
        "gathered": {"huge": "left out"},
        "leaked": {"password": "literal-in-result", "note": "value %s inside" % SECRET},
        "invocation": {"module_args": {"state": "merged"}},
    }
    actor = audit.who({"JOB_ID": "4711"}, {"awx_user_name": "alice", "awx_job_template_name": "site"}, user="runner")
    line = audit.record("edge1", "paynet.netinfra.bgp_peering", "bgp", result, "changed", actor,
                        playbook="/p/site.yml", play="BGP", task="Configure BGP",
                        revision={"commit": "abc", "dirty": False}, inventory="/inv", secrets=[SECRET], now=NOW,
                        state="merged")
    text = audit.dumps(line)
    assert "\n" not in text
    assert SECRET not in text and b64 not in text and b64.rstrip("=") not in text
    assert line["time"] == "2026-12-02T00:40:05Z"
    assert line["who"] == {"user": "runner", "awx_job_id": "4711", "launched_by": "alice", "job_template": "site"}
    assert line["host"] == "edge1" and line["feature"] == "bgp" and line["module"] == "paynet.netinfra.bgp_peering"
    assert line["changed"] is True and line["failed"] is False and line["rc"] == 0 and line["verified"] == "passed"
    assert line["intent_revision"] == {"commit": "abc", "dirty": False} and line["playbook"] == "/p/site.yml"
    assert line["commands"][0] == "neighbor 203.0.113.2 password " + MASK
    assert "gathered" not in line and "invocation" not in line and "leaked" not in line
    assert line["state"] == "merged"


def test_scrub_field_names_and_nested():
    data = {"users": [{"name": "nms", "auth_key": "x1x1x1x1", "passphrase": "p"}], "psk": {"a": "b"},
            "text": "createUser nms SHA-512 k1k1k1k1 AES-256 k2k2k2k2", "enabled": True, "password": None}
    out = audit.scrub(data)
    assert out["users"][0] == {"name": "nms", "auth_key": MASK, "passphrase": MASK}
    assert out["psk"] == MASK and out["enabled"] is True and out["password"] is None
    assert "k1k1k1k1" not in out["text"] and "k2k2k2k2" not in out["text"]


def test_failed_run_with_rollback():
    result = {"failed": True, "msg": "verification failed: 203.0.113.2 not Established; rolled back",
              "rolled_back": True, "rollback_commands": ["no neighbor 203.0.113.9"], "commands": ["x"]}
    line = audit.record("edge1", "paynet.netinfra.bgp_peering", "bgp", result, "failed", {"user": "u"}, now=NOW)
    assert line["failed"] is True and line["rc"] == 1 and line["verified"] == "failed"
    assert line["rolled_back"] is True and line["rollback_commands"] == ["no neighbor 203.0.113.9"]
    assert line["msg"].startswith("verification failed")


def test_verification_verdicts():
    def verdict(result, status="ok"):
        return audit.record("h", "paynet.netinfra.bgp_peering", "bgp", result, status, {}, now=NOW)["verified"]
    assert verdict({"changed": True, "verification": {"down": [], "required_established": ["192.0.2.1"]}}) == "passed"
    assert verdict({"changed": True, "verification": {"down": ["192.0.2.1"]}}) == "failed"
    assert verdict({"changed": True}) == "not_run"  # a change without a verification result is not "passed"
    assert verdict({"changed": True, "verification": {"down": []}}, "failed") == "failed"


def test_unchanged_run():
    line = audit.record("sgw1", "paynet.netinfra.snmp", "snmp", {"changed": False, "commands": []}, "ok", {}, now=NOW)
    assert line["changed"] is False and line["verified"] == "not_run" and line["commands"] == []


def test_who_without_awx(monkeypatch):
    assert audit.who({}, {}, user="bob") == {"user": "bob"}
    assert audit.who({"AWX_JOB_ID": "9"}, {}, user="bob")["awx_job_id"] == "9"
    assert audit.who({"JOB_ID": "1"}, {"tower_job_id": 12}, user="bob")["awx_job_id"] == "12"


def test_append_modes_and_lines(tmp_path):
    path = tmp_path / "new" / "dir" / "audit.jsonl"
    assert audit.append(str(path), [{"a": 1}, {"b": "x\ny"}]) == 2
    assert audit.append(str(path), []) == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert audit.read(str(path)) == [{"a": 1}, {"b": "x\ny"}]
    os.chmod(path, 0o644)
    audit.append(str(path), [{"c": 3}])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(audit.read(str(path))) == 3


def _writer(args):
    path, n = args
    for i in range(50):
        audit.append(path, [{"writer": n, "i": i, "pad": "x" * 5000}])


def test_concurrent_appends_never_interleave(tmp_path):
    path = str(tmp_path / "audit.jsonl")
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_writer, [(path, n) for n in range(4)])
    with open(path, encoding="utf-8") as handle:
        lines = [json.loads(text) for text in handle]
    assert len(lines) == 200
    assert sorted((line["writer"], line["i"]) for line in lines) == [(n, i) for n in range(4) for i in range(50)]
