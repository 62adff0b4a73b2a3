"""The ways intent reaches a job, end to end: ``ansible-playbook playbooks/validate.yml`` against a copy
of inventories/lab, passed (1) as the inventory file, (2) as the inventory directory, (3) as AWX passes
it (the output of ``ansible-inventory --list --export``, imported and served back by a script or a
static file), and the broken variants of each. A broken one must fail with the fix, never say
"intent is valid: 0 partners".

Nothing connects to a device: the lab's hosts have no address here and validate_intent never connects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
LAB = REPO / "inventories" / "lab"
BIN = Path(sys.executable).parent
PLUGIN_LINE = "vars_plugins_enabled = ansible.builtin.host_group_vars, paynet.netinfra.partners"
VALID_LAB = "intent is valid: 8 partners, 13 sessions, 4 tunnels, 7 BGP devices"
# the lab's vaulted secrets, as the vault decrypts them: they must never be printed
LAB_SECRETS = ("Lab-Acme-Md5-7Q2x", "Lab-Card-Md5-9Z4k", "Lab-North-Md5-4Hs8", "Lab-Payc-Md5-8Kd2", "PRIVATE KEY-----\nMIG")


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("ansible-home")
    out = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    out.update({
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),  # the repo's: plugin enabled, ignore_patterns, duplicate keys
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".collections"),
        "ANSIBLE_HOME": str(home),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
    })
    return out


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Path:
    """A pristine copy of inventories/lab (never modified: broken variants copy it again)."""
    target = tmp_path_factory.mktemp("lab") / "lab"
    shutil.copytree(LAB, target)
    return target


def copy_lab(lab: Path, tmp_path: Path) -> Path:
    target = tmp_path / "lab"
    shutil.copytree(lab, target)
    return target


def validate(env: dict[str, str], inventory: Path | str, *extra: str, vault: Path | None = None, **more_env: str):
    command = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(REPO / "playbooks" / "validate.yml"), "-v", *extra]
    command += ["--vault-password-file", str(vault or LAB / "vault-password.txt")]
    proc = subprocess.run(command, env=dict(env, **more_env), cwd=str(REPO), capture_output=True, text=True,
                          timeout=120, check=False)
    out = proc.stdout + proc.stderr
    assert not [s for s in LAB_SECRETS if s in out], "a secret was printed"
    assert "UNREACHABLE" not in out and "Failed to connect" not in out
    return proc.returncode, out


def export(env: dict[str, str], lab: Path, *extra: str, **more_env: str) -> str:
    """What an AWX inventory sync stores: ``ansible-inventory -i <source> --list --export``."""
    command = [str(BIN / "ansible-inventory"), "-i", str(lab / "hosts.yml"), "--list", "--export",
               "--vault-password-file", str(lab / "vault-password.txt"), *extra]
    proc = subprocess.run(command, env=dict(env, **more_env), cwd=str(REPO), capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def awx_script(folder: Path, exported: str) -> Path:
    """AWX runs a job with ``-i <private data dir>/inventory/hosts``: a script printing the imported JSON."""
    folder.mkdir(parents=True)
    (folder / "inventory.json").write_text(exported)
    script = folder / "hosts"
    script.write_text('#!/bin/sh\ncat "$(dirname "$0")/inventory.json"\n')
    script.chmod(0o755)
    return script


def assert_refused(rc: int, out: str) -> None:
    assert rc == 2, out
    assert "intent is valid" not in out
    assert "no device was changed. Fix the errors and run again" in out


# --- (1) the inventory file, (2) the inventory directory -------------------------------------------

def test_inventory_file(env, lab):
    rc, out = validate(env, lab / "hosts.yml")
    assert rc == 0, out
    assert VALID_LAB in out and "WARNING" not in out


def test_inventory_directory(env, lab):
    rc, out = validate(env, str(lab) + "/")
    assert rc == 0, out
    assert VALID_LAB in out
    assert "Skipping key" not in out and "Skipping unexpected key" not in out  # partners/ not parsed as inventory


# --- (3) an AWX inventory source ------------------------------------------------------------------

def test_awx_export_with_the_plugin_validates_the_real_partners(env, lab, tmp_path):
    exported = json.loads(export(env, lab))
    assert sorted(exported["all"]["vars"]["partners"]) == ["acme_bank", "birdnet", "card_net", "gopay", "northbank", "paycloud", "sitebank", "sitepay"]
    # on the AWX execution node the project's partners/ directory is not where the sync ran
    exported["all"]["vars"]["partners_source"] = "/runner/project/inventories/lab/partners"
    script = awx_script(tmp_path / "awx", json.dumps(exported))
    rc, out = validate(env, script)
    assert rc == 0, out
    assert VALID_LAB in out
    # the export decrypted group_vars/all/vault.yml: the secrets now sit in clear text in the inventory
    assert ("WARNING]: edge1: partners.acme_bank.sessions[0].password (partners/acme_bank.yml): the password is given "
            "in clear text in the inventory source <inventory script output from '%s'>" % script) in out
    assert "an exported inventory (AWX, Semaphore) holds the values of vault-encrypted files decrypted" in out
    assert "(17 warnings)" in out


def test_awx_export_as_a_static_yaml_file(env, lab, tmp_path):
    (tmp_path / "inventory.yml").write_text(export(env, lab, "--yaml"))
    rc, out = validate(env, tmp_path / "inventory.yml")
    assert rc == 0, out
    assert VALID_LAB in out
    assert "the password is given in clear text in inventory.yml line" in out


def test_awx_export_without_the_plugin_is_refused(env, lab, tmp_path):
    exported = export(env, lab, ANSIBLE_VARS_ENABLED="ansible.builtin.host_group_vars")
    assert "partners" not in json.loads(exported)["all"].get("vars", {})
    script = awx_script(tmp_path / "awx", exported)
    rc, out = validate(env, script)
    assert_refused(rc, out)
    assert ("ERROR inventory: partners: no partners loaded: no partner files found where the inventory says they live "
            "(%s/partners/; inventory sources: %s). Fix: pass the inventory file that has partners/ next to it "
            "(-i inventories/<env>/hosts.yml); for an exported inventory (an AWX or Semaphore inventory source), sync "
            "it from the project's inventory file with the vars plugin enabled in the project's ansible.cfg (%s), so "
            "that partners is part of the export" % (script.parent, script, PLUGIN_LINE)) in out


def test_awx_export_without_the_plugin_as_a_static_file_is_refused(env, lab, tmp_path):
    (tmp_path / "inventory.yml").write_text(
        export(env, lab, "--yaml", ANSIBLE_VARS_ENABLED="ansible.builtin.host_group_vars"))
    rc, out = validate(env, tmp_path / "inventory.yml")
    assert_refused(rc, out)
    assert "ERROR inventory: partners: no partners loaded: no partner files found where the inventory says they live" in out


# --- broken variants of (1) and (2) ---------------------------------------------------------------

@pytest.mark.parametrize("as_directory", [False, True], ids=["file", "directory"])
def test_plugin_disabled_is_refused(env, lab, as_directory):
    source = str(lab) + "/" if as_directory else lab / "hosts.yml"
    rc, out = validate(env, source, ANSIBLE_VARS_ENABLED="ansible.builtin.host_group_vars")
    assert_refused(rc, out)
    assert ("ERROR inventory: vars_plugins_enabled: 8 partner files in %s/partners (acme_bank.yml, birdnet.yml, "
            "card_net.yml, gopay.yml, northbank.yml, ...) did not load: the paynet.netinfra.partners vars plugin did not run. Fix: "
            "enable it: put '%s' under [defaults] in the ansible.cfg this run uses" % (lab, PLUGIN_LINE)) in out


def test_partners_directory_removed_is_refused(env, lab, tmp_path):
    inventory = copy_lab(lab, tmp_path)
    shutil.rmtree(inventory / "partners")
    rc, out = validate(env, inventory / "hosts.yml")
    assert_refused(rc, out)
    assert ("ERROR inventory: partners: no partners loaded: no partner files found where the inventory says they "
            "live (%s/partners/; inventory sources: %s/hosts.yml)" % (inventory, inventory)) in out


def test_emptied_partner_file_is_refused(env, lab, tmp_path):
    inventory = copy_lab(lab, tmp_path)
    (inventory / "partners" / "northbank.yml").write_text("")
    rc, out = validate(env, inventory / "hosts.yml")
    assert rc != 0, out
    assert "intent is valid" not in out and "TASK [Validate" not in out
    assert ("partner:northbank: partners/northbank.yml: the partner file is empty (or holds only comments), so it "
            "defines no partner. Fix: write the partner's intent in it") in out


def test_renamed_partner_file_is_refused(env, lab, tmp_path):
    inventory = copy_lab(lab, tmp_path)
    (inventory / "partners" / "card_net.yml").rename(inventory / "partners" / "card_net.yml.bak")
    rc, out = validate(env, str(inventory) + "/")
    assert rc != 0, out
    assert "intent is valid" not in out
    assert ("inventory: partners/card_net.yml.bak: not loaded: a partner file must end in .yml or .yaml (lower case). "
            "Fix: rename it to partners/card_net.yml") in out
