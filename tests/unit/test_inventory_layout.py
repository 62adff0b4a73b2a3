"""Where secrets live in the shipped inventories (docs/awx.md): an AWX inventory sync runs without the
vault password, so a whole-file vault anywhere but ``group_vars/all/vault.yml`` (the one file an AWX
project moves next to the playbooks) makes the sync fail, and a decrypted one would land in AWX's
database in clear. tests/integration/test_awx_runner.py runs the sync; this finds the cause early."""

import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
INVENTORIES = sorted(p for p in (REPO / "inventories").iterdir() if p.is_dir())


def whole_file_vaults(inventory):
    return sorted(str(p.relative_to(inventory)) for p in inventory.rglob("*")
                  if p.is_file() and p.read_bytes().startswith(b"$ANSIBLE_VAULT;"))


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda p: p.name)
def test_one_vault_file_per_inventory(inventory):
    found = whole_file_vaults(inventory)
    assert found == ["group_vars/all/vault.yml"], (
        "%s: vault-encrypted files %s; keep every secret of the inventory in group_vars/all/vault.yml "
        "(docs/awx.md: AWX moves that one file next to the playbooks)" % (inventory.name, found))
