# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device-side commit-confirm (issue 14): the device restores itself unless the run confirms in time.

``arm(feature, recipe, timeout)`` snapshots what the recipe names into a root-owned state directory
(``<root>/<feature>/armed.json``, mode 0600, the directory 0700) and starts a timer process that is
fully detached (double fork, ``setsid``, fds 0-2 on /dev/null, every other fd closed): neither the
ssh session that started it, nor Ansible waiting for output, nor a SIGKILL of the controller or a
cut management link ends it. No systemd. After ``timeout`` seconds, unless ``confirm`` took the
token first, the timer restores the snapshot and writes ``fired.json`` (when, what, the result of
each step). ``confirm`` and the timer serialise on an ``flock`` of ``<feature>/lock``, so exactly
one of them wins: a confirm that comes too late says the device already rolled back.

Recipe steps (a list of dicts, applied in order at arm time to take the snapshot and in the same
order at fire time to restore):

``{"kind": "files", "paths": [path or glob, ...]}``
    Files restored byte-exact with their mode; files matching a glob that did not exist at arm time
    are removed (the change created them).
``{"kind": "nft_table", "family": "inet", "table": NAME}``
    ``nft list table`` at arm; restore is one atomic ``nft -f`` (create, delete, re-create or only
    delete when the table did not exist).
``{"kind": "frr"}``
    FRR's running configuration (``vtysh -c 'show running-config'``); restore with
    ``frr-reload.py --reload`` (only the difference, no session flap; it also saves), or, without
    frr-reload, ``vtysh -f`` followed by ``write memory``.
``{"kind": "command", "argv": [...]}``
    Run at restore only (``swanctl --load-all``).
``{"kind": "daemon", "action": "reload"|"stop"|"start", "comm": C, "pidfile": P, "argv": [...]}``
    Whether the daemon ran is recorded at arm. At restore ``stop`` stops it (SIGTERM, waits), ``start``
    starts it with ``argv`` if it ran before (and stops it if it did not), ``reload`` sends SIGHUP if it
    ran before and runs (starts it if it ran but does not, stops it if it did not run before). A pid is
    trusted only when ``/proc/PID/comm`` is ``comm``.

Also usable as a script: ``python3 - <command> <args>`` with this file on stdin (the controller
arms and confirms a network_cli device over ssh this way). Standard library only, no Ansible import,
Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import base64
import fcntl
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

STATE_ROOT = "/var/lib/paynet-netinfra/confirm"
ARMED = "armed.json"
FIRED = "fired.json"
LOCK = "lock"
FRR_RELOAD = ("/usr/lib/frr/frr-reload.py", "/usr/sbin/frr-reload.py", "/usr/lib/frr/frr-reload")
#: marker in the timer's environment (shown by ``/proc/PID/environ``; ``cmdline`` is checked too)
TIMER_ENV = "PAYNET_NETINFRA_ROLLBACK_TIMER"


class TimerError(Exception):
    """Arming, confirming or reading the state failed; the message says why."""


def _now():
    return time.time()


def _iso(stamp):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def _run(argv, data=None):
    try:
        # the detached timer and the script run outside any module: no run_command there
        proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # pylint: disable=ansible-bad-function
                              universal_newlines=True, check=False, env=dict(os.environ, LC_ALL="C"))
    except OSError as exc:
        return 127, "", str(exc)
    return proc.returncode, proc.stdout, proc.stderr


def write_atomic(path, text, mode=0o600):
    """Write ``text`` to ``path`` atomically: a temporary file created with ``mode``, fsync'd, renamed over
    ``path`` (also LinuxHost.write's writer: this file stays standard-library only for the ssh script)."""
    tmp = "%s.tmp%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)


