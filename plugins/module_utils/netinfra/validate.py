# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate the whole fleet's BGP partner intent in one pass (see docs/intent.md).

``validate_fleet(partners, devices, policy)`` returns a sorted list of :class:`Finding` (errors and
warnings), each naming the host (or ``partner:<name>`` / ``policy``), the dotted field, what is
wrong and how to fix it. It never includes a password value in a finding.

Plain Python, no Ansible import, Python 3.9 compatible (module_utils may be shipped to devices).
Everything is linear in the size of the intent (cross-device checks use dict/bisect indexes), so a
5,000-device fleet validates in well under a second or two.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import bisect
import difflib
import ipaddress
import re
from dataclasses import asdict, dataclass

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.prefixes import (
    MAX_BITS,
    PrefixError,
    describe,
    longest_match,
    parse_entry,
    parse_network,
)

ERROR = "error"
WARNING = "warning"

SUPPORTED_PLATFORMS = ("frr",)
PLANNED_PLATFORMS = ("eos",)
TRANSPORTS = ("direct", "ipsec")
PARTNER_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
MAX_ASN = 4294967295
AS_TRANS = 23456
MAX_PASSWORD_LEN = 80  # FRR's TCP-MD5 key limit
POLICY_DEFAULTS = {
    "password_required": True,
    "max_prefixes_required": True,
    "max_accept_prefix_len_v4": 24,
    "max_accept_prefix_len_v6": 48,
}

_INT = (int,)
_STR = (str,)
_BOOL = (bool,)
_LIST = (list, tuple)
_DICT = (dict,)

# key -> (accepted types, required, what to write)
POLICY_SPEC = {
    "password_required": (_BOOL, False, "true or false"),
    "max_prefixes_required": (_BOOL, False, "true or false"),
    "max_accept_prefix_len_v4": (_INT, False, "an integer 0..32"),
    "max_accept_prefix_len_v6": (_INT, False, "an integer 0..128"),
}
DEVICE_BGP_SPEC = {
    "asn": (_INT, True, "our ASN as an integer, e.g. 65010"),
    "router_id": (_STR, True, "an IPv4 address, e.g. 198.18.0.1"),
    "announce": (_LIST, False, "a list of prefixes, e.g. [198.18.10.0/24]"),
    "graceful_shutdown": (_BOOL, False, "true or false"),
}
PARTNER_SPEC = {
    "asn": (_INT, True, "the partner's ASN as an integer, e.g. 64496"),
    "description": (_STR, False, "a short text"),
    "accept_prefixes": (_LIST, True, "a list of prefixes they may announce, e.g. [198.51.100.0/24]"),
    "announce": (_LIST, False, "a list of our prefixes to announce to them"),
    "max_prefixes": (_INT + _DICT, False, "an integer or {limit: N, threshold: 80, restart: 5}"),
    "ttl_security": (_INT, False, "an integer 1..254"),
    "ebgp_multihop": (_INT, False, "an integer 1..255"),
    "timers": (_DICT, False, "{keepalive: 10, hold: 30}"),
    "bfd": (_BOOL, False, "true or false"),
    "sessions": (_LIST, True, "a list of sessions ({device, peer_address, local_address, password})"),
    "tunnels": (_LIST, False, "a list of tunnels"),
}
SESSION_SPEC = {
    "device": (_STR, True, "the inventory hostname of our router, e.g. dc1-edge1"),
    "peer_address": (_STR, True, "the partner router's IPv4 or IPv6 address"),
    "local_address": (_STR, False, "our IPv4 or IPv6 address on the link"),
    "password": (_STR, False, "a vaulted string, e.g. \"{{ vault_<partner>_bgp }}\""),
    "description": (_STR, False, "a short text"),
    "shutdown": (_BOOL, False, "true or false"),
    "transport": (_STR, False, "direct or ipsec"),
}
MAX_PREFIXES_SPEC = {
    "limit": (_INT, True, "an integer 1..4294967295"),
    "threshold": (_INT, False, "a percentage 1..100"),
    "restart": (_INT, False, "minutes 1..65535"),
    "warning_only": (_BOOL, False, "true or false"),
}
TIMERS_SPEC = {
    "keepalive": (_INT, True, "seconds 0..65535"),
    "hold": (_INT, True, "seconds: 0 or 3..65535"),
}
SECRET_KEYS = frozenset(("password", "psk", "secret"))


