# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""paynet.netinfra.audit: the PCI DSS 10.2 audit trail of our apply modules (docs/audit.md).

A thin wrapper: the decisions, the masking and the file handling are in
plugins/module_utils/netinfra/core/audit.py. It adds no task.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: audit
type: aggregate
short_description: Append one JSON line per device and feature to the audit log for every real change run
description:
  - For every real (not check mode) run of an auditable module (C(paynet.netinfra.bgp_peering),
    C(ipsec_tunnel), C(vrrp), C(snmp), C(hsm_attachment), and any module whose result carries
    C(netinfra_audit.feature)), appends one JSON line to the audit log on the controller - who (local
    user, AWX job id and launcher), when (UTC), playbook, host, feature, module, state, changed, failed,
    rc, intent revision (git commit of the inventory and a dirty flag), the commands and diff (masked),
    the verification result and the rollback.
  - Check-mode runs, skipped tasks and the read-only states C(rendered), C(parsed), C(gathered) write
    nothing. Runs that change nothing write a line with C(changed=false) (evidence that the device was
    checked against its intent by a real run).
  - Secrets never reach a line, even if a result held one - values under secret-looking field names,
    config syntax (C(password), C(secret =), C(createUser), ...) and every secret value found in the
    host's variables (C(vault_*) variables, secret-named fields, vault-encrypted values, also base64)
    are masked.
  - Lines are appended with C(O_APPEND) under an exclusive C(flock); the file is 0600 and a missing
    parent directory is created 0700.
  - Enable it with C(callbacks_enabled = paynet.netinfra.audit) in C(ansible.cfg) or
    C(ANSIBLE_CALLBACKS_ENABLED=paynet.netinfra.audit) (AWX, ansible-runner, molecule).
version_added: 0.6.0
requirements:
  - enabled via callbacks_enabled (ansible.cfg) or ANSIBLE_CALLBACKS_ENABLED
options:
  log:
    description:
      - Path of the audit log (JSON lines). The variable C(netinfra_audit_log) (extra vars, inventory)
        overrides it for a run.
    type: path
    default: ~/.ansible/netinfra/audit.jsonl
    env:
      - name: NETINFRA_AUDIT_LOG
    ini:
      - section: netinfra_audit
        key: log
"""

import getpass
import os
import typing as t

from ansible import context
from ansible.plugins.callback import CallbackBase
from ansible.template import Templar

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import audit
from ansible_collections.paynet.netinfra.plugins.plugin_utils import revision


class CallbackModule(CallbackBase):
    """Write the audit line of each real run of an auditable module."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "paynet.netinfra.audit"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._playbook: str | None = None
        self._play: t.Any = None
        self._vm: t.Any = None
        self._revision: tuple[dict[str, t.Any], str | None] | None = None
        self._user = self._local_user()

    @staticmethod
    def _local_user() -> str:
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return str(os.geteuid())

    def v2_playbook_on_start(self, playbook: t.Any) -> None:
        name = getattr(playbook, "_file_name", None)
        self._playbook = os.path.abspath(name) if name else None

    def v2_playbook_on_play_start(self, play: t.Any) -> None:
        self._play = play
        # Play has no public accessor for its VariableManager (the junit/profile callbacks do not need one)
        self._vm = getattr(play, "_variable_manager", None)

    def _intent_revision(self) -> tuple[dict[str, t.Any], str | None]:
        if self._revision is None:
            sources = list(context.CLIARGS.get("inventory") or [])
            self._revision = revision.intent_revision(sources)
        return self._revision

    def _host_vars(self, host: t.Any, task: t.Any) -> dict[str, t.Any]:
        if self._vm is None or host is None:
            return {}
        try:
            return self._vm.get_vars(play=self._play, host=host, task=task, include_hostvars=False)
        except Exception as exc:  # pylint: disable=broad-except
            self._display.warning("paynet.netinfra.audit: could not read the variables of %s for masking: %s"
                                  % (getattr(host, "name", host), exc))
            return {}

    def _state(self, task: t.Any, data: dict[str, t.Any], host_vars: dict[str, t.Any]) -> str | None:
        """The state the task ran with: its ``state`` argument templated with the host's variables."""
        args = getattr(task, "args", None) or {}
        raw = args.get("state") if isinstance(args, dict) else None
        if isinstance(raw, str) and "{{" in raw and self._vm is not None:
            try:
                templar = Templar(loader=getattr(self._vm, "_loader", None), variables=host_vars)
                value = templar.template(raw)
                if isinstance(value, str):
                    return value
            except Exception:  # pylint: disable=broad-except
                pass
        return audit.module_state(data, args)

    def _audit(self, result: t.Any, status: str) -> None:
        try:
            self._audit_result(result, status)
        except Exception as exc:  # pylint: disable=broad-except  # never break a run; say it loudly
            self._display.error("paynet.netinfra.audit: could not audit a task result: %s" % exc)

    def _audit_result(self, result: t.Any, status: str) -> None:
        task = result._task  # pylint: disable=protected-access
        data = result._result  # pylint: disable=protected-access
        action = getattr(task, "resolved_action", None) or getattr(task, "action", None)
        feature = audit.feature_of(action, data)
        check_mode = bool(getattr(task, "check_mode", False))
        if not audit.should_audit(feature, check_mode, status):
            return
        host = result._host  # pylint: disable=protected-access
        host_vars = self._host_vars(host, task)
        state = self._state(task, data, host_vars)
        if not audit.should_audit(feature, check_mode, status, state):
            return
        extra_vars = getattr(self._vm, "extra_vars", None) or {}
        path = host_vars.get("netinfra_audit_log") or self.get_option("log")
        try:
            secrets = audit.secret_values(host_vars)
            rev, inventory = self._intent_revision()
            line = audit.record(
                host=host.get_name(), action=action, feature=feature, result=data, status=status,
                actor=audit.who(os.environ, extra_vars, user=self._user), playbook=self._playbook,
                play=getattr(self._play, "name", None), task=task.get_name(), revision=rev, inventory=inventory,
                secrets=secrets, state=state)
            audit.append(str(path), [line])
        except Exception as exc:  # pylint: disable=broad-except
            self._display.error("paynet.netinfra.audit: could not write the audit line of %s (%s) to %s: %s"
                                % (host.get_name(), feature, path, exc))

    def v2_runner_on_ok(self, result: t.Any) -> None:
        self._audit(result, "ok")

    def v2_runner_on_failed(self, result: t.Any, ignore_errors: bool = False) -> None:
        self._audit(result, "failed")

    def v2_runner_on_unreachable(self, result: t.Any) -> None:
        self._audit(result, "unreachable")
