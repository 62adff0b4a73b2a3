"""plugin_utils/revision.py: the commit of the inventory's work tree and a dirty flag over every source."""

from __future__ import annotations

import subprocess

from ansible_collections.paynet.netinfra.plugins.plugin_utils import revision


def _git(path, *args):
    subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, timeout=60)


def test_commit_and_dirty_across_sources(tmp_path):
    repo = tmp_path / "repo"
    (repo / "inv").mkdir(parents=True)
    (repo / "generated").mkdir()
    (repo / "inv" / "hosts.yml").write_text("all: {}\n")
    (repo / "generated" / "lab.yml").write_text("all: {}\n")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    _git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "x")
    sources = [str(repo / "generated" / "lab.yml"), str(repo / "inv" / "hosts.yml")]
    rev, folder = revision.intent_revision(sources)
    assert len(rev["commit"]) == 40 and rev["dirty"] is False and folder == str(repo / "generated")
    (repo / "inv" / "hosts.yml").write_text("all: {hosts: {a: {}}}\n")
    rev, _folder = revision.intent_revision(sources)
    assert rev["dirty"] is True  # the edited file is under the second source


def test_outside_git(tmp_path):
    (tmp_path / "hosts.yml").write_text("all: {}\n")
    assert revision.intent_revision(str(tmp_path / "hosts.yml")) == ({"commit": "unknown", "dirty": None}, str(tmp_path / "hosts.yml"))
    assert revision.intent_revision(["localhost,"]) == ({"commit": "unknown", "dirty": None}, None)