def _read_json(path):
    try:
        with open(path, "r", encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise TimerError("%s is not readable JSON (%s): remove it once the device was checked" % (path, exc))


def proc_identity(pid, proc="/proc"):
    """(start time in clock ticks, cmdline) of a running process, or None (gone or a zombie)."""
    try:
        with open("%s/%d/stat" % (proc, pid), "r", encoding="utf-8") as fh:
            stat = fh.read()
        with open("%s/%d/cmdline" % (proc, pid), "rb") as fh:
            cmdline = fh.read().decode("utf-8", "replace")
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    if not cmdline or fields[0] == "Z":
        return None
    return fields[19], cmdline


# -- snapshot and restore ---------------------------------------------------------------------------
def snapshot(recipe, runner=_run):
    """The recipe with what each step restores filled in (read now, before the change)."""
    out = []
    for step in recipe:
        step = dict(step)
        kind = step.get("kind")
        if kind == "files":
            files = {}
            for pattern in step["paths"]:
                for path in sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]:
                    if os.path.isfile(path):
                        st = os.stat(path)
                        with open(path, "rb") as fh:
                            files[path] = {"data": base64.b64encode(fh.read()).decode("ascii"),
                                           "mode": st.st_mode & 0o7777, "uid": st.st_uid, "gid": st.st_gid}
            step["saved"] = files
        elif kind == "nft_table":
            rc, out_text, err = runner(["nft", "list", "table", step.get("family", "inet"), step["table"]])
            if rc != 0 and "No such file" not in err and "does not exist" not in err:
                raise TimerError("'nft list table %s %s' failed: %s" % (step.get("family", "inet"), step["table"],
                                                                        err.strip()))
            step["saved"] = out_text if rc == 0 else ""
        elif kind == "frr":
            rc, out_text, err = runner(["vtysh", "-c", "show running-config"])
            if rc != 0:
                raise TimerError("'vtysh -c show running-config' failed: %s" % (err or out_text).strip())
            step["saved"] = out_text
        elif kind == "daemon":
            step["was_running"] = _daemon_pid(step) is not None
        elif kind != "command":
            raise TimerError("unknown recipe step %r" % kind)
        out.append(step)
    return out


def _frr_text(running):
    """A loadable config from ``show running-config`` (its header lines dropped)."""
    lines = [line for line in running.splitlines()
             if not line.startswith(("Building configuration", "Current configuration"))]
    return "\n".join(lines).strip("\n") + "\n"


def restore(steps, runner=_run, reload_paths=FRR_RELOAD):
    """Put every snapshot back; a list of {what, ok, detail} (never raises: each step is tried)."""
    report = []
    for step in steps:
        kind = step.get("kind")
        try:
            if kind == "files":
                report.append(_restore_files(step))
            elif kind == "nft_table":
                report.append(_restore_nft(step, runner))
            elif kind == "frr":
                report.append(_restore_frr(step, runner, reload_paths))
            elif kind == "daemon":
                report.append(_restore_daemon(step, runner))
            elif kind == "command":
                rc, out, err = runner(list(step["argv"]))
                report.append({"what": " ".join(step["argv"]), "ok": rc == 0,
                               "detail": " ".join((err or out or "rc %d" % rc).split())[:500]})
        except Exception as exc:  # pylint: disable=broad-except
            report.append({"what": kind, "ok": False, "detail": "%s" % exc})
    return report


def _daemon_pid(step, proc="/proc"):
    try:
        with open(step["pidfile"], "r", encoding="ascii") as fh:
            pid = int(fh.read().split()[0])
        with open("%s/%d/comm" % (proc, pid), "r", encoding="utf-8") as fh:
            comm = fh.read().strip()
        with open("%s/%d/stat" % (proc, pid), "r", encoding="utf-8") as fh:
            stat = fh.read()
    except (OSError, ValueError, IndexError):
        return None
    if comm != step["comm"][:15] or stat[stat.rfind(")") + 2:].split()[0] == "Z":
        return None
    return pid


def _stop_daemon(step, timeout=30.0):
    pid = _daemon_pid(step)
    if pid is None:
        return "not running"
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _daemon_pid(step) == pid:
        if time.monotonic() > deadline:
            raise TimerError("%s (pid %d) did not stop within %ds" % (step["comm"], pid, timeout))
        time.sleep(0.1)
    return "stopped"


