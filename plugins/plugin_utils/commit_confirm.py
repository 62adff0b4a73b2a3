# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of the device-side commit-confirm (issue 14), shared by the change action plugins.

* :func:`check` refuses a ``confirm_timeout`` that does not outlast the verification (before any device
  is touched).
* :func:`confirm_deferred`: a module that runs on the device (ssh + become) armed the timer itself and
  returns ``confirm.armed``; the confirm then comes from here, over a NEW command on the host's
  connection after the change, which proves that the management path survived it.
* :func:`ssh_timer`: a network_cli device (FRR) gets a ``RemoteTimer`` over plain ssh built from the
  same host variables (ansible_host, ansible_user, ansible_port, ansible_ssh_private_key_file,
  ansible_ssh_common_args), used only when there is a change.
"""

from __future__ import annotations

import shlex
import typing as t

from ansible import constants as C
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.confirm import DEFAULT_TIMEOUT, check_timeout
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.rollback_timer import RemoteTimer


def check(action: t.Any, task_vars: dict[str, t.Any], verify_timeout_key: str | None = None,
          verify_default: int = 0) -> dict[str, t.Any] | None:
    """A failed result when the task's confirm_timeout (default DEFAULT_TIMEOUT) is too short for its
    verify timeout (``verify_timeout_key``, default ``verify_default``; 0 with ``verify: none``), else None."""
    args = action._task.args
    try:
        timeout = int(args.get("confirm_timeout") if args.get("confirm_timeout") not in (None, "") else DEFAULT_TIMEOUT)
        verify = 0
        if verify_timeout_key and str(args.get("verify", "")).lower() not in ("none", "false", "no"):
            value = args.get(verify_timeout_key)
            verify = int(value if value not in (None, "") else verify_default)
    except (TypeError, ValueError):
        return None  # the module's argspec says what is wrong with a non-integer
    finding = check_timeout(task_vars.get("inventory_hostname"), timeout, verify)
    if finding:
        return {"failed": True, "changed": False, "msg": "invalid options, no device was touched: %s" % finding}
    return None


def confirm_deferred(action: t.Any, result: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
    """Confirm the timer the module armed on the device, over a new command after the change."""
    state = result.get("confirm") or {}
    if result.get("failed") or result.get("unreachable") or not state.get("armed") or state.get("confirmed") \
            or not state.get("deferred"):
        return result
    python = (result.get("ansible_facts") or {}).get("discovered_interpreter_python") or \
        action._templar.template(task_vars.get("ansible_python_interpreter") or "") or "/usr/bin/python3"
    argv = RemoteTimer([], become=[], python=python).command("confirm", state["feature"], state["id"])
    try:
        out = action._low_level_execute_command(argv[0], sudoable=True)
        rc, stdout, stderr = out.get("rc"), out.get("stdout", ""), out.get("stderr", "")
    except Exception as exc:  # pylint: disable=broad-except
        rc, stdout, stderr = 255, "", "%s" % exc
    answer = (stdout or "").strip().splitlines()[-1:] or [""]
    if rc == 0 and '"confirmed": true' in answer[0]:
        state.update(armed=False, confirmed=True)
        return result
    why = " ".join((answer[0] or stderr or "rc %s" % rc).split())[:600]
    state["confirm_error"] = why
    return dict(result, failed=True,
                msg="the change is applied and verified on the device, but the controller could not confirm it over "
                    "a new connection (%s). The device restores the configuration from before the change by itself "
                    "at %s unless confirmed; the next run reports it." % (why, state.get("fires_at")))


def ssh_timer(action: t.Any, task_vars: dict[str, t.Any]) -> list[str]:
    """The ssh argv (up to the destination) that reaches a shell on the host, from its variables."""
    def var(*names: str) -> t.Any:
        for name in names:
            if task_vars.get(name) not in (None, ""):
                return action._templar.template(task_vars[name])
        return None

    host = var("ansible_host") or task_vars.get("inventory_hostname")
    argv = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15", "-o", "ServerAliveInterval=5",
            "-o", "ServerAliveCountMax=3"]
    if not C.HOST_KEY_CHECKING:
        argv += ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"]
    port = var("ansible_port", "ansible_ssh_port")
    if port:
        argv += ["-p", str(port)]
    key = var("ansible_ssh_private_key_file", "ansible_private_key_file")
    if key:
        argv += ["-i", str(key)]
    user = var("ansible_user", "ansible_ssh_user")
    if user:
        argv += ["-l", str(user)]
    for extra in (var("ansible_ssh_common_args"), var("ansible_ssh_extra_args")):
        if extra:
            argv += shlex.split(str(extra))
    return argv + [str(host)]


def check_params(params: dict[str, t.Any], host: str | None) -> dict[str, t.Any] | None:
    """As :func:`check`, on a module's checked parameters (``confirm_timeout``, ``verify``, ``verify_timeout``)."""
    verify = params.get("verify_timeout") or 0
    if params.get("verify") in (False, "none"):
        verify = 0
    finding = check_timeout(host, params.get("confirm_timeout") or 0, verify)
    if finding:
        return {"failed": True, "changed": False, "msg": "invalid options, no device was touched: %s" % finding}
    return None
