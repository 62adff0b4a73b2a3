# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A daemon's lifecycle on a Linux host (keepalived, snmpd, snmptrapd ...): is it running, start,
stop and wait until it is gone, reload, send it a signal.

On a host that systemd runs, the unit is driven with ``systemctl``; anywhere else (a minimal
whitebox image, the namespace lab) the daemon is started directly with its own argv and found again
through its pidfile. A pid is only trusted when ``/proc/PID/comm`` names the daemon, so a stale
pidfile whose PID was reused never gets a signal meant for the daemon.

No Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os
import signal as signals
import time

from ..core.transaction import wait_until
from .linux import HostError


def systemd_runs_host(root="/"):
    """True when systemd is the host's init (the test ``sd_booted()`` uses)."""
    return os.path.isdir(os.path.join(root, "run/systemd/system"))


class Daemon:
    """``host``: a :class:`~.linux.LinuxHost`; ``comm``: the process name as /proc/PID/comm shows it
    (at most 15 characters); ``argv``: how to start it without systemd (it must daemonize or the
    caller must pass a backgrounding argv); ``pidfile``: where it writes its pid; ``unit``: the
    systemd unit."""

    def __init__(self, host, comm, argv, pidfile, unit=None, use_systemd=None, timeout=30.0, logfile=None):
        self.host = host
        self.logfile = logfile
        self.comm = comm[:15]
        self.argv = list(argv)
        self.pidfile = pidfile
        self.unit = unit or comm
        self.use_systemd = systemd_runs_host() if use_systemd is None else use_systemd
        self.timeout = timeout

    # -- state ---------------------------------------------------------------------------------
    def pid(self):
        """The daemon's pid, or None: from the pidfile, and only if that process is the daemon."""
        try:
            with open(self.pidfile, "r", encoding="ascii") as fh:
                pid = int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        if pid <= 1:
            return None
        try:
            with open("/proc/%d/comm" % pid, "r", encoding="utf-8") as fh:
                comm = fh.read().strip()
            with open("/proc/%d/stat" % pid, "r", encoding="utf-8") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return None
        if comm != self.comm or state == "Z":
            return None
        return pid

    def running(self):
        return self.pid() is not None

    # -- changes -------------------------------------------------------------------------------
    def start(self):
        """Start the daemon (no-op when it runs); :class:`HostError` if it is not up in time."""
        if self.running():
            return False
        mark = self._log_size()
        try:
            if self.use_systemd:
                self.host.check(["systemctl", "start", self.unit])
            else:
                self.host.check(self.argv)
        except HostError as exc:
            raise HostError("%s%s" % (exc, self.log_since(mark))) from exc
        if not wait_until(self.running, bool, self.timeout, interval=0.05):
            raise HostError("%s did not start within %ss (no live pid in %s)%s" % (
                self.comm, self.timeout, self.pidfile, self.log_since(mark)))
        return True

    def _log_size(self):
        """Where the log ends now: (size, its last bytes), to tell later an appended log from a rewritten
        one (snmpd truncates its -Lf file when it starts)."""
        try:
            with open(self.logfile, "rb") as fh:
                size = os.path.getsize(self.logfile)
                fh.seek(max(0, size - 64))
                return size, fh.read()
        except (OSError, TypeError):
            return 0, b""

    def log_since(self, mark, lines=3, limit=4096):
        """What the daemon logged since ``mark`` (``_log_size()`` before it started; a rewritten log is
        read whole), its last ``lines`` lines, as "; its log says: ..." ("" without a log or nothing new):
        why it refused to start."""
        if not self.logfile:
            return ""
        size_before, end_before = mark if isinstance(mark, tuple) else (mark, None)
        try:
            with open(self.logfile, "rb") as fh:
                size = os.path.getsize(self.logfile)
                start = size_before if size >= size_before else 0
                if start and end_before is not None:
                    fh.seek(max(0, start - len(end_before)))
                    if fh.read(len(end_before)) != end_before:
                        start = 0  # rewritten since: all of it is new
                fh.seek(max(start, size - limit))
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return ""
        tail = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
        return "; its log says: %s" % " | ".join(tail) if tail else ""

    def stop(self):
        """Stop the daemon and wait until its process is gone (so files it rewrites on exit are
        written); no-op when it does not run."""
        pid = self.pid()
        if pid is None:
            return False
        if self.use_systemd:
            self.host.check(["systemctl", "stop", self.unit])
        else:
            self.signal(signals.SIGTERM, pid)

        def gone():
            return not os.path.exists("/proc/%d" % pid) or self.pid() != pid

        if not wait_until(gone, bool, self.timeout, interval=0.05):
            raise HostError("%s (pid %d) did not stop within %ss" % (self.comm, pid, self.timeout))
        return True

    def restart(self):
        self.stop()
        return self.start()

    def reload(self, sig=signals.SIGHUP):
        """Ask the running daemon to re-read its configuration (``sig``, SIGHUP by default), or start
        it when it does not run. Returns the pid that was signalled (or started)."""
        if not self.running():
            self.start()
            return self.pid()
        if self.use_systemd and sig == signals.SIGHUP:
            self.host.check(["systemctl", "reload", self.unit])
            return self.pid()
        return self.signal(sig)

    def signal(self, sig, pid=None):
        """Send ``sig`` to the daemon (its verified pid); HostError when it does not run."""
        pid = pid or self.pid()
        if pid is None:
            raise HostError("%s is not running (no live pid in %s)" % (self.comm, self.pidfile))
        try:
            os.kill(pid, sig)
        except OSError as exc:
            raise HostError("signal %s to %s (pid %d) failed: %s" % (sig, self.comm, pid, exc))
        return pid


def wait_for_file(path, newer_than, timeout=10.0):
    """Wait until ``path`` exists with a modification time after ``newer_than`` (e.g. a state dump a
    daemon writes on a signal); True when it did."""

    def fresh():
        try:
            return os.stat(path).st_mtime >= newer_than
        except OSError:
            return False

    return bool(wait_until(fresh, bool, timeout, interval=0.05))


def now():
    return time.time()
