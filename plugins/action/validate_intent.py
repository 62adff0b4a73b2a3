# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for paynet.netinfra.validate_intent: validate the whole fleet on the controller.

It never connects to a host (``_requires_connection = False``): run it once (``run_once: true``)
in a play over all hosts. Documentation: plugins/modules/validate_intent.py.
"""

from __future__ import annotations

import datetime
import os
import re
import typing as t

from ansible.module_utils.common.text.converters import to_text
from ansible.parsing.vault import AnsibleVaultError
from ansible.plugins.action import ActionBase

from ansible_collections.paynet.netinfra.plugins.plugin_utils.fleet_vars import FleetVariables
from ansible_collections.paynet.netinfra.plugins.plugin_utils.intent_files import (
    ENABLE_LINE,
    PARTNERS_DIR,
    duplicate_keys,
    is_ignored,
    scan_partner_dir,
)

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.registry import (
    ERROR,
    WARNING,
    Finding,
    count_intent,
    format_findings,
    has_errors,
    host_var_names,
    policy_var_names,
    secret_field_names,
    validate_fleet,
)

try:  # private API (ansible-core 2.19+): where a value came from; without it, secrets are "cannot tell"
    from ansible._internal._datatag._tags import Origin, TrustedAsTemplate, VaultedValue
except ImportError:  # pragma: no cover
    Origin = TrustedAsTemplate = VaultedValue = None  # pylint: disable=invalid-name
try:  # the compiled [inventory] ignore_patterns / always-ignored names of this process's config
    from ansible.inventory.manager import IGNORED as INVENTORY_IGNORED
except ImportError:  # pragma: no cover
    INVENTORY_IGNORED = None

# every fleet policy variable is an option of the same name (``policy`` stays an alias of bgp_policy)
POLICY_VARS = tuple(policy_var_names())
ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = dict(
    {"partners": {"type": "raw"}, "hosts": {"type": "list", "elements": "str"},
     "allow_empty": {"type": "bool", "default": False}},
    **{name: ({"type": "raw", "aliases": ["policy"]} if name == "bgp_policy" else {"type": "raw"}) for name in POLICY_VARS})
HOST_KEYS = tuple(host_var_names())
SECRET_KEYS = secret_field_names()  # from the feature schemas: password, psk, key
# the secrets of a partner (in its sessions and tunnels) that must not sit in clear text in the inventory
VARS_EXTENSIONS = ("", ".yml", ".yaml", ".json")
IGNORE_LINE = "ignore_patterns = ^partners$"


def _first_line(exc: BaseException) -> str:
    text = to_text(getattr(exc, "message", None) or exc).strip()
    return (text.splitlines() or ["unknown error"])[0][:200]


def _is_vault_error(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, AnsibleVaultError) or "vault" in type(exc).__name__.lower():
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


_PLAIN = (int, float, bool, type(None), datetime.date)


def _needs_templating(value: t.Any) -> bool:
    """Strings with Jinja in them, and values that are not plain data (an inline !vault EncryptedString)."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    return not isinstance(value, _PLAIN)


# ``{{ name }}`` / ``{{ name.key.key }}``: a plain reference to a variable, the commonest template in intent
# ("{{ vault_bgp_passwords.acme }}", "{{ site_core_address }}"); resolved by looking it up, without Jinja
_REFERENCE = re.compile(r"^\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}$")
_DICT_ATTRIBUTES = frozenset(dir(dict))
_MISSING = object()


def _lookup(variables: t.Any, text: str) -> t.Any:
    """The value ``text`` (a plain ``{{ a.b.c }}`` reference) names in ``variables``, or _MISSING when it is
    not a plain reference, names a dict method (Jinja would return the method) or does not resolve."""
    match = _REFERENCE.match(text)
    if match is None or variables is None:
        return _MISSING
    value = variables
    for part in match.group(1).split("."):
        if part in _DICT_ATTRIBUTES or not isinstance(value, dict):
            return _MISSING
        try:
            if part not in value:
                return _MISSING
            value = value[part]
        except Exception:  # pylint: disable=broad-except  # a lazy value that fails: the templar reports it
            return _MISSING
    return value


