# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""net-snmp's snmpd as a transaction backend (core.transaction), with FRR's AgentX side
(:mod:`..frr_agentx.backend`) when ``config.agentx`` is set.

Files: /etc/snmp/snmpd.conf is ours as a whole (rendered, compared as text). Users live in snmpd's
persistent file /var/lib/snmp/snmpd.conf: we write ``createUser`` lines, snmpd replaces them with
``usmUser`` lines holding localized keys when it starts. Whether a user's keys are the intended ones is
decided by localizing the intent's pass phrases to the agent's engineID (``oldEngineID``) and comparing
with the stored keys (:mod:`..keyloc`), so a re-run is a no-op and a rotated key is seen. snmpd rewrites
the persistent file when it exits, so it is stopped (and waited for) before the file is written, then
started again: all inside one transaction (snapshot -> apply -> realised -> verify -> roll back).

Keys never leave this module in clear: diffs, commands and results show ``********`` and
``******** (changed)``. Verification runs net-snmp's ``snmpget`` with the user's pass phrases in a
temporary 0600 client config (SNMPCONFPATH), never on a command line.

Plain Python; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ....core.secrets import MASK, mask_text
from ....core.transaction import Backend, Plan, diff_of, run as run_transaction, wait_until
from ....devices import rollback_timer
from ....devices.linux import HostError, LinuxHost
from ....devices.service import Daemon
from ..frr_agentx.backend import FrrAgentx
from ..model import NETSNMP_PRIV, Agent
from . import parse, render

CONF = "/etc/snmp/snmpd.conf"
PERSISTENT = "/var/lib/snmp/snmpd.conf"
PIDFILE = "/run/snmpd.pid"
LOGFILE = "/var/log/snmpd.log"
SNMP_USER = "Debian-snmp"
CHANGED = MASK + " (changed)"


class SnmpError(Exception):
    """Nothing was changed: the device cannot be planned (the message says why)."""


def _ids(user):
    try:
        import grp
        import pwd
        return pwd.getpwnam(user).pw_uid, grp.getgrnam(user).gr_gid
    except (KeyError, ImportError):
        return None


def _read(path):
    try:
        with open(path, "r", encoding="utf-8", newline="") as fh:
            return fh.read()
    except OSError:
        return None


def snmpd_daemon(host, timeout=30.0):
    ids = _ids(SNMP_USER)
    argv = ["/usr/sbin/snmpd", "-Lf", LOGFILE]
    if ids is not None:
        argv += ["-u", SNMP_USER, "-g", SNMP_USER]
    # never -C: snmpd must read its persistent file (the users); smux and the event MIB are not used
    argv += ["-I", "-smux,mteTrigger,mteTriggerConf", "-p", PIDFILE]
    return Daemon(host, "snmpd", argv, PIDFILE, unit="snmpd", timeout=timeout, logfile=LOGFILE)


def user_line(user, auth_state="", priv_state=""):
    """One user as the diff shows it, keys masked (``******** (changed)`` when it changes)."""
    return "user %s group=%s auth=%s auth_key=%s priv=%s priv_key=%s" % (
        user["name"], user.get("group") or "-", user.get("auth"), auth_state or MASK,
        user.get("priv"), priv_state or MASK)


