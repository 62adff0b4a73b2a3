# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Operational BGP state from FRR's JSON (``show bgp summary json``, ``... neighbors X routes json``)."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress
import json

SUMMARY_COMMAND = "show bgp vrf default summary json"
NEIGHBOR_COMMAND = "show bgp vrf default neighbors %s json"
NEIGHBORS_COMMAND = "show bgp vrf default neighbors json"
CLEAR_COMMAND = "clear bgp vrf default %s"

# What the last NOTIFICATION (FRR's lastErrorCodeSubcode: code and subcode, two hex digits each)
# means for a partner session, whatever BGP implementation the partner runs.
_NOTIFICATION_HINTS = {
    "0202": "the AS numbers do not match: compare the partner's asn in the intent with the AS their router "
            "uses, and the AS their router expects from us",
    "0203": "the router-ids clash or one is invalid: check bgp.router_id and the partner's router id",
    "0204": "an optional parameter of the OPEN was refused: compare capabilities on both sides",
    "0206": "the hold time was refused: compare timers.hold with the partner's (3 s or more on both sides)",
    "0207": "the two routers share no address family on this session: the partner's router must enable "
            "{family} unicast on its session with us (BIRD: an {family} channel; GoBGP: afi-safi "
            "{family}-unicast; FRR: activate it)",
    "0400": "the hold timer expired: keepalives stopped arriving (link, filter, overload or a changed TCP-MD5 "
            "password)",
    "0601": "the partner sent more prefixes than max_prefixes (a session restarts after max_prefixes.restart "
            "minutes, or on 'clear bgp')",
    "0602": "the partner's router shut the session down administratively",
    "0603": "the partner's router has no session configured for us (de-configured or not yet configured)",
    "0605": "the partner's router refused the connection (it has no session for our address, or a "
            "connection is already open)",
    "0606": "the partner's router reset the session after a configuration change",
}

_REASONS = {
    "Idle": "the session is idle: it is shut down, the peer address is unreachable, or it was reset "
            "(maximum-prefix exceeded, hold timer expired); see 'show bgp neighbors {peer}'",
    "Connect": "no TCP session to the peer: check reachability, TTL security (GTSM) on both sides, "
               "and the TCP-MD5 password (a wrong password fails silently; the kernel counts it in "
               "TcpExt TCPMD5Failure/TCPMD5NotFound)",
    "Active": "no TCP session to the peer: check reachability, TTL security (GTSM) on both sides, "
              "and the TCP-MD5 password (a wrong password fails silently; the kernel counts it in "
              "TcpExt TCPMD5Failure/TCPMD5NotFound)",
    "OpenSent": "TCP is up but the peer sent no OPEN: check the remote AS and the peer's config",
    "OpenConfirm": "OPEN exchanged but no KEEPALIVE yet: check timers and capabilities",
}


def _load(text):
    if isinstance(text, dict):
        return text
    text = text.strip()
    if not text:
        return {}
    return json.loads(text[text.index("{"):]) if "{" in text else {}


def parse_summary(text):
    """``show bgp vrf default summary json`` -> {peer: {state, prefixes_received, ...}}."""
    data = _load(text)
    peers = {}
    for af_name, af in data.items():
        if not isinstance(af, dict) or "peers" not in af:
            continue
        for peer, info in af["peers"].items():
            entry = peers.setdefault(peer, {
                "peer_address": peer, "state": info.get("state"), "remote_as": info.get("remoteAs"),
                "description": info.get("desc"), "uptime": info.get("peerUptime"),
                "prefixes_received": {}, "prefixes_sent": {}})
            state = info.get("state")
            if state and state != "Established" and entry["state"] == "Established":
                entry["state"] = state
            entry["prefixes_received"][af_name] = info.get("pfxRcd", 0)
            entry["prefixes_sent"][af_name] = info.get("pfxSnt", 0)
    for entry in peers.values():
        entry["established"] = entry["state"] == "Established"
    return peers


def parse_routes(text):
    """``show bgp <afi> unicast neighbors X routes json`` -> list of accepted prefixes."""
    data = _load(text)
    return sorted((data.get("routes") or {}).keys())


def parse_neighbors(text):
    """``show bgp vrf default neighbors json`` -> {peer: entry} (every neighbor in one call)."""
    data = _load(text)
    return data if isinstance(data, dict) else {}


