"""The partners vars plugin: partners/<name>.yml -> partners, partner_files, partners_source.

Intent that does not load (an empty file, a partner with nothing under it, a file with another
extension, a key given twice, one partner in two files) is an error naming the file and the fix.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ansible.errors import AnsibleParserError
from ansible.inventory.group import Group
from ansible.inventory.host import Host
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.paynet.netinfra.plugins.vars.partners import VarsModule, duplicate_keys, scan_partner_dir

ACME = """---
acme_bank:
  asn: 64496
  accept_prefixes: [198.51.100.0/24]
  max_prefixes: 10
  sessions:
    - device: edge1
      peer_address: 203.0.113.2
      local_address: 203.0.113.1
      password: "{{ vault_acme }}"
"""
CARD = """---
card_net:
  asn: 64497
  accept_prefixes: [198.51.102.0/24]
  max_prefixes: 20
  sessions: []
"""
INVENTORY_BIN = Path(sys.executable).with_name("ansible-inventory")


@pytest.fixture()
def inventory(tmp_path: Path) -> Path:
    """An inventory directory with hosts.yml and partners/{acme_bank,card_net}.yml."""
    (tmp_path / "partners").mkdir()
    (tmp_path / "partners" / "acme_bank.yml").write_text(ACME)
    (tmp_path / "partners" / "card_net.yaml").write_text(CARD)
    (tmp_path / "hosts.yml").write_text("all:\n  hosts:\n    edge1:\n")
    return tmp_path


def load(path: Path, entities=None, loader=None):
    return VarsModule().get_vars(loader or DataLoader(), str(path), entities or [Group("all")])


def refused(path: Path, **kwargs) -> str:
    with pytest.raises(AnsibleParserError) as info:
        load(path, **kwargs)
    text = str(info.value)
    assert "Fix:" in text
    return text


def test_loads_every_partner_with_its_file_and_the_source(inventory):
    data = load(inventory)
    assert sorted(data["partners"]) == ["acme_bank", "card_net"]
    assert data["partners"]["acme_bank"]["asn"] == 64496
    assert data["partner_files"] == {"acme_bank": "partners/acme_bank.yml", "card_net": "partners/card_net.yaml"}
    assert data["partners_source"] == str((inventory / "partners").resolve())


def test_only_the_all_group_gets_partners(inventory):
    assert load(inventory, entities=[Group("edge")]) == {}
    assert load(inventory, entities=[Host("edge1")]) == {}


def test_no_partners_directory_gives_nothing(tmp_path):
    assert load(tmp_path) == {}


def test_an_empty_partners_directory_is_loaded_and_marked(tmp_path):
    (tmp_path / "partners").mkdir()
    data = load(tmp_path)
    assert data["partners"] == {} and data["partner_files"] == {}
    assert data["partners_source"] == str((tmp_path / "partners").resolve())


@pytest.mark.parametrize("content", ["", "---\n", "# acme_bank was here\n", "---\n{}\n", "~\n"])
def test_an_empty_file_is_refused(inventory, content):
    (inventory / "partners" / "acme_bank.yml").write_text(content)
    text = refused(inventory)
    assert "partner:acme_bank: partners/acme_bank.yml: the partner file is empty" in text
    assert "delete the file to offboard the partner" in text


@pytest.mark.parametrize("content", ["acme_bank:\n", "acme_bank: ~\n", "acme_bank: {}\n"])
def test_a_partner_with_nothing_under_it_is_refused(inventory, content):
    (inventory / "partners" / "acme_bank.yml").write_text(content)
    text = refused(inventory)
    assert ("partner:acme_bank: partners.acme_bank (partners/acme_bank.yml): partner acme_bank has no intent "
            "(nothing under 'acme_bank:')") in text
    assert "check the indentation under 'acme_bank:'" in text


def test_a_file_that_is_not_a_mapping_is_refused(inventory):
    (inventory / "partners" / "acme_bank.yml").write_text("- asn: 64496\n")
    assert "a partner file maps partner names to their intent; found a list" in refused(inventory)


@pytest.mark.parametrize("name, rename", [
    ("acme_bank.yml.bak", "partners/acme_bank.yml"),
    ("acme_bank.json", "partners/acme_bank.yml"),
    ("acme_bank.YML", "partners/acme_bank.yml"),
    ("acme_bank.txt", "partners/acme_bank.yml"),
    ("acme_bank.yml.orig", "partners/acme_bank.yml"),
    ("acme_bank", "partners/acme_bank.yml"),
])
def test_a_file_with_another_extension_is_refused(inventory, name, rename):
    (inventory / "partners" / "acme_bank.yml").rename(inventory / "partners" / name)
    text = refused(inventory)
    assert ("inventory: partners/%s: not loaded: a partner file must end in .yml or .yaml (lower case)" % name) in text
    assert "rename it to %s" % rename in text


@pytest.mark.parametrize("name", [".acme_bank.yml.swp", ".#acme_bank.yml", "#acme_bank.yml#", "acme_bank.yml~", ".hidden"])
def test_hidden_files_and_editor_backups_are_ignored(inventory, name):
    (inventory / "partners" / name).write_text("garbage: [\n")
    assert sorted(load(inventory)["partners"]) == ["acme_bank", "card_net"]


def test_a_sub_directory_is_refused(inventory):
    (inventory / "partners" / "archive").mkdir()
    (inventory / "partners" / "archive" / "old_bank.yml").write_text("old_bank: {asn: 64499}\n")
    text = refused(inventory)
    assert "inventory: partners/archive/: partner files are not read from sub-directories" in text


def test_every_problem_is_reported_at_once(inventory):
    (inventory / "partners" / "acme_bank.yml").write_text("")
    (inventory / "partners" / "zeta.yml.bak").write_text(CARD)
    text = refused(inventory)
    assert "partners/acme_bank.yml: the partner file is empty" in text and "partners/zeta.yml.bak" in text
    assert str(inventory / "partners") in text.splitlines()[0]


@pytest.mark.parametrize("mode", ["ignore", "warn", "error"])
def test_duplicate_keys_are_refused_whatever_ansible_cfg_says(inventory, monkeypatch, mode):
    monkeypatch.setenv("ANSIBLE_DUPLICATE_YAML_DICT_KEY", mode)
    (inventory / "partners" / "acme_bank.yml").write_text(ACME + "      password: other\n")
    text = refused(inventory)
    assert ("partner:acme_bank: partners.acme_bank.sessions[0].password (partners/acme_bank.yml): key 'password' is "
            "given twice (lines 10 and 11); YAML keeps only the last one. Fix: keep one 'password'") in text
    assert "other" not in text.replace("another", "")  # values are never shown, only keys and lines


def test_a_partner_twice_in_one_file_is_refused(inventory):
    (inventory / "partners" / "acme_bank.yml").write_text(ACME + ACME.replace("---\n", ""))
    text = refused(inventory)
    assert "partner:acme_bank: partners.acme_bank (partners/acme_bank.yml): partner acme_bank is defined twice in this file" in text


def test_two_files_defining_one_partner_are_refused(inventory):
    (inventory / "partners" / "acme_bank2.yml").write_text(ACME)
    text = refused(inventory)
    assert ("partner:acme_bank: partners.acme_bank (partners/acme_bank2.yml): partner acme_bank is also defined in "
            "partners/acme_bank.yml. Fix: keep one definition, in partners/acme_bank.yml.") in text


def test_a_vault_encrypted_partner_file_loads(inventory):
    secret = VaultSecret(b"unit-test-vault-password")
    encrypted = VaultLib([("default", secret)]).encrypt(ACME, secret)
    (inventory / "partners" / "acme_bank.yml").write_bytes(encrypted)
    loader = DataLoader()
    loader.set_vault_secrets([("default", secret)])
    assert load(inventory, loader=loader)["partners"]["acme_bank"]["asn"] == 64496


def test_loaded_once_per_process_and_again_on_refresh(inventory):
    # Ansible asks for the group vars of every host it resolves: the files are read once per process (as
    # host_group_vars does), and again when the inventory is refreshed (cache=False)
    plugin, loader = VarsModule(), DataLoader()
    assert "acme_bank" in plugin.get_vars(loader, str(inventory), [Group("all")])["partners"]
    (inventory / "partners" / "acme_bank.yml").write_text("acme_bank:\n")
    assert "acme_bank" in VarsModule().get_vars(DataLoader(), str(inventory), [Group("all")])["partners"]
    with pytest.raises(AnsibleParserError, match="partner acme_bank has no intent"):
        plugin.get_vars(DataLoader(), str(inventory), [Group("all")], cache=False)


def test_scan_partner_dir(inventory):
    (inventory / "partners" / "x.json").write_text("{}")
    (inventory / "partners" / "x.yml~").write_text("")
    files, problems = scan_partner_dir(str(inventory / "partners"))
    assert files == ["acme_bank.yml", "card_net.yaml"]
    assert [p[0] for p in problems] == ["x.json"]


def test_duplicate_keys_paths():
    text = "a:\n  b: [{c: 1, c: 2}]\n  d: 1\n  d: 2\na: 3\n"
    assert duplicate_keys(text) == [("a.b[0].c", "c", 2, 2), ("a.d", "d", 3, 4), ("a", "a", 1, 5)]
    assert duplicate_keys("x: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3031\n") == []


def test_a_directory_inventory_source_loads_partners_not_groups(repo_root, ansible_env, inventory):
    """-i <dir>: the repo's ansible.cfg ([inventory] ignore_patterns = ^partners$) keeps Ansible from
    parsing partners/*.yml as inventory; the plugin reads them for the directory source."""
    proc = subprocess.run([str(INVENTORY_BIN), "-i", str(inventory), "--list"], env=ansible_env, cwd=str(repo_root),
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert "acme_bank" not in data and "card_net" not in data  # not parsed as inventory groups
    assert "Skipping" not in proc.stderr
    hostvars = data["_meta"]["hostvars"]["edge1"]
    assert sorted(hostvars["partners"]) == ["acme_bank", "card_net"]
    source = hostvars["partners_source"]
    source = source.get("__ansible_unsafe", source) if isinstance(source, dict) else source  # JSON of a plain str
    assert source == str((inventory / "partners").resolve())


def test_maintenance_state_of_a_drained_host(inventory: Path):
    """maintenance/<host>.yml (playbooks/maintenance.yml) is that host's netinfra_maintenance, and only its."""
    (inventory / "maintenance").mkdir()
    (inventory / "maintenance" / "edge1.yml").write_text(
        "---\nnetinfra_maintenance: drained\nnetinfra_maintenance_since: '2026-12-02T00:00:00'\n")
    got = VarsModule().get_vars(DataLoader(), str(inventory / "hosts.yml"), [Host("edge1")])
    assert got == {"netinfra_maintenance": "drained", "netinfra_maintenance_since": "2026-12-02T00:00:00"}
    assert VarsModule().get_vars(DataLoader(), str(inventory / "hosts.yml"), [Host("edge2")]) == {}


def test_maintenance_state_with_another_value_is_refused(inventory: Path):
    (inventory / "maintenance").mkdir()
    (inventory / "maintenance" / "edge1.yml").write_text("---\nnetinfra_maintenance: half\n")
    with pytest.raises(AnsibleParserError) as info:
        VarsModule().get_vars(DataLoader(), str(inventory / "hosts.yml"), [Host("edge1")])
    assert "expected drained" in str(info.value) and "action=restore" in str(info.value)
