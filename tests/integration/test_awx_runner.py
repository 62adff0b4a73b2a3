"""Playbooks run as AWX/AAP runs them: through ``ansible-runner`` on a private data directory, against
one namespace lab (tests/topologies/bgp-basic.clab.yml, lab name ``awx-runner``).

What AWX does, and what this test does in its place (docs/awx.md):
- project sync: the project (this repository's files) is checked out and AWX runs
  ``ansible-galaxy collection install -r collections/requirements.yml`` in it; the job gets the
  installed collections through ``ANSIBLE_COLLECTIONS_PATHS`` (``<pdd>/requirements_collections``);
- inventory sync: an inventory source *sourced from the project* (``inventories/lab/hosts.yml``) is
  synced with ``ansible-inventory --list --export`` and stored in AWX's database; the job gets it back
  as ``<pdd>/inventory/hosts``, a script printing it. The sync runs WITHOUT a vault password: the
  vault file lives next to the playbooks (``playbooks/group_vars/all/vault.yml``), which an inventory
  sync never reads, so no secret is ever decrypted into AWX's database;
- credentials: the Machine credential's SSH key is ``<pdd>/env/ssh_key`` (ansible-runner loads it
  into an ssh-agent) and its user is ``-u``; the Vault credential answers ``--ask-vault-pass``
  through ``env/passwords``, as AWX does; survey answers are ``env/extravars``.

Each run's job events and artifacts are read back: the play recap's changed/failed counts, the
device's state (check mode touched nothing; the real run configured it), and no secret (the lab
vault's values, decrypted here only to know what to look for) anywhere in job_events, stdout,
command or env.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LABCTL = [sys.executable, str(REPO / "tests" / "lab" / "labctl")]
TOPOLOGY = REPO / "tests" / "topologies" / "bgp-basic.clab.yml"
LAB_NAME = os.environ.get("NETINFRA_AWX_LAB", "awx-runner")
VAULT_PASSWORD_FILE = REPO / "inventories" / "lab" / "vault-password.txt"
PARTNER = "acme_bank"

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(os.geteuid() != 0, reason="the namespace lab needs root"),
]


def run(command, **kwargs):
    kwargs.setdefault("timeout", 300)
    proc = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    assert proc.returncode == 0, "%s failed (%s):\n%s%s" % (command, proc.returncode, proc.stdout, proc.stderr)
    return proc.stdout


def base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update({"ANSIBLE_HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"), "ANSIBLE_NOCOLOR": "1",
                "PATH": "%s:%s" % (BIN, env.get("PATH", "/usr/bin:/bin"))})
    return env


def leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    elif isinstance(value, str):
        yield value


@pytest.fixture(scope="module")
def secrets(tmp_path_factory) -> list[str]:
    """Every value in the lab vault (BGP passwords, PSKs, keys) and the vault password itself."""
    env = base_env(tmp_path_factory.mktemp("vault-home"))
    plain = run([str(BIN / "ansible-vault"), "view", "--vault-password-file", str(VAULT_PASSWORD_FILE),
                 str(REPO / "inventories" / "lab" / "group_vars" / "all" / "vault.yml")], env=env)
    values = [s.strip() for s in leaves(yaml.safe_load(plain)) if len(s.strip()) >= 8]
    # a PEM key is also looked for by its body lines (the armour lines are not secret)
    values += [line for s in values for line in s.splitlines() if len(line) >= 40 and "-----" not in line]
    assert any("Acme" in v for v in values), "the lab vault did not decrypt into the BGP passwords"
    return values + [VAULT_PASSWORD_FILE.read_text().strip()]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """bgp-basic as lab `awx-runner`; p1 (ACME Bank) gets the test's own FRR config. Torn down at the end."""
    inventory = tmp_path_factory.mktemp("lab") / "inventory.yml"
    run(LABCTL + ["up", str(TOPOLOGY), "--name", LAB_NAME, "--inventory", str(inventory)])
    try:
        config = (REPO / "molecule" / "bgp_peering" / "files" / "p1.frr.conf").read_text()
        run(LABCTL + ["exec", str(TOPOLOGY), "--name", LAB_NAME, "p1", "--", "vtysh", "-f", "/dev/stdin"], input=config)
        yield yaml.safe_load(inventory.read_text()), inventory
    finally:
        down = subprocess.run(LABCTL + ["down", str(TOPOLOGY), "--name", LAB_NAME], capture_output=True, text=True,
                              timeout=300, check=False)
        assert down.returncode == 0 and "verified clean" in down.stdout + down.stderr, down.stdout + down.stderr


def vtysh(command: str) -> str:
    return run(LABCTL + ["exec", str(TOPOLOGY), "--name", LAB_NAME, "edge1", "--", "vtysh", "-c", command])


