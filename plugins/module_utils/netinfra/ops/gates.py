# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health gates of a maintenance drain/restore (playbooks/maintenance.yml, docs/operations.md).

Plain Python over what the status modules return (bgp_status ``sessions``, vrrp_status ``groups``,
ipsec_status ``tunnels``) per device, and the fleet intent (who holds which partner's sessions and
tunnels, which gateways share a VRRP group). Each gate answers for the device being drained:

- ``pair_not_drained``: no redundant device of the pair is itself drained (never drain the last one);
- ``bgp_sessions_elsewhere``: every partner with a session here has an Established session on another
  device that is not drained;
- ``partner_routes_elsewhere``: every prefix the partner announces here is also accepted from it on such
  a device (the partner's routes stay reachable through the redundant device);
- ``vrrp_master_elsewhere``: before the drain, every group of this gateway has a healthy member on
  another gateway that can take Master; after the demotion, the Master is on the other gateway;
- ``ipsec_elsewhere``: every partner with a tunnel here has a healthy tunnel on another gateway;
- restore, before: ``device_healthy`` (its own sessions, tunnels and groups are up: traffic is moved
  back only to a healthy device); after: ``vrrp_as_intended`` (one Master per group, the intended one)
  and the device's sessions carry the partners' routes again.

A gate is ``{"name", "passed", "evidence", "message"}``; a failed gate's message names the device,
the gate and the fix.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ..features.ipsec.model import partner_of
from ..features.vrrp.status import fleet_verdict

PHASES = ("before_drain", "after_drain", "before_restore", "after_restore")


def gate(name, passed, evidence, message):
    return {"name": name, "passed": bool(passed), "evidence": evidence, "message": message}


def partner_devices(partners, kind="sessions"):
    """{partner: sorted devices that hold its sessions (or tunnels)}."""
    out = {}
    for name, partner in sorted((partners or {}).items()):
        devices = {s.get("device") for s in (partner or {}).get(kind) or () if isinstance(s, dict)}
        devices.discard(None)
        if devices:
            out[name] = sorted(devices)
    return out


def vrrp_peers(vrrp_by_host, device):
    """{(segment, vrid): [other gateways of the group]} for the groups of ``device``."""
    mine = {(g.get("segment"), g.get("vrid")) for g in ((vrrp_by_host or {}).get(device) or {}).get("groups") or ()}
    out = {key: [] for key in mine}
    for host, vrrp in sorted((vrrp_by_host or {}).items()):
        if host == device:
            continue
        for g in (vrrp or {}).get("groups") or ():
            key = (g.get("segment"), g.get("vrid"))
            if key in out and host not in out[key]:
                out[key].append(host)
    return out


def peers_of(device, partners, vrrp_by_host):
    """The devices that take over ``device``'s traffic: those sharing a partner's sessions or tunnels,
    or a VRRP group, with it."""
    peers = set()
    for kind in ("sessions", "tunnels"):
        for devices in partner_devices(partners, kind).values():
            if device in devices:
                peers.update(devices)
    for others in vrrp_peers(vrrp_by_host, device).values():
        peers.update(others)
    peers.discard(device)
    return sorted(peers)


def _established(sessions_by_host, host, partner):
    return [s for s in (sessions_by_host.get(host) or ()) if s.get("partner") == partner and s.get("established")]


def _session_states(sessions_by_host, hosts, partner):
    return ["%s %s: %s" % (h, s.get("peer_address"), s.get("state")) for h in hosts
            for s in (sessions_by_host.get(h) or ()) if s.get("partner") == partner] or ["no session read"]


class Inputs:
    """What the gates judge: the intent and the status read from the device and its peers."""

    def __init__(self, device, partners=None, vrrp=None, sessions=None, groups=None, tunnels=None, drained=None):
        self.device = device
        self.partners = partners or {}
        self.vrrp = vrrp or {}          # {host: vrrp host var}
        self.sessions = sessions or {}  # {host: bgp_status sessions}
        self.groups = groups or {}      # {host: vrrp_status groups}
        self.tunnels = tunnels or {}    # {host: ipsec_status tunnels}
        self.drained = set(drained or ())  # devices in maintenance (other than device)

    def my_partners(self, kind="sessions"):
        return {p: [d for d in devs if d != self.device]
                for p, devs in partner_devices(self.partners, kind).items() if self.device in devs}

    def live(self, hosts):
        return [h for h in hosts if h not in self.drained and h != self.device]


def pair_not_drained(inp):
    peers = peers_of(inp.device, inp.partners, inp.vrrp)
    drained = sorted(set(peers) & inp.drained)
    evidence = {"peers": peers, "drained_peers": drained}
    if not peers:
        return gate("pair_not_drained", False, evidence,
                    "%s: gate pair_not_drained failed: no other device shares its partners or VRRP groups, so a drain "
                    "would take its traffic nowhere. Fix: nothing to drain to; plan an outage instead." % inp.device)
    if drained:
        return gate("pair_not_drained", False, evidence,
                    "%s: gate pair_not_drained failed: its redundant device(s) %s are drained, so %s is the last healthy "
                    "device of the pair. Fix: restore %s first (maintenance.yml -e device=%s -e action=restore)."
                    % (inp.device, ", ".join(drained), inp.device, drained[0], drained[0]))
    return gate("pair_not_drained", True, evidence, "%s: its pair (%s) is in service" % (inp.device, ", ".join(peers)))


def bgp_sessions_elsewhere(inp):
    failures, evidence = [], {}
    for partner, others in sorted(inp.my_partners().items()):
        live = inp.live(others)
        up = ["%s %s" % (h, s.get("peer_address")) for h in live for s in _established(inp.sessions, h, partner)]
        evidence[partner] = up
        if not up:
            failures.append("partner %s has no Established session on another device (%s)"
                            % (partner, "; ".join(_session_states(inp.sessions, others, partner))
                               if others else "it has sessions on %s only" % inp.device))
    if failures:
        return gate("bgp_sessions_elsewhere", False, evidence,
                    "%s: gate bgp_sessions_elsewhere failed: %s. Fix: bring those sessions up (show bgp neighbors on the "
                    "redundant device; ask the partner) before draining %s." % (inp.device, "; ".join(failures), inp.device))
    return gate("bgp_sessions_elsewhere", True, evidence,
                "%s: every partner has an Established session elsewhere" % inp.device)


def partner_routes_elsewhere(inp):
    failures, evidence = [], {}
    for partner, others in sorted(inp.my_partners().items()):
        here = {p for s in inp.sessions.get(inp.device) or () if s.get("partner") == partner
                for p in s.get("accepted_prefixes") or ()}
        there = {p for h in inp.live(others) for s in _established(inp.sessions, h, partner)
                 for p in s.get("accepted_prefixes") or ()}
        missing = sorted(here - there)
        evidence[partner] = {"here": sorted(here), "elsewhere": sorted(there), "missing_elsewhere": missing}
        if missing:
            failures.append("partner %s's %s reach us only through %s" % (partner, ", ".join(missing), inp.device))
    if failures:
        return gate("partner_routes_elsewhere", False, evidence,
                    "%s: gate partner_routes_elsewhere failed: %s. Fix: the partner must announce them on its session "
                    "to the redundant device (compare show bgp neighbors X routes on both) before draining %s."
                    % (inp.device, "; ".join(failures), inp.device))
    return gate("partner_routes_elsewhere", True, evidence,
                "%s: every partner route is also reachable through the redundant device" % inp.device)


def _group_entries(groups_by_host, host, key):
    return [g for g in groups_by_host.get(host) or () if (g.get("segment"), g.get("vrid")) == key]


def vrrp_master_elsewhere(inp, after=False):
    failures, evidence = [], {}
    for key, others in sorted(vrrp_peers(inp.vrrp, inp.device).items()):
        label = "%s VRID %s" % key
        live = inp.live(others)
        states = {h: [(g.get("family"), g.get("state"), g.get("problem")) for g in _group_entries(inp.groups, h, key)]
                  for h in [inp.device] + others}
        evidence[label] = states
        if after:
            mine = _group_entries(inp.groups, inp.device, key)
            masters_here = [g for g in mine if g.get("state") == "Master" or g.get("holds_vip")]
            elsewhere = [h for h in live if any(g.get("state") == "Master" for g in _group_entries(inp.groups, h, key))]
            if masters_here or not elsewhere:
                failures.append("%s: Master is %s" % (label, ", ".join(
                    sorted({h for h, s in states.items() if any(x[1] == "Master" for x in s)})) or "nobody"))
        else:
            ready = [h for h in live if _group_entries(inp.groups, h, key)
                     and all(g.get("state") in ("Master", "Backup") and not g.get("problem")
                             for g in _group_entries(inp.groups, h, key))]
            if not ready:
                failures.append("%s has no healthy member on another gateway to take Master (%s)"
                                % (label, "; ".join("%s: %s" % (h, states.get(h) or "not read") for h in others)
                                   or "no other gateway in the group"))
    if failures:
        fix = ("the demotion has not moved Master: check the group's advertisements on the segment (vrrp_status) and "
               "restore %s" % inp.device) if after else "repair the redundant gateway's group before draining %s" % inp.device
        return gate("vrrp_master_elsewhere", False, evidence, "%s: gate vrrp_master_elsewhere failed: %s. Fix: %s."
                    % (inp.device, "; ".join(failures), fix))
    return gate("vrrp_master_elsewhere", True, evidence,
                "%s: every VRRP group %s" % (inp.device, "has its Master on the other gateway" if after
                                             else "has a healthy member ready to take Master"))


def _healthy_tunnels(tunnels_by_host, host, partner):
    return [t.get("name") for t in tunnels_by_host.get(host) or ()
            if partner_of(t.get("name") or "") == partner and t.get("healthy")]


def ipsec_elsewhere(inp):
    failures, evidence = [], {}
    for partner, others in sorted(inp.my_partners("tunnels").items()):
        up = ["%s %s" % (h, n) for h in inp.live(others) for n in _healthy_tunnels(inp.tunnels, h, partner)]
        evidence[partner] = up
        if not up:
            failures.append("partner %s has no healthy tunnel on another gateway (%s)"
                            % (partner, ", ".join(others) or "its tunnels are on %s only" % inp.device))
    if failures:
        return gate("ipsec_elsewhere", False, evidence,
                    "%s: gate ipsec_elsewhere failed: %s. Fix: bring the tunnel up on the other gateway (ipsec_status; "
                    "swanctl --list-sas) before draining %s." % (inp.device, "; ".join(failures), inp.device))
    return gate("ipsec_elsewhere", True, evidence, "%s: every IPsec partner is up on another gateway" % inp.device)


def device_healthy(inp):
    """Before a restore: the device's own sessions, tunnels and groups are up."""
    problems = []
    for s in inp.sessions.get(inp.device) or ():
        if not s.get("established"):
            problems.append("BGP %s (%s) is %s" % (s.get("peer_address"), s.get("partner"), s.get("state")))
    for t in inp.tunnels.get(inp.device) or ():
        if not t.get("healthy"):
            problems.append("tunnel %s is not healthy" % t.get("name"))
    for g in inp.groups.get(inp.device) or ():
        if g.get("state") not in ("Master", "Backup") or (g.get("problem") and "preemption pending" not in g["problem"]):
            problems.append("VRRP %s VRID %s %s is %s" % (g.get("segment"), g.get("vrid"), g.get("family"), g.get("state")))
    evidence = {"problems": problems}
    if problems:
        return gate("device_healthy", False, evidence,
                    "%s: gate device_healthy failed: %s. Fix: repair %s before moving traffic back to it."
                    % (inp.device, "; ".join(problems), inp.device))
    return gate("device_healthy", True, evidence, "%s: its sessions, tunnels and VRRP groups are up" % inp.device)


def routes_here(inp):
    """After a restore: every partner session on the device carries the partner's routes again."""
    failures, evidence = [], {}
    for partner, _others in sorted(inp.my_partners().items()):
        mine = [s for s in inp.sessions.get(inp.device) or () if s.get("partner") == partner]
        evidence[partner] = [(s.get("peer_address"), s.get("state"), s.get("accepted_prefixes")) for s in mine]
        if not any(s.get("established") and s.get("accepted_prefixes") for s in mine):
            failures.append("partner %s: no Established session with accepted routes on %s" % (partner, inp.device))
    if failures:
        return gate("partner_routes_here", False, evidence, "%s: gate partner_routes_here failed: %s. Fix: check "
                    "show bgp neighbors on %s; the drain is lifted but the partner's routes did not return."
                    % (inp.device, "; ".join(failures), inp.device))
    return gate("partner_routes_here", True, evidence, "%s: every partner's routes are back on it" % inp.device)


def vrrp_as_intended(inp):
    members = set([inp.device]) | {h for others in vrrp_peers(inp.vrrp, inp.device).values() for h in others}
    problems = fleet_verdict({h: inp.groups.get(h) for h in members if inp.groups.get(h)})
    if problems:
        return gate("vrrp_as_intended", False, {"problems": problems},
                    "%s: gate vrrp_as_intended failed: %s. Fix: check vrrp_status on %s."
                    % (inp.device, "; ".join(problems), ", ".join(sorted(members))))
    return gate("vrrp_as_intended", True, {"members": sorted(members)},
                "%s: one Master per group, the intended one" % inp.device)


def evaluate(inp, phase):
    """The gates of ``phase`` (see PHASES), in order."""
    if phase not in PHASES:
        raise ValueError("phase %s: expected one of %s" % (phase, ", ".join(PHASES)))
    if phase == "before_drain":
        return [pair_not_drained(inp), bgp_sessions_elsewhere(inp), partner_routes_elsewhere(inp),
                vrrp_master_elsewhere(inp), ipsec_elsewhere(inp)]
    if phase == "after_drain":
        return [bgp_sessions_elsewhere(inp), partner_routes_elsewhere(inp), vrrp_master_elsewhere(inp, after=True),
                ipsec_elsewhere(inp)]
    if phase == "before_restore":
        return [device_healthy(inp), bgp_sessions_elsewhere(inp), ipsec_elsewhere(inp)]
    return [device_healthy(inp), routes_here(inp), vrrp_as_intended(inp)]


def summary(device, phase, gates):
    failed = [g for g in gates if not g["passed"]]
    if not failed:
        return "%s: %s: all %d gates pass (%s)" % (device, phase, len(gates), ", ".join(g["name"] for g in gates))
    return "%s: %s: %d of %d gates FAILED: %s" % (device, phase, len(failed), len(gates),
                                                  " | ".join(g["message"] for g in failed))