class _Resolver:
    """Templates intent data, one value at a time where the whole does not template.

    A value that cannot be resolved becomes a finding; secrets are never echoed (not even the
    templating error, which may quote the template source). An unresolved secret is replaced by a
    mask so the data can still be checked; other values keep their raw form.

    With ``variables`` (the variables the templar sees), a plain reference ``{{ a.b }}`` is looked up
    directly: at fleet scale compiling the same few templates once per host costs most of the run
    (docs/benchmarks.md). Anything else, and a reference that does not resolve, goes to the templar,
    which gives Ansible's own result or error. ``templar`` may be a callable that makes one on first use.
    """

    def __init__(self, templar: t.Any, variables: t.Any = None) -> None:
        self._templar = templar
        self.variables = variables
        self.findings: list[Finding] = []

    @property
    def templar(self) -> t.Any:
        if callable(self._templar) and not hasattr(self._templar, "template"):
            self._templar = self._templar()
        return self._templar

    def resolve(self, value: t.Any, host: str, path: str, depth: int = 0) -> t.Any:
        """Template the leaves that need it, one at a time: a 2,000-partner intent is mostly plain
        values, and templating it whole deep-copies all of it (seconds at fleet scale)."""
        if isinstance(value, dict):
            return {k: self.resolve(v, host, "%s.%s" % (path, k), depth) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.resolve(v, host, "%s[%d]" % (path, i), depth) for i, v in enumerate(value)]
        if not _needs_templating(value):
            return value
        if isinstance(value, str):
            found = _lookup(self.variables, value)
            if found is not _MISSING and depth < 8:
                return self.resolve(found, host, path, depth + 1)
        try:
            return self.templar.template(value)
        except Exception as exc:  # pylint: disable=broad-except  # any template/vault failure
            return self._unresolved(value, host, path, exc)

    def _unresolved(self, value: t.Any, host: str, path: str, exc: Exception) -> t.Any:
        key = path.rsplit(".", 1)[-1]
        secret = key in SECRET_KEYS
        if secret and _is_vault_error(exc):
            self.findings.append(Finding(
                host, path, "the vaulted %s could not be decrypted, so its length and characters were not checked" % key,
                "run with --vault-id/--vault-password-file to check it fully", WARNING))
            return MASK
        reason = "a vaulted value could not be decrypted" if _is_vault_error(exc) else (
            "templating failed" if secret else _first_line(exc))
        self.findings.append(Finding(
            host, path, "could not be resolved: %s" % reason,
            "define the variable it refers to (in the vault for secrets) or fix the expression", ERROR))
        return MASK if secret else value


def _partner_host(path: str) -> str:
    """Finding host for a path inside partners: the session's device when there is one."""
    parts = path.split(".")
    name = parts[1] if len(parts) > 1 else ""
    name = name.split("[", 1)[0]
    return "partner:%s" % name if name else "partners"


# --- did the intent load? ------------------------------------------------------------------------

def _inventory_dirs(task_vars: dict[str, t.Any]) -> list[tuple[str, str]]:
    """``[(source, directory)]`` of every inventory source that is a path (host lists are skipped)."""
    sources = task_vars.get("ansible_inventory_sources") or []
    if isinstance(sources, str):
        sources = [sources]
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for source in sources:
        if not isinstance(source, str) or not os.path.exists(source):
            continue
        folder = source if os.path.isdir(source) else os.path.dirname(source)
        real = os.path.realpath(folder)
        if real not in seen:
            seen.add(real)
            out.append((str(source), str(folder)))
    return out


def _partners_dir_ignored() -> bool:
    """True when a directory inventory source skips ``partners/`` (or when it cannot be told)."""
    if INVENTORY_IGNORED is None:
        return True
    try:
        return bool(INVENTORY_IGNORED.search(PARTNERS_DIR.encode()))
    except Exception:  # pylint: disable=broad-except
        return True


def _show_path(path: str, dirs: list[str]) -> str:
    """``path`` relative to the inventory directory that holds it, else to the working directory."""
    real = os.path.realpath(path)
    for folder in dirs:
        base = os.path.realpath(folder)
        if real.startswith(base + os.sep):
            return os.path.relpath(real, base)
    cwd = os.path.realpath(os.getcwd())
    return os.path.relpath(real, cwd) if real.startswith(cwd + os.sep) else real


def _sources_text(dirs: list[tuple[str, str]]) -> str:
    return ", ".join(source for source, _folder in dirs) or "none"


def _where_partners_live(dirs: list[tuple[str, str]]) -> str:
    return ", ".join(os.path.join(folder, PARTNERS_DIR) + "/" for _source, folder in dirs) or "(no inventory file)"


AWX_FIX = ("for an exported inventory (an AWX or Semaphore inventory source), sync it from the project's inventory "
           "file with the vars plugin enabled in the project's ansible.cfg (%s), so that partners is part of the "
           "export (docs/intent.md)" % ENABLE_LINE)


