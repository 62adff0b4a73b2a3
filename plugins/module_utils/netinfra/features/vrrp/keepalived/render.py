# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""keepalived.conf for a gateway's groups (keepalived 2.2, VRRPv3).

Per group: one ``vrrp_instance`` per address family (``<segment>_<vrid>_v4`` / ``_v6``) with the
RFC 5798 virtual MAC (``use_vmac v4-<if>-<vrid>``, adverts sent from the base interface), kept
together in one ``vrrp_sync_group``; every instance starts as BACKUP and the priorities elect the
master (``preempt_delay`` and ``nopreempt`` need that). ``track_interface`` with negative weights,
``vrrp_script`` blocks for the track scripts. The file is owned whole by the module.

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from .. import model

HEADER = "# Managed by paynet.netinfra.vrrp: do not edit, changes are overwritten.\n"
TRACK_HELPER = "/etc/keepalived/paynet-track.py"
# The check behind track scripts of kind bgp_sessions / ipsec_tunnels: exit 0 when every target is up.
TRACK_HELPER_TEXT = '''#!/usr/bin/python3
# Managed by paynet.netinfra.vrrp: keepalived track_script check. Exit 0 when every target is up.
#   paynet-track.py bgp PEER...    every BGP session to PEER is Established (FRR on this box)
#   paynet-track.py ipsec NAME...  an IKE SA of every swanctl connection NAME is ESTABLISHED
import json
import subprocess
import sys


def main(kind, targets):
    if kind == "bgp":
        out = subprocess.run(["vtysh", "-c", "show bgp summary json"], capture_output=True, text=True, timeout=5).stdout
        peers = {}
        for af in json.loads(out or "{}").values():
            if isinstance(af, dict):
                peers.update(af.get("peers") or {})
        return all((peers.get(t) or {}).get("state") == "Established" for t in targets)
    if kind == "ipsec":
        out = subprocess.run(["swanctl", "--list-sas", "--raw"], capture_output=True, text=True, timeout=5).stdout
        return all(("%s {" % t) in out and "state=ESTABLISHED" in out for t in targets)
    return False


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1], sys.argv[2:]) else 1)
'''


def _script_name(group, script):
    return "%s_%s" % (model.sync_group_name(group), script["name"])


def _script_command(script):
    if script["kind"] == "command":
        return script["command"]
    kind = "bgp" if script["kind"] == "bgp_sessions" else "ipsec"
    return " ".join([TRACK_HELPER, kind] + list(script["targets"] or []))


def needs_helper(groups):
    return any(s["kind"] != "command" for g in groups for s in g["track_scripts"])


def _advert(cs):
    seconds = cs / 100.0
    return ("%.2f" % seconds).rstrip("0").rstrip(".")


GROUP_DIR = "paynet.d"


def group_file(group):
    """The group's own file name in GROUP_DIR."""
    return "%s.conf" % model.sync_group_name(group)


def render_main(router_id, group_dir):
    """The main keepalived.conf: global settings and the include of the group files."""
    return "\n".join([HEADER.rstrip("\n"), "global_defs {", "  router_id %s" % router_id, "  vrrp_version 3",
                      # spread each gratuitous ARP/NA burst over 0.2 s: a Master that is giving way (drain,
                      # restore) answers the first ones from the same virtual MAC until it has processed the
                      # new Master's advert, which pulled the bridge's FDB back to it for the 5 s until the
                      # next burst (docs/vrrp.md, "restore race")
                      "  vrrp_garp_interval 0.05", "  vrrp_gna_interval 0.05",
                      "  enable_script_security", "  script_user root", "}", "",
                      "include %s/*.conf" % group_dir]) + "\n"


def render(groups, router_id):
    """One keepalived.conf text holding ``groups`` (rendered state and unit tests)."""
    if not groups:
        return ""
    return render_main(router_id, GROUP_DIR).replace("include %s/*.conf\n" % GROUP_DIR, "") + "".join(
        render_group(g) for g in groups)


def render_group(group):
    """The group's file: its track scripts, sync group and one instance per address family."""
    out = [HEADER.rstrip("\n")]
    for script in group["track_scripts"]:
        out += ["", "vrrp_script %s {" % _script_name(group, script),
                '  script "%s"' % _script_command(script).replace('"', '\\"'),
                "  interval %d" % script["interval"],
                "  weight -%d" % script["decrement"], "}"]
    fams = model.families(group)
    if len(fams) > 1:
        out += ["", "vrrp_sync_group %s {" % model.sync_group_name(group), "  group {"]
        out += ["    %s" % model.instance_name(group, fam) for fam, _vips in fams]
        out += ["  }"]
        if group["track_interfaces"] or group["track_scripts"]:
            out.append("  sync_group_tracking_weight")
        out += ["}"]
    for fam, vips in fams:
        out += ["", "vrrp_instance %s {" % model.instance_name(group, fam),
                "  state BACKUP",
                "  interface %s" % group["interface"],
                "  use_vmac %s" % model.macvlan_name(fam, group["interface"], group["vrid"]),
                "  vmac_xmit_base",
                "  virtual_router_id %d" % group["vrid"],
                "  priority %d" % group["priority"],
                "  advert_int %s" % _advert(group["advert_interval"])]
        if fam == 6:
            out.append("  native_ipv6")
        if not group["preempt"]:
            out.append("  nopreempt")
        elif group["preempt_delay"]:
            out.append("  preempt_delay %d" % group["preempt_delay"])
        if group["accept_mode"] is True:
            out.append("  accept")
        elif group["accept_mode"] is False:
            out.append("  no_accept")
        peers = [p for p in group["unicast_peers"] if (":" in p) == (fam == 6)]
        if peers:
            out += ["  unicast_peer {"] + ["    %s" % p for p in peers] + ["  }"]
        if group["track_interfaces"]:
            out += ["  track_interface {"]
            out += ["    %s weight -%d" % (t["interface"], t["decrement"]) for t in group["track_interfaces"]]
            out += ["  }"]
        if group["track_scripts"]:
            out += ["  track_script {"] + ["    %s" % _script_name(group, s) for s in group["track_scripts"]] + ["  }"]
        out += ["  %s" % line for line in group["extra_options"]]
        out += ["  virtual_ipaddress {"]
        out += ["    %s/%d" % (vip, model.prefixlen_for(group, vip)) for vip in vips]
        out += ["  }", "}"]
    return "\n".join(out) + "\n"
