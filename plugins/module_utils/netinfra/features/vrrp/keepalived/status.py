# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""keepalived's state as JSON: ``kill -<keepalived --signum=JSON> <pid>`` makes the running daemon
write ``$TMPDIR/keepalived.json`` (``/tmp`` by default), one entry per vrrp_instance.

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import json

# keepalived's vrrp_t state numbers
STATES = {0: "Initialize", 1: "Backup", 2: "Master", 3: "Fault", 97: "Initialize", 98: "Fault", 99: "Deleted"}
JSON_FILE = "/tmp/keepalived.json"


def parse_dump(text):
    """{instance name: {state, priority, base_priority, vrid, vips, interface, ...}} of a JSON dump."""
    out = {}
    for entry in json.loads(text or "[]"):
        data = entry.get("data") or {}
        name = data.get("iname")
        if not name:
            continue
        out[name] = {
            "state": STATES.get(data.get("state"), "Unknown(%s)" % data.get("state")),
            "priority": data.get("effective_priority"),
            "base_priority": data.get("base_priority"),
            "vrid": data.get("vrid"),
            "version": data.get("version"),
            "advert_interval_cs": int(round(float(data.get("adver_int") or 0) * 100)),
            "interface": data.get("vmac_ifname") or data.get("ifp_ifname"),
            "vips": [v.split()[0] for v in data.get("vips") or []],
            "nopreempt": bool(data.get("nopreempt")),
            "preempt_delay": data.get("preempt_delay"),
            "become_master": (entry.get("stats") or {}).get("become_master"),
            "master_priority": data.get("master_priority"),
            "heard_master": bool(data.get("master_priority")),
        }
    return out
