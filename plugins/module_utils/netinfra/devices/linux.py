# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Linux host as the modules running on it see it: commands (argv -> (rc, stdout, stderr), e.g.
AnsibleModule.run_command), files (read byte-exact, written atomically, deleted), and ``ip``'s JSON.

Feature backends subclass :class:`LinuxHost` for what is theirs (strongSwan adds VICI and the XFRM
capability). No Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import glob
import json
import os

from .rollback_timer import write_atomic


class HostError(Exception):
    """A command on the host failed (the message names it and says what it answered)."""


class LinuxHost:
    """``run``: argv -> (rc, stdout, stderr)."""

    proc = "/proc"  # where /proc is (tests point it at a scratch tree)

    def __init__(self, run):
        self._run = run

    def run(self, argv):
        return self._run(argv)

    def check(self, argv):
        """Run ``argv``; its stdout, or :class:`HostError` naming the command and its answer."""
        rc, out, err = self.run(argv)
        if rc != 0:
            raise HostError("'%s' failed: %s" % (" ".join(argv), (err or out).strip()))
        return out

    # -- files --------------------------------------------------------------------------------------
    @staticmethod
    def read_files(root, patterns):
        """{path: text} of the regular files under ``root`` matching the glob ``patterns``, read with
        no newline translation (a CRLF file is seen, and restored, as it is)."""
        files = {}
        for pattern in patterns:
            for path in sorted(glob.glob(os.path.join(root, pattern))):
                if os.path.isfile(path):
                    with open(path, "r", encoding="utf-8", newline="") as fh:
                        files[path] = fh.read()
        return files

    def write(self, path, content, mode):
        """Write ``content`` to ``path`` atomically: a temporary file created with ``mode`` (never
        more open than that, whatever the old file's mode), fsync'd, then renamed over ``path``.
        Creates the directory (0755) when missing."""
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        write_atomic(path, content, mode)

    def delete(self, path):
        if os.path.exists(path):
            os.unlink(path)

    # -- sysctls: net.ipv4.conf.<iface>.<name> ----------------------------------------------------
    def sysctl_path(self, iface, name):
        return os.path.join(self.proc, "sys/net/ipv4/conf", iface, name)

    def read_sysctl(self, iface, name):
        """The value of net.ipv4.conf.<iface>.<name>, or None when the interface has none."""
        try:
            with open(self.sysctl_path(iface, name), "r", encoding="ascii") as fh:
                return fh.read().strip()
        except OSError:
            return None

    def write_sysctl(self, iface, name, value):
        with open(self.sysctl_path(iface, name), "w", encoding="ascii") as fh:
            fh.write(value)

    # -- ip -----------------------------------------------------------------------------------------
    def ip_json(self, *args):
        """stdout of ``ip -d -j <args>`` (e.g. ``addr``, ``show``); HostError when it fails."""
        return self.check(["ip", "-d", "-j"] + list(args))

    def route_interface(self, address):
        """The interface the route to ``address`` leaves by, or None."""
        rc, out, _err = self.run(["ip", "-j", "route", "get", address])
        if rc != 0:
            return None
        try:
            routes = json.loads(out)
        except ValueError:
            return None
        return routes[0].get("dev") if routes else None
