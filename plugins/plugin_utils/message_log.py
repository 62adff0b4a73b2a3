# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guard against ansible-core's persistent connection message log, which no plugin can mask.

With ``persistent_log_messages`` on (``ANSIBLE_PERSISTENT_LOG_MESSAGES``, ``[persistent_connection]
log_messages``), ansible-connection (ansible-core) writes every JSON-RPC request and every device
response to the Ansible log as they are, before and after our cliconf masks anything: the BGP
``neighbor X password S`` lines of a change and of the running-config it reads included. The
collection masks everything it prints, returns and stores (docs/audit.md), but not that log. So the
network actions refuse to run with it in production and warn elsewhere, before any device is touched.
"""

from __future__ import annotations

import typing as t

OPTION = "persistent_log_messages"


def logs_messages(connection: t.Any) -> bool:
    """Whether ``connection`` (a network_cli/httpapi connection) logs raw device messages."""
    getter = getattr(connection, "get_option", None)
    if getter is None:
        return False
    try:
        return bool(getter(OPTION))
    except Exception:  # pylint: disable=broad-except  # the connection has no such option
        return False


def check(connection: t.Any, environment: t.Any, host: str) -> tuple[str | None, str | None]:
    """(error, warning) for a run over ``connection`` in ``environment`` (netinfra_policy.environment)."""
    if not logs_messages(connection):
        return None, None
    what = ("%s: persistent_log_messages is on: ansible-connection (ansible-core) writes every command sent "
            "to the device and every response to the Ansible log unmasked, BGP passwords included"
            % host)
    fix = ("Fix: turn it off (unset ANSIBLE_PERSISTENT_LOG_MESSAGES, or log_messages = False under "
           "[persistent_connection] in ansible.cfg); it is a lab debugging aid (docs/audit.md).")
    if str(environment or "").lower() == "production":
        return "%s, refused in production before touching the device. %s" % (what, fix), None
    return None, "%s. %s" % (what, fix)
