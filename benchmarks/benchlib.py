# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by the benchmarks: time a command's wall clock and the CPU of its whole process tree."""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABCTL = [sys.executable, os.path.join(ROOT, "tests", "lab", "labctl")]
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
ENV = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"),
           ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
           ANSIBLE_FORCE_COLOR="0", ANSIBLE_STDOUT_CALLBACK="default",
           # plain ssh: keep ControlMaster within a run, but let the master exit right after it, so no
           # run reuses the previous run's connection and the master's CPU is counted (reaped)
           ANSIBLE_SSH_ARGS="-C -o ControlMaster=auto -o ControlPersist=1s")

PR_SET_CHILD_SUBREAPER = 36
_libc = ctypes.CDLL(None, use_errno=True)


def _reap(deadline):
    """Reap orphaned descendants (ansible-connection, ssh ControlMaster) re-parented to us, so their
    CPU is counted in RUSAGE_CHILDREN."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)


def timed_run(cmd, cwd, env):
    """Run ``cmd``; return (CompletedProcess, wall s, CPU s of the process tree, all orphans reaped).

    This process is a child subreaper while the command runs, so daemonised descendants (the
    persistent ansible-connection, ssh masters) are re-parented to us, reaped and counted."""
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        reaped = _reap(time.monotonic() + 5)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return proc, wall, cpu, reaped


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return ""
