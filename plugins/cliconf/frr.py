# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cliconf plugin for FRRouting's vtysh over ansible.netcommon.network_cli."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = """
author: paynet network infrastructure team (@paynet-netinfra)
name: frr
short_description: Cliconf plugin for FRRouting vtysh
description:
  - Lets C(ansible.netcommon.network_cli) talk to FRRouting's C(vtysh), so that
    C(ansible.netcommon.cli_command), C(ansible.netcommon.cli_config) and this collection's modules
    work against FRR routers.
  - C(edit_config) enters C(configure terminal), sends each line, stops at the first line FRR
    refuses and always leaves configuration mode with C(end), also after a failure.
  - Error messages are passed through C(paynet.netinfra) secret masking, so a refused
    C(neighbor ... password ...) line never prints its password.
  - C(get_tcp_counters) reads the router's C(/proc/net/netstat) (the kernel's TCP-MD5 drop counters that
    bgp_peering's fast failure uses) over a second exec channel of the same SSH session; it returns an
    empty string when the login shell is C(vtysh) itself.
  - C(get_confirm_state) and C(clear_confirm_fired) read (and forget, once reported) the router's
    device-side commit-confirm state of a feature (a pending timer of another run, a fired rollback) over
    the same exec channel, so a run that changes nothing still reports them without a new connection; they
    answer C({}) when the channel cannot run the helper (a C(vtysh) login shell, no python3, sudo asking for
    a password).
version_added: 0.1.0
"""

import ast
import json
import re

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible_collections.ansible.netcommon.plugins.module_utils.network.common.config import NetworkConfig, dumps
from ansible_collections.ansible.netcommon.plugins.module_utils.network.common.utils import to_list
from ansible_collections.ansible.netcommon.plugins.plugin_utils.cliconf_base import CliconfBase
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import mask_text
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.rollback_timer import RemoteTimer

VERSION_RE = re.compile(r"FRRouting (\S+) \(([^)]*)\)")
# Lines written at once before waiting for the prompt after the batch's marker comment.
BATCH_SIZE = 100
CONFIG_PROMPT = rb"[\w\-.:/]+\(config[\w\-.:/ ]*\)# ?$"


def _response_text(exc):
    """network_cli raises with the device's bytes, which reach us as their repr: undo that."""
    text = to_text(exc.args[0] if exc.args else exc, errors="surrogate_or_replace")
    if text[:2] in ("b'", 'b"'):
        try:
            text = to_text(ast.literal_eval(text), errors="surrogate_or_replace")
        except (ValueError, SyntaxError):
            pass
    return text


