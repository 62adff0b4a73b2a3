# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""FRR through vtysh: the adapter over an ansible.netcommon Connection to the paynet.netinfra.frr
cliconf, and the framing of FRR's ``show running-config`` that every FRR feature's dialect shares.

Unit tests and benchmarks replace :class:`VtyshDevice` with anything that has the same four
methods. No Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ..core.clitree import Dialect

SKIP_LINES = ("!", "end", "exit", "exit-address-family", "exit-vrf", "exit-vni", "quit")
SKIP_PREFIXES = ("Building configuration", "Current configuration", "frr version", "frr defaults")


def frr_dialect(*rules):
    """FRR's running-config framing with the given features' :class:`~..core.clitree.Rules`."""
    return Dialect(SKIP_LINES, SKIP_PREFIXES, rules)


class VtyshDevice:
    """Adapter over an ansible.netcommon Connection to a paynet.netinfra.frr cliconf."""

    def __init__(self, connection):
        self._conn = connection

    def running_config(self):
        return self._conn.get_config()

    def edit(self, lines):
        return self._conn.edit_config(candidate=[line.strip() for line in lines])

    def show(self, command):
        return self._conn.get(command=command)

    def save(self):
        return self._conn.save_config()

    def tcp_counters(self):
        """The router's ``/proc/net/netstat`` text, "" when the login shell cannot show it (optional:
        the BGP backend's fast failure reads the kernel's TCP-MD5 counters with it)."""
        return self._conn.get_tcp_counters()

    def confirm_state(self, feature):
        """The router's commit-confirm state of ``feature`` read over the session's exec channel (``{}``
        when the login shell cannot run the helper)."""
        return self._conn.get_confirm_state(feature)

    def clear_confirm_fired(self, feature):
        return self._conn.clear_confirm_fired(feature)


class SessionTimers:
    """The commit-confirm timers of a router reached over network_cli: the state is read over the session
    the module already has (so a run that changes nothing also finds another run's pending timer, or a
    rollback that fired since the last run: the transaction reads it before gathering, as for a timer on a
    Linux host), while arming and confirming go through ``remote`` (rollback_timer.RemoteTimer over plain
    ssh: the confirm must come over a new connection). ``remote`` None: read-only (check mode, or
    commit-confirm off). A router whose login shell cannot run the helper answers ``{}``: nothing known,
    nothing reported."""

    local = True
    deferred = False

    def __init__(self, device, remote=None):
        self.device = device
        self.remote = remote

    def status(self, feature):
        state = self.device.confirm_state(feature) or {}
        return {"pending": state.get("pending"), "fired": state.get("fired")}

    def clear_fired(self, feature):
        return self.device.clear_confirm_fired(feature)

    def _remote(self):
        if self.remote is None:
            raise RuntimeError("commit-confirm is off for this run (no ssh timer)")
        return self.remote

    def arm(self, feature, recipe, timeout, what=""):
        return self._remote().arm(feature, recipe, timeout, what)

    def confirm(self, feature, token):
        return self._remote().confirm(feature, token)

    def disarm(self, feature, token):
        return self._remote().disarm(feature, token)