class NetSnmp(Backend):
    noun = "device"
    confirm_feature = "snmp"
    confirm_what = "snmpd.conf and snmpd's users"
    refused = "snmpd refused the change"
    not_restored = "snmpd's files still differ"

    def __init__(self, run_command, config, state, frr_restart=False, verify=True, timeout=30):
        self.host = LinuxHost(run_command)
        self.agent = Agent(config or {})
        self.state = state
        self.frr_restart = frr_restart
        self.do_verify = verify
        self.timeout = timeout
        self.daemon = snmpd_daemon(self.host, timeout=float(timeout))
        self.frr = FrrAgentx(self.host, timeout=max(60, timeout)) if self.agent.agentx and state != "deleted" else None
        self.secrets = self.agent.secrets()
        self._snap = None

    # -- gather / plan ---------------------------------------------------------------------------------
    def gather(self):
        current = {"conf": _read(CONF), "persistent": _read(PERSISTENT), "running": self.daemon.running()}
        if self.frr is not None:
            current["frr"] = self.frr.gather()
        return current

    def mask(self, text, extra=()):
        return mask_text(text, list(self.secrets) + list(extra))

    def plan(self, current):
        agent = self.agent
        persistent = parse.Persistent(current["persistent"])
        engine = persistent.engine_id
        stored = persistent.users
        deleting_all = self.state == "deleted" and not agent.users
        intent_users = [] if self.state == "deleted" else agent.users
        add, modify, remove, keep = [], [], [], []
        before_users, after_users = [], []
        for user in intent_users:
            have = stored.get(user["name"])
            same_auth, same_priv = parse.key_state(have, user, engine)
            if have is None:
                add.append(user)
                after_users.append(user_line(user))
            elif same_auth and same_priv:
                keep.append(user)
                line = user_line(user)
                before_users.append(line)
                after_users.append(line)
            else:
                modify.append(user)
                before_users.append(user_line(dict(have.public(), group=user.get("group"))))
                after_users.append(user_line(user, "" if same_auth and have.auth == user["auth"] else CHANGED,
                                             "" if same_priv else CHANGED))
        wanted_names = {u["name"] for u in agent.users}
        for name in sorted(stored):
            if name in wanted_names and self.state != "deleted":
                continue
            remove_it = (self.state == "overridden" or (self.state == "deleted" and (deleting_all or name in wanted_names)))
            line = user_line(stored[name].public())
            before_users.append(line)
            if remove_it:
                remove.append(name)
            else:
                after_users.append(line)
        if deleting_all:
            conf = None
        elif self.state == "deleted":
            conf = current["conf"]
        else:
            conf = render.snmpd_conf(agent)
        conf_changed = conf != current["conf"]
        users_changed = bool(add or modify or remove)
        start = not deleting_all
        commands = []
        if conf_changed:
            commands.append("remove %s" % CONF if conf is None else "write %s" % CONF)
        if users_changed:
            if current["running"]:
                commands.append("stop snmpd (it rewrites %s on exit)" % PERSISTENT)
            commands += ["%s: remove user %s" % (PERSISTENT, n) for n in remove]
            commands += ["%s: %s" % (PERSISTENT, self.mask(render.create_user(u))) for u in modify + add]
        if (conf_changed or users_changed) and start:
            commands.append("restart snmpd" if current["running"] and not users_changed else "start snmpd")
        elif not current["running"] and start:
            commands.append("start snmpd")
        elif current["running"] and not start:
            commands.append("stop snmpd")
        frr_plan = None
        before_frr, after_frr = [], []
        if self.frr is not None:
            frr_commands, before_frr, after_frr, restart, daemons = self.frr.plan(current["frr"])
            if restart and not self.frr_restart:
                raise SnmpError("config.agentx needs bgpd and zebra restarted with the snmp module (%s); that "
                                "re-establishes every BGP session, so it is never done implicitly. Run again with "
                                "frr_restart: true (role: snmp_frr_restart) in a maintenance window, or set agentx: false"
                                % ", ".join("%s %s" % (d, "not running" if v is None else "without -M snmp")
                                            for d, v in sorted(current["frr"]["loaded"].items()) if v is not True))
            commands += frr_commands
            frr_plan = {"restart": restart, "daemons": daemons, "agentx_line": not current["frr"]["agentx_line"]}
        before = self._diff_text(current["conf"], before_users, before_frr)
        after = self._diff_text(conf, after_users, after_frr)
        changed = bool(commands)
        extra = {"added": [u["name"] for u in add], "modified": [u["name"] for u in modify], "removed": remove,
                 "engine_id": engine, "frr_restart_needed": bool(frr_plan and frr_plan["restart"])}
        payload = {"conf": conf, "conf_changed": conf_changed, "add": add, "modify": modify, "remove": remove,
                   "start": start, "users_changed": users_changed, "frr": frr_plan, "running": current["running"]}
        return Plan(changed, commands, diff_of(before, after, "%s and snmpd's users (before)" % CONF,
                                               "%s and snmpd's users (after)" % CONF), extra, payload)

    def _diff_text(self, conf, users, frr):
        text = "# %s\n%s" % (CONF, self.mask(conf) if conf is not None else "(absent)\n")
        text += "# USM users (%s, keys compared as localized keys)\n" % PERSISTENT
        text += "".join(line + "\n" for line in sorted(users))
        if frr:
            text += "# FRR AgentX\n" + "".join(line + "\n" for line in frr)
        return text

    # -- transaction steps ---------------------------------------------------------------------------
    def recipe(self, plan):
        """Commit-confirm: snmpd stopped (it rewrites its persistent file on exit), snmpd.conf and the
        persistent file put back, snmpd started again if it ran; FRR's running-config when AgentX is ours."""
        steps = [rollback_timer.daemon_step(self.daemon, "stop"), {"kind": "files", "paths": [CONF, PERSISTENT]},
                 rollback_timer.daemon_step(self.daemon, "start")]
        return steps + ([{"kind": "frr"}] if self.frr else [])

    def snapshot(self, plan):
        self._snap = {"conf": _read(CONF), "persistent": _read(PERSISTENT), "running": self.daemon.running(),
                      "daemons": _read("/etc/frr/daemons") if self.frr is not None else None}

    def apply(self, plan):
        payload = plan.payload
        if payload["conf_changed"] or payload["users_changed"] or not payload["start"]:
            self.daemon.stop()  # waits until it has gone (and written its persistent file)
        if payload["conf_changed"]:
            if payload["conf"] is None:
                self.host.delete(CONF)
            else:
                self._write(CONF, payload["conf"], 0o640, group_only=True)
        if payload["users_changed"]:
            self._write(PERSISTENT, self._persistent_text(payload), 0o600)
        if payload["start"]:
            self.daemon.start()
        frr = payload["frr"]
        if frr is not None:
            if frr["daemons"] is not None:
                self.frr.write_daemons(frr["daemons"])
            if frr["restart"]:
                self.frr.restart()
            if frr["agentx_line"]:
                self.frr.add_agentx_line()

    def _persistent_text(self, payload):
        text = _read(PERSISTENT) or ""
        drop = {u["name"] for u in payload["add"] + payload["modify"]} | set(payload["remove"])
        kept = []
        for line in text.splitlines(True):
            words = line.split()
            if words and words[0] == "usmUser" and len(words) > 4 and words[4].strip('"') in drop:
                continue
            if words and words[0] == "createUser":
                pending = parse.Persistent(line).users
                if set(pending) & drop:
                    continue
            kept.append(line)
        body = "".join(kept)
        if body and not body.endswith("\n"):
            body += "\n"
        for user in payload["modify"] + payload["add"]:
            body += render.create_user(user) + "\n"
        return body

    def _write(self, path, text, mode, group_only=False):
        self.host.write(path, text, mode)
        ids = _ids(SNMP_USER)
        if ids is not None:
            try:
                os.chown(path, 0 if group_only else ids[0], ids[1])
            except OSError:
                pass

    def realised(self, plan):
        if not plan.payload["start"]:
            again = self.plan(self.gather())
        else:
            # snmpd turns the createUser lines into usmUser lines (and writes its engineID) while it starts:
            # poll until the file it wrote reads back as the intent (never one read of a half-written file)
            again = wait_until(lambda: self.plan(self.gather()), lambda p: not p.changed, self.timeout, interval=0.2)
        if again.changed:
            return "after the change the device still differs from the intent: %s" % "; ".join(again.commands)
        return None

    def verify(self, plan, result):
        if not self.do_verify or not plan.payload["start"]:
            return None
        problems = []
        checked = []
        for user in self.agent.users:
            if not user.get("group") or not self.agent.listen:
                continue
            answer = wait_until(lambda u=user: self.snmpget(u, render.SYSNAME_OID), lambda a: a[0] == 0, self.timeout, interval=0.5)
            if answer[0] == 0:
                checked.append(user["name"])
            else:
                problems.append("user %s gets no answer for sysName from %s: %s" % (user["name"], self.agent.listen[0],
                                                                                    self.mask(answer[1]).strip()))
        if self.frr is not None:
            connected = wait_until(agentx_sessions, lambda n: n >= 2, max(self.timeout, 60), interval=0.5)
            if connected < 2:
                problems.append("FRR's AgentX subagents (bgpd, zebra) did not connect to snmpd (%d of 2 connected)" % connected)
        result["verification"] = {"users_answering": checked, "agentx_subagents": agentx_sessions() if self.frr else None}
        return "; ".join(problems) if problems else None

    def snmpget(self, user, oid):
        """(rc, text) of net-snmp's snmpget as ``user`` to the first listen address; its pass phrases go
        in a temporary 0600 client config, never on the command line."""
        if shutil.which("snmpget") is None:
            return 0, "snmpget is not installed: not checked"
        directory = tempfile.mkdtemp(prefix="paynet-snmp-")
        try:
            path = os.path.join(directory, "snmp.conf")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write("mibs :\ndefVersion 3\ndefSecurityLevel authPriv\ndefSecurityName %s\n"
                         "defAuthType %s\ndefAuthPassphrase %s\ndefPrivType %s\ndefPrivPassphrase %s\n"
                         % (user["name"], user["auth"], user["auth_key"], NETSNMP_PRIV[user["priv"]], user["priv_key"]))
            argv = ["env", "SNMPCONFPATH=%s" % directory, "snmpget", "-On", "-t", "1", "-r", "1",
                    render.udp_address(self.agent.listen[0]), oid]
            rc, out, err = self.host.run(argv)
            return rc, (out or "") + (err or "")
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def rollback(self, plan, result):
        snap = self._snap
        commands = ["stop snmpd"]
        self.daemon.stop()
        for path, text, mode in ((CONF, snap["conf"], 0o640), (PERSISTENT, snap["persistent"], 0o600)):
            if text is None:
                self.host.delete(path)
                commands.append("remove %s" % path)
            else:
                self._write(path, text, mode, group_only=(path == CONF))
                commands.append("restore %s" % path)
        if snap["daemons"] is not None and _read("/etc/frr/daemons") != snap["daemons"]:
            self.frr.write_daemons(snap["daemons"])
            commands.append("restore /etc/frr/daemons (FRR keeps running as it is)")
        if snap["running"]:
            self.daemon.start()
            commands.append("start snmpd")
        result["rollback_commands"] = commands
        return _read(CONF) == snap["conf"]