def _start_daemon(step, runner, timeout=30.0):
    if _daemon_pid(step) is not None:
        return "running"
    rc, out, err = runner(list(step["argv"]))
    if rc != 0:
        raise TimerError("starting %s failed: %s" % (step["comm"], " ".join((err or out).split())[:300]))
    deadline = time.monotonic() + timeout
    while _daemon_pid(step) is None:
        if time.monotonic() > deadline:
            raise TimerError("%s did not start within %ds" % (step["comm"], timeout))
        time.sleep(0.1)
    return "started"


def daemon_step(daemon, action):
    """A ``daemon`` recipe step from a devices.service.Daemon (comm, pidfile, argv, systemd unit)."""
    return {"kind": "daemon", "action": action, "comm": daemon.comm, "pidfile": daemon.pidfile,
            "argv": list(daemon.argv), "unit": getattr(daemon, "unit", None)}


def _restore_daemon(step, runner):
    action, was = step.get("action", "reload"), step.get("was_running")
    if step.get("unit") and os.path.isdir("/run/systemd/system"):
        verb = {"stop": "stop", "start": "start", "reload": "reload-or-restart"}[action] if was or action == "stop" \
            else "stop"
        rc, out, err = runner(["systemctl", verb, step["unit"]])
        return {"what": "systemctl %s %s" % (verb, step["unit"]), "ok": rc == 0,
                "detail": " ".join((err or out).split())[:300]}
    if action == "stop" or not was:
        done = _stop_daemon(step)
    elif action == "start":
        done = _start_daemon(step, runner)
    else:
        pid = _daemon_pid(step)
        if pid is None:
            done = _start_daemon(step, runner)
        else:
            os.kill(pid, signal.SIGHUP)
            done = "reloaded (SIGHUP)"
    return {"what": "%s %s" % (step["comm"], action), "ok": True, "detail": done}


def _restore_files(step):
    saved = step.get("saved", {})
    removed, written = [], []
    for pattern in step["paths"]:
        for path in sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]:
            if path not in saved and os.path.isfile(path):
                os.unlink(path)
                removed.append(path)
    for path, meta in sorted(saved.items()):
        directory = os.path.dirname(path)
        if directory and not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        tmp = "%s.paynet-restore" % path
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, base64.b64decode(meta["data"]))
            os.fchmod(fd, meta["mode"])
            try:
                os.fchown(fd, meta.get("uid", -1), meta.get("gid", -1))
            except OSError:
                pass
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, path)
        written.append(path)
    return {"what": "files", "ok": True, "detail": "restored %s; removed %s" % (
        ", ".join(written) or "none", ", ".join(removed) or "none")}


def _restore_nft(step, runner):
    family, table = step.get("family", "inet"), step["table"]
    text = "table %s %s {}\ndelete table %s %s\n" % (family, table, family, table) + (step.get("saved") or "")
    fd, path = tempfile.mkstemp(prefix="paynet-confirm-", suffix=".nft")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        rc, out, err = runner(["nft", "-f", path])
    finally:
        os.unlink(path)
    what = "nft -f (table %s %s %s)" % (family, table, "restored" if step.get("saved") else "removed")
    return {"what": what, "ok": rc == 0, "detail": " ".join((err or out).split())[:500]}


def _restore_frr(step, runner, reload_paths):
    text = _frr_text(step["saved"])
    fd, path = tempfile.mkstemp(prefix="paynet-confirm-", suffix=".conf")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(path, 0o644)
        reload_bin = next((p for p in reload_paths if os.path.exists(p)), None)
        if reload_bin:
            rc, out, err = runner([sys.executable, reload_bin, "--reload", path])
            what = "frr-reload.py --reload <snapshot>"
        else:
            rc, out, err = runner(["vtysh", "-f", path])
            if rc == 0:
                rc, out, err = runner(["vtysh", "-c", "write memory"])
            what = "vtysh -f <snapshot>; write memory"
    finally:
        os.unlink(path)
    ok = rc == 0
    if ok:  # the proof: the running config equals the snapshot again
        rc2, now, _err = runner(["vtysh", "-c", "show running-config"])
        ok = rc2 == 0 and _frr_text(now) == text
        if not ok:
            err = "running-config still differs from the snapshot"
    return {"what": what, "ok": ok, "detail": " ".join((err or "").split())[-500:]}