@dataclass(frozen=True)
class Finding:
    """One problem in the intent. ``host`` is an inventory hostname, ``partner:<name>`` or ``policy``."""

    host: str
    field: str
    message: str
    fix: str = ""
    severity: str = ERROR
    file: str = ""  # the reviewed file the field lives in, when known (partners/<name>.yml)

    def __str__(self):
        where = "%s (%s)" % (self.field, self.file) if self.file else self.field
        text = "%s: %s: %s" % (self.host, where, _sentence(self.message))
        if self.fix:
            text += " Fix: %s" % _sentence(self.fix)
        return text

    def to_dict(self):
        return asdict(self)


class _Report:
    """Collects findings for one validation run (no state outlives the call)."""

    def __init__(self):
        self.findings = []

    def error(self, host, field, message, fix=""):
        self.findings.append(Finding(host, field, message, fix, ERROR))

    def warning(self, host, field, message, fix=""):
        self.findings.append(Finding(host, field, message, fix, WARNING))


# ---------------------------------------------------------------------------------------------------
# generic helpers


def _sentence(text):
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _type_name(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "empty"
    return "a %s" % type(value).__name__


def _has_type(value, types):
    if isinstance(value, bool) and bool not in types:
        return False  # YAML true/false is not an integer here
    return isinstance(value, types)


def _show(key, value):
    """A value quoted for a message, never a secret's."""
    if key in SECRET_KEYS:
        return "the %s" % key
    text = repr(value) if not isinstance(value, str) else "'%s'" % value
    return text if len(text) <= 60 else text[:57] + "...'"


def _suggest(name, candidates):
    match = difflib.get_close_matches(str(name), list(candidates), n=1, cutoff=0.6)
    return match[0] if match else None


def _typed(obj, spec, host, path, report):
    """Report unknown keys, missing required keys and wrong types; return the well-typed values.

    ``None`` counts as "not set". The result has only keys whose value has the expected type.
    """
    good = {}
    for key in obj:
        if key not in spec:
            hint = _suggest(key, spec)
            fix = ("did you mean '%s'?" % hint) if hint else "remove it; valid keys are %s" % ", ".join(sorted(spec))
            report.error(host, "%s.%s" % (path, key), "unknown key '%s'" % key, fix)
    for key, (types, required, what) in spec.items():
        value = obj.get(key)
        if value is None:
            if required:
                report.error(host, "%s.%s" % (path, key), "required key '%s' is missing" % key, "set %s to %s" % (key, what))
            continue
        if not _has_type(value, types):
            fix = "set %s to %s" % (key, what)
            if int in types and isinstance(value, str) and value.strip().isdigit():
                fix = "write %s without quotes" % value.strip()
            report.error(host, "%s.%s" % (path, key),
                         "%s is %s, expected %s" % (_show(key, value), _type_name(value), what), fix)
            continue
        good[key] = value
    return good


def _in_range(value, low, high, host, field, report, what, fix=None):
    if low <= value <= high:
        return True
    report.error(host, field, "%s %d is out of range %d..%d" % (what, value, low, high),
                 fix or "use a value between %d and %d" % (low, high))
    return False


def _parse_ip(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _natural(text):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _sort_key(finding):
    return (finding.host, _natural(finding.field), finding.severity != ERROR, finding.message)


# ---------------------------------------------------------------------------------------------------
# policy


def _check_policy(policy, report):
    """Effective policy (defaults filled in); bad values are reported and replaced by defaults."""
    effective = dict(POLICY_DEFAULTS)
    if policy is None:
        return effective
    if not isinstance(policy, dict):
        report.error("policy", "bgp_policy", "bgp_policy is %s, expected a mapping" % _type_name(policy),
                     "make bgp_policy a mapping of the keys %s" % ", ".join(sorted(POLICY_SPEC)))
        return effective
    good = _typed(policy, POLICY_SPEC, "policy", "bgp_policy", report)
    for key, bits in (("max_accept_prefix_len_v4", 32), ("max_accept_prefix_len_v6", 128)):
        if key in good and not _in_range(good[key], 0, bits, "policy", "bgp_policy." + key, report, key):
            del good[key]
    effective.update(good)
    return effective


# ---------------------------------------------------------------------------------------------------
# ASNs


def _check_asn(value, host, field, report, whose):
    """False when the ASN cannot be used at all."""
    if value == 0:
        report.error(host, field, "ASN 0 is reserved and never valid in BGP (RFC 7607)", "use %s real ASN" % whose)
        return False
    if value == AS_TRANS:
        report.error(host, field, "ASN 23456 is AS_TRANS (RFC 6793), a placeholder for 4-byte ASNs",
                     "use %s real 4-byte ASN in asplain form" % whose)
        return False
    if value < 0 or value > MAX_ASN:
        report.error(host, field, "ASN %d is out of range 1..4294967295" % value,
                     "use %s ASN in asplain form (asdot X.Y is X*65536+Y)" % whose)
        return False
    if value in (65535, MAX_ASN):
        report.warning(host, field, "ASN %d is reserved (RFC 7300) and must not be used on a session" % value,
                       "use %s assigned ASN" % whose)
    return True


# ---------------------------------------------------------------------------------------------------
# devices


class _Device:
    """What the partner checks need to know about one of our BGP routers."""

    __slots__ = ("asn", "announce")

    def __init__(self):
        self.asn = None
        self.announce = []


def _check_devices(devices, report):
    """Check every host's platform and bgp vars; return {host: _Device} for hosts that run BGP."""
    bgp_hosts = {}
    router_ids = {}  # (asn, router_id) -> [host]
    for host in sorted(devices):
        hostvars = devices[host]
        if hostvars is None:
            hostvars = {}
        if not isinstance(hostvars, dict):
            report.error(host, "vars", "host vars are %s, expected a mapping" % _type_name(hostvars),
                         "check host_vars/%s.yml" % host)
            continue
        platform = hostvars.get("netinfra_platform")
        bgp = hostvars.get("bgp")
        if platform is None and bgp is None:
            continue  # not a device we manage (jump host, localhost, ...)
        _check_platform(host, platform, bgp is not None, report)
        if bgp is None:
            continue
        device = _Device()
        bgp_hosts[host] = device
        if not isinstance(bgp, dict):
            report.error(host, "bgp", "bgp is %s, expected a mapping" % _type_name(bgp),
                         "set bgp: {asn: 65010, router_id: 198.18.0.1, announce: [...]}")
            continue
        good = _typed(bgp, DEVICE_BGP_SPEC, host, "bgp", report)
        if "asn" in good and _check_asn(good["asn"], host, "bgp.asn", report, "our"):
            device.asn = good["asn"]
        if "router_id" in good:
            rid = _parse_ip(good["router_id"])
            if rid is None or rid.version != 4:
                report.error(host, "bgp.router_id", "%s is not an IPv4 address" % _show("router_id", good["router_id"]),
                             "use an IPv4 address unique among routers with the same ASN, e.g. the loopback")
            elif device.asn is not None:
                router_ids.setdefault((device.asn, str(rid)), []).append(host)
        for index, item in enumerate(good.get("announce", ())):
            field = "bgp.announce[%d]" % index
            try:
                net = parse_network(item)
            except PrefixError as exc:
                report.error(host, field, str(exc), exc.fix or "")
                continue
            if net.prefixlen == 0:
                report.warning(host, field, "we would announce a default route (%s) to partners" % net,
                               "announce only our own prefixes")
            device.announce.append(net)
    for (asn, rid), hosts in router_ids.items():
        if len(hosts) > 1:
            for host in hosts:
                others = ", ".join(h for h in hosts if h != host)
                report.error(host, "bgp.router_id",
                             "router_id %s is also used by %s in AS %d" % (rid, others, asn),
                             "give every router in AS %d its own router_id (e.g. its loopback)" % asn)
    return bgp_hosts


def _check_platform(host, platform, runs_bgp, report):
    if platform is None:
        if runs_bgp:
            report.error(host, "netinfra_platform", "netinfra_platform is not set on a host with bgp vars",
                         "set netinfra_platform: frr in host_vars/%s.yml" % host)
        return
    if platform in SUPPORTED_PLATFORMS:
        return
    if isinstance(platform, str) and platform.lower() in PLANNED_PLATFORMS:
        message = "platform '%s' is not supported yet" % platform
    else:
        message = "unknown platform %s" % _show("netinfra_platform", platform)
    report.error(host, "netinfra_platform", message,
                 "use frr (the only platform supported now; Arista EOS is planned)")


# ---------------------------------------------------------------------------------------------------
# our address space, for the hijack check


class _OurSpace:
    """Index of every prefix we announce, answering "does this network overlap any of ours?"."""

    def __init__(self, bgp_hosts):
        owner = {}  # (version, network int, prefixlen) -> (net, host)
        for host in sorted(bgp_hosts):
            for net in bgp_hosts[host].announce:
                owner.setdefault((net.version, int(net.network_address), net.prefixlen), (net, host))
        self._owner = owner
        self._starts = {4: [], 6: []}
        self._nets = {4: [], 6: []}
        for key in sorted(owner):
            self._starts[key[0]].append(key[1])
            self._nets[key[0]].append(owner[key])

    def overlap(self, net):
        """(our net, host, how many of ours overlap) for the first of our prefixes overlapping ``net``."""
        version, start, plen = net.version, int(net.network_address), net.prefixlen
        bits = MAX_BITS[version]
        for length in range(plen, -1, -1):  # ours equal to or containing net
            mask = ((1 << length) - 1) << (bits - length) if length else 0
            found = self._owner.get((version, start & mask, length))
            if found:
                return found[0], found[1], 1
        end = int(net.broadcast_address)
        starts = self._starts[version]
        first = bisect.bisect_left(starts, start)
        last = bisect.bisect_right(starts, end)
        if first < last:  # ours inside net (any start inside a CIDR block is inside it here)
            ours, host = self._nets[version][first]
            return ours, host, last - first
        return None


# ---------------------------------------------------------------------------------------------------
# partners


class _Fleet:
    """Cross-partner facts gathered while walking the sessions."""

    def __init__(self, bgp_hosts, devices, space):
        self.bgp_hosts = bgp_hosts
        self.devices = devices
        self.space = space
        self.peers = {}  # (device, peer ip) -> [(host label, field)]
        self.peer_devices = {}  # peer ip -> {device: field}
        self.suggestions = {}


def _check_partner_name(name, report):
    if isinstance(name, str) and PARTNER_NAME_RE.match(name):
        return True
    fixed = re.sub(r"[^a-z0-9_]", "_", str(name).lower()).strip("_")
    if not fixed or not fixed[0].isalpha():
        fixed = "p_" + fixed
    report.error("partner:%s" % name, "partners.%s" % name,
                 "partner name '%s' must match ^[a-z][a-z0-9_]{0,30}$ (it becomes FRR object names)" % name,
                 "rename it, e.g. '%s'" % fixed[:31])
    return False


def _check_accept(name, entries, policy, space, report):
    host = "partner:%s" % name
    path = "partners.%s.accept_prefixes" % name
    limits = {4: policy["max_accept_prefix_len_v4"], 6: policy["max_accept_prefix_len_v6"]}
    seen = {}
    for index, entry in enumerate(entries):
        field = "%s[%d]" % (path, index)
        try:
            item = parse_entry(entry)
        except PrefixError as exc:
            sub = ".%s" % exc.key if isinstance(entry, dict) and exc.key else ""
            report.error(host, field + sub, str(exc), exc.fix or "")
            continue
        net = ipaddress.ip_network(item["prefix"])
        text = describe(item)
        if net.prefixlen == 0:
            report.error(host, field, "%s would accept a default route from the partner" % text,
                         "list only the partner's own prefixes; never accept 0.0.0.0/0 or ::/0 from a partner")
            continue
        longest = longest_match(net, item["ge"], item["le"])
        limit = limits[net.version]
        if longest > limit:
            setting = "bgp_policy.max_accept_prefix_len_v%d" % net.version
            if net.prefixlen <= limit:
                fix = "use le %d or shorter, or raise %s if longer prefixes are really wanted" % (limit, setting)
            else:
                fix = "ask the partner to announce a /%d or shorter aggregate, or raise %s" % (limit, setting)
            report.error(host, field + (".le" if isinstance(entry, dict) and item["le"] is not None else ""),
                         "%s accepts prefixes up to /%d, longer than %s (/%d)" % (text, longest, setting, limit), fix)
        ours = space.overlap(net)
        if ours:
            our_net, our_host, count = ours
            more = " and %d more of ours" % (count - 1) if count > 1 else ""
            report.error(host, field,
                         "%s overlaps our %s (announced by %s)%s: the partner could hijack our address space"
                         % (text, our_net, our_host, more),
                         "remove it or narrow it to the partner's own prefixes outside our space")
        identity = (item["prefix"], item["ge"], item["le"])
        if identity in seen:
            report.warning(host, field, "%s is listed twice (also at index %d)" % (text, seen[identity]),
                           "remove the duplicate")
        else:
            seen[identity] = index


def _check_partner_announce(name, entries, report):
    nets = []
    for index, entry in enumerate(entries):
        try:
            nets.append(parse_network(entry))
        except PrefixError as exc:
            report.error("partner:%s" % name, "partners.%s.announce[%d]" % (name, index), str(exc), exc.fix or "")
    return nets


def _check_max_prefixes(name, good, is_set, policy, report):
    """``is_set``: the partner has a max_prefixes value (maybe of a wrong type, already reported)."""
    host = "partner:%s" % name
    field = "partners.%s.max_prefixes" % name
    value = good.get("max_prefixes")
    if value is None:
        if policy["max_prefixes_required"] and not is_set:
            count = len(good.get("accept_prefixes") or ())
            report.error(host, field, "max_prefixes is not set: a leak from the partner would fill our tables",
                         "set max_prefixes to a little above what they announce, e.g. %d" % max(10, 2 * count))
        return
    if _is_int(value):
        _in_range(value, 1, MAX_ASN, host, field, report, "max_prefixes")
        return
    sub = _typed(value, MAX_PREFIXES_SPEC, host, field, report)
    if "limit" in sub:
        _in_range(sub["limit"], 1, MAX_ASN, host, field + ".limit", report, "limit")
    if "threshold" in sub:
        _in_range(sub["threshold"], 1, 100, host, field + ".threshold", report, "threshold (percent)")
    if "restart" in sub:
        _in_range(sub["restart"], 1, 65535, host, field + ".restart", report, "restart (minutes)")


def _check_session_options(name, good, report):
    host = "partner:%s" % name
    path = "partners.%s" % name
    if "ttl_security" in good:
        _in_range(good["ttl_security"], 1, 254, host, path + ".ttl_security", report, "ttl_security hops")
    if "ebgp_multihop" in good:
        _in_range(good["ebgp_multihop"], 1, 255, host, path + ".ebgp_multihop", report, "ebgp_multihop TTL")
    if "ttl_security" in good and "ebgp_multihop" in good:
        report.error(host, path + ".ebgp_multihop", "ttl_security and ebgp_multihop are mutually exclusive",
                     "keep ttl_security (GTSM, if the partner agrees) or ebgp_multihop, not both")
    if "timers" in good:
        timers = _typed(good["timers"], TIMERS_SPEC, host, path + ".timers", report)
        keepalive, hold = timers.get("keepalive"), timers.get("hold")
        ok_k = keepalive is not None and _in_range(keepalive, 0, 65535, host, path + ".timers.keepalive", report, "keepalive")
        ok_h = hold is not None and (hold == 0 or _in_range(hold, 3, 65535, host, path + ".timers.hold", report,
                                                            "hold time", "use 0 (no hold timer) or 3..65535 seconds"))
        if ok_k and ok_h and hold != 0 and keepalive * 3 > hold:
            report.error(host, path + ".timers.keepalive",
                         "keepalive %d is more than a third of hold %d" % (keepalive, hold),
                         "use keepalive <= %d (hold/3), e.g. {keepalive: %d, hold: %d}" % (hold // 3, max(hold // 3, 1), hold))


def _check_password(session, host, field, policy, report):
    value = session.get("password")
    if value is None or value == "":
        if policy["password_required"]:
            report.error(host, field, "no password: every partner session needs a TCP-MD5 password",
                         "set password: \"{{ vault_<partner>_bgp }}\" and store the value with ansible-vault")
        return
    if not isinstance(value, str):
        return  # wrong type: already reported by _typed
    if len(value) > MAX_PASSWORD_LEN:
        report.error(host, field, "password is %d characters long, FRR's TCP-MD5 limit is %d"
                     % (len(value), MAX_PASSWORD_LEN), "agree a password of at most 80 characters with the partner")
    if any(ch.isspace() for ch in value):
        report.error(host, field, "password contains whitespace, which FRR cannot configure",
                     "agree a password without spaces, tabs or newlines with the partner")


def _device_hint(fleet, device):
    if device not in fleet.suggestions:
        fleet.suggestions[device] = _suggest(device, fleet.bgp_hosts) or _suggest(device, fleet.devices)
    return fleet.suggestions[device]


def _check_session(name, index, session, partner, fleet, policy, report):
    path = "partners.%s.sessions[%d]" % (name, index)
    device = session.get("device") if isinstance(session, dict) else None
    host = device if isinstance(device, str) and device else "partner:%s" % name
    if not isinstance(session, dict):
        report.error(host, path, "session is %s, expected a mapping" % _type_name(session),
                     "write {device: ..., peer_address: ..., local_address: ..., password: ...}")
        return
    good = _typed(session, SESSION_SPEC, host, path, report)
    dev = None
    if "device" in good:
        if device not in fleet.devices:
            hint = _device_hint(fleet, device)
            report.error(host, path + ".device", "device '%s' is not in the inventory" % device,
                         ("did you mean '%s'? Otherwise u" % hint if hint else "U") + "se the inventory hostname of one of our routers")
        elif device not in fleet.bgp_hosts:
            report.error(host, path + ".device", "device '%s' has no bgp vars (it does not run BGP)" % device,
                         "add bgp: {asn, router_id, announce} to host_vars/%s.yml or use one of our BGP routers" % device)
        else:
            dev = fleet.bgp_hosts[device]
    peer = _check_address(good, "peer_address", host, path, report)
    local = _check_address(good, "local_address", host, path, report)
    if peer is not None and local is not None:
        if peer.version != local.version:
            report.error(host, path + ".local_address",
                         "local_address %s is IPv%d but peer_address %s is IPv%d" % (local, local.version, peer, peer.version),
                         "use our IPv%d address on the link to %s" % (peer.version, peer))
        elif peer == local:
            report.error(host, path + ".local_address", "local_address is the same as peer_address (%s)" % peer,
                         "local_address is OUR address on the link; peer_address is the partner's")
    _check_password(session, host, path + ".password", policy, report)
    transport = good.get("transport")
    if transport is not None and transport not in TRANSPORTS:
        report.error(host, path + ".transport", "transport '%s' is not one of %s" % (transport, ", ".join(TRANSPORTS)),
                     "use direct (on the link) or ipsec (over the partner's tunnel)")
    elif transport == "ipsec" and not partner.get("tunnels"):
        report.warning(host, path + ".transport", "transport is ipsec but partner '%s' has no tunnels" % name,
                       "add the partner's tunnels, or use transport: direct")
    if dev is not None:
        if dev.asn is not None and _is_int(partner.get("asn")) and partner["asn"] == dev.asn:
            report.error(host, path + ".device",
                         "partner ASN %d is our ASN on %s: that would be an iBGP session" % (dev.asn, device),
                         "check the partner's asn (partner sessions are always eBGP)")
        if peer is not None:
            fleet.peers.setdefault((device, peer), []).append((name, path))
            fleet.peer_devices.setdefault(peer, {}).setdefault(device, path)


def _check_address(good, key, host, path, report):
    value = good.get(key)
    if value is None:
        return None
    address = _parse_ip(value)
    if address is None:
        whose = "the partner's router" if key == "peer_address" else "our router on the link"
        report.error(host, "%s.%s" % (path, key), "'%s' is not an IP address" % value,
                     "use an IPv4 or IPv6 address of %s" % whose)
        return None
    if address.is_unspecified or address.is_multicast or address.is_loopback:
        report.error(host, "%s.%s" % (path, key), "%s is not a usable unicast address" % address,
                     "use the interface address on the link")
        return None
    return address


def _check_partner(name, partner, fleet, policy, report):
    host = "partner:%s" % name
    path = "partners.%s" % name
    if not isinstance(partner, dict):
        report.error(host, path, "partner '%s' is %s, expected a mapping" % (name, _type_name(partner)),
                     "give the partner its asn, accept_prefixes, max_prefixes and sessions")
        return
    good = _typed(partner, PARTNER_SPEC, host, path, report)
    if "asn" in good:
        _check_asn(good["asn"], host, path + ".asn", report, "the partner's")
    _check_accept(name, good.get("accept_prefixes", ()), policy, fleet.space, report)
    if "accept_prefixes" in good and not good["accept_prefixes"]:
        report.warning(host, path + ".accept_prefixes", "accept_prefixes is empty: nothing they send is accepted",
                       "list the prefixes the partner announces")
    announce = _check_partner_announce(name, good.get("announce", ()), report)
    _check_max_prefixes(name, good, partner.get("max_prefixes") is not None, policy, report)
    _check_session_options(name, good, report)
    sessions = good.get("sessions", ())
    if "sessions" in good and not sessions:
        report.warning(host, path + ".sessions", "partner has no sessions: nothing is configured for it",
                       "add a session, or remove the partner")
    for index, session in enumerate(sessions):
        _check_session(name, index, session, good, fleet, policy, report)
        _check_announce_covered(name, index, session, announce, fleet, report)


def _check_announce_covered(name, index, session, announce, fleet, report):
    """Warn when we would announce to the partner a prefix the session's router does not originate."""
    if not announce or not isinstance(session, dict):
        return
    device = fleet.bgp_hosts.get(session.get("device")) if isinstance(session.get("device"), str) else None
    if device is None:
        return
    for pos, net in enumerate(announce):
        if not any(net.version == ours.version and net.subnet_of(ours) for ours in device.announce):
            report.warning(session["device"], "partners.%s.announce[%d]" % (name, pos),
                           "%s is not within bgp.announce of %s, so it will never be sent (session %d)"
                           % (net, session["device"], index),
                           "add it to bgp.announce of %s or remove it from the partner's announce" % session["device"])


def _check_peer_addresses(fleet, report):
    for (device, peer), uses in fleet.peers.items():
        if len(uses) > 1:
            for _partner, path in uses:
                others = ", ".join(other for _name, other in uses if other != path)
                report.error(device, path + ".peer_address",
                             "peer_address %s is used more than once on %s (also %s)" % (peer, device, others),
                             "every session on a router needs its own peer address; remove the duplicate")
    for peer, on_devices in fleet.peer_devices.items():
        if len(on_devices) > 1:
            for device, path in on_devices.items():
                others = ", ".join(d for d in sorted(on_devices) if d != device)
                report.warning(device, path + ".peer_address",
                               "peer_address %s is also a peer on %s" % (peer, others),
                               "check that the partner really uses the same address towards both routers")


# ---------------------------------------------------------------------------------------------------
# entry points


def validate_fleet(partners, devices, policy=None, partner_files=None):
    """Every finding for the fleet's intent, sorted by host then field.

    ``partners``: the ``partners`` var (name -> partner). ``devices``: inventory hostname -> that
    host's vars subset (``netinfra_platform``, ``bgp``); a host without ``bgp`` does not run BGP.
    ``policy``: the ``bgp_policy`` var (defaults in :data:`POLICY_DEFAULTS`). ``partner_files``
    (the ``partner_files`` var of the partners vars plugin, name -> file) adds the file to findings.
    """
    report = _Report()
    effective = _check_policy(policy, report)
    devices = devices or {}
    bgp_hosts = _check_devices(devices, report)
    fleet = _Fleet(bgp_hosts, devices, _OurSpace(bgp_hosts))
    if partners is None:
        partners = {}
    if not isinstance(partners, dict):
        report.error("partners", "partners", "partners is %s, expected a mapping of name -> partner" % _type_name(partners),
                     "write partners: {acme_bank: {asn: ..., sessions: [...]}}")
        partners = {}
    for name in sorted(partners, key=str):
        if _check_partner_name(name, report):
            _check_partner(name, partners[name], fleet, effective, report)
    _check_peer_addresses(fleet, report)
    findings = report.findings
    if partner_files:
        findings = [_with_file(f, partner_files) for f in findings]
    return sorted(findings, key=_sort_key)


def _with_file(finding, partner_files):
    if not finding.field.startswith("partners."):
        return finding
    name = re.split(r"[.\[]", finding.field[len("partners."):], maxsplit=1)[0]
    path = partner_files.get(name)
    if not isinstance(path, str) or not path:
        return finding
    return Finding(finding.host, finding.field, finding.message, finding.fix, finding.severity, path)


def count_intent(partners, devices):
    """``{"partners": N, "sessions": N, "devices": N}`` (devices = hosts with bgp vars)."""
    partners = partners if isinstance(partners, dict) else {}
    sessions = 0
    for partner in partners.values():
        if isinstance(partner, dict) and isinstance(partner.get("sessions"), (list, tuple)):
            sessions += len(partner["sessions"])
    bgp_devices = sum(1 for v in (devices or {}).values() if isinstance(v, dict) and v.get("bgp") is not None)
    return {"partners": len(partners), "sessions": sessions, "devices": bgp_devices}


def has_errors(findings):
    return any(f.severity == ERROR for f in findings)


def format_findings(findings):
    """One line a finding, errors first, then a count line; '' when there is nothing to say."""
    if not findings:
        return ""
    errors = [f for f in findings if f.severity == ERROR]
    warnings = [f for f in findings if f.severity != ERROR]
    lines = ["ERROR %s" % f for f in errors] + ["WARNING %s" % f for f in warnings]
    summary = "%d error%s, %d warning%s in the intent" % (
        len(errors), "" if len(errors) == 1 else "s", len(warnings), "" if len(warnings) == 1 else "s")
    if errors:
        summary += "; no device was changed. Fix the errors and run again"
    lines.append(summary)
    return "\n".join(lines)
