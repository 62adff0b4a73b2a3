# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vrrp module's FRR vrrpd backend on core.transaction, run on the router itself (root): vtysh
locally for the vrrp lines, ``ip`` for the macvlans, /proc/sys for arp_ignore/arp_announce.

gather once (running-config, ``ip -d -j addr``, sysctls) -> plan locally (vrrp lines diffed in
FRR's canonical form through the dialect; macvlans and sysctls compared) -> apply: macvlans first
(vrrpd finds them by MAC), then one vtysh session, then stale macvlans go -> realised -> verify
(``show vrrp json``: every family of every group Master or Backup) -> confirm (``write memory``),
or the previous lines, macvlans and sysctls are restored.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import time

from ....core import transaction
from ....core.clitree import Node, trees_equal
from ....devices.linux import HostError, LinuxHost
from .. import model
from . import parse, render
from .dialect import DIALECT, send_form

ARP_SYSCTLS = (("arp_ignore", "1"), ("arp_announce", "2"))
VTY_ERRORS = ("% Unknown command", "% Command incomplete", "% Ambiguous command", "% Invalid", "% Malformed",
              "% Configuration failed", "% Can't find", "% No such", "is not running")


class FrrRouter(LinuxHost):
    """An FRR router seen from a module running on it as root."""

    def __init__(self, run, proc="/proc"):
        super().__init__(run)
        self.proc = proc

    def running_config(self):
        return self.check(["vtysh", "-c", "show running-config"])

    def show(self, command):
        return self.check(["vtysh", "-c", command])

    def configure(self, lines):
        argv = ["vtysh", "-c", "configure terminal"]
        for line in lines:
            argv += ["-c", send_form(line).strip()]
        argv += ["-c", "end"]
        rc, out, err = self.run(argv)
        text = (out or "") + (err or "")
        bad = [line for line in text.splitlines() if line.strip().startswith(VTY_ERRORS) or any(e in line for e in VTY_ERRORS)]
        if rc != 0 or bad:
            raise transaction.StepFailed("vtysh refused the vrrp lines: %s" % ("; ".join(bad) or text.strip() or "rc %d" % rc))

    def save(self):
        self.check(["vtysh", "-c", "write memory"])

    def links(self):
        return self.ip_json("addr", "show")


def macvlan_commands(name, spec):
    fam6 = name.startswith("v6-")
    cmds = [["ip", "link", "add", name, "link", spec["parent"], "type", "macvlan", "mode", "bridge"],
            ["ip", "link", "set", "dev", name, "address", spec["mac"]],
            ["ip", "link", "set", "dev", name, "addrgenmode", "random"]]
    for addr in spec["addresses"]:
        cmds.append(["ip", "addr", "add", addr, "dev", name] + (["nodad"] if fam6 else []))
    cmds.append(["ip", "link", "set", "dev", name, "up"])
    return cmds


def _same(cur, want):
    return cur is not None and cur["parent"] == want["parent"] and (cur["mac"] or "").lower() == want["mac"] \
        and cur["addresses"] == want["addresses"] and cur.get("mode") in (None, "bridge")


class Payload:
    def __init__(self, before, after, scope, vty, vty_removals, mv_before, mv_after, sysctls):
        self.before = before
        self.after = after
        self.scope = scope
        self.vty = vty
        self.vty_removals = vty_removals
        self.mv_before = mv_before
        self.mv_after = mv_after
        self.sysctls = sysctls

    def mv_changes(self):
        """(create {name: spec}, delete [name]) for the macvlans."""
        create = {n: s for n, s in self.mv_after.items() if not _same(self.mv_before.get(n), s)}
        delete = sorted(n for n in self.mv_before if n not in self.mv_after or n in create)
        return create, delete


def with_headers(wanted, current):
    """``wanted`` plus an empty ``interface X`` for every interface of ``current`` it lacks, so that a group
    removed from an interface is one ``no vrrp N`` (the collapse rule) and never one negation per line
    (negating ``no vrrp N preempt`` would re-create the group)."""
    have = {n.line for n in wanted}
    return list(wanted) + [Node(n.line) for n in current if n.line not in have]


def _macvlan_text(mvs):
    return "".join("# macvlan %s link %s mode bridge address %s addrgenmode random: %s\n"
                   % (n, s["parent"], s["mac"], " ".join(s["addresses"])) for n, s in sorted(mvs.items()))


class FrrVrrpd(transaction.Backend):
    noun = "router"
    confirm_feature = "vrrp"
    confirm_what = "FRR running-config (vrrp lines)"
    refused = "the router refused the change"
    not_restored = "the owned vrrp lines still differ"

    def __init__(self, router, groups, state, named=None, verify=True, verify_timeout=30, sleep=time.sleep):
        self.router = router
        self.groups = groups
        self.state = state
        self.named = named  # deleted: [(interface, vrid)] given in config
        self.verify_mode = verify
        self.verify_timeout = verify_timeout
        self.sleep = sleep

    def recipe(self, plan):
        """Commit-confirm: FRR's running-config (frr-reload.py --reload back to it; macvlans stay)."""
        return [{"kind": "frr"}]

    def gather(self):
        ifaces = ["all"] if self.groups else []
        return {"running": self.router.running_config(), "links": self.router.links(),
                "sysctls": {(i, n): self.router.read_sysctl(i, n) for i in ifaces for n, _v in ARP_SYSCTLS}}

    def _scope(self):
        """keep(interface, vrid) of the groups this run owns."""
        mine = {model.key(g) for g in self.groups}
        if self.state == "overridden":
            return None
        if self.state == "deleted":
            named = set(self.named or ())
            return None if not named else (lambda i, v: (i, v) in named)
        return lambda i, v: (i, v) in mine

    def plan(self, current):
        keep = self._scope()
        before = parse.owned_tree(current["running"], keep)
        wanted_groups = [] if self.state == "deleted" else self.groups
        after = render.tree(wanted_groups)
        remove = self.state != "merged"
        phase_a, phase_b = DIALECT.diff(before, with_headers(after, before), remove=remove)
        if self.state == "merged":
            after = DIALECT.sort_tree(DIALECT.merge(before, after))
        vty = phase_a + phase_b
        all_mv = parse.macvlans(current["links"])
        scoped_names = set(render.macvlans([g for g in parse.groups(current["running"])
                                            if keep is None or keep(g["interface"], g["vrid"])]))
        scoped_names |= set(render.macvlans(wanted_groups))
        if keep is None:
            scoped_names |= set(all_mv)
        mv_before = {n: s for n, s in all_mv.items() if n in scoped_names}
        mv_after = render.macvlans(wanted_groups)
        if self.state == "merged":
            mv_after = dict(mv_before, **mv_after)
        sysctls = []
        if self.state != "deleted":
            for (iface, name), old in sorted(current["sysctls"].items()):
                new = dict(ARP_SYSCTLS)[name]
                if old is not None and old != new:
                    sysctls.append((iface, name, old, new))
        payload = Payload(before, after, keep, vty, phase_b, mv_before, mv_after, sysctls)
        create, delete = payload.mv_changes()
        commands = []
        for name in delete:
            if name in create:
                commands.append("ip link del %s" % name)
        for name, spec in sorted(create.items()):
            commands += [" ".join(c) for c in macvlan_commands(name, spec)]
        commands += ["sysctl -w net.ipv4.conf.%s.%s=%s" % (i, n, new) for i, n, _o, new in sysctls]
        if vty:
            commands += ["vtysh: configure terminal"] + ["vtysh: %s" % send_form(line) for line in vty] + ["vtysh: write memory"]
        commands += ["ip link del %s" % name for name in delete if name not in create]
        shown_before = DIALECT.render(before) + _macvlan_text(mv_before) + "".join(
            "# sysctl net.ipv4.conf.%s.%s = %s\n" % (i, n, o) for i, n, o, _new in sysctls)
        shown_after = DIALECT.render(after) + _macvlan_text(mv_after) + "".join(
            "# sysctl net.ipv4.conf.%s.%s = %s\n" % (i, n, new) for i, n, _o, new in sysctls)
        changed = bool(vty or create or delete or sysctls)
        diff = transaction.diff_of(shown_before, shown_after, "FRR vrrpd (owned scope: vrrp lines, macvlans)",
                                   "after %s" % self.state)
        return transaction.Plan(changed, commands, diff, extra={"backend": "frr_vrrpd"}, payload=payload)

    def _macvlans(self, create, delete):
        for name in delete:
            if name in create:
                self.router.check(["ip", "link", "del", name])
        for name, spec in sorted(create.items()):
            for argv in macvlan_commands(name, spec):
                self.router.check(argv)

    def apply(self, plan):
        p = plan.payload
        create, delete = p.mv_changes()
        self._macvlans(create, delete)
        for iface, name, _old, new in p.sysctls:
            self.router.write_sysctl(iface, name, new)
        if p.vty:
            self.router.configure(p.vty)
        for name in delete:
            if name not in create:
                self.router.check(["ip", "link", "del", name])

    def realised(self, plan):
        p = plan.payload
        now_tree = parse.owned_tree(self.router.running_config(), p.scope)
        if not trees_equal(now_tree, p.after):
            return "the router's vrrp lines after the change are not what the plan predicted"
        mvs = parse.macvlans(self.router.links())
        for name, spec in p.mv_after.items():
            if not _same(mvs.get(name), spec):
                return "macvlan %s is not as planned after the change" % name
        return None

    def verify(self, plan, result):
        if not self.verify_mode or self.state == "deleted":
            return None

        def bad(states):
            out = []
            for g in self.groups:
                info = states.get((g["interface"], g["vrid"])) or {}
                for fam, _vips in model.families(g):
                    status = (info.get("v%d" % fam) or {}).get("status")
                    if status not in ("Master", "Backup"):
                        out.append("%s VRID %d IPv%d: %s" % (g["interface"], g["vrid"], fam, status or "not running"))
            return out

        states = transaction.wait_until(lambda: parse.show_vrrp(self.router.show("show vrrp json")), lambda s: not bad(s),
                                        self.verify_timeout, interval=0.5, sleep=self.sleep)
        result["status"] = [dict(v, interface=k[0], vrid=k[1]) for k, v in sorted(states.items())]
        problems = bad(states)
        if problems:
            return "verification failed within %ds: %s" % (self.verify_timeout, "; ".join(problems))
        return None

    def rollback(self, plan, result):
        p = plan.payload
        now_tree = parse.owned_tree(self.router.running_config(), p.scope)
        phase_a, phase_b = DIALECT.diff(now_tree, with_headers(p.before, now_tree), remove=True)
        undo = phase_a + phase_b
        cmds = ["vtysh: %s" % send_form(line) for line in undo]
        if undo:
            self.router.configure(undo)
        mvs = parse.macvlans(self.router.links())
        for name in sorted(mvs):
            if name in p.mv_after and not _same(mvs[name], p.mv_before.get(name) or {"parent": None, "mac": "", "addresses": []}):
                self.router.run(["ip", "link", "del", name])
                cmds.append("ip link del %s" % name)
        for name, spec in sorted(p.mv_before.items()):
            if not _same(parse.macvlans(self.router.links()).get(name), spec):
                self.router.run(["ip", "link", "del", name])
                for argv in macvlan_commands(name, spec):
                    self.router.run(argv)
                cmds.append("recreate macvlan %s" % name)
        for iface, name, old, _new in p.sysctls:
            self.router.write_sysctl(iface, name, old)
        result["rollback_commands"] = cmds
        return trees_equal(parse.owned_tree(self.router.running_config(), p.scope), p.before)

    def confirm(self, plan, result):
        if plan.payload.vty:
            try:
                self.router.save()
            except HostError as exc:
                raise transaction.StepFailed("the change is applied and verified but 'write memory' failed: %s" % exc) from exc
            result["saved"] = True


def gathered(router):
    running = router.running_config()
    return {"groups": parse.groups(running), "macvlans": parse.macvlans(router.links()),
            "states": [dict(v, interface=k[0], vrid=k[1]) for k, v in sorted(parse.show_vrrp(router.show("show vrrp json")).items())]}


def run(router, groups, state, check_mode=False, named=None, verify=True, verify_timeout=30, rollback=True,
        confirm_timeout=0, timer=None):
    backend = FrrVrrpd(router, groups, state, named=named, verify=verify, verify_timeout=verify_timeout)
    return transaction.run(backend, check_mode=check_mode, rollback=rollback, confirm_timeout=confirm_timeout,
                           timer=timer)
