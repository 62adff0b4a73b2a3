"""plugins/plugin_utils/fleet_vars.py gives, for every host, exactly what HostVars.raw_get gives.

Each case runs fleet_vars_probe.py in a subprocess (Ansible's configuration and plugin loader are process-wide),
set up the way ansible-playbook sets itself up, and compares the two dictionaries host by host."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
PROBE = Path(__file__).with_name("fleet_vars_probe.py")
LAB = REPO / "inventories" / "lab"
PLAYBOOK = REPO / "playbooks" / "validate.yml"


def _probe(inventory: Path, vault: Path, *extra: str, env_extra: dict | None = None) -> dict:
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(REPO / ".collections"),
               **(env_extra or {}))
    proc = subprocess.run([sys.executable, str(PROBE), str(PLAYBOOK), "-i", str(inventory), "--vault-password-file",
                           str(vault), *extra], env=env, cwd=str(REPO), capture_output=True, text=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, "probe failed:\n%s\n%s" % (proc.stdout[-2000:], proc.stderr[-4000:])
    return json.loads(proc.stdout)


def _lab(*extra: str, env_extra: dict | None = None) -> dict:
    return _probe(LAB / "hosts.yml", LAB / "vault-password.txt", *extra, env_extra=env_extra)


def test_lab_inventory_every_host_equal_with_extra_vars_facts_and_set_fact():
    out = _lab("-e", "probe_extra=1", "--facts", "ste1", "--set-fact", "stv1")
    assert out["mismatches"] == [], out["mismatches"]
    assert out["hosts"] > 20, out
    # the two hosts with facts / a set_fact result go to raw_get, every other host is answered directly
    assert out["fast"] == out["hosts"] - 2, out
    assert {"probe_extra", "partners", "bgp_policy", "groups", "inventory_hostname", "ansible_facts"} <= set(out["sample_keys"])


@pytest.mark.parametrize("env_extra", [
    {"ANSIBLE_HASH_BEHAVIOUR": "merge"},
    {"ANSIBLE_PRECEDENCE": "groups_plugins_play,groups_plugins_inventory,groups_inventory,all_plugins_play,"
                           "all_plugins_inventory,all_inventory"},
    {"ANSIBLE_INJECT_FACT_VARS": "True"},
], ids=["hash-merge", "precedence-reversed", "inject-facts"])
def test_lab_inventory_equal_under_other_settings(env_extra):
    out = _lab("--facts", "sth1", env_extra=env_extra)
    assert out["mismatches"] == [], out["mismatches"]
    assert out["fast"] == out["hosts"] - 1, out


def test_generated_fleet_every_host_equal(tmp_path):
    spec = importlib.util.spec_from_file_location("fleetgen", REPO / "tests" / "lab" / "fleetgen.py")
    fleetgen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fleetgen)
    inventory, partners, vault = fleetgen.generate(200)
    path = Path(fleetgen.write(str(tmp_path), inventory, partners, vault, "json"))
    out = _probe(path, tmp_path / "vault-password.txt")
    assert out["mismatches"] == [], out["mismatches"]
    assert out["hosts"] == out["fast"] == 200, out