def load_findings(task_vars: dict[str, t.Any], partners: t.Any, partners_given: bool, allow_empty: bool) -> list[Finding]:
    """Intent that did not load: partner files on disk that the vars plugin did not load (or could not,
    because it is not enabled), a directory inventory that parsed partners/ as inventory, no partners."""
    findings: list[Finding] = []
    dirs = _inventory_dirs(task_vars)
    marker = task_vars.get("partners_source")
    marker = marker if isinstance(marker, str) and marker else None
    partner_files = task_vars.get("partner_files")
    partner_files = partner_files if isinstance(partner_files, dict) else {}
    blocked = False
    on_disk: dict[str, tuple[str, list[str]]] = {}
    for source, folder in ([] if partners_given else dirs):
        pdir = os.path.join(folder, PARTNERS_DIR)
        if not os.path.isdir(pdir):
            continue
        try:
            files, _problems = scan_partner_dir(pdir)
        except OSError:
            continue
        on_disk[os.path.realpath(pdir)] = (pdir, files)
        if os.path.isdir(source) and not _partners_dir_ignored():
            blocked = True
            findings.append(Finding(
                "inventory", PARTNERS_DIR,
                "the inventory %s is a directory, so Ansible parsed the partner files in %s as inventory (each "
                "partner became an empty group)" % (source, pdir),
                "add '%s' under [inventory] in ansible.cfg (this repository's ansible.cfg has it), or pass the "
                "inventory file: -i %s" % (IGNORE_LINE, os.path.join(folder, "hosts.yml")), ERROR))
    with_files = {real: entry for real, entry in on_disk.items() if entry[1]}
    if not partners_given and marker is None and with_files:
        blocked = True
        for pdir, files in with_files.values():
            findings.append(Finding(
                "inventory", "vars_plugins_enabled",
                "%d partner file%s in %s (%s) did not load: the paynet.netinfra.partners vars plugin did not run"
                % (len(files), "" if len(files) == 1 else "s", pdir, ", ".join(files[:5]) + (", ..." if len(files) > 5 else "")),
                "enable it: put '%s' under [defaults] in the ansible.cfg this run uses (or set ANSIBLE_VARS_ENABLED="
                "ansible.builtin.host_group_vars,paynet.netinfra.partners)" % ENABLE_LINE, ERROR))
    elif not partners_given and marker is not None:
        loaded = os.path.realpath(marker)
        loaded_files = {os.path.basename(str(f)) for f in partner_files.values()}
        for real, (pdir, files) in sorted(with_files.items()):
            if real != loaded:
                blocked = True
                findings.append(Finding(
                    "inventory", PARTNERS_DIR,
                    "the partner files in %s did not load: partners came from %s (with several inventory sources, "
                    "the last one's partners replace the others')" % (pdir, marker),
                    "keep every partner file in one partners/ directory, next to one inventory source", ERROR))
                continue
            for name in files:
                if name not in loaded_files:
                    findings.append(Finding(
                        "inventory", "%s/%s" % (PARTNERS_DIR, name),
                        "the partner file is on disk but did not load into partners",
                        "run again; if it persists, check that nothing else sets partner_files or partners_source",
                        ERROR))
        if isinstance(partners, dict):
            for name in sorted(partner_files, key=str):
                if name not in partners:
                    findings.append(Finding(
                        "partner:%s" % name, "partners.%s" % name,
                        "partner %s in %s is not in the partners variable: something replaced the partners the vars "
                        "plugin loaded (extra vars -e partners=..., a partners variable in host_vars or group_vars)"
                        % (name, partner_files[name]),
                        "keep partner intent only in %s/<name>.yml; pass a candidate to validate_intent's partners "
                        "option instead" % PARTNERS_DIR, ERROR))
    count = len(partners) if isinstance(partners, dict) else 0
    if count or allow_empty or blocked:
        return findings
    empty_fix = "set allow_empty: true on validate_intent (-e validate_allow_empty=true) only if the fleet really has no partners"
    if partners_given:
        findings.append(Finding("partners", "partners", "the partners given to validate_intent are empty",
                                "pass the partners to check, or %s" % empty_fix, ERROR))
    elif marker is not None and os.path.isdir(marker):
        findings.append(Finding(
            "inventory", PARTNERS_DIR, "no partners loaded: %s holds no partner file (*.yml)" % marker,
            "put one file a partner in it (%s/<name>.yml, docs/intent.md), or %s" % (PARTNERS_DIR, empty_fix), ERROR))
    else:
        findings.append(Finding(
            "inventory", PARTNERS_DIR,
            "no partners loaded: no partner files found where the inventory says they live (%s; inventory sources: %s)"
            % (_where_partners_live(dirs), _sources_text(dirs)),
            "pass the inventory file that has partners/ next to it (-i inventories/<env>/hosts.yml); %s; or %s"
            % (AWX_FIX, empty_fix), ERROR))
    return findings


