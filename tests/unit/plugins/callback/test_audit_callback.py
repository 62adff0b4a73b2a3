"""The paynet.netinfra.audit callback driven by ansible-playbook on localhost: a module that declares itself
auditable writes one line per host on a real run (secrets from the host's vault variables masked, also a
secret the module leaked), none in check mode; read-only states and other modules write nothing; no task is
added."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import yaml

PLAYBOOK_BIN = Path(sys.executable).with_name("ansible-playbook")
SECRET = "Vaulted-Pa55-4711"

LEAKY_MODULE = '''#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
def main():
    m = AnsibleModule(argument_spec={"leak": {"type": "str"}, "state": {"type": "str", "default": "merged"},
                                     "fail": {"type": "bool", "default": False}}, supports_check_mode=True)
    leak = m.params["leak"]
    res = dict(changed=True, netinfra_audit={"feature": "leaky"}, commands=["set secret %s" % leak],
               diff={"before": "", "after": "key %s\\n" % leak}, note="plain %s" % leak)
    if m.params["fail"]:
        m.fail_json(msg="failed with %s; rolled back" % leak, rolled_back=True, rollback_commands=["undo"], **res)
    m.exit_json(**res)
main()
'''


def _run(tmp_path, env, plays, *args):
    (tmp_path / "library").mkdir(exist_ok=True)
    (tmp_path / "library" / "leaky.py").write_text(LEAKY_MODULE)
    inv = tmp_path / "inv.yml"
    inv.write_text(yaml.safe_dump({"all": {"hosts": {"lh1": {}, "lh2": {}}, "vars": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
        "vault_secret": SECRET}}}))
    book = tmp_path / "play.yml"
    book.write_text(yaml.safe_dump(plays, sort_keys=False))
    proc = subprocess.run([str(PLAYBOOK_BIN), "-i", str(inv), str(book), *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False, cwd=str(tmp_path))
    return proc.returncode, proc.stdout + proc.stderr


def _env(ansible_env, tmp_path):
    env = dict(ansible_env, ANSIBLE_CALLBACKS_ENABLED="paynet.netinfra.audit",
               NETINFRA_AUDIT_LOG=str(tmp_path / "audit" / "log.jsonl"), ANSIBLE_LIBRARY=str(tmp_path / "library"),
               JOB_ID="77")
    return env


def _lines(tmp_path):
    path = tmp_path / "audit" / "log.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


PLAY = [{"hosts": "all", "gather_facts": False, "tasks": [
    {"name": "Leak", "leaky": {"leak": "{{ vault_secret }}", "state": "{{ leaky_state }}"}, "vars": {"leaky_state": "replaced"}},
    {"name": "Rendered only", "leaky": {"leak": "x", "state": "rendered"}},
    {"name": "Gathered by a variable", "leaky": {"leak": "x", "state": "{{ leaky_state }}"}, "vars": {"leaky_state": "gathered"}},
    {"name": "Not audited", "ansible.builtin.debug": {"msg": "hi"}},
]}]


def test_real_run_writes_masked_lines(tmp_path, ansible_env):
    rc, out = _run(tmp_path, _env(ansible_env, tmp_path), PLAY)
    assert rc == 0, out
    lines = _lines(tmp_path)
    assert sorted(line["host"] for line in lines) == ["lh1", "lh2"], lines
    raw = (tmp_path / "audit" / "log.jsonl").read_text()
    assert SECRET not in raw and base64.b64encode(SECRET.encode()).decode() not in raw
    line = lines[0]
    assert line["feature"] == "leaky" and line["changed"] is True and line["failed"] is False
    assert line["who"]["awx_job_id"] == "77" and line["who"]["user"]
    assert line["playbook"].endswith("play.yml") and line["task"] == "Leak" and line["state"] == "replaced"
    assert line["commands"] == ["set secret ********"]
    assert line["time"].endswith("Z") and "commit" in line["intent_revision"]
    assert stat.S_IMODE(os.stat(tmp_path / "audit").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "audit" / "log.jsonl").st_mode) == 0o600
    # the callback adds no task: the recap counts the three tasks per host only
    assert "lh1                        : ok=4" in out, out


def test_check_mode_writes_nothing(tmp_path, ansible_env):
    rc, out = _run(tmp_path, _env(ansible_env, tmp_path), PLAY, "--check")
    assert rc == 0, out
    assert not _lines(tmp_path)


def test_failed_run_is_audited(tmp_path, ansible_env):
    plays = [{"hosts": "lh1", "gather_facts": False, "tasks": [
        {"name": "Fail", "leaky": {"leak": "{{ vault_secret }}", "fail": True}, "ignore_errors": True}]}]
    rc, out = _run(tmp_path, _env(ansible_env, tmp_path), plays)
    assert rc == 0, out
    (line,) = _lines(tmp_path)
    assert line["failed"] is True and line["rolled_back"] is True and line["rollback_commands"] == ["undo"]
    assert SECRET not in json.dumps(line) and "rolled back" in line["msg"]


def test_variable_overrides_the_log_path(tmp_path, ansible_env):
    other = tmp_path / "other.jsonl"
    rc, out = _run(tmp_path, _env(ansible_env, tmp_path), PLAY, "-e", "netinfra_audit_log=%s" % other)
    assert rc == 0, out
    assert not _lines(tmp_path), out
    assert len(other.read_text().splitlines()) == 2, out