def agentx_sessions(path="/proc/net/tcp"):
    """How many established TCP connections reach the AgentX socket 127.0.0.1:705 (subagents)."""
    count = 0
    try:
        with open(path, "r", encoding="ascii") as fh:
            next(fh)
            for line in fh:
                parts = line.split()
                if len(parts) > 3 and parts[2] == "0100007F:02C1" and parts[3] == "01":
                    count += 1
    except (OSError, StopIteration):
        return 0
    return count


def gather(run_command, frr=False):
    """The ``gathered`` result: the config shape of snmpd.conf and the users (keys masked)."""
    conf = _read(CONF)
    persistent = parse.Persistent(_read(PERSISTENT))
    config = parse.snmpd_conf(conf) if conf is not None else {}
    members = config.pop("members", {})
    users = []
    for name in sorted(persistent.users):
        user = persistent.users[name].public()
        if members.get(name):
            user["group"] = members[name]
        users.append(user)
    config["users"] = users
    host = LinuxHost(run_command)
    return {"gathered": config, "engine_id": persistent.engine_id,
            "running": snmpd_daemon(host).running(),
            "agentx_subagents": agentx_sessions() if frr or config.get("agentx") else None}


def run(run_command, config, state, check_mode=False, frr_restart=False, verify=True, timeout=30, rollback=True,
        confirm_timeout=0, timer=None):
    backend = NetSnmp(run_command, config, state, frr_restart=frr_restart, verify=verify, timeout=timeout)
    try:
        return run_transaction(backend, check_mode=check_mode, rollback=rollback, confirm_timeout=confirm_timeout,
                               timer=timer)
    except (HostError, OSError) as exc:
        raise SnmpError(backend.mask(str(exc)))