def parse_neighbor(text, peer):
    """``show bgp vrf default neighbors X json`` -> the peer's entry ({} when FRR has none)."""
    data = _load(text)
    entry = data.get(peer)
    if entry is None:  # FRR prints an address in its canonical form; the intent may not
        try:
            wanted = ipaddress.ip_address(peer)
            entry = next((v for k, v in data.items() if _same_address(k, wanted)), None)
        except ValueError:
            entry = None
    return entry if isinstance(entry, dict) and "bgpState" in entry else {}


def _same_address(text, wanted):
    try:
        return ipaddress.ip_address(text) == wanted
    except ValueError:
        return False


def last_reset(neighbor, peer=None):
    """Why FRR last reset or refused the session, from its neighbor JSON: its own words (lastResetDueTo,
    lastNotificationReason) and, for a NOTIFICATION, what it means with any implementation on the
    other side. None when FRR recorded nothing."""
    due_to = neighbor.get("lastResetDueTo")
    notification = neighbor.get("lastNotificationReason")
    if not due_to and not notification:
        return None
    text = "last reset: %s" % (due_to or "NOTIFICATION")
    if notification:
        text += " (%s)" % notification
    hint = _NOTIFICATION_HINTS.get(str(neighbor.get("lastErrorCodeSubcode") or "").upper())
    if hint is None and str(neighbor.get("lastErrorCodeSubcode") or "")[:2] == "04":
        hint = _NOTIFICATION_HINTS["0400"]
    if hint:
        family = "ipv6" if peer and ":" in peer else "ipv4"
        text += ": " + hint.format(family=family)
    return text


def reason_for(state, peer, admin_shutdown=False, neighbor=None):
    """Why a session is not Established: the state's usual causes, then (``neighbor``: FRR's neighbor
    JSON of the peer) the reason FRR recorded for the last reset or refusal."""
    if admin_shutdown:
        return "administratively shut down in intent"
    if state is None:
        return "not configured on the router"
    reason = _REASONS.get(state.split(" ")[0].split("(")[0], "state %s" % state).format(peer=peer)
    detail = last_reset(neighbor or {}, peer)
    return "%s; %s" % (reason, detail) if detail else reason


def outside_policy(prefixes, accept):
    """Prefixes not covered by any accept entry ({prefix, ge, le}) of the partner."""
    entries = []
    for entry in accept:
        net = ipaddress.ip_network(entry["prefix"])
        low = entry.get("ge") or net.prefixlen
        high = entry.get("le") or (entry.get("ge") and net.max_prefixlen) or net.prefixlen
        entries.append((net, low, high))
    bad = []
    for prefix in prefixes:
        net = ipaddress.ip_network(prefix)
        if not any(net.version == e.version and net.subnet_of(e) and low <= net.prefixlen <= high
                   for e, low, high in entries):
            bad.append(prefix)
    return bad


def evaluate(config, summary, routes=None, neighbors=None):
    """Per-session verdicts for the normalised device ``config`` against parsed ``summary``.

    ``routes`` maps a peer to the prefixes it installed (after policy); when given, prefixes outside
    the partner's accept list and counts over max_prefixes fail the session. ``neighbors`` maps a peer
    that is not Established to its ``parse_neighbor`` entry, for the reason FRR recorded.
    """
    results = []
    for partner in config.get("partners") or []:
        for session in partner["sessions"]:
            peer = session["peer_address"]
            live = summary.get(peer)
            state = live["state"] if live else None
            result = {"partner": partner["name"], "peer_address": peer, "state": state,
                      "established": bool(live and live["established"]),
                      "prefixes_received": sum((live or {}).get("prefixes_received", {}).values()),
                      "prefixes_sent": sum((live or {}).get("prefixes_sent", {}).values()),
                      "ok": True, "reason": None}
            if session.get("shutdown"):
                result["ok"] = not result["established"]
                result["reason"] = None if result["ok"] else "intent says shutdown but it is Established"
            elif not result["established"]:
                result["ok"] = False
                result["reason"] = reason_for(state, peer, neighbor=(neighbors or {}).get(peer))
            if routes is not None and peer in routes:
                result["accepted_prefixes"] = routes[peer]
                bad = outside_policy(routes[peer], partner["accept_prefixes"])
                if bad:
                    result["ok"] = False
                    result["reason"] = "accepts prefixes outside its policy: %s" % ", ".join(bad)
            limit = (partner.get("max_prefixes") or {}).get("limit")
            if limit and result["prefixes_received"] > limit:
                result["ok"] = False
                result["reason"] = "receives %d prefixes, over max_prefixes %d" % (result["prefixes_received"], limit)
            results.append(result)
    return results


# -- fast failure (issue 14): is a session that is down after a change certain not to come back? -------