# -- the state directory ----------------------------------------------------------------------------
class Timer:
    """The commit-confirm timers of one device under ``root`` (one per feature), used on the device
    itself: ``local`` (its state is a file read at no cost), ``deferred`` (the module that armed it
    runs on the device, so the confirm must come from the controller over a new connection)."""

    local = True
    deferred = True

    def __init__(self, root=STATE_ROOT, runner=_run, proc="/proc", spawn=None):
        self.root = root
        self.runner = runner
        self.proc = proc
        self._spawn = spawn or _spawn_detached

    def _dir(self, feature):
        if not feature or "/" in feature or feature.startswith("."):
            raise TimerError("bad feature name %r" % feature)
        return os.path.join(self.root, feature)

    def _lock(self, feature):
        directory = self._dir(feature)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
        os.chmod(directory, 0o700)
        fd = os.open(os.path.join(directory, LOCK), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd

    def status(self, feature):
        """{"pending": armed record or None, "fired": fired record or None} (no change)."""
        directory = self._dir(feature)
        armed = _read_json(os.path.join(directory, ARMED))
        if armed:
            armed = {k: v for k, v in armed.items() if k != "steps"}
            armed["timer_running"] = self._alive(armed)
        return {"pending": armed, "fired": _read_json(os.path.join(directory, FIRED))}

    def clear_fired(self, feature):
        """Remove the record of a fired rollback (once it was reported)."""
        path = os.path.join(self._dir(feature), FIRED)
        if os.path.exists(path):
            os.unlink(path)

    def _alive(self, armed):
        ident = proc_identity(armed.get("pid") or 0, self.proc)
        return bool(ident) and [str(ident[0]), ident[1]] == [str(armed.get("starttime")), armed.get("cmdline")]

    def arm(self, feature, recipe, timeout, what=""):
        """Snapshot and start the timer; the armed record (without the snapshot). Refuses when a
        timer of ``feature`` is pending already (another run's change awaits its confirm)."""
        if int(timeout) <= 0:
            raise TimerError("confirm timeout must be a positive number of seconds")
        fd = self._lock(feature)
        try:
            directory = self._dir(feature)
            current = _read_json(os.path.join(directory, ARMED))
            if current:
                current["timer_running"] = self._alive(current)
                raise TimerError(pending_message(feature, current, self.root))
            fired = _read_json(os.path.join(directory, FIRED))
            steps = snapshot(recipe, self.runner)
            now = _now()
            record = {"id": uuid.uuid4().hex, "feature": feature, "what": what, "armed_at": now,
                      "armed_at_iso": _iso(now), "timeout": int(timeout), "fires_at": now + int(timeout),
                      "fires_at_iso": _iso(now + int(timeout)), "pid": None, "steps": steps}
            write_atomic(os.path.join(directory, ARMED), json.dumps(record))
            pid = self._spawn(self, feature, record["id"], int(timeout))
            ident = proc_identity(pid, self.proc) if pid else None
            record.update(pid=pid, starttime=ident[0] if ident else None, cmdline=ident[1] if ident else None)
            write_atomic(os.path.join(directory, ARMED), json.dumps(record))
            if fired:  # reported by the caller now (Timer.arm's result), then forgotten
                os.unlink(os.path.join(directory, FIRED))
        finally:
            os.close(fd)
        out = {k: v for k, v in record.items() if k != "steps"}
        out["fired_before"] = fired
        return out

    def confirm(self, feature, token):
        """Take the token: the change stays. "confirmed"; or TimerError when the timer fired already
        (the device rolled back) or nothing with that id is armed."""
        fd = self._lock(feature)
        try:
            directory = self._dir(feature)
            armed = _read_json(os.path.join(directory, ARMED))
            if armed and armed.get("id") == token:
                os.unlink(os.path.join(directory, ARMED))
                self._stop(armed)
                return {"confirmed": True, "confirmed_at": _iso(_now()), "fires_at_iso": armed.get("fires_at_iso")}
            fired = _read_json(os.path.join(directory, FIRED))
            if fired and fired.get("id") == token:
                raise TimerError("too late: the device-side timer fired at %s and restored the configuration "
                                 "from before the change (%s)" % (fired.get("fired_at_iso"), summary(fired)))
            raise TimerError("no armed commit-confirm timer %s for %s on the device (%s)"
                             % (token, feature, "another one is armed" if armed else "none is armed"))
        finally:
            os.close(fd)

    disarm = confirm  # after the controller's own rollback: the same, the state is right either way

    def _stop(self, armed):
        if self._alive(armed):
            try:
                os.kill(armed["pid"], signal.SIGTERM)
            except OSError:
                pass

    def fire(self, feature, token):
        """What the timer does at its deadline (also callable for tests): restore unless confirmed."""
        fd = self._lock(feature)
        try:
            directory = self._dir(feature)
            armed = _read_json(os.path.join(directory, ARMED))
            if not armed or armed.get("id") != token:
                return None
            started = _now()
            report = restore(armed["steps"], self.runner)
            record = {"id": token, "feature": feature, "what": armed.get("what", ""),
                      "armed_at_iso": armed.get("armed_at_iso"), "armed_at": armed.get("armed_at"),
                      "fired_at": started, "fired_at_iso": _iso(started), "restore_seconds": round(_now() - started, 3),
                      "ok": all(step["ok"] for step in report), "steps": report}
            write_atomic(os.path.join(directory, FIRED), json.dumps(record))
            os.unlink(os.path.join(directory, ARMED))
            return record
        finally:
            os.close(fd)


def pending_message(feature, armed, root=STATE_ROOT):
    """Why a run refuses to start while another run's timer of ``feature`` is armed, and the fix."""
    token = os.path.join(root, feature, ARMED)
    what = " (%s)" % armed["what"] if armed.get("what") else ""
    if armed.get("timer_running") is False:
        return ("another run's %s change%s armed at %s was never confirmed and its commit-confirm timer is gone (the "
                "device rebooted or the timer was killed), so it will not restore anything: the unconfirmed change "
                "may still be in place. Nothing was changed. Fix: check the device; to keep that state remove %s as "
                "root, then re-run (the run converges the device to the intent)" % (
                    feature, what, armed.get("armed_at_iso"), token))
    return ("another run's %s change%s is awaiting its confirm on this device: armed at %s, the device restores "
            "the configuration from before it at %s. Nothing was changed. Fix: wait until then and re-run (the device "
            "rolls back by itself and the next run reports it), or, to keep that change now, remove %s as root (the "
            "timer then ends without restoring)"
            % (feature, what, armed.get("armed_at_iso"), armed.get("fires_at_iso"), token))


def summary(fired):
    """One line about a fired rollback."""
    steps = "; ".join("%s: %s" % (s["what"], ("ok, %s" % s["detail"] if s["detail"] else "ok") if s["ok"]
                                  else "FAILED %s" % s["detail"]) for s in fired["steps"])
    return "%s restored %s (%s)" % ("it" if fired.get("ok") else "it tried and FAILED to restore",
                                    fired.get("what") or fired.get("feature"), steps)


def fired_warning(fired):
    return ("the device restored itself: the %s change armed at %s was never confirmed, so its commit-confirm timer "
            "fired at %s: %s. This run starts from that restored state."
            % (fired.get("feature"), fired.get("armed_at_iso"), fired.get("fired_at_iso"), summary(fired)))


# -- the detached process ---------------------------------------------------------------------------
def _spawn_detached(timer, feature, token, timeout):
    """Double fork + setsid; returns the timer's PID (the grandchild). The grandchild never returns."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid:
        os.close(wfd)
        with os.fdopen(rfd, "r") as fh:
            grandchild = fh.read().strip()
        os.waitpid(pid, 0)
        return int(grandchild) if grandchild.isdigit() else None
    try:  # child
        os.close(rfd)
        os.setsid()
        pid2 = os.fork()
        if pid2:
            os.write(wfd, str(pid2).encode("ascii"))
            os._exit(0)  # pylint: disable=protected-access
        os.close(wfd)
        _detach_fds()
        os.environ[TIMER_ENV] = "%s:%s" % (feature, token)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        _timer_loop(timer, feature, token, timeout)
    finally:
        os._exit(0)  # pylint: disable=protected-access


def _detach_fds():
    os.chdir("/")
    os.umask(0o077)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    try:
        maxfd = os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        maxfd = 1024
    os.closerange(3, maxfd)


def _timer_loop(timer, feature, token, timeout):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        time.sleep(min(left, 1.0))
        # confirmed: the token is gone, stop early
        armed = _read_json(os.path.join(timer._dir(feature), ARMED))  # pylint: disable=protected-access
        if not armed or armed.get("id") != token:
            return
    timer.fire(feature, token)


class RemoteTimer:
    """The same timers driven from the controller over ssh (a network_cli device such as FRR, whose
    module runs on the controller): each call runs this file on the device, as root, with
    ``python3 -c``. ``ssh``: the ssh argv up to and including the destination; ``become``: the
    prefix that makes the remote command root (empty for a root login). Not ``local`` (reading its
    state costs a connection, so a no-op run never asks) and not ``deferred`` (the transaction
    confirms it itself, over a new ssh connection after the change)."""

    local = False
    deferred = False

    def __init__(self, ssh, become=("sudo", "-n"), python="python3", runner=_run, timeout=60):
        self.ssh = list(ssh)
        self.become = list(become)
        self.python = python
        self.runner = runner
        self.timeout = timeout

    @staticmethod
    def source():
        import inspect  # pylint: disable=import-outside-toplevel

        return inspect.getsource(sys.modules[__name__])

    def command(self, *args):
        """The argv that runs ``args`` through this file on the device."""
        import shlex  # pylint: disable=import-outside-toplevel

        code = base64.b64encode(self.source().encode("utf-8")).decode("ascii")
        boot = "import base64,sys;exec(compile(base64.b64decode(sys.argv.pop(1)),'rollback_timer.py','exec'))"
        remote = self.become + [self.python, "-c", boot, code] + [str(a) for a in args]
        return self.ssh + [" ".join(shlex.quote(part) for part in remote)]

    def _call(self, *args):
        rc, out, err = self.runner(self.command(*args))
        line = (out or "").strip().splitlines()[-1:] or [""]
        try:
            data = json.loads(line[0])
        except ValueError:
            raise TimerError("the commit-confirm helper did not answer over ssh (rc %d): %s"
                             % (rc, " ".join((err or out or "no output").split())[:500])) from None
        if rc != 0 or "failed" in data:
            raise TimerError(data.get("failed") or "rc %d" % rc)
        return data

    def status(self, feature):
        return self._call("status", feature)

    def arm(self, feature, recipe, timeout, what=""):
        return self._call("arm", feature, int(timeout), json.dumps(recipe), what)

    def confirm(self, feature, token):
        return self._call("confirm", feature, token)

    disarm = confirm

    def clear_fired(self, feature):
        return self._call("clear-fired", feature)


# -- script use: python3 - <command> ... ---------------------------------------------------------------
def main(argv):
    """``arm FEATURE TIMEOUT RECIPE_JSON [WHAT]``, ``confirm FEATURE ID``, ``status FEATURE``,
    ``clear-fired FEATURE``; prints one JSON object, exit 0, or ``{"failed": msg}`` and exit 1."""
    root = os.environ.get("PAYNET_NETINFRA_CONFIRM_ROOT", STATE_ROOT)
    timer = Timer(root)
    try:
        if argv[0] == "arm":
            out = timer.arm(argv[1], json.loads(argv[3]), int(argv[2]), argv[4] if len(argv) > 4 else "")
        elif argv[0] in ("confirm", "disarm"):
            out = timer.confirm(argv[1], argv[2])
        elif argv[0] == "status":
            out = timer.status(argv[1])
        elif argv[0] == "clear-fired":
            timer.clear_fired(argv[1])
            out = {"cleared": True}
        else:
            raise TimerError("unknown command %r" % argv[0])
    except (TimerError, OSError, ValueError, IndexError) as exc:
        sys.stdout.write(json.dumps({"failed": "%s" % exc}) + "\n")
        return 1
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
