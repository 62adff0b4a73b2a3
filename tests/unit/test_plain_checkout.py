"""A plain checkout, as Semaphore (or an AWX project sync) gets it: no .collections symlink, no
`make setup`. `ansible-galaxy collection install -r collections/requirements.yml` (offline, from the
checkout) must make `paynet.netinfra.validate_intent` resolvable, and validate.yml must then run.
Without the install step the same run fails with "couldn't resolve module/action".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VALID_LAB = "intent is valid: 8 partners, 13 sessions, 4 tunnels, 7 BGP devices"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split("\0")
    top = tmp_path_factory.mktemp("semaphore")
    root = top / "repository"
    for name in files:
        if name and (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)
    assert not (root / ".collections").exists() and (root / "collections" / "requirements.yml").is_file()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update({"ANSIBLE_HOME": str(top / "home"), "ANSIBLE_NOCOLOR": "1",
                "PATH": "%s:%s" % (BIN, env.get("PATH", "/usr/bin:/bin"))})
    return root, env


def validate(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "ansible-playbook"), "-i", "inventories/lab/hosts.yml", "playbooks/validate.yml",
                           "-v", "--vault-password-file", "inventories/lab/vault-password.txt"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_plain_checkout_needs_the_collection_installed(checkout):
    root, env = checkout
    proc = validate(root, env)
    assert proc.returncode != 0
    assert "couldn't resolve module/action 'paynet.netinfra.validate_intent'" in proc.stdout + proc.stderr


def test_requirements_install_offline_then_validate_runs(checkout):
    root, env = checkout
    install = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-r", "collections/requirements.yml",
                              "-p", "collections", "--offline"], cwd=root, env=env, capture_output=True, text=True,
                             timeout=300, check=False)
    out = install.stdout + install.stderr
    assert install.returncode == 0, out
    assert "paynet.netinfra:" in out and "was installed successfully" in out
    # the dependencies come from the `ansible` package, never from Galaxy
    assert "'ansible.netcommon:" in out and "'ansible.utils:" in out and "already installed" in out
    installed = root / "collections" / "ansible_collections" / "paynet" / "netinfra"
    assert (installed / "MANIFEST.json").is_file()
    assert not (installed / "tests").exists() and not (installed / "inventories" / "lab").exists()
    listed = subprocess.run([str(BIN / "ansible-doc"), "-t", "module", "paynet.netinfra.validate_intent", "--json"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert listed.returncode == 0, listed.stderr
    assert str(installed) in listed.stdout, "validate_intent did not resolve from ./collections"
    proc = validate(root, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert VALID_LAB in proc.stdout
