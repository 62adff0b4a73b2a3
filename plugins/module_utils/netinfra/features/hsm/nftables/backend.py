# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hsm_attachment module's nftables backend on core.transaction.

Owned: the one table ``inet <table>`` (render.py); every other table is left alone (never ``flush
ruleset``). gather (``nft -j list table``; absent = no table) -> plan (canonical text diffed locally;
a change is checked with ``nft -c -f`` first, also in check mode, so a candidate the kernel refuses
fails before anything changes) -> snapshot (``nft list table``, counters included) -> apply (one file
through ``nft -f``: create if absent, delete, re-create: atomic) -> verify (the table read back equals
the intent) -> or the previous table is loaded back the same way (or ours removed when there was
none). A no-op never reloads, so the counters keep counting.

Test-only fault injection (molecule's failure cases; never set in production): the environment
variable ``PAYNET_NETINFRA_HSM_TEST_FAULT`` on the gateway, ``nft-refuses`` (an expression nft does
not know is added to the candidate) or ``verify-fails`` (verification reports a difference).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import difflib
import os
import tempfile

from ....core import transaction
from ....devices.linux import HostError, LinuxHost
from . import parse, render

FAULT_VAR = "PAYNET_NETINFRA_HSM_TEST_FAULT"
FAULT_LINE = "add rule inet %s forward meta paynet_no_such_key 1 accept\n"


class NftHost(LinuxHost):
    """A Linux gateway's nftables (``nft`` on PATH, root)."""

    def list_json(self, table):
        """``nft -j list table inet <table>`` text, "" when the table does not exist."""
        rc, out, err = self.run(["nft", "-j", "list", "table", "inet", table])
        if rc != 0:
            if "No such file or directory" in (err or "") or "does not exist" in (err or ""):
                return ""
            raise HostError("'nft -j list table inet %s' failed: %s" % (table, (err or out).strip()))
        return out

    def list_text(self, table):
        """``nft list table inet <table>`` (counters included, loadable again), "" when absent."""
        rc, out, err = self.run(["nft", "list", "table", "inet", table])
        if rc != 0:
            if "No such file or directory" in (err or "") or "does not exist" in (err or ""):
                return ""
            raise HostError("'nft list table inet %s' failed: %s" % (table, (err or out).strip()))
        return out

    def load(self, text, check=False):
        """``nft [-c] -f <file>`` with ``text``; None, or nft's complaint."""
        fd, path = tempfile.mkstemp(prefix="paynet-hsm-", suffix=".nft")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            rc, out, err = self.run(["nft"] + (["-c"] if check else []) + ["-f", path])
        finally:
            os.unlink(path)
        if rc != 0:
            return " ".join((err or out or "nft failed (rc %d)" % rc).replace(path, "<candidate>").split())[:2000]
        return None


def gathered(host, table):
    """(objects, canonical text) of the table on the gateway."""
    objects = parse.load(host.list_json(table))
    return objects, parse.table_text(objects, table)


def diff_lines(before, after):
    """{"added": [...], "removed": [...]}: the changed lines of the table (unified diff, no context)."""
    added, removed = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")):
            continue
        (added if line.startswith("+") else removed).append(line[1:].strip())
    return {"added": added, "removed": removed}


class NftTable(transaction.Backend):
    """One table, replaced whole. ``desired``: render.table_text() ("" = no table)."""

    noun = "gateway"
    confirm_feature = "hsm"
    refused = "nft refused the table"
    not_restored = "the table still differs from the one before the change"

    def __init__(self, host, table, desired, verify=True, fault=None):
        self.host = host
        self.table = table
        self.desired = desired
        self.check_verify = verify
        self.fault = fault if fault is not None else os.environ.get(FAULT_VAR)
        self.before = ""
        self.previous = ""

    def candidate(self, text):
        data = render.apply_file(self.table, text)
        if self.fault == "nft-refuses" and text:
            data += FAULT_LINE % self.table
        return data

    def gather(self):
        return gathered(self.host, self.table)[1]

    def plan(self, current):
        self.before = current
        changed = current != self.desired
        commands = []
        if changed:
            if self.desired:
                why = self.host.load(self.candidate(self.desired), check=True)
                if why:
                    raise transaction.StepFailed("nft -c refused the candidate table inet %s, nothing was changed: %s"
                                                 % (self.table, why))
                commands = ["nft -c -f <candidate> (check: passed)",
                            "nft -f <candidate> (table inet %s {}; delete table inet %s; the whole table: one atomic "
                            "transaction)" % (self.table, self.table)]
            else:
                commands = ["nft -f <file> (delete table inet %s)" % self.table]
        diff = transaction.diff_of(current, self.desired, "table inet %s (gateway)" % self.table,
                                   "table inet %s (intent)" % self.table)
        extra = {"table": self.table, "lines": diff_lines(current, self.desired)}
        return transaction.Plan(changed, commands, diff, extra=extra)

    def recipe(self, plan):
        """Commit-confirm: our table only (restored atomically, or removed when there was none)."""
        self.confirm_what = "table inet %s" % self.table
        return [{"kind": "nft_table", "family": "inet", "table": self.table}]

    def snapshot(self, plan):
        self.previous = self.host.list_text(self.table)

    def apply(self, plan):
        why = self.host.load(self.candidate(self.desired))
        if why:
            raise transaction.StepFailed("nft refused the table inet %s: %s" % (self.table, why))

    def realised(self, plan):
        if not self.check_verify:
            return None
        now = self.gather()
        if self.fault == "verify-fails":
            now += "# test fault: verification made to fail\n"
        if now != self.desired:
            lines = diff_lines(self.desired, now)
            return ("the table read back differs from the intent (unexpected: %s; missing: %s)"
                    % ("; ".join(lines["added"][:5]) or "none", "; ".join(lines["removed"][:5]) or "none"))
        return None

    def rollback(self, plan, result):
        why = self.host.load(render.apply_file(self.table, self.previous))
        if why:
            raise HostError("nft refused the previous table: %s" % why)
        result["rollback_commands"] = ["nft -f <file> (%s)" % ("the previous table inet %s restored" % self.table
                                                               if self.previous else "table inet %s removed" % self.table)]
        return self.gather() == self.before


def run(host, table, desired, check_mode=False, verify=True, rollback=True, confirm_timeout=0, timer=None):
    return transaction.run(NftTable(host, table, desired, verify=verify), check_mode=check_mode, rollback=rollback,
                           confirm_timeout=confirm_timeout, timer=timer)


def status(host, table, desired, rules):
    """(healthy, report) of the table against ``desired``. ``rules``: the counter keys the intent has
    ("<segment>/<rule id>", "<segment>/established", "<segment>/drop"); each one is in ``counters``."""
    objects, current = gathered(host, table)
    counters = parse.counters(objects, table)
    problems = []
    if not current and desired:
        problems.append("table inet %s is missing" % table)
    elif current != desired:
        lines = diff_lines(current, desired)
        problems.append("table inet %s differs from the intent: %d line(s) missing (%s), %d unexpected (%s)" % (
            table, len(lines["added"]), "; ".join(lines["added"][:3]), len(lines["removed"]),
            "; ".join(lines["removed"][:3])))
    out = {key: counters.get(key, {"packets": 0, "bytes": 0}) for key in rules}
    for key in sorted(set(rules) - set(counters)):
        if current:
            problems.append("no counter for %s on the gateway" % key)
    report = {"table": table, "present": bool(current), "in_sync": current == desired, "counters": out,
              "problems": problems}
    return not problems, report
