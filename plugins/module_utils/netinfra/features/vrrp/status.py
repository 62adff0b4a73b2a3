# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Group states on one gateway (either backend) and the fleet verdict over every gateway's.

``device_states``: per group and family, the state the daemon reports and whether the gateway
holds a virtual address on an interface that is up (not protodown). A gateway that holds a virtual
address while its daemon does not call it Master (a SIGKILLed keepalived leaves its address behind)
is reported. ``fleet_verdict``: per group, exactly one Master, and no virtual address held by two
gateways (split brain).

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import json

from . import model


def held_addresses(ip_addr_json):
    """{address: interface} of global addresses on interfaces that are up and not protodown."""
    out = {}
    for link in json.loads(ip_addr_json or "[]"):
        if "UP" not in (link.get("flags") or []) or link.get("protodown") or link.get("operstate") == "DOWN":
            continue
        for addr in link.get("addr_info") or []:
            if addr.get("scope") == "global":
                out[addr["local"]] = link.get("ifname")
    return out


def device_states(groups, backend, live, held, daemon_running=True):
    """[{segment, vrid, family, state, priority, intended_priority, holds_vip, problem}].

    ``live``: keepalived instances (keepalived.status.parse_dump) or vrrpd groups (frr parse.show_vrrp)."""
    out = []
    for g in groups:
        for fam, vips in model.families(g):
            if backend == "keepalived":
                info = live.get(model.instance_name(g, fam)) or {}
                state, prio = info.get("state"), info.get("priority")
            else:
                info = (live.get((g["interface"], g["vrid"])) or {}).get("v%d" % fam) or {}
                state, prio = info.get("status"), info.get("priority")
            heard = info.get("heard_master", True)
            if not daemon_running:
                state = "Down"
            holds = sorted(v for v in vips if v in held)
            entry = {"segment": g["segment"], "vrid": g["vrid"], "family": "ipv%d" % fam, "interface": g["interface"],
                     "state": state or "Missing", "priority": prio, "intended_priority": g["priority"],
                     "holds_vip": bool(holds), "vips": list(vips), "problem": None}
            if holds and state != "Master":
                entry["problem"] = ("holds virtual address %s while its VRRP state is %s (split-brain risk: a dead or "
                                    "confused daemon left the address behind)" % (", ".join(holds), state or "unknown"))
            elif state not in ("Master", "Backup"):
                entry["problem"] = "state %s (expected Master or Backup)" % (state or "unknown")
            elif state == "Backup" and not heard:
                entry["problem"] = "Backup but no Master heard on the segment yet"
            elif state == "Backup" and g["preempt"] and (info.get("master_priority") or 256) < (prio or 0):
                entry["problem"] = ("Backup with priority %s under a Master of priority %s (preemption pending)"
                                    % (prio, info.get("master_priority")))
            out.append(entry)
    return out


def fleet_verdict(by_host):
    """Problems over every gateway's ``device_states``: {host: [entries]} -> [text]."""
    groups = {}
    for host, entries in sorted(by_host.items()):
        for e in entries or []:
            groups.setdefault((e["segment"], e["vrid"], e["family"]), []).append((host, e))
    problems = []
    for (segment, vrid, family), members in sorted(groups.items()):
        masters = [h for h, e in members if e["state"] == "Master"]
        holders = [h for h, e in members if e["holds_vip"]]
        label = "%s VRID %d %s" % (segment, vrid, family)
        if len(masters) != 1:
            problems.append("%s: %d Masters (%s), expected exactly one" % (label, len(masters), ", ".join(masters) or "none"))
        if len(holders) > 1:
            problems.append("%s: split brain: the virtual address is up on %s" % (label, " and ".join(holders)))
        if len(members) > 1:
            intended = max(members, key=lambda m: m[1]["intended_priority"])[0]
            top = [h for h, e in members if e["intended_priority"] == max(x["intended_priority"] for _h, x in members)]
            if len(masters) == 1 and len(top) == 1 and masters[0] != intended:
                problems.append("%s: Master is %s, intended %s" % (label, masters[0], intended))
    return problems
