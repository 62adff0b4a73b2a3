# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Terminal plugin for FRRouting's vtysh over ansible.netcommon.network_cli."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = """
author: paynet network infrastructure team (@paynet-netinfra)
name: frr
short_description: Terminal plugin for FRRouting vtysh
description:
  - Prompt and error detection for FRRouting's C(vtysh) shell, used by
    C(ansible.netcommon.network_cli) when C(ansible_network_os=paynet.netinfra.frr).
  - Accepts a login shell that is C(vtysh) itself (prompt C(r1#)) or a POSIX shell (prompt ending
    in C($) or C(#) after a path), in which case it runs C(exec vtysh) first.
  - Every FRR error line (they all start with C(%), for example C(% Unknown command),
    C(% Command incomplete), C(% Specify remote-as or peer-group commands first)) fails the command
    with FRR's own message, as does C(<daemon> is not running).
version_added: 0.1.0
"""

import re

from ansible.errors import AnsibleConnectionFailure
from ansible_collections.ansible.netcommon.plugins.plugin_utils.terminal_base import TerminalBase

# vtysh prompts: "r1# ", "r1(config)# ", "r1(config-router-af)# ", "r1(config-route-map)# ".
VTYSH_PROMPT = rb"[\r\n]?[\w\-.:/]+(?:\([\w\-.:/ ]+\))?# ?$"
# A POSIX shell prompt (admin@r1:~$ , root@r1:/# ) before `exec vtysh`.
SHELL_PROMPT = rb"[\r\n]?[\w\-.@]+:[^\r\n]*[$#] ?$"


class TerminalModule(TerminalBase):
    """vtysh terminal: prompts, errors, and the login sequence."""

    terminal_stdout_re = [re.compile(VTYSH_PROMPT), re.compile(SHELL_PROMPT)]

    terminal_stderr_re = [
        re.compile(rb"^% .*$", re.M),
        re.compile(rb"^%\S.*$", re.M),
        re.compile(rb"\S+ is not running", re.M),
        re.compile(rb"Exiting: failed to connect to any daemons", re.M),
        re.compile(rb"^vtysh: .*(?:not found|No such file)", re.M),
    ]

    terminal_config_prompt = re.compile(rb"\(config[^)]*\)# ?$")

    def on_open_shell(self):
        prompt = (self._get_prompt() or b"").strip()
        # A vtysh hostname never holds "@"; a shell prompt does (admin@r1:~$) or ends in "$".
        if b"@" in prompt or prompt.endswith(b"$"):
            # Logged in to a POSIX shell: replace it with vtysh so the session is pure vtysh.
            self._exec_cli_command(b"exec vtysh")
        try:
            self._exec_cli_command(b"terminal length 0")
        except AnsibleConnectionFailure as exc:
            raise AnsibleConnectionFailure("unable to set terminal parameters: %s" % exc) from exc