def device_findings(devices: dict[str, dict[str, t.Any]], task_vars: dict[str, t.Any]) -> list[Finding]:
    """No managed device (no host with netinfra_platform): host_vars did not load."""
    if any(isinstance(v, dict) and v.get("netinfra_platform") is not None for v in devices.values()):
        return []
    dirs = _inventory_dirs(task_vars)
    hosts = sorted(devices)
    shown = ", ".join(hosts[:5]) + (", ..." if len(hosts) > 5 else "")
    return [Finding(
        "inventory", "netinfra_platform",
        "no managed device: none of the %d host%s in the inventory (%s) has netinfra_platform, so host_vars did not "
        "load (inventory sources: %s)" % (len(hosts), "" if len(hosts) == 1 else "s", shown or "none", _sources_text(dirs)),
        "put host_vars/<host>.yml (netinfra_platform, bgp) next to the inventory file and pass that file "
        "(-i inventories/<env>/hosts.yml); keep ansible.builtin.host_group_vars in vars_plugins_enabled; an exported "
        "inventory must be exported with its host_vars", ERROR)]


def _vars_files(folder: str) -> t.Iterator[tuple[str, str]]:
    """``(kind, path)`` of every file host_group_vars may load under ``folder``/host_vars and group_vars."""
    for kind in ("host_vars", "group_vars"):
        top = os.path.join(folder, kind)
        if not os.path.isdir(top):
            continue
        for root, subdirs, names in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(names):
                if is_ignored(name) or os.path.splitext(name)[1] not in VARS_EXTENSIONS:
                    continue
                yield kind, os.path.join(root, name)


def duplicate_key_findings(loader: t.Any, task_vars: dict[str, t.Any]) -> list[Finding]:
    """A key given twice in host_vars/group_vars next to an inventory source (Ansible keeps the last one
    and only warns, unless ``duplicate_dict_key = error``)."""
    findings: list[Finding] = []
    for _source, folder in _inventory_dirs(task_vars):
        for kind, path in _vars_files(folder):
            try:
                text = loader.get_text_file_contents(path)
                found = duplicate_keys(str(text))
            except Exception:  # pylint: disable=broad-except  # undecryptable vault, not YAML: Ansible reports it
                continue
            rel = os.path.relpath(path, folder)
            host = "inventory"
            if kind == "host_vars":
                host = os.path.splitext(rel.split(os.sep)[1])[0]
            for field, key, first, line in found:
                findings.append(Finding(
                    host, field, "key '%s' is given twice (lines %d and %d); Ansible keeps only the last one"
                    % (key, first, line),
                    "keep one '%s'; 'duplicate_dict_key = error' under [defaults] in ansible.cfg refuses such a file "
                    "when it loads" % key, ERROR, file=rel))
    return findings


# --- secrets in clear text -----------------------------------------------------------------------

_VAULT_FILES: dict[str, bool] = {}


def _is_vault_file(path: str) -> bool:
    if path not in _VAULT_FILES:
        try:
            with open(path, "rb") as handle:
                _VAULT_FILES[path] = handle.read(14) == b"$ANSIBLE_VAULT"
        except OSError:
            _VAULT_FILES[path] = False
    return _VAULT_FILES[path]


def secret_origin(value: t.Any, raw: t.Any) -> t.Any:
    """Where a secret given in clear text was written: an ``Origin`` with a ``path`` (a plain file) or
    with a ``description`` of an inventory source (a script's output, as AWX runs jobs). None when it is
    vaulted (inline ``!vault`` or a vault-encrypted file), from a lookup, computed by a template (a filter
    on a vaulted value), or when it cannot be told."""
    if Origin is None or VaultedValue is None or not isinstance(value, str) or value == MASK:
        return None
    try:
        if VaultedValue.is_tagged_on(value):
            return None
        origin = Origin.get_tag(value)
        if origin is None:
            return None
        # loaded data is tagged trusted-as-template; a template's result is not
        verbatim = TrustedAsTemplate is not None and TrustedAsTemplate.is_tagged_on(value)
        if not verbatim and isinstance(raw, str) and ("{{" in raw or "{%" in raw) and Origin.get_tag(raw) == origin:
            return None  # the template's own result (a filter on a vaulted value, ...): cannot tell
        if origin.path:
            return None if _is_vault_file(origin.path) else origin
        if (origin.description or "").startswith("<inventory"):
            return origin
        return None
    except Exception:  # pylint: disable=broad-except  # private API changed: cannot tell
        return None


