"""Make ``ansible_collections.paynet.netinfra`` importable from this checkout for unit tests.

``<repo>/.collections/ansible_collections/paynet/netinfra`` is a relative symlink to the repo root
(created here if missing) and ``<repo>/.collections`` goes first on ``sys.path``. Neither that tree
nor the venv's ``site-packages/ansible_collections`` has an ``__init__.py``, so ``ansible_collections``
is a PEP 420 namespace package spanning both: ``ansible_collections.ansible.netcommon`` still imports
from the venv. ``ansible-playbook`` runs get ``ANSIBLE_COLLECTIONS_PATH=<repo>/.collections`` from
the ``ansible_env`` fixture.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".collections"


def _ensure_collection_tree() -> None:
    link = COLLECTIONS / "ansible_collections" / "paynet" / "netinfra"
    if not link.is_symlink() and not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(Path("..") / ".." / "..", target_is_directory=True)
        except FileExistsError:  # created by a parallel worker (pytest-xdist)
            pass
    if str(COLLECTIONS) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS))


_ensure_collection_tree()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture()
def ansible_env(tmp_path: Path) -> dict[str, str]:
    """Environment for ``ansible-playbook`` subprocesses: this checkout as the collection, no user config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update({
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_VARS_ENABLED": "ansible.builtin.host_group_vars,paynet.netinfra.partners",
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
    })
    return env
