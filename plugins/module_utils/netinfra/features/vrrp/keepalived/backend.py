# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vrrp module's keepalived backend on core.transaction.

Owned files: ``keepalived.conf`` (global settings and ``include paynet.d/*.conf``), one file per
group in ``paynet.d/`` and, when a track script needs it, ``paynet-track.py``. Owned interface
settings: ``net.ipv4.conf.all.arp_ignore=1``/``arp_announce=2``, so that only the virtual MAC of the
IPv4 instance answers ARP for a virtual address (with Linux defaults the base interface and the IPv6
instance's macvlan answer too; the lab showed both).

gather once -> plan (files and sysctls diffed locally) -> apply: the candidate files are checked
with ``keepalived -t -f`` in a scratch copy first (a refused file changes nothing), written
atomically, the daemon reloaded with SIGHUP (started when it does not run; never restarted) ->
realised -> verify (every instance Master or Backup in keepalived's JSON dump, at the intended
priority) -> or the previous files are put back and the daemon reloaded.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import json
import os
import shutil
import signal as signals
import time

from ....core import transaction
from ....devices import rollback_timer
from ....devices.linux import HostError, LinuxHost
from ....devices.service import Daemon, now, wait_for_file
from .. import model
from . import render, status

ARP_SYSCTLS = (("arp_ignore", "1"), ("arp_announce", "2"))


class KeepalivedError(Exception):
    pass


class KeepalivedHost(LinuxHost):
    """A Linux gateway running keepalived (files under ``conf``'s directory)."""

    def __init__(self, run, conf="/etc/keepalived/keepalived.conf", proc="/proc", use_systemd=None):
        super().__init__(run)
        self.conf = conf
        self.root = os.path.dirname(conf)
        self.group_dir = os.path.join(self.root, render.GROUP_DIR)
        self.proc = proc
        # a clean environment: keepalived writes its JSON dump to $TMPDIR, which must not be the module's temp dir
        self.daemon = Daemon(self, "keepalived", ["/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR=/tmp",
                                                  "keepalived", "--use-file", conf], "/run/keepalived.pid",
                             use_systemd=use_systemd, timeout=30.0)

    def hostname(self):
        try:
            with open(os.path.join(self.proc, "sys/kernel/hostname"), "r", encoding="ascii") as fh:
                return fh.read().strip() or "gateway"
        except OSError:
            return "gateway"

    def owned_files(self):
        files = self.read_files(self.root, [os.path.basename(self.conf), render.GROUP_DIR + "/*.conf",
                                            os.path.basename(render.TRACK_HELPER)])
        return files

    def config_test(self, files):
        """Run ``keepalived -t`` on ``files`` (path -> text) in a scratch copy; None or keepalived's complaint."""
        scratch = os.path.join(self.root, ".paynet-test")
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(os.path.join(scratch, render.GROUP_DIR), 0o700)
        try:
            main = None
            for path, text in files.items():
                if text is None or path.endswith(".py"):
                    continue
                if path == self.conf:
                    text = text.replace("include %s/" % self.group_dir, "include %s/%s/" % (scratch, render.GROUP_DIR))
                    main = os.path.join(scratch, "keepalived.conf")
                    target = main
                else:
                    target = os.path.join(scratch, render.GROUP_DIR, os.path.basename(path))
                with open(target, "w", encoding="utf-8") as fh:
                    fh.write(text)
            if main is None:
                return None
            rc, out, err = self.run(["keepalived", "-t", "-f", main])
            if rc != 0:
                return (err or out or "exit code %d" % rc).strip().replace(scratch + "/", self.root + "/")
            return None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def dump(self, timeout=10.0, attempts=3):
        """keepalived's instances as status.parse_dump returns them ({} when it does not run). The signal is
        sent again when no dump comes (a daemon busy starting or reloading can miss it)."""
        pid = self.daemon.pid()
        if pid is None:
            return {}
        rc, out, _err = self.run(["keepalived", "--signum=JSON"])
        sig = int(out.strip()) if rc == 0 and out.strip().isdigit() else 36
        for _attempt in range(attempts):
            start = now()
            self.daemon.signal(sig, pid)
            if wait_for_file(status.JSON_FILE, start, timeout / attempts):
                break
        else:
            raise HostError("keepalived did not write %s within %ss" % (status.JSON_FILE, timeout))
        # the daemon writes the file in place: read until it parses
        for _attempt in range(50):
            try:
                with open(status.JSON_FILE, "r", encoding="utf-8") as fh:
                    return status.parse_dump(fh.read())
            except ValueError:
                time.sleep(0.05)
        raise HostError("keepalived's %s did not parse" % status.JSON_FILE)


class Payload:
    def __init__(self, before, after, sysctls, action, groups, leftovers=()):
        self.leftovers = list(leftovers)  # vmacs a killed keepalived left behind (deleted before start)
        self.before = before  # path -> text (None: absent)
        self.after = after
        self.sysctls = sysctls  # [(iface, name, old, new)]
        self.action = action  # "reload", "start", "stop" or None
        self.groups = groups  # the groups keepalived runs after the change


def _files_text(files):
    return "".join("# %s\n%s" % (path, text if text.endswith("\n") else text + "\n")
                   for path, text in sorted(files.items()) if text is not None)


class Keepalived(transaction.Backend):
    noun = "gateway"
    confirm_feature = "vrrp"
    confirm_what = "keepalived files"
    refused = "the gateway refused the change"
    not_restored = "the keepalived files still differ"

    def __init__(self, host, groups, state, named=None, verify=True, verify_timeout=30, sleep=time.sleep):
        self.host = host
        self.groups = groups
        self.state = state
        self.named = named  # deleted: group file names given in config
        self.verify_mode = verify
        self.verify_timeout = verify_timeout
        self.sleep = sleep
        self.refused_by_test = False

    def recipe(self, plan):
        """Commit-confirm: keepalived.conf, paynet.d/*.conf, the track script; then reload (SIGHUP)."""
        return [{"kind": "files", "paths": [self.host.conf, os.path.join(self.host.group_dir, "*.conf"),
                                            os.path.join(self.host.root, os.path.basename(render.TRACK_HELPER))]},
                rollback_timer.daemon_step(self.host.daemon, "reload")]

    def gather(self):
        files = self.host.owned_files()
        ifaces = ["all"] if self.groups else []
        sysctls = {(i, n): self.host.read_sysctl(i, n) for i in ifaces for n, _v in ARP_SYSCTLS}
        running = self.host.daemon.running()
        # a keepalived that did not stop cleanly (SIGKILL) leaves its vmacs up with the VIPs on them: a split
        # brain once the peer is Master. They go before keepalived starts again.
        leftovers = []
        if not running:
            try:
                links = json.loads(self.host.ip_json("link", "show") or "[]")
            except (HostError, ValueError):
                links = []
            names = {model.macvlan_name(f, g["interface"], g["vrid"]) for g in self.groups for f in (4, 6)}
            leftovers = sorted(link.get("ifname") for link in links
                               if link.get("ifname") in names and (link.get("linkinfo") or {}).get("info_kind") == "macvlan")
        return {"files": files, "running": running, "sysctls": sysctls, "leftovers": leftovers}

    def wanted_files(self, current):
        """path -> text after the change (None: delete)."""
        current_groups = {p: t for p, t in current.items() if p.startswith(self.host.group_dir + "/")}
        mine = {os.path.join(self.host.group_dir, render.group_file(g)): render.render_group(g) for g in self.groups}
        if self.state == "overridden":
            groups = dict(mine)
        elif self.state == "deleted":
            if self.named:
                groups = {p: t for p, t in current_groups.items() if os.path.basename(p) not in self.named}
            else:
                groups = {}
        else:  # merged, replaced: the named groups' files exactly as given, the others kept
            groups = dict(current_groups)
            groups.update(mine)
        after = {p: None for p in current}
        after.update(groups)
        if groups:
            after[self.host.conf] = render.render_main(self.host.hostname(), self.host.group_dir)
        if any(render.TRACK_HELPER in t for t in groups.values()):
            after[render.TRACK_HELPER] = render.TRACK_HELPER_TEXT
        return after

    def plan(self, current):
        before = current["files"]
        after = self.wanted_files(before)
        changed_files = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
        sysctls = []
        if self.state != "deleted":
            for (iface, name), old in sorted(current["sysctls"].items()):
                new = dict(ARP_SYSCTLS)[name]
                if old is not None and old != new:
                    sysctls.append((iface, name, old, new))
        has_groups = any(t is not None for p, t in after.items() if p.startswith(self.host.group_dir + "/"))
        action = None
        if not has_groups:
            action = "stop" if current["running"] else None
        elif not current["running"]:
            action = "start"
        elif changed_files:
            action = "reload"
        commands = []
        for path in changed_files:
            commands.append(("write %s" % path) if after.get(path) is not None else "delete %s" % path)
        if changed_files and has_groups:
            commands.insert(0, "keepalived -t -f %s (config test of the candidate files)" % self.host.conf)
        commands += ["sysctl -w net.ipv4.conf.%s.%s=%s" % (i, n, new) for i, n, _old, new in sysctls]
        leftovers = (current.get("leftovers") or []) if action == "start" else []
        commands += ["ip link del %s (left with its VIP by a keepalived that did not stop cleanly)" % n for n in leftovers]
        if action:
            commands.append({"reload": "kill -HUP keepalived (reload, no restart)", "start": "start keepalived",
                             "stop": "stop keepalived"}[action])
        kept = {p: t for p, t in after.items() if t is not None}
        shown_before = _files_text(before) + "".join("# sysctl net.ipv4.conf.%s.%s = %s\n" % (i, n, old)
                                                     for i, n, old, _new in sysctls)
        shown_after = _files_text(kept) + "".join("# sysctl net.ipv4.conf.%s.%s = %s\n" % (i, n, new)
                                                  for i, n, _old, new in sysctls)
        payload = Payload(before, after, sysctls, action, self.groups, leftovers)
        changed = bool(changed_files or sysctls or action)  # leftovers only go with a start
        extra = {"backend": "keepalived", "files": changed_files}
        diff = transaction.diff_of(shown_before, shown_after, "keepalived (owned files)", "after %s" % self.state)
        return transaction.Plan(changed, commands, diff, extra=extra, payload=payload)

    def apply(self, plan):
        p = plan.payload
        if p.action != "stop":
            complaint = self.host.config_test({k: v for k, v in p.after.items() if v is not None})
            if complaint:
                self.refused_by_test = True
                raise transaction.StepFailed("keepalived's config test (keepalived -t) refused the rendered "
                                             "configuration, nothing was written or reloaded: %s" % complaint)
        self._write(p.after, p.before)
        for iface, name, _old, new in p.sysctls:
            self.host.write_sysctl(iface, name, new)
        for name in p.leftovers:
            self.host.check(["ip", "link", "del", name])
        self._act(p.action)

    def _write(self, files, previous):
        for path, text in sorted(files.items()):
            if previous.get(path) == text:
                continue
            if text is None:
                self.host.delete(path)
            else:
                self.host.write(path, text, 0o755 if path.endswith(".py") else 0o644)

    def _act(self, action):
        if action == "reload":
            self.host.daemon.reload(signals.SIGHUP)
        elif action == "start":
            self.host.daemon.start()
        elif action == "stop":
            self.host.daemon.stop()

    def realised(self, plan):
        files = self.host.owned_files()
        want = {k: v for k, v in plan.payload.after.items() if v is not None}
        if files != want:
            return "the keepalived files after the change are not what the plan predicted"
        if plan.payload.action in ("start", "reload") and not self.host.daemon.running():
            return "keepalived is not running after the change (see its log)"
        return None

    def verify(self, plan, result):
        if not self.verify_mode or plan.payload.action == "stop":
            return None
        wanted = {}
        for path, text in plan.payload.after.items():
            if text and path.startswith(self.host.group_dir + "/"):
                for line in text.splitlines():
                    if line.startswith("vrrp_instance "):
                        name = line.split()[1]
                        wanted[name] = None
        for g in self.groups:
            for fam, _vips in model.families(g):
                wanted[model.instance_name(g, fam)] = g["priority"]

        def bad(dump):
            out = []
            for name, prio in sorted(wanted.items()):
                info = dump.get(name)
                if info is None:
                    out.append("%s: not loaded" % name)
                elif info["state"] not in ("Master", "Backup"):
                    out.append("%s: %s" % (name, info["state"]))
                elif prio is not None and info["base_priority"] != prio:
                    out.append("%s: priority %s, intended %s" % (name, info["base_priority"], prio))
            return out

        def poll():
            try:
                return self.host.dump()
            except HostError:
                return {}

        dump = transaction.wait_until(poll, lambda d: not bad(d), self.verify_timeout, interval=0.5, sleep=self.sleep)
        problems = bad(dump)
        result["status"] = [dict(info, instance=name) for name, info in sorted(dump.items())]
        if problems:
            return "verification failed within %ds: %s" % (self.verify_timeout, "; ".join(problems))
        return None

    def rollback(self, plan, result):
        p = plan.payload
        if self.refused_by_test:  # nothing was written: nothing to restore, nothing changed
            result["changed"] = False
            result["rollback_commands"] = []
            return True
        current = self.host.owned_files()
        self._write(dict(p.before), current)
        for path in current:
            if path not in p.before:
                self.host.delete(path)
        for iface, name, old, _new in p.sysctls:
            self.host.write_sysctl(iface, name, old)
        cmds = ["restore %s" % k for k in sorted(set(p.before) | set(current))]
        had_groups = any(k.startswith(self.host.group_dir + "/") for k in p.before)
        if had_groups:
            if self.host.daemon.running():
                self.host.daemon.reload(signals.SIGHUP)
                cmds.append("kill -HUP keepalived")
        elif self.host.daemon.running() and p.action == "start":
            self.host.daemon.stop()
            cmds.append("stop keepalived")
        result["rollback_commands"] = cmds
        return self.host.owned_files() == {k: v for k, v in p.before.items() if v is not None}


def gathered(host):
    """The group files and keepalived's live state (gathered)."""
    files = host.owned_files()
    return {"files": sorted(files), "running": host.daemon.running(), "instances": host.dump() if host.daemon.running() else {}}


def run(host, groups, state, check_mode=False, named=None, verify=True, verify_timeout=30, rollback=True,
        confirm_timeout=0, timer=None):
    backend = Keepalived(host, groups, state, named=named, verify=verify, verify_timeout=verify_timeout)
    return transaction.run(backend, check_mode=check_mode, rollback=rollback, confirm_timeout=confirm_timeout,
                           timer=timer)
