"""validate_intent action plugin: ansible-playbook runs of playbooks/validate.yml on fixture inventories.

Every host's ansible_host is an unreachable address with ansible_connection=ssh, so a connection
attempt would show up as UNREACHABLE (or a timeout) instead of the validation result.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.paynet.netinfra.plugins.action.validate_intent import (
    _Resolver,
    device_findings,
    load_findings,
    secret_origin,
)
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


# --- intent that did not load is an error, never "valid: 0 partners" --------------------------------

def run(repo_root: Path, env: dict[str, str], inventory: Path, *extra: str, vault: bool = True):
    command = [str(PLAYBOOK_BIN), "-i", str(inventory), str(repo_root / "playbooks" / "validate.yml"), *extra]
    if vault:
        command += ["--vault-password-file", str(VAULT_PASSWORD_FILE)]
    proc = subprocess.run(command, env=env, cwd=str(repo_root), capture_output=True, text=True, timeout=120,
                          check=False)
    return proc.returncode, proc.stdout + proc.stderr


def fixture_copy(tmp_path: Path, name: str = "good") -> Path:
    target = tmp_path / "inventory"
    shutil.copytree(FIXTURES / name, target)
    return target


def assert_refused(rc: int, out: str) -> None:
    assert rc == 2, out
    assert "intent is valid" not in out
    assert "no device was changed" in out
    assert_never_connected(out)


def test_no_partner_files_is_refused_with_the_fix(repo_root, ansible_env, tmp_path):
    inventory = fixture_copy(tmp_path)
    shutil.rmtree(inventory / "partners")
    rc, out = run(repo_root, ansible_env, inventory / "hosts.yml")
    assert_refused(rc, out)
    assert ("ERROR inventory: partners: no partners loaded: no partner files found where the inventory says they live "
            "(%s/partners/; inventory sources: %s/hosts.yml)" % (inventory, inventory)) in out
    assert "sync it from the project's inventory file with the vars plugin enabled" in out
    assert "set allow_empty: true on validate_intent (-e validate_allow_empty=true)" in out


def test_allow_empty_accepts_a_fleet_without_partners(repo_root, ansible_env, tmp_path):
    inventory = fixture_copy(tmp_path)
    shutil.rmtree(inventory / "partners")
    rc, out = run(repo_root, ansible_env, inventory / "hosts.yml", "-v", "-e", "validate_allow_empty=true")
    assert rc == 0, out
    assert "intent is valid: 0 partners, 0 sessions, 0 tunnels, 1 BGP devices (empty intent allowed by allow_empty)" in out


def test_an_empty_partners_directory_is_refused(repo_root, ansible_env, tmp_path):
    inventory = fixture_copy(tmp_path)
    (inventory / "partners" / "acme_bank.yml").unlink()
    rc, out = run(repo_root, ansible_env, inventory / "hosts.yml")
    assert_refused(rc, out)
    assert "ERROR inventory: partners: no partners loaded: %s/partners holds no partner file (*.yml)" % inventory in out


def test_vars_plugin_not_enabled_is_refused_with_the_cfg_line(repo_root, ansible_env):
    env = dict(ansible_env, ANSIBLE_VARS_ENABLED="ansible.builtin.host_group_vars")
    rc, out = playbook(repo_root, env, "good")
    assert_refused(rc, out)
    assert ("ERROR inventory: vars_plugins_enabled: 1 partner file in %s/partners (acme_bank.yml) did not load: the "
            "paynet.netinfra.partners vars plugin did not run. Fix: enable it: put 'vars_plugins_enabled = "
            "ansible.builtin.host_group_vars, paynet.netinfra.partners' under [defaults]" % (FIXTURES / "good")) in out


def test_a_broken_partner_file_stops_the_run_before_any_task(repo_root, ansible_env, tmp_path):
    inventory = fixture_copy(tmp_path)
    (inventory / "partners" / "acme_bank.yml").write_text("---\n# emptied by mistake\n")
    (inventory / "partners" / "card_net.yml.bak").write_text("card_net: {asn: 64497}\n")
    rc, out = run(repo_root, ansible_env, inventory / "hosts.yml")
    assert rc != 0, out
    assert "intent is valid" not in out and "TASK [Validate" not in out
    assert "partner:acme_bank: partners/acme_bank.yml: the partner file is empty" in out
    assert "inventory: partners/card_net.yml.bak: not loaded: a partner file must end in .yml or .yaml" in out
    assert_never_connected(out)


def test_no_managed_device_is_refused(repo_root, ansible_env, tmp_path):
    inventory = fixture_copy(tmp_path)
    shutil.rmtree(inventory / "host_vars")
    rc, out = run(repo_root, ansible_env, inventory / "hosts.yml")
    assert_refused(rc, out)
    assert ("ERROR inventory: netinfra_platform: no managed device: none of the 1 host in the inventory (dc1-edge1) has "
            "netinfra_platform, so host_vars did not load") in out
    assert "Fix: put host_vars/<host>.yml (netinfra_platform, bgp) next to the inventory file" in out


def test_an_inventory_without_hosts_is_refused(repo_root, ansible_env, tmp_path):
    (tmp_path / "hosts.yml").write_text("all: {}\n")
    rc, out = run(repo_root, ansible_env, tmp_path / "hosts.yml")
    assert rc == 2, out
    assert "ERROR inventory: hosts: the inventory has no hosts" in out and "intent is valid" not in out


def test_partners_replaced_by_extra_vars_are_refused(repo_root, ansible_env, tmp_path):
    extra = tmp_path / "partners.json"
    extra.write_text(json.dumps({"partners": {"other_bank": {
        "asn": 64499, "accept_prefixes": ["198.51.100.0/24"], "max_prefixes": 10,
        "sessions": [{"device": "dc1-edge1", "peer_address": "203.0.113.2", "local_address": "203.0.113.1",
                      "password": "{{ vault_acme_bank_bgp }}"}]}}}))
    rc, out = playbook(repo_root, ansible_env, "good", "-e", "@%s" % extra)
    assert_refused(rc, out)
    assert ("ERROR partner:acme_bank: partners.acme_bank: partner acme_bank in partners/acme_bank.yml is not in the "
            "partners variable: something replaced the partners the vars plugin loaded") in out


def test_partner_files_of_a_second_inventory_source_are_refused(repo_root, ansible_env, tmp_path):
    first = fixture_copy(tmp_path)
    second = tmp_path / "second"
    (second / "partners").mkdir(parents=True)
    (second / "hosts.yml").write_text("all:\n  hosts:\n    dc1-edge1:\n")
    shutil.copy(first / "partners" / "acme_bank.yml", second / "partners" / "other.yml")
    (second / "partners" / "other.yml").write_text(
        (first / "partners" / "acme_bank.yml").read_text().replace("acme_bank:", "other_bank:"))
    rc, out = run(repo_root, ansible_env, first / "hosts.yml", "-i", str(second / "hosts.yml"))
    assert_refused(rc, out)
    assert ("ERROR inventory: partners: the partner files in %s/partners did not load: partners came from %s/partners"
            % (first, second)) in out
    assert "keep every partner file in one partners/ directory" in out


def test_a_directory_source_without_ignore_patterns_is_refused(repo_root, ansible_env):
    env = dict(ansible_env, ANSIBLE_INVENTORY_IGNORE_REGEX="^nothing-ignored$")
    rc, out = run(repo_root, env, FIXTURES / "good")
    assert_refused(rc, out)
    assert ("ERROR inventory: partners: the inventory %s is a directory, so Ansible parsed the partner files in "
            "%s/partners as inventory" % (FIXTURES / "good", FIXTURES / "good")) in out
    assert "Fix: add 'ignore_patterns = ^partners$' under [inventory] in ansible.cfg" in out


def test_a_directory_source_validates_with_the_repo_cfg(repo_root, ansible_env):
    rc, out = run(repo_root, ansible_env, FIXTURES / "good", "-v")
    assert rc == 0, out
    assert "intent is valid: 1 partners, 1 sessions" in out
    assert "Skipping key" not in out and "Skipping unexpected key" not in out


def test_duplicate_keys_in_host_and_group_vars_are_refused(repo_root, ansible_env, tmp_path):
    inventory = fixture_copy(tmp_path)
    with (inventory / "host_vars" / "dc1-edge1.yml").open("a") as handle:
        handle.write("  asn: 65011\n")
    with (inventory / "group_vars" / "all" / "bgp_policy.yml").open("a") as handle:
        handle.write("bgp_policy: {}\n")
    # Without duplicate_dict_key = error (an AWX or user ansible.cfg), Ansible keeps the last value
    # and only warns; validate_intent refuses, naming the file and the lines.
    env = dict(ansible_env, ANSIBLE_DUPLICATE_YAML_DICT_KEY="ignore")
    rc, out = run(repo_root, env, inventory / "hosts.yml")
    assert_refused(rc, out)
    assert ("ERROR dc1-edge1: bgp.asn (host_vars/dc1-edge1.yml): key 'asn' is given twice (lines 4 and 8); Ansible "
            "keeps only the last one. Fix: keep one 'asn'") in out
    assert "ERROR inventory: bgp_policy (group_vars/all/bgp_policy.yml): key 'bgp_policy' is given twice" in out
    # the repo's ansible.cfg (duplicate_dict_key = error) stops the load itself
    rc, out = run(repo_root, ansible_env, inventory / "hosts.yml")
    assert rc != 0 and "Found duplicate mapping key" in out and "intent is valid" not in out


CLEAR_TEXT = ("Clear-Text-In-Partner-File", "Clear-Text-In-Plain-Vars-File", "From-Env-Lookup-1",
              "Inline-Vaulted-In-Partner", SECRET)


def test_clear_text_secrets_are_a_warning_naming_where_they_are(repo_root, ansible_env):
    env = dict(ansible_env, NETINFRA_TEST_BGP_PASSWORD="From-Env-Lookup-1")
    rc, out = playbook(repo_root, env, "clear_text", "-vvv")
    assert rc == 0, out
    assert ("WARNING]: dc1-edge1: partners.acme_bank.sessions[0].password (partners/acme_bank.yml): the password is "
            "given in clear text in partners/acme_bank.yml line 12 (not from ansible-vault or a lookup). Fix: encrypt "
            "it") in out
    assert ("dc1-edge1: partners.acme_bank.sessions[2].password (partners/acme_bank.yml): the password is given in "
            "clear text in group_vars/all/plain.yml line 3") in out
    assert "netinfra_policy.secrets_must_be_vaulted: true makes this an error" in out
    for index in (1, 3, 4, 5):  # vaulted file var, lookup, filter on a vaulted value, inline !vault
        assert "sessions[%d].password (partners/acme_bank.yml): the password is given in clear text" % index not in out
    assert "(2 warnings)" in out
    leaked = [s for s in CLEAR_TEXT if s in out]
    assert not leaked, out


def test_clear_text_secrets_are_an_error_when_they_must_be_vaulted(repo_root, ansible_env):
    env = dict(ansible_env, NETINFRA_TEST_BGP_PASSWORD="From-Env-Lookup-1")
    policy = json.dumps({"netinfra_policy": {"environment": "lab", "secrets_must_be_vaulted": True}})
    rc, out = playbook(repo_root, env, "clear_text", "-e", policy)
    assert_refused(rc, out)
    assert "ERROR dc1-edge1: partners.acme_bank.sessions[0].password (partners/acme_bank.yml): the password is given" in out
    assert "ERROR dc1-edge1: partners.acme_bank.sessions[2].password" in out
    assert "2 errors, 0 warnings in the intent" in out
    assert not [s for s in CLEAR_TEXT if s in out]


# --- the load checks on their own (no Ansible run) -------------------------------------------------

def _lab(tmp_path: Path, files=("acme_bank.yml",)) -> Path:
    (tmp_path / "partners").mkdir()
    for name in files:
        (tmp_path / "partners" / name).write_text("x: {}\n")
    (tmp_path / "hosts.yml").write_text("all: {}\n")
    return tmp_path


def test_load_findings_plugin_ran_and_matches_disk(tmp_path):
    inv = _lab(tmp_path)
    task_vars = {"ansible_inventory_sources": [str(inv / "hosts.yml")], "partners_source": str(inv / "partners"),
                 "partner_files": {"acme_bank": "partners/acme_bank.yml"}}
    assert load_findings(task_vars, {"acme_bank": {}}, False, False) == []


def test_load_findings_exported_inventory_with_partners_is_accepted(tmp_path):
    (tmp_path / "inventory.yml").write_text("all: {}\n")
    task_vars = {"ansible_inventory_sources": [str(tmp_path / "inventory.yml")],
                 "partners_source": "/runner/project/inventories/prod/partners",  # where the export ran
                 "partner_files": {"acme_bank": "partners/acme_bank.yml"}}
    assert load_findings(task_vars, {"acme_bank": {}}, False, False) == []


def test_load_findings_without_the_marker_but_files_on_disk(tmp_path):
    inv = _lab(tmp_path, ("acme_bank.yml", "card_net.yaml"))
    [finding] = load_findings({"ansible_inventory_sources": [str(inv / "hosts.yml")]}, None, False, False)
    assert (finding.host, finding.field, finding.severity) == ("inventory", "vars_plugins_enabled", ERROR)
    assert "2 partner files in %s/partners (acme_bank.yml, card_net.yaml)" % inv in finding.message
    assert "vars_plugins_enabled = ansible.builtin.host_group_vars, paynet.netinfra.partners" in finding.fix


def test_load_findings_a_file_on_disk_that_did_not_load(tmp_path):
    inv = _lab(tmp_path, ("acme_bank.yml", "card_net.yml"))
    task_vars = {"ansible_inventory_sources": [str(inv / "hosts.yml")], "partners_source": str(inv / "partners"),
                 "partner_files": {"acme_bank": "partners/acme_bank.yml"}}
    [finding] = load_findings(task_vars, {"acme_bank": {}}, False, False)
    assert (finding.host, finding.field) == ("inventory", "partners/card_net.yml")


def test_load_findings_given_partners_skip_the_file_checks(tmp_path):
    inv = _lab(tmp_path)
    task_vars = {"ansible_inventory_sources": [str(inv / "hosts.yml")]}
    assert load_findings(task_vars, {"acme_bank": {}}, True, False) == []
    [finding] = load_findings(task_vars, {}, True, False)
    assert finding.host == "partners" and "allow_empty" in finding.fix
    assert load_findings(task_vars, {}, True, True) == []


def test_device_findings():
    assert device_findings({"r1": {"netinfra_platform": "frr"}, "p1": {}}, {}) == []
    [finding] = device_findings({"p1": {}, "p2": {}}, {})
    assert (finding.host, finding.field) == ("inventory", "netinfra_platform")
    assert "none of the 2 hosts in the inventory (p1, p2)" in finding.message


def test_secret_origin_needs_the_tags_and_degrades_to_cannot_tell(tmp_path):
    from ansible._internal._datatag._tags import Origin, TrustedAsTemplate, VaultedValue  # pylint: disable=import-outside-toplevel

    plain = tmp_path / "plain.yml"
    plain.write_text("x: y\n")
    vaulted = tmp_path / "vault.yml"
    vaulted.write_text("$ANSIBLE_VAULT;1.1;AES256\n3031\n")
    literal = TrustedAsTemplate().tag(Origin(path=str(plain), line_num=1).tag("s3cret"))
    assert secret_origin(literal, literal).path == str(plain)
    assert secret_origin(Origin(path=str(vaulted), line_num=1).tag("s3cret"), "{{ v }}") is None
    assert secret_origin(VaultedValue(ciphertext="$ANSIBLE_VAULT;...").tag(Origin(path=str(plain)).tag("s")), None) is None
    assert secret_origin(Origin(description="<environment variable 'X'>").tag("s"), "{{ lookup('env', 'X') }}") is None
    script = Origin(description="<inventory script output from '/runner/inventory/hosts'>")
    assert secret_origin(TrustedAsTemplate().tag(script.tag("s")), script.tag("{{ v }}")) == script
    template = Origin(path=str(plain), line_num=3)
    assert secret_origin(template.tag("computed"), template.tag("{{ v | trim }}")) is None
    assert secret_origin("untagged", "untagged") is None
    assert secret_origin(MASK, "{{ v }}") is None
