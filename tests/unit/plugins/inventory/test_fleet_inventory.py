"""plugins/inventory/fleet.py reads a JSON inventory to exactly what ansible.builtin.yaml makes of it (compared
through ansible-inventory --list, each plugin enabled alone), takes only .json files, and refuses bad ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
INVENTORY_BIN = Path(sys.executable).with_name("ansible-inventory")

FLEET = {"all": {"vars": {"site_dns": ["198.18.0.53"], "template": "{{ site_dns[0] }}"},
                 "children": {
                     "s000": {"vars": {"site": "s000"},
                              "hosts": {"s000-e1": {"bgp": {"asn": 4200000000, "announce": ["198.18.0.192/26"]},
                                                    "ansible_host": "198.18.0.2"},
                                        "s000-e2": None}},
                     "edges": {"hosts": {"s000-e1": {"role": "edge"}},
                               "children": {"s000": None}}}}}


def _inventory(path: Path, plugin: str, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(REPO / ".collections"),
               ANSIBLE_INVENTORY_ENABLED=plugin, ANSIBLE_INVENTORY_UNPARSED_FAILED="True", ANSIBLE_NOCOLOR="1")
    return subprocess.run([str(INVENTORY_BIN), "-i", str(path), "--list", "--export", *extra], env=env, cwd=str(REPO),
                          capture_output=True, text=True, timeout=300, check=False)


def test_same_inventory_as_the_builtin_yaml_plugin(tmp_path):
    path = tmp_path / "hosts.json"
    path.write_text(json.dumps(FLEET))
    ours = _inventory(path, "paynet.netinfra.fleet", "-vvvv")
    builtin = _inventory(path, "ansible.builtin.yaml")
    assert ours.returncode == 0, ours.stderr[-3000:]
    assert builtin.returncode == 0, builtin.stderr[-3000:]
    assert "with ansible_collections.paynet.netinfra.plugins.inventory.fleet plugin" in ours.stdout + ours.stderr
    mine = json.loads(ours.stdout[ours.stdout.index("{"):])
    assert mine == json.loads(builtin.stdout)
    assert mine["_meta"]["hostvars"]["s000-e1"]["bgp"]["asn"] == 4200000000
    assert sorted(mine["edges"]["hosts"]) == ["s000-e1"]


def test_yaml_files_are_left_to_the_builtin_plugins(tmp_path):
    path = tmp_path / "hosts.yml"
    path.write_text("all:\n  hosts:\n    h1:\n")
    out = _inventory(path, "paynet.netinfra.fleet", "-vvvv")
    assert out.returncode != 0
    assert "did not pass its verify_file" in out.stdout + out.stderr


@pytest.mark.parametrize("text, expected", [
    ("[]", "Parsed empty JSON inventory file"),
    ('["all"]', "it should be a mapping of groups (all, its hosts, vars and children), got a list"),
    ('{"plugin": "netbox.netbox.nb_inventory"}', "is an inventory plugin configuration, not an inventory"),
    ('{"all": {"hosts": ', "hosts.json"),
])
def test_bad_files_are_refused_with_the_reason(tmp_path, text, expected):
    path = tmp_path / "hosts.json"
    path.write_text(text)
    out = _inventory(path, "paynet.netinfra.fleet")
    assert out.returncode != 0, out.stdout
    assert expected in out.stdout + out.stderr, out.stderr[-3000:]