def status(run_command, config, timeout=10):
    """Health of the agent against ``config`` without changing anything: snmpd runs, every user's keys
    are the intended ones (localized-key comparison), snmpd.conf is the rendered one, each polling user
    gets sysName, the AgentX subagents are connected. Returns (healthy, report)."""
    snmp = NetSnmp(run_command, config, "replaced", frr_restart=True, verify=True, timeout=timeout)
    current = snmp.gather()
    problems = []
    if not current["running"]:
        problems.append("snmpd is not running")
    try:
        plan = snmp.plan(current)
        drift = plan.commands
    except (SnmpError, ValueError) as exc:
        drift = [snmp.mask(str(exc))]
    if drift:
        problems.append("the agent differs from the intent: %s" % "; ".join(drift))
    answering = []
    if current["running"]:
        for user in snmp.agent.users:
            if not user.get("group") or not snmp.agent.listen:
                continue
            rc, text = snmp.snmpget(user, render.SYSNAME_OID)
            if rc == 0:
                answering.append(user["name"])
            else:
                problems.append("user %s gets no answer for sysName: %s" % (user["name"], snmp.mask(text).strip()))
    subagents = agentx_sessions() if snmp.agent.agentx else None
    if snmp.agent.agentx and (subagents or 0) < 2:
        problems.append("FRR's AgentX subagents are not connected (%d of 2)" % (subagents or 0))
    report = {"running": current["running"], "engine_id": parse.Persistent(current["persistent"]).engine_id,
              "users_answering": answering, "agentx_subagents": subagents, "problems": problems}
    return not problems, report
