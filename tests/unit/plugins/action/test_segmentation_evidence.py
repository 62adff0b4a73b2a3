"""segmentation_probe and segmentation_evidence run by ansible-playbook on localhost: the probe module
in check mode against a listener on 127.0.0.1 (changed false, results back), and the evidence action
with given results: files written in check mode too, a failing proof fails the task naming the probe."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import yaml

PLAYBOOK_BIN = Path(sys.executable).with_name("ansible-playbook")
REPO = Path(__file__).resolve().parents[4]
HSM = yaml.safe_load((REPO / "inventories" / "lab" / "group_vars" / "all" / "hsm.yml").read_text())["hsm"]


def run_playbook(tmp_path, env, plays, *args):
    book = tmp_path / "play.yml"
    book.write_text(yaml.safe_dump(plays, sort_keys=False))
    proc = subprocess.run([str(PLAYBOOK_BIN), "-i", "localhost,", "-c", "local", "-e",
                           "ansible_python_interpreter=%s" % sys.executable, str(book), *args],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_probe_module_in_check_mode(tmp_path, ansible_env):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    out_file = tmp_path / "probe.json"
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"paynet.netinfra.segmentation_probe": {"targets": [
            {"address": "127.0.0.1", "port": port, "source": "127.0.0.1"},
            {"address": "127.0.0.1", "protocol": "udp", "port": 514}], "timeout": 2}, "register": "probe"},
        {"ansible.builtin.copy": {"content": "{{ probe | to_json }}", "dest": str(out_file)}, "check_mode": False}]}]
    try:
        rc, out = run_playbook(tmp_path, ansible_env, plays, "--check")
    finally:
        server.close()
    assert rc == 0, out
    result = json.loads(out_file.read_text())
    assert result["changed"] is False
    assert [r["outcome"] for r in result["results"]] == ["connected", "unverifiable"]


def test_probe_module_refuses_bad_targets(tmp_path, ansible_env):
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"paynet.netinfra.segmentation_probe": {"targets": [{"address": "hsm1", "port": 1792}]}}]}]
    rc, out = run_playbook(tmp_path, ansible_env, plays)
    assert rc != 0 and "targets[0].address: 'hsm1' is not an IP address" in out, out


def _results(open_ssh_for=None):
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import model

    out = {}
    for p in model.probe_plan(HSM):
        reached = p["expect"] == "allow" or (p["host"] == open_ssh_for and p["port"] == 22)
        outcome = ("answered" if p["protocol"] == "udp" else "connected") if reached else "timeout"
        r = {"address": p["address"], "protocol": p["protocol"], "port": p["port"], "source": p["source"],
             "outcome": outcome, "reached": reached, "elapsed_ms": 1.0, "detail": ""}
        if p["tls"] and reached:
            r["tls"] = {"completed": True, "version": "TLSv1.3"}
        out.setdefault(p["host"], []).append(r)
    return out


def _evidence_play(folder, results):
    return [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"paynet.netinfra.segmentation_evidence": {"hsm": HSM, "results": results, "evidence_dir": str(folder),
                                                   "playbook": "test.yml"}, "register": "proof"}]}]


def test_evidence_in_check_mode_writes_and_passes(tmp_path, ansible_env):
    folder = tmp_path / "evidence"
    rc, out = run_playbook(tmp_path, ansible_env, _evidence_play(folder, _results()), "--check")
    assert rc == 0, out
    doc = json.loads((folder / "latest.json").read_text())
    assert doc["verdict"] == "pass" and doc["check_mode"] is True and doc["playbook"] == "test.yml"
    assert doc["controller_user"] and doc["intent_revision"]["commit"] == "unknown"  # no inventory file in git here
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert "counters not available" in out


def test_failing_proof_fails_the_task_and_names_the_probe(tmp_path, ansible_env):
    folder = tmp_path / "evidence"
    rc, out = run_playbook(tmp_path, ansible_env, _evidence_play(folder, _results(open_ssh_for="app2")))
    assert rc != 0, out
    assert "app2/unlisted -> hsm1:22/tcp expected deny got connected" in out
    assert json.loads((folder / "latest.json").read_text())["verdict"] == "fail"


def test_evidence_without_intent_fails_clearly(tmp_path, ansible_env):
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"paynet.netinfra.segmentation_evidence": {"evidence_dir": str(tmp_path / "e")}}]}]
    rc, out = run_playbook(tmp_path, ansible_env, plays)
    assert rc != 0 and "hsm: no HSM intent with segments" in out, out
    assert not (tmp_path / "e").exists()
