# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for paynet.netinfra.validate_intent: validate the whole fleet on the controller.

It never connects to a host (``_requires_connection = False``): run it once (``run_once: true``)
in a play over all hosts. Documentation: plugins/modules/validate_intent.py.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.common.text.converters import to_text
from ansible.parsing.vault import AnsibleVaultError
from ansible.plugins.action import ActionBase

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
    validate_fleet,
)

# every fleet policy variable is an option of the same name (``policy`` stays an alias of bgp_policy)
POLICY_VARS = tuple(policy_var_names())
ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "partners": {"type": "raw"},
    "hosts": {"type": "list", "elements": "str"},
}
ARGUMENT_SPEC.update({name: {"type": "raw"} for name in POLICY_VARS})
ARGUMENT_SPEC["bgp_policy"]["aliases"] = ["policy"]
HOST_KEYS = tuple(host_var_names())
SECRET_KEYS = frozenset(("password", "psk", "secret", "key"))


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


class _Resolver:
    """Templates intent data, one value at a time where the whole does not template.

    A value that cannot be resolved becomes a finding; secrets are never echoed (not even the
    templating error, which may quote the template source). An unresolved secret is replaced by a
    mask so the data can still be checked; other values keep their raw form.
    """

    def __init__(self, templar: t.Any) -> None:
        self.templar = templar
        self.findings: list[Finding] = []

    def resolve(self, value: t.Any, host: str, path: str) -> t.Any:
        try:
            return self.templar.template(value)
        except Exception as exc:  # pylint: disable=broad-except  # any template/vault failure
            if isinstance(value, dict):
                return {k: self.resolve(v, host, "%s.%s" % (path, k)) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [self.resolve(v, host, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
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

        resolver = _Resolver(self._templar)
        partners = args.get("partners")
        if partners is None:
            partners = resolver.resolve(task_vars.get("partners"), "partners", "partners")
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
        findings = sorted(findings + [self._relabel(f, partners) for f in resolver.findings],
                          key=lambda f: (f.host, f.field))
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
        return Finding(host, finding.field, finding.message, finding.fix, finding.severity)

    def _devices(self, hosts: list[str], hostvars: t.Any, resolver: _Resolver) -> dict[str, dict[str, t.Any]]:
        """{host: {netinfra_platform, bgp}} for every host, templated in the host's own context."""
        devices: dict[str, dict[str, t.Any]] = {}
        for host in hosts:
            if host not in hostvars:
                resolver.findings.append(Finding(host, "hosts", "host '%s' is not in the inventory" % host,
                                                 "list inventory hostnames in hosts (or leave it out: all hosts)", ERROR))
                continue
            view = hostvars[host]
            entry: dict[str, t.Any] = {}
            for key in HOST_KEYS:
                if key not in view:
                    continue
                try:
                    entry[key] = view[key]
                except Exception as exc:  # pylint: disable=broad-except  # AnsibleError, vault errors, ...
                    entry[key] = self._resolve_raw(hostvars, host, key, resolver, exc)
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