def _secret_leaves(raw: t.Any, value: t.Any, path: str) -> t.Iterator[tuple[str, str, t.Any, t.Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            sub = raw.get(key) if isinstance(raw, dict) else None
            child = "%s.%s" % (path, key)
            if key in SECRET_KEYS and not isinstance(item, (dict, list)):
                yield child, str(key), sub, item
            else:
                yield from _secret_leaves(sub, item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            sub = raw[index] if isinstance(raw, list) and index < len(raw) else None
            yield from _secret_leaves(sub, item, "%s[%d]" % (path, index))


def clear_text_findings(raw: t.Any, partners: t.Any, vaulted_required: bool, task_vars: dict[str, t.Any],
                        partner_files: t.Any) -> list[Finding]:
    """Every password, psk and key of partners' sessions and tunnels given in clear text (never echoed)."""
    if not isinstance(partners, dict):
        return []
    dirs = _inventory_dirs(task_vars)
    sources = {os.path.realpath(s) for s, _f in dirs}
    findings: list[Finding] = []
    severity = ERROR if vaulted_required else WARNING
    for name, partner in partners.items():
        if not isinstance(partner, dict):
            continue
        raw_partner = raw.get(name) if isinstance(raw, dict) else None
        for path, key, raw_leaf, leaf in _secret_leaves(raw_partner, partner, "partners.%s" % name):
            origin = secret_origin(leaf, raw_leaf)
            if origin is None:
                continue
            if origin.path:
                where = _show_path(origin.path, [f for _s, f in dirs])
                if origin.line_num:
                    where += " line %d" % origin.line_num
                exported = os.path.realpath(origin.path) in sources
            else:
                where = "the inventory source %s" % origin.description
                exported = True
            fix = ("encrypt it: an inline !vault value (ansible-vault encrypt_string), or a variable in an ansible-vault "
                   "encrypted file such as group_vars/all/vault.yml; or take it from a lookup")
            if exported:
                fix += ("; an exported inventory (AWX, Semaphore) holds the values of vault-encrypted files decrypted, "
                        "inline !vault values stay encrypted")
            if not vaulted_required:
                fix += " (netinfra_policy.secrets_must_be_vaulted: true makes this an error)"
            file = partner_files.get(name) if isinstance(partner_files, dict) else ""
            findings.append(Finding(
                "partners", path, "the %s is given in clear text in %s (not from ansible-vault or a lookup)"
                % (key, where), fix, severity, file=file if isinstance(file, str) else ""))
    return findings


class ActionModule(ActionBase):
    """Validate the fleet's BGP partner intent in one call (controller only)."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result = super().run(tmp, task_vars)
        del tmp

        resolver = _Resolver(self._templar, task_vars)
        partners = args.get("partners")
        partners_given = partners is not None
        raw_partners = partners
        if partners is None:
            raw_partners = task_vars.get("partners")
            partners = resolver.resolve(raw_partners, "partners", "partners")
        policy_vars: dict[str, t.Any] = {}
        for key in POLICY_VARS:
            value = args.get(key)
            if value is None:
                value = resolver.resolve(task_vars.get(key), "policy", key)
            policy_vars[key] = value
        partner_files = task_vars.get("partner_files")
        hosts = args.get("hosts")
        if hosts is None:
            hosts = list((task_vars.get("groups") or {}).get("all") or [])
        devices = self._devices(hosts, task_vars.get("hostvars") or {}, resolver)

        findings = validate_fleet(partners, devices, policy_vars,
                                  partner_files=partner_files if isinstance(partner_files, dict) else None)
        netinfra_policy = policy_vars.get("netinfra_policy")
        vaulted_required = isinstance(netinfra_policy, dict) and netinfra_policy.get("secrets_must_be_vaulted") is True
        extra = list(resolver.findings)
        extra += clear_text_findings(raw_partners, partners, vaulted_required, task_vars, partner_files)
        extra += load_findings(task_vars, partners, partners_given, bool(args.get("allow_empty")))
        extra += device_findings(devices, task_vars)
        extra += duplicate_key_findings(self._loader, task_vars)
        findings = sorted(findings + [self._relabel(f, partners) for f in extra], key=lambda f: (f.host, f.field))
        checked = count_intent(partners, devices)
        result["checked"] = checked
        result["changed"] = False
        result["findings"] = [f.to_dict() for f in findings]
        if has_errors(findings):
            result["failed"] = True
            result["msg"] = format_findings(findings)
            return result
        warnings = [f for f in findings if f.severity == WARNING]
        result["msg"] = ("intent is valid: %(partners)d partners, %(sessions)d sessions, %(tunnels)d tunnels, "
                         "%(devices)d BGP devices" % checked)
        if not checked.get("partners"):
            result["msg"] += " (empty intent allowed by allow_empty)"
        if warnings:
            result["msg"] += " (%d warning%s)" % (len(warnings), "" if len(warnings) == 1 else "s")
            result["warnings"] = [str(f) for f in warnings]
        return result

    @staticmethod
    def _relabel(finding: Finding, partners: t.Any) -> Finding:
        """Resolution findings inside partners get the same host label as validation findings."""
        if finding.host != "partners":
            return finding
        host = _partner_host(finding.field)
        parts = finding.field.split(".")
        if len(parts) > 2 and parts[2].startswith(("sessions[", "tunnels[")):
            try:
                name = parts[1]
                kind, rest = parts[2].split("[", 1)
                index = int(rest.split("]", 1)[0])
                device = partners[name][kind][index].get("device")
                if isinstance(device, str) and device:
                    host = device
            except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                pass
        return finding.relabel(host=host)

    def _devices(self, hosts: list[str], hostvars: t.Any, resolver: _Resolver) -> dict[str, dict[str, t.Any]]:
        """{host: {netinfra_platform, bgp}} for every host, templated in the host's own context."""
        devices: dict[str, dict[str, t.Any]] = {}
        # every host's raw variables as hostvars.raw_get gives them, the group part merged once per group list
        # (plugin_utils/fleet_vars.py): at 5,000 devices most of raw_get's time was the same groups again
        fleet = FleetVariables(hostvars) if hasattr(hostvars, "raw_get") else None
        for host in hosts:
            if host not in hostvars:
                resolver.findings.append(Finding(host, "hosts", "host '%s' is not in the inventory" % host,
                                                 "list inventory hostnames in hosts (or leave it out: all hosts)", ERROR))
                continue
            raw = fleet.get(host) if fleet is not None else None  # None: not Ansible's HostVars (a plain mapping)
            entry: dict[str, t.Any] = {}
            if raw is None:
                view = hostvars[host]
                for key in HOST_KEYS:
                    if key not in view:
                        continue
                    try:
                        entry[key] = view[key]
                    except Exception as exc:  # pylint: disable=broad-except  # AnsibleError, vault errors, ...
                        entry[key] = self._resolve_raw(hostvars, host, key, resolver, exc)
            else:
                # the host's raw variables, templated leaf by leaf in the host's own context (the templar only
                # for what is not a plain reference): a 5,000-device fleet in seconds, not minutes
                inner = _Resolver(lambda raw=raw: self._templar.copy_with_new_env(available_variables=raw), raw)
                for key in HOST_KEYS:
                    if key in raw:
                        entry[key] = inner.resolve(raw[key], host, key)
                resolver.findings.extend(inner.findings)
            devices[host] = entry
        return devices

    def _resolve_raw(self, hostvars: t.Any, host: str, key: str, resolver: _Resolver, exc: Exception) -> t.Any:
        """Template ``key`` leaf by leaf under ``host``'s variables to pinpoint what fails."""
        try:
            raw = hostvars.raw_get(host)
            templar = self._templar.copy_with_new_env(available_variables=raw)
            return self._leafwise(templar, raw[key], host, key, resolver)
        except Exception:  # pylint: disable=broad-except
            resolver.findings.append(Finding(host, key, "could not be resolved: %s" % _first_line(exc),
                                             "fix the expression or define the variable it refers to", ERROR))
            return None

    @staticmethod
    def _leafwise(templar: t.Any, value: t.Any, host: str, path: str, resolver: _Resolver) -> t.Any:
        inner = _Resolver(templar)
        resolved = inner.resolve(value, host, path)
        resolver.findings.extend(inner.findings)
        return resolved
