"""validate_intent action plugin: ansible-playbook runs of playbooks/validate.yml on fixture inventories.

Every host's ansible_host is an unreachable address with ansible_connection=ssh, so a connection
attempt would show up as UNREACHABLE (or a timeout) instead of the validation result.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.paynet.netinfra.plugins.action.validate_intent import _Resolver
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.findings import ERROR, WARNING

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "validate_intent"
VAULT_PASSWORD_FILE = FIXTURES / "vault-password.txt"
SECRET = "Acme-S3cret-bgp"  # the vaulted value in the fixtures' group_vars/all/vault.yml
PLAYBOOK_BIN = Path(sys.executable).with_name("ansible-playbook")


def playbook(repo_root: Path, env: dict[str, str], inventory: str, *extra: str, vault: bool = True):
    command = [str(PLAYBOOK_BIN), "-i", str(FIXTURES / inventory / "hosts.yml"),
               str(repo_root / "playbooks" / "validate.yml"), *extra]
    if vault:
        command += ["--vault-password-file", str(VAULT_PASSWORD_FILE)]
    proc = subprocess.run(command, env=env, cwd=str(repo_root), capture_output=True, text=True, timeout=120,
                          check=False)
    return proc.returncode, proc.stdout + proc.stderr


def assert_never_connected(output: str) -> None:
    assert "UNREACHABLE" not in output and "unreachable=1" not in output
    assert "Failed to connect" not in output and "timed out" not in output


def test_bad_intent_fails_before_connecting(repo_root, ansible_env):
    rc, out = playbook(repo_root, ansible_env, "bad")
    assert rc == 2, out
    assert_never_connected(out)
    assert "fatal: [dc1-edge1]: FAILED!" in out
    # host, field (with the partner's file) and fix in one line
    assert ("ERROR dc1-edge1: partners.card_net.sessions[0].peer_address (partners/card_net.yml): "
            "'203.0.113.300' is not an IP address. Fix: use an IPv4 or IPv6 address of the partner's router.") in out
    expected = [
        "ERROR partner:fx_clearing: partners.fx_clearing.accept_prefixes[0] (partners/fx_clearing.yml): "
        "prefix '100.64.1.1/24' has host bits set",
        "Fix: write 100.64.1.0/24",
        "198.18.0.0/16 overlaps our 198.18.10.0/24",
        "ERROR dc1-edge2: netinfra_platform: platform 'eos' is not supported yet",
        "ERROR dc1-edge1: bgp.router_id: router_id 198.18.0.1 is also used by dc1-edge2",
        "ERROR dc1-vpn1: partners.typo_bank.sessions[0].device",
        "ERROR dc1-edge9: partners.typo_bank.sessions[1].device",
        "did you mean 'max_prefixes'?",
        "11 errors, 0 warnings in the intent; no device was changed.",
    ]
    missing = [e for e in expected if e not in out]
    assert not missing, out
    assert "partners.acme_bank" not in out  # the good partner has no finding
    assert SECRET not in out


def test_good_intent_passes_without_connecting(repo_root, ansible_env):
    rc, out = playbook(repo_root, ansible_env, "good", "-v")
    assert rc == 0, out
    assert_never_connected(out)
    assert "ok=1" in out and "failed=0" in out
    assert '"partners": 1' in out and '"sessions": 1' in out and '"devices": 1' in out
    assert SECRET not in out


def test_limit_does_not_shrink_the_fleet(repo_root, ansible_env):
    rc, out = playbook(repo_root, ansible_env, "bad", "--limit", "dc1-vpn1")
    assert rc == 2, out
    assert "dc1-edge2: netinfra_platform" in out  # a host outside --limit is still checked
    assert_never_connected(out)


def test_without_vault_secret_it_warns_instead_of_crashing(repo_root, ansible_env):
    rc, out = playbook(repo_root, ansible_env, "good", vault=False)
    assert rc == 0, out
    assert "the vaulted password could not be decrypted" in out
    assert "partners.acme_bank.sessions[0].password" in out
    assert_never_connected(out)


def test_plaintext_bad_password_is_never_printed(repo_root, ansible_env, tmp_path):
    leaked = "two words leaked-secret-value"
    partners = {"partners": {"acme_bank": {
        "asn": 64496, "accept_prefixes": ["198.51.100.0/24"], "max_prefixes": 10,
        "sessions": [{"device": "dc1-edge1", "peer_address": "203.0.113.2", "local_address": "203.0.113.1",
                      "password": leaked}]}}}
    extra = tmp_path / "partners.json"
    extra.write_text(json.dumps(partners))
    rc, out = playbook(repo_root, ansible_env, "good", "-vvv", "-e", "@%s" % extra)
    assert rc == 2, out
    assert "password contains whitespace" in out
    assert "leaked-secret-value" not in out
    assert_never_connected(out)


def test_undefined_variable_is_an_error_naming_the_field(repo_root, ansible_env, tmp_path):
    partners = {"partners": {"acme_bank": {
        "asn": 64496, "accept_prefixes": ["198.51.100.0/24"], "max_prefixes": 10,
        "sessions": [{"device": "dc1-edge1", "peer_address": "{{ acme_peer_undefined }}",
                      "local_address": "203.0.113.1", "password": "{{ vault_missing_bgp }}"}]}}}
    extra = tmp_path / "partners.json"
    extra.write_text(json.dumps(partners))
    rc, out = playbook(repo_root, ansible_env, "good", "-e", "@%s" % extra)
    assert rc == 2, out
    assert "dc1-edge1: partners.acme_bank.sessions[0].password: could not be resolved" in out
    assert "dc1-edge1: partners.acme_bank.sessions[0].peer_address: could not be resolved" in out
    assert_never_connected(out)


# --- the resolver on its own (no Ansible run) ------------------------------------------------------

class FakeVaultError(Exception):
    """Named like Ansible's vault errors, which the resolver recognises by type name too."""


FakeVaultError.__name__ = "AnsibleVaultError"


class FakeTemplar:
    """Fails on '{{ vault... }}' (vault) and '{{ undefined... }}' (undefined); returns the rest."""

    def template(self, value):
        if isinstance(value, dict):
            return {k: self.template(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.template(v) for v in value]
        if isinstance(value, str) and "{{ vault" in value:
            raise FakeVaultError("Decryption failed for %s" % value)
        if isinstance(value, str) and "{{ undefined" in value:
            raise ValueError("'undefined_x' is undefined in %s" % value)
        return value


@pytest.mark.parametrize("value, severity, result", [
    ("{{ vault_acme }}", WARNING, MASK),
    ("{{ undefined_x }}", ERROR, MASK),
])
def test_resolver_secret(value, severity, result):
    resolver = _Resolver(FakeTemplar())
    data = resolver.resolve({"acme": {"sessions": [{"password": value, "peer_address": "203.0.113.2"}]}},
                            "partners", "partners")
    assert data["acme"]["sessions"][0] == {"password": result, "peer_address": "203.0.113.2"}
    [finding] = resolver.findings
    assert finding.severity == severity and finding.field == "partners.acme.sessions[0].password"
    assert value not in str(finding)  # not even the template source of a secret


def test_resolver_non_secret_keeps_raw_value_and_reason():
    resolver = _Resolver(FakeTemplar())
    assert resolver.resolve({"peer_address": "{{ undefined_x }}"}, "partners", "p") == {"peer_address": "{{ undefined_x }}"}
    assert "is undefined" in resolver.findings[0].message
