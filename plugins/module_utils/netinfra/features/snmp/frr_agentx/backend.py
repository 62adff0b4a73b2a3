# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""FRR as an AgentX subagent of snmpd: BGP4-MIB (bgpPeerTable) served through snmpd.

Three things must hold (LAB-NOTES.md): the ``agentx`` line in FRR's running (and saved) config, and
bgpd **and** zebra started with ``-M snmp`` (``bgpd_options``/``zebra_options`` in /etc/frr/daemons).
Loading a module needs the daemons restarted, which re-establishes every BGP session: this is never
done implicitly. The plan says ``restart_needed``; the run does it only with ``frr_restart: true``,
after snmpd (the AgentX master) is up, and waits until FRR is back with the module loaded.

Plain Python; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os
import re

from ....core.transaction import wait_until
from ....devices.service import systemd_runs_host

DAEMONS_FILE = "/etc/frr/daemons"
SNMP_DAEMONS = ("zebra", "bgpd")
MODULE_ARG = "-M snmp"
FRRINIT = "/usr/lib/frr/frrinit.sh"


def daemons_text(text):
    """/etc/frr/daemons with ``-M snmp`` in the options of zebra and bgpd."""
    out = text
    for daemon in SNMP_DAEMONS:
        pattern = re.compile(r'^(%s_options=")([^"\n]*)(")' % daemon, re.M)
        match = pattern.search(out)
        if match is None:
            out = out.rstrip("\n") + '\n%s_options="  -A 127.0.0.1 %s"\n' % (daemon, MODULE_ARG)
            continue
        if re.search(r"(^|\s)-M\s+snmp(\s|$)", match.group(2)):
            continue
        out = out[:match.start()] + match.group(1) + match.group(2).rstrip() + " " + MODULE_ARG + match.group(3) + out[match.end():]
    return out


def _pid(daemon, rundir="/run/frr"):
    try:
        with open(os.path.join(rundir, "%s.pid" % daemon), "r", encoding="ascii") as fh:
            pid = int(fh.read().split()[0])
        with open("/proc/%d/cmdline" % pid, "rb") as fh:
            argv = fh.read().split(b"\0")
        with open("/proc/%d/comm" % pid, "r", encoding="ascii") as fh:
            comm = fh.read().strip()
    except (OSError, ValueError, IndexError):
        return None, []
    if comm != daemon:
        return None, []
    return pid, [a.decode("utf-8", "replace") for a in argv if a]


def module_loaded(daemon):
    """True / False for a running daemon (``-M snmp`` on its command line), None when it does not run."""
    pid, argv = _pid(daemon)
    if pid is None:
        return None
    for index, arg in enumerate(argv):
        if arg == "-M" and index + 1 < len(argv) and argv[index + 1].split(":")[0] == "snmp":
            return True
        if arg in ("-Msnmp", "--module=snmp") or arg.startswith("--module=snmp"):
            return True
    return False


class FrrAgentx:
    """The FRR side on one device. ``host``: a LinuxHost (commands, files)."""

    def __init__(self, host, timeout=60):
        self.host = host
        self.timeout = timeout

    def gather(self):
        try:
            with open(DAEMONS_FILE, "r", encoding="utf-8") as fh:
                daemons = fh.read()
        except OSError:
            daemons = None
        loaded = {d: module_loaded(d) for d in SNMP_DAEMONS}
        rc, out, _err = self.host.run(["vtysh", "-c", "show running-config"])
        running = out if rc == 0 else ""
        return {"daemons": daemons, "loaded": loaded,
                "agentx_line": bool(re.search(r"^agentx\s*$", running, re.M)), "vtysh": rc == 0}

    @staticmethod
    def plan(current):
        """(commands, diff lines before, after, restart needed, daemons text to write or None)."""
        if current["daemons"] is None:
            raise ValueError("FRR is not installed here (%s is missing): config.agentx needs FRR" % DAEMONS_FILE)
        wanted = daemons_text(current["daemons"])
        restart = any(v is not True for v in current["loaded"].values())
        commands, before, after = [], [], []
        for daemon in SNMP_DAEMONS:
            loaded = current["loaded"][daemon]
            before.append("%s: snmp module %s" % (daemon, {True: "loaded", False: "not loaded", None: "not running"}[loaded]))
            after.append("%s: snmp module loaded" % daemon)
        if wanted != current["daemons"]:
            commands.append("write %s (zebra_options, bgpd_options: %s)" % (DAEMONS_FILE, MODULE_ARG))
        if restart:
            commands.append("restart FRR (bgpd and zebra load the snmp module; BGP sessions re-establish)")
        if not current["agentx_line"]:
            commands += ["vtysh: agentx", "vtysh: write memory"]
        before.append("frr.conf: %s" % ("agentx" if current["agentx_line"] else "no agentx line"))
        after.append("frr.conf: agentx")
        return commands, before, after, restart, (wanted if wanted != current["daemons"] else None)

    def write_daemons(self, text):
        self.host.write(DAEMONS_FILE, text, 0o640)
        _chown(DAEMONS_FILE, "frr", "frr")

    def restart(self):
        if systemd_runs_host():
            self.host.check(["systemctl", "restart", "frr"])
        else:
            self.host.check([FRRINIT, "restart"])
        ok = wait_until(lambda: all(module_loaded(d) for d in SNMP_DAEMONS) and self._ready(), bool, self.timeout, interval=0.5)
        if not ok:
            raise RuntimeError("FRR did not come back with the snmp module loaded in bgpd and zebra within %ss" % self.timeout)

    def _ready(self):
        rc, out, _err = self.host.run(["vtysh", "-c", "show watchfrr"])
        if rc != 0:
            return False
        states = re.findall(r"^\s+(\w+)\s+(Up|Down|Restarting|Startup)", out, re.M)
        return bool(states) and all(state == "Up" for _d, state in states)

    def add_agentx_line(self):
        self.host.check(["vtysh", "-c", "configure terminal", "-c", "agentx", "-c", "end", "-c", "write memory"])


def _chown(path, user, group):
    try:
        import grp
        import pwd
        os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
    except (KeyError, OSError, ImportError):
        pass