#: The kernel's TCP-MD5 drop counters (TcpExt in /proc/net/netstat), node-wide.
MD5_COUNTERS = ("TCPMD5Failure", "TCPMD5NotFound", "TCPMD5Unexpected")
#: What each counter means when it rises while a session whose password changed is down.
_MD5_MEANING = {
    "TCPMD5Failure": "signed with another password",
    "TCPMD5NotFound": "unsigned: the partner has no password for us, or its BGP speaker is down and its "
                      "kernel resets the connection",
    "TCPMD5Unexpected": "signed while we expect no password",
}
#: The counters that tell a mismatch, by whether the session has a password after the change: with one, the
#: partner's segments signed with another password or unsigned; without one, segments still signed. A drop of
#: the other kind is the change catching up (a partner's signed SYN that arrived before bgpd installed the new
#: key: an onboarding counts TCPMD5Unexpected for a moment), never evidence against it.
MD5_EVIDENCE = {True: ("TCPMD5Failure", "TCPMD5NotFound"), False: ("TCPMD5Unexpected",)}
#: Drops needed before a password mismatch counts as certain. Measured on FRR 8.4: the partner's
#: first signed SYN is dropped ~2 s after the change, the second ~3.3 s (docs/benchmarks.md).
MD5_CERTAIN = 2
#: NOTIFICATIONs our own change causes (FRR resets a session with Cease/Other Configuration Change,
#: or Cease/Administrative Reset): never evidence against the change.
_OWN_RESETS = ("0604", "0606")


def parse_netstat(text):
    """``/proc/net/netstat`` -> {counter: int} of its TcpExt section ({} when the text holds none,
    e.g. a login shell that is vtysh answered ``% Unknown command``)."""
    names = None
    for line in (text or "").splitlines():
        if not line.startswith("TcpExt:"):
            continue
        fields = line.split()[1:]
        if names is None:
            names = fields
            continue
        try:
            return dict(zip(names, (int(v) for v in fields)))
        except ValueError:
            return {}
    return {}


def md5_drops(before, now):
    """How many segments each TCP-MD5 counter dropped between two ``parse_netstat`` readings
    (only counters that rose; {} when either reading is missing)."""
    if not before or not now:
        return {}
    return {name: now[name] - before[name] for name in MD5_COUNTERS
            if name in now and name in before and now[name] > before[name]}


def md5_evidence(drops, has_password):
    """The drops (``md5_drops``) that speak against a session which, after the change, has a TCP-MD5
    password (``has_password``) or none."""
    return {name: count for name, count in (drops or {}).items() if name in MD5_EVIDENCE[bool(has_password)]}


def session_marks(neighbor):
    """The counters of one peer (``parse_neighbor``) that show what happened after a point in time."""
    stats = neighbor.get("messageStats") or {}
    return {"notifications_received": stats.get("notificationsRecv", 0),
            "notifications_sent": stats.get("notificationsSent", 0)}


def certain_failure(peer, marks_before, neighbor, md5=None):
    """Why the session to ``peer`` will not come back, when that is already certain; else None.

    ``marks_before``: ``session_marks`` of the peer just before the change; ``neighbor``: its
    ``parse_neighbor`` entry now; ``md5``: ``md5_drops`` since the change, given only for a peer whose
    password the change touched (the counters are node-wide). A session that is merely Connect/Active
    (it legitimately takes seconds to come up after a password change) is never certain on its own.
    """
    if not neighbor or neighbor.get("bgpState") == "Established":
        return None
    marks = session_marks(neighbor)
    code = str(neighbor.get("lastErrorCodeSubcode") or "").upper()
    if (marks["notifications_received"] > marks_before.get("notifications_received", 0)
            and neighbor.get("lastResetDueTo") == "BGP Notification received"):
        return "the partner's router sent a NOTIFICATION: %s" % last_reset(neighbor, peer)
    if (marks["notifications_sent"] > marks_before.get("notifications_sent", 0)
            and code[:2] in ("02", "03") and code not in _OWN_RESETS):
        return "our router refused the partner's OPEN/UPDATE with a NOTIFICATION: %s" % last_reset(neighbor, peer)
    if md5 and sum(md5.values()) >= MD5_CERTAIN:
        return ("TCP-MD5 password mismatch: since the change the kernel dropped %s (node-wide TcpExt counters); "
                "compare the session's password with the partner's" % ", ".join(
                    "%d segment(s) %s (%s)" % (count, _MD5_MEANING[name], name) for name, count in sorted(md5.items())))
    return None