def project_files() -> list[str]:
    out = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO)
    return [f for f in out.split("\0") if f and (REPO / f).is_file()]


@pytest.fixture(scope="module")
def awx(lab, tmp_path_factory):
    """A private data directory laid out as AWX lays it out for a job, after project and inventory sync."""
    lab_inventory, lab_inventory_path = lab
    top = tmp_path_factory.mktemp("awx")
    home = top / "home"
    env = base_env(home)

    # --- project sync: the repository's files, the vault file moved next to the playbooks (docs/awx.md)
    project = top / "projects" / "netinfra"
    for name in project_files():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, project / name)
    vault = project / "playbooks" / "group_vars" / "all" / "vault.yml"
    vault.parent.mkdir(parents=True)
    shutil.move(project / "inventories" / "lab" / "group_vars" / "all" / "vault.yml", vault)
    collections = top / "projects" / "requirements_collections"
    run([str(BIN / "ansible-galaxy"), "collection", "install", "-r", "collections/requirements.yml",
         "-p", str(collections), "--offline"], cwd=project, env=env)
    assert (collections / "ansible_collections" / "paynet" / "netinfra" / "MANIFEST.json").exists()

    # --- inventory sync, with the project's ansible.cfg and NO vault password
    sync_env = dict(env, ANSIBLE_CONFIG=str(project / "ansible.cfg"), ANSIBLE_COLLECTIONS_PATH=str(collections))
    exported = run([str(BIN / "ansible-inventory"), "-i", "inventories/lab/hosts.yml", "-i", str(lab_inventory_path),
                    "--list", "--export"], cwd=project, env=sync_env)
    data = json.loads(exported)
    assert sorted(data["all"]["vars"]["partners"]) == ["acme_bank", "birdnet", "card_net", "gopay", "northbank", "paycloud", "sitebank", "sitepay"]
    # AWX has the Machine credential instead of a key path in the inventory
    for host in data["_meta"]["hostvars"].values():
        host.pop("ansible_ssh_private_key_file", None)
        host.pop("ansible_user", None)
    for group in data.values():
        if isinstance(group, dict) and isinstance(group.get("vars"), dict):
            group["vars"].pop("ansible_ssh_private_key_file", None)
            group["vars"].pop("ansible_user", None)

    pdd = top / "pdd"
    shutil.copytree(project, pdd / "project")
    shutil.copytree(collections, pdd / "requirements_collections")
    (pdd / "inventory").mkdir()
    script = pdd / "inventory" / "hosts"  # AWX's generated inventory script, the export embedded
    script.write_text("#!/bin/sh\ncat <<'AWX_INVENTORY'\n%s\nAWX_INVENTORY\n" % json.dumps(data, indent=1))
    script.chmod(0o755)
    (pdd / "env").mkdir()
    key = lab_inventory["all"]["children"]["lab_" + LAB_NAME.replace("-", "_")]["vars"]["ansible_ssh_private_key_file"]
    (pdd / "env" / "ssh_key").write_text(Path(key).read_text())
    (pdd / "env" / "passwords").write_text(yaml.safe_dump(
        {r"^Vault password:\s*?$": VAULT_PASSWORD_FILE.read_text().strip()}))
    (pdd / "env" / "envvars").write_text(yaml.safe_dump({
        "ANSIBLE_COLLECTIONS_PATH": str(pdd / "requirements_collections"),
        "ANSIBLE_HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_FORCE_COLOR": "False", "ANSIBLE_HOST_KEY_CHECKING": "False",
    }))
    (pdd / "env" / "settings").write_text(yaml.safe_dump({"job_timeout": 600, "pexpect_timeout": 30}))
    return {"pdd": pdd, "exported": exported}


class Job:
    def __init__(self, pdd: Path, ident: str, rc: int):
        self.rc = rc
        self.dir = pdd / "artifacts" / ident
        self.status = (self.dir / "status").read_text().strip()
        self.events = [json.loads(p.read_text()) for p in sorted((self.dir / "job_events").glob("*.json"))]
        self.stdout = (self.dir / "stdout").read_text()
        stats = [e for e in self.events if e.get("event") == "playbook_on_stats"]
        assert len(stats) == 1, "no play recap in the job events (rc %s):\n%s" % (rc, self.stdout[-3000:])
        self.stats = stats[0]["event_data"]

    def results(self, task: str) -> list[dict]:
        return [e["event_data"]["res"] for e in self.events
                if e.get("event") == "runner_on_ok" and e["event_data"].get("task") == task]

    def count(self, kind: str) -> dict[str, int]:
        return {h: n for h, n in (self.stats.get(kind) or {}).items() if n}