class Cliconf(CliconfBase):
    """vtysh as an Ansible cliconf platform."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._device_info = {}

    # -- information -------------------------------------------------------------------------
    def get_device_info(self):
        if not self._device_info:
            out = to_text(self.get("show version"), errors="surrogate_or_strict")
            match = VERSION_RE.search(out)
            self._device_info = {
                "network_os": "paynet.netinfra.frr",
                "network_os_version": match.group(1) if match else None,
                "network_os_hostname": match.group(2) if match else None,
                "network_os_platform": "frr",
            }
        return self._device_info

    def get_device_operations(self):
        return {
            "supports_diff_replace": False,
            "supports_commit": False,
            "supports_rollback": False,
            "supports_defaults": False,
            "supports_onbox_diff": False,
            "supports_commit_comment": False,
            "supports_multiline_delimiter": False,
            "supports_diff_match": True,
            "supports_diff_ignore_lines": True,
            "supports_generate_diff": True,
            "supports_replace": False,
        }

    def get_option_values(self):
        return {
            "format": ["text"],
            "diff_match": ["line", "strict", "exact", "none"],
            "diff_replace": ["line", "block"],
            "output": ["text", "json"],
        }

    def get_capabilities(self):
        result = super().get_capabilities()
        result["rpc"] += ["get_diff", "run_commands", "save_config", "get_tcp_counters", "get_confirm_state",
                          "clear_confirm_fired"]
        result["device_operations"] = self.get_device_operations()
        result.update(self.get_option_values())
        return json.dumps(result)

    # -- reading ------------------------------------------------------------------------------
    def get_config(self, source="running", flags=None, format=None):
        if source not in ("running", "startup"):
            raise ValueError("fetching configuration from %s is not supported" % source)
        if format not in (None, "text"):
            raise ValueError("'format' value %s is not supported for FRR" % format)
        cmd = "show running-config" if source == "running" else "show startup-config"
        if flags:
            cmd += " " + " ".join(to_list(flags))
        return self.send_command(cmd)

    def get(self, command=None, prompt=None, answer=None, sendonly=False, newline=True,
            output=None, check_all=False):
        if not command:
            raise ValueError("must provide value of command to execute")
        if output and output not in ("text", "json"):
            raise ValueError("'output' value %s is not supported for FRR" % output)
        if output == "json" and not command.rstrip().endswith(" json"):
            command = command.rstrip() + " json"
        return self.send_command(command=command, prompt=prompt, answer=answer, sendonly=sendonly,
                                 newline=newline, check_all=check_all)

    def run_commands(self, commands=None, check_rc=True):
        if commands is None:
            raise ValueError("'commands' value is required")
        responses = []
        for cmd in to_list(commands):
            if not isinstance(cmd, dict):
                cmd = {"command": cmd}
            output = cmd.pop("output", None)
            try:
                out = self.get(output=output, **cmd)
            except AnsibleConnectionFailure as exc:
                if check_rc:
                    raise AnsibleConnectionFailure(mask_text(to_text(exc))) from None
                out = getattr(exc, "err", to_text(exc))
            responses.append(to_text(out, errors="surrogate_or_strict"))
        return responses

    # -- writing ------------------------------------------------------------------------------
    def edit_config(self, candidate=None, commit=True, replace=None, comment=None):
        """Send ``candidate`` lines in one ``configure terminal`` session.

        Lines go in batches: each batch is written at once and closed by a vtysh comment marker,
        and the connection waits for the prompt that follows the marker. A batch therefore costs
        one round trip instead of one per line (network_cli also sleeps after every prompt it
        matches). If FRR refuses a line, the error is raised with FRR's message (secrets masked)
        once its batch has finished, and no later batch is sent. The rest of that batch has
        already been applied, as vtysh does when it reads a file, so callers roll back from the
        router's actual state. ``end`` is always sent, so the persistent connection never stays
        in configuration mode.
        """
        if replace:
            raise ValueError("FRR cliconf does not support replace; use frr-reload.py for that")
        if comment:
            raise ValueError("FRR does not support commit comments")
        lines = [line for line in to_list(candidate) if isinstance(line, dict) or line.strip()]
        if any(isinstance(line, dict) for line in lines):
            return self._edit_config_lines(lines)
        requests, responses = [], []
        self.send_command("configure terminal")
        try:
            for start in range(0, len(lines), BATCH_SIZE):
                batch = [line.strip() for line in lines[start:start + BATCH_SIZE]]
                responses.append(self._send_batch(batch, start // BATCH_SIZE))
                requests.extend(batch)
        finally:
            self.send_command("end")
        return {"request": requests, "response": responses}

    def _send_batch(self, batch, number):
        conn = self._connection
        marker = "! paynet-netinfra batch %d" % number
        end_re = re.compile(re.escape(to_bytes(marker)) + rb"[\r\n]+" + CONFIG_PROMPT)
        stdout_re = getattr(conn, "_terminal_stdout_re", None)
        if stdout_re is None:  # not network_cli as we know it: one line at a time
            return [self.send_command(line) for line in batch]
        for line in batch:
            self.send_command(line, sendonly=True)
        read_timeout = conn.get_option("persistent_buffer_read_timeout")
        conn._terminal_stdout_re = [end_re]
        conn.set_option("persistent_buffer_read_timeout", 0)
        try:
            return self.send_command(marker)
        except AnsibleConnectionFailure as exc:
            out = _response_text(exc).splitlines()
            # Each refusal with the echoed line before it, e.g. "r1(config-router)# neighbor ...".
            refused = ["%s -> %s" % (mask_text(out[i - 1].strip()) if i else "?", line.strip())
                       for i, line in enumerate(out) if line.startswith("%")]
            raise AnsibleConnectionFailure(
                "FRR refused: %s" % ("; ".join(refused) or mask_text("\n".join(out[-5:])))) from None
        finally:
            conn._terminal_stdout_re = stdout_re
            conn.set_option("persistent_buffer_read_timeout", read_timeout)

    def _edit_config_lines(self, lines):
        """Line by line, for candidates that carry prompts/answers (dict lines)."""
        requests, responses = [], []
        self.send_command("configure terminal")
        try:
            for line in lines:
                if not isinstance(line, dict):
                    line = {"command": line}
                try:
                    responses.append(self.send_command(**line))
                except AnsibleConnectionFailure as exc:
                    raise AnsibleConnectionFailure(
                        "FRR refused %r: %s" % (mask_text(line["command"]), mask_text(to_text(exc)))
                    ) from None
                requests.append(line["command"])
        finally:
            self.send_command("end")
        return {"request": requests, "response": responses}

    def save_config(self):
        """Write the running configuration to the integrated frr.conf."""
        return self.send_command("write memory")

    def get_tcp_counters(self):
        """The router's kernel TCP counters (``/proc/net/netstat``: TcpExt holds the TCP-MD5 drop
        counters that tell a wrong BGP password), read over a second channel of the same SSH session
        (vtysh cannot show them). Works when the login account's shell is a POSIX shell; returns an
        empty string when it is not (vtysh answers the command with an error) or the read fails."""
        ssh = getattr(self._connection, "ssh_type_conn", None)
        if ssh is None:
            return ""
        try:
            rc, out, dummy = ssh.exec_command("cat /proc/net/netstat", sudoable=False)
        except Exception:  # pylint: disable=broad-except
            return ""
        return to_text(out, errors="surrogate_or_replace") if rc == 0 else ""

    def get_confirm_state(self, feature):
        """The router's commit-confirm state of ``feature`` (devices/rollback_timer.py ``status``:
        ``{"pending": ..., "fired": ...}``), read over a second channel of the same SSH session as root (the
        login account itself, or ``sudo -n``); ``{}`` when that channel cannot run the helper."""
        return self._confirm_helper("status", feature)

    def clear_confirm_fired(self, feature):
        """Forget the record of a fired rollback of ``feature`` (once it was reported); ``{}`` when the
        channel cannot run the helper."""
        return self._confirm_helper("clear-fired", feature)

    def _confirm_helper(self, command, feature):
        ssh = getattr(self._connection, "ssh_type_conn", None)
        if ssh is None:
            return {}

        def run(argv):
            # RemoteTimer's command without an ssh prefix: one shell line; root runs it, anyone else through sudo -n
            line = '[ "$(id -u)" -eq 0 ] || set -- sudo -n; exec "$@" ' + argv[-1]
            rc, out, err = ssh.exec_command(line, sudoable=False)
            return rc, to_text(out, errors="surrogate_or_replace"), to_text(err, errors="surrogate_or_replace")

        timer = RemoteTimer([], become=[], runner=run)
        try:
            return timer.status(feature) if command == "status" else timer.clear_fired(feature)
        except Exception:  # pylint: disable=broad-except  # TimerError, or not a POSIX shell, no python3, ...
            return {}

    def get_diff(self, candidate=None, running=None, diff_match="line", diff_ignore_lines=None,
                 path=None, diff_replace="line"):
        """Line diff in FRR's one-space-indented hierarchy (for ansible.netcommon.cli_config)."""
        if candidate is None:
            raise ValueError("candidate configuration is required to generate diff")
        candidate_obj = NetworkConfig(indent=1)
        candidate_obj.load(candidate)
        if running and diff_match != "none":
            running_obj = NetworkConfig(indent=1, contents=running, ignore_lines=diff_ignore_lines)
            configdiffobjs = candidate_obj.difference(running_obj, path=path, match=diff_match,
                                                      replace=diff_replace)
        else:
            configdiffobjs = candidate_obj.items
        return {"config_diff": dumps(configdiffobjs, "commands") if configdiffobjs else ""}