def runner(pdd: Path, ident: str, playbook: str, extravars: dict | None = None, check: bool = False) -> Job:
    (pdd / "env" / "extravars").write_text(json.dumps(extravars or {}))
    cmdline = "--ask-vault-pass -u admin" + (" --check --diff" if check else "")
    (pdd / "env" / "cmdline").write_text(cmdline)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["PATH"] = "%s:%s" % (BIN, env.get("PATH", "/usr/bin:/bin"))
    proc = subprocess.run([str(BIN / "ansible-runner"), "run", str(pdd), "-p", playbook, "--ident", ident],
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    return Job(pdd, ident, proc.returncode)


def assert_no_secret(job: Job, secrets: list[str]) -> None:
    places = {p.relative_to(job.dir).as_posix(): p.read_text(errors="replace")
              for p in job.dir.rglob("*") if p.is_file()}
    assert {"stdout", "command", "status", "rc"} <= set(places), sorted(places)
    assert any(name.startswith("job_events/") for name in places)
    # what AWX writes for the job besides the credentials' own files (env/passwords, env/ssh_key)
    pdd = job.dir.parents[1]
    for name in ("extravars", "envvars", "cmdline", "settings"):
        places["env/" + name] = (pdd / "env" / name).read_text()
    leaked = sorted({name for name, text in places.items() for s in secrets if s in text})
    assert not leaked, "a lab vault secret appears in the job's artifacts: %s" % leaked


def test_inventory_sync_stores_no_secret(awx, secrets):
    exported = awx["exported"]
    assert not [s for s in secrets if s in exported], "the inventory sync exported a decrypted secret"
    assert "\"vault_bgp_passwords\":" not in exported  # referenced by the partner files, never defined


def test_validate(awx, secrets):
    pdd = awx["pdd"]
    job = runner(pdd, "validate", "playbooks/validate.yml")
    assert (job.rc, job.status) == (0, "successful"), job.stdout
    assert job.count("failures") == {} and job.count("changed") == {}
    assert job.count("ok").get("edge1") == 1
    results = job.results("Validate the intent of every feature (partners, policies, BGP, IPsec, VRRP, SNMP)")
    assert [r["msg"] for r in results] == ["intent is valid: 8 partners, 13 sessions, 4 tunnels, 7 BGP devices"]
    assert_no_secret(job, secrets)


def test_onboard_refuses_a_device_that_does_not_serve_the_partner(awx, secrets):
    pdd = awx["pdd"]
    job = runner(pdd, "onboard-wrong-device", "playbooks/partner_onboard.yml", {"partner": PARTNER, "device": "p2"})
    assert job.rc != 0 and job.status == "failed", job.stdout
    assert job.count("changed") == {} and sum(job.count("failures").values()) == 1, job.stats
    assert "device p2 does not serve partner acme_bank (its devices: edge1)" in job.stdout
    assert_no_secret(job, secrets)


def test_onboard_check_then_apply(awx, secrets):
    pdd = awx["pdd"]
    assert "203.0.113.2" not in vtysh("show running-config")

    check = runner(pdd, "onboard-check", "playbooks/partner_onboard.yml", {"partner": PARTNER}, check=True)
    assert (check.rc, check.status) == (0, "successful"), check.stdout
    assert check.count("failures") == {} and check.count("unreachable") == {}
    assert check.count("changed") == {"edge1": 1}, check.stats
    # the exact diff reaches the job output, password masked
    plain = re.sub(r"\x1b\[[0-9;]*m", "", check.stdout)
    assert "+ neighbor 203.0.113.2 remote-as 64496" in plain and "+ neighbor 203.0.113.2 password ********" in plain
    assert "203.0.113.2" not in vtysh("show running-config"), "check mode touched the router"
    assert_no_secret(check, secrets)

    # survey answers: partner and device (the Device question narrows the run to one device)
    apply = runner(pdd, "onboard", "playbooks/partner_onboard.yml", {"partner": PARTNER, "device": "edge1"})
    assert (apply.rc, apply.status) == (0, "successful"), apply.stdout
    assert apply.count("failures") == {} and apply.count("changed") == {"edge1": 1}, apply.stats
    summary = json.loads(vtysh("show bgp summary json"))
    peer = summary["ipv4Unicast"]["peers"]["203.0.113.2"]
    assert peer["state"] == "Established", peer
    assert_no_secret(apply, secrets)

    again = runner(pdd, "onboard-again", "playbooks/partner_onboard.yml", {"partner": PARTNER})
    assert (again.rc, again.status) == (0, "successful"), again.stdout
    assert again.count("changed") == {}, again.stats
    assert_no_secret(again, secrets)
