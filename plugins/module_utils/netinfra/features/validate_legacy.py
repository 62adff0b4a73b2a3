# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate the whole fleet's BGP partner and IPsec tunnel intent in one pass (docs/intent.md, docs/ipsec.md).

``validate_fleet(partners, devices, policy)`` returns a sorted list of :class:`Finding` (errors and
warnings), each naming the host (or ``partner:<name>`` / ``policy``), the dotted field, what is
wrong and how to fix it. It never includes a password, pre-shared key or private key in a finding.

Plain Python, no Ansible import, Python 3.9 compatible (module_utils may be shipped to devices).
Everything is linear in the size of the intent (cross-device checks use dict/bisect indexes), so a
5,000-device fleet validates in well under a second or two.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import bisect
import datetime
import difflib
import ipaddress
import re
from dataclasses import asdict, dataclass

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.model import (
    ACTION_VALUES,
    DEFAULT_POOL,
    DEFAULT_PREFIXLEN,
    DEFAULT_TUNNEL,
    MIN_PSK_LEN,
    PREFIXLENS,
    TUNNEL_NAME_RE,
    InsideError,
    InsidePool,
    if_id,
    inside_addresses,
    parse_duration,
    parse_expires,
)
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.policy import check_policy as check_ipsec_policy
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.policy import check_proposals
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.prefixes import (
    MAX_BITS,
    PrefixError,
    describe,
    longest_match,
    parse_entry,
    parse_network,
)
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK

ERROR = "error"
WARNING = "warning"

SUPPORTED_PLATFORMS = ("frr", "linux")
BGP_PLATFORMS = ("frr",)  # a linux gateway runs strongSwan only, no BGP speaker
GATEWAY_PLATFORMS = ("frr", "linux")
PLANNED_PLATFORMS = ("eos",)
TRANSPORTS = ("direct", "ipsec")
PARTNER_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
MAX_ASN = 4294967295
AS_TRANS = 23456
MAX_PASSWORD_LEN = 80  # FRR's TCP-MD5 key limit
# tunnel timer -> (low, high, zero allowed, unit text)
TUNNEL_TIMERS = {
    "dpd_delay": (1, 3600, True, "seconds (0 = no DPD)"),
    "rekey_time": (300, 86400, False, "seconds (5 min .. 24 h)"),
    "reauth_time": (3600, 604800, True, "seconds (0 = off, else 1 h .. 7 d)"),
    "child_rekey_time": (300, 28800, False, "seconds (5 min .. 8 h)"),
}
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
    "connect_retry": (_INT, False, "seconds 1..65535, e.g. 10 for sessions over IPsec tunnels"),
    "bfd": (_BOOL, False, "true or false"),
    "sessions": (_LIST, True, "a list of sessions ({device, peer_address, local_address, password})"),
    "tunnels": (_LIST, False, "a list of tunnels"),
}
SESSION_SPEC = {
    "device": (_STR, True, "the inventory hostname of our router, e.g. dc1-edge1"),
    "peer_address": (_STR, False, "the partner router's IPv4 or IPv6 address"),  # required unless transport: ipsec
    "local_address": (_STR, False, "our IPv4 or IPv6 address on the link"),
    "password": (_STR, False, "a vaulted string, e.g. \"{{ vault_<partner>_bgp }}\""),
    "description": (_STR, False, "a short text"),
    "shutdown": (_BOOL, False, "true or false"),
    "transport": (_STR, False, "direct or ipsec"),
    "tunnel": (_STR, False, "the name of the partner's tunnel on the same device, e.g. main"),
}
_DURATION = (int, str)
TUNNEL_SPEC = {
    "device": (_STR, True, "the inventory hostname of our VPN gateway, e.g. gw1"),
    "name": (_STR, False, "a tunnel name matching [a-z0-9_]{1,15} (default main)"),
    "description": (_STR, False, "a short text"),
    "peer_gateway": (_STR, True, "the partner's public IKE address, e.g. 198.18.200.2"),
    "local_gateway": (_STR, False, "our public IKE address on the gateway"),
    "local_id": (_STR, False, "our IKE identity (default: local_gateway with psk, the certificate subject with pubkey)"),
    "remote_id": (_STR, False, "the partner's IKE identity (default: peer_gateway with psk)"),
    "auth": (_DICT, True, "{psk: \"{{ vault_<partner>_psk }}\"} or {ca_cert: ..., cert: ..., key: ...}"),
    "inside": (_STR, False, "a /30 (or /31) of the inside pool, e.g. 169.254.10.0/30"),
    "local_inside": (_STR, False, "our address in the inside network, e.g. 169.254.10.1"),
    "ike_proposals": (_LIST, False, "a list of IKE proposals, e.g. [aes256gcm16-prfsha384-ecp384]"),
    "esp_proposals": (_LIST, False, "a list of ESP proposals, e.g. [aes256gcm16-ecp384]"),
    "ike_version": (_INT, False, "2 (IKEv1 is refused)"),
    "aggressive": (_BOOL, False, "false (aggressive mode is refused)"),
    "dpd_delay": (_DURATION, False, "seconds or a duration like 30s"),
    "dpd_action": (_STR, False, "clear, trap or restart"),
    "start_action": (_STR, False, "none, trap or start"),
    "close_action": (_STR, False, "none, trap or start"),
    "rekey_time": (_DURATION, False, "seconds or a duration like 4h"),
    "reauth_time": (_DURATION, False, "seconds or a duration like 24h (0 = off)"),
    "child_rekey_time": (_DURATION, False, "seconds or a duration like 1h"),
    "traffic_selectors": (_DICT, False, "{local: [0.0.0.0/0], remote: [0.0.0.0/0]}"),
    "crypto_exception": (_DICT, False, "{reason: ..., approved_by: CHG-..., expires: YYYY-MM-DD}"),
}
AUTH_SPEC = {
    "psk": (_STR, False, "a vaulted pre-shared key of at least 20 characters"),
    "ca_cert": (_STR, False, "the partner's CA certificate (PEM)"),
    "cert": (_STR, False, "our certificate (PEM)"),
    "key": (_STR, False, "our vaulted private key (PEM)"),
}
SELECTORS_SPEC = {
    "local": (_LIST, True, "a list of our networks, e.g. [0.0.0.0/0]"),
    "remote": (_LIST, True, "a list of the partner's networks, e.g. [0.0.0.0/0]"),
}
CRYPTO_EXCEPTION_SPEC = {
    "reason": (_STR, True, "why the partner cannot meet the policy, and until when"),
    "approved_by": (_STR, True, "the change or risk ticket that approved it, e.g. CHG-123456"),
    "expires": ((str, datetime.date), False, "a date like 2027-03-31"),
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
SECRET_KEYS = frozenset(("password", "psk", "secret", "key"))


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
    """Check every host's platform and bgp vars.

    Returns ({host: _Device} for hosts that run BGP, {host: platform} for hosts with a good platform).
    """
    bgp_hosts = {}
    platforms = {}
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
        if _check_platform(host, platform, bgp is not None, report):
            platforms[host] = platform
        if bgp is None:
            continue
        if platform not in BGP_PLATFORMS and platform in SUPPORTED_PLATFORMS:
            report.error(host, "bgp", "host has bgp vars but netinfra_platform %s runs no BGP speaker" % platform,
                         "remove bgp from host_vars/%s.yml (a linux gateway only terminates tunnels), "
                         "or set netinfra_platform: frr if it runs FRR" % host)
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
    return bgp_hosts, platforms


def _check_platform(host, platform, runs_bgp, report):
    """True when ``platform`` is a supported one."""
    if platform is None:
        if runs_bgp:
            report.error(host, "netinfra_platform", "netinfra_platform is not set on a host with bgp vars",
                         "set netinfra_platform: frr in host_vars/%s.yml" % host)
        return False
    if platform in SUPPORTED_PLATFORMS:
        return True
    if isinstance(platform, str) and platform.lower() in PLANNED_PLATFORMS:
        message = "platform '%s' is not supported yet" % platform
    else:
        message = "unknown platform %s" % _show("netinfra_platform", platform)
    report.error(host, "netinfra_platform", message,
                 "use frr (BGP routers, also VPN gateways) or linux (strongSwan-only VPN gateways); Arista EOS is planned")
    return False


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

    def __init__(self, bgp_hosts, devices, space, platforms=None, ipsec_policy=None, pool=None):
        self.bgp_hosts = bgp_hosts
        self.devices = devices
        self.space = space
        self.platforms = platforms or {}  # host -> supported netinfra_platform
        self.ipsec_policy = ipsec_policy
        self.pool = pool
        self.peers = {}  # (device, peer ip) -> [(host label, field)]
        self.peer_devices = {}  # peer ip -> {device: field}
        self.suggestions = {}
        self.inside = {}  # inside network -> [_InsideUse]
        self.if_ids = {}  # (device, if_id) -> [(field, network)]
        self.gateways = {}  # (device, peer_gateway ip) -> [field]
        self.today = datetime.date.today()


class _InsideUse:
    """One tunnel's inside network, for the fleet-wide overlap check."""

    __slots__ = ("host", "field", "partner", "device", "tunnel", "explicit")

    def __init__(self, host, field, partner, device, tunnel, explicit):
        self.host, self.field, self.partner = host, field, partner
        self.device, self.tunnel, self.explicit = device, tunnel, explicit

    def label(self):
        return "tunnel %s of partner %s on %s (%s, %s)" % (
            self.tunnel, self.partner, self.device, self.field.rsplit(".", 1)[0], "pinned" if self.explicit else "allocated")


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
    if "connect_retry" in good:
        _in_range(good["connect_retry"], 1, 65535, host, path + ".connect_retry", report, "connect_retry seconds")
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


def _check_session(name, index, session, partner, fleet, policy, report, tunnels=None):
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
        elif device not in fleet.bgp_hosts and fleet.platforms.get(device) in GATEWAY_PLATFORMS \
                and fleet.platforms.get(device) not in BGP_PLATFORMS:
            report.error(host, path + ".device", "device '%s' is a %s VPN gateway with no BGP speaker"
                         % (device, fleet.platforms[device]),
                         "run the session on one of our FRR routers (a tunnel can end there too), or keep the tunnel on "
                         "%s and peer from a router behind it" % device)
        elif device not in fleet.bgp_hosts:
            report.error(host, path + ".device", "device '%s' has no bgp vars (it does not run BGP)" % device,
                         "add bgp: {asn, router_id, announce} to host_vars/%s.yml or use one of our BGP routers" % device)
        else:
            dev = fleet.bgp_hosts[device]
    transport = good.get("transport")
    if transport != "ipsec" and session.get("peer_address") is None:
        report.error(host, path + ".peer_address", "required key 'peer_address' is missing",
                     "set peer_address to the partner router's IPv4 or IPv6 address "
                     "(or use transport: ipsec to run the session over the partner's tunnel)")
    peer = _check_address(good, "peer_address", host, path, report)
    local = _check_address(good, "local_address", host, path, report)
    if transport == "ipsec":
        peer, local = _check_ipsec_session(name, good, device, (tunnels or {}).get(device), peer, local, host, path, report)
    elif "tunnel" in good:
        report.error(host, path + ".tunnel", "tunnel is set but transport is not ipsec",
                     "set transport: ipsec to run the session over the tunnel, or remove tunnel")
    if peer is not None and local is not None:
        if peer.version != local.version:
            report.error(host, path + ".local_address",
                         "local_address %s is IPv%d but peer_address %s is IPv%d" % (local, local.version, peer, peer.version),
                         "use our IPv%d address on the link to %s" % (peer.version, peer))
        elif peer == local:
            report.error(host, path + ".local_address", "local_address is the same as peer_address (%s)" % peer,
                         "local_address is OUR address on the link; peer_address is the partner's")
    _check_password(session, host, path + ".password", policy, report)
    if transport is not None and transport not in TRANSPORTS:
        report.error(host, path + ".transport", "transport '%s' is not one of %s" % (transport, ", ".join(TRANSPORTS)),
                     "use direct (on the link) or ipsec (over the partner's tunnel)")
    if dev is not None:
        if dev.asn is not None and _is_int(partner.get("asn")) and partner["asn"] == dev.asn:
            report.error(host, path + ".device",
                         "partner ASN %d is our ASN on %s: that would be an iBGP session" % (dev.asn, device),
                         "check the partner's asn (partner sessions are always eBGP)")
        if peer is not None:
            fleet.peers.setdefault((device, peer), []).append((name, path))
            fleet.peer_devices.setdefault(peer, {}).setdefault(device, path)


def _check_ipsec_session(name, good, device, here, peer, local, host, path, report):
    """(peer, local) of a ``transport: ipsec`` session: the inside addresses of its tunnel.

    ``here``: {tunnel name: (local, peer) or None} of the partner's tunnels on the session's device.
    """
    if not isinstance(device, str) or not device:
        return peer, local
    names = ", ".join(sorted(here)) if here else ""
    wanted = good.get("tunnel")
    if wanted is not None:
        if wanted not in (here or {}):
            report.error(host, path + ".tunnel", "partner '%s' has no tunnel named '%s' on %s%s"
                         % (name, wanted, device, " (its tunnels there: %s)" % names if names else ""),
                         ("use one of %s" % names) if names else
                         "add a tunnel {device: %s, name: %s, ...} to the partner's tunnels" % (device, wanted))
            return peer, local
    elif not here:
        report.error(host, path + ".transport", "transport is ipsec but partner '%s' has no tunnel on %s" % (name, device),
                     "add a tunnel with device: %s to partners.%s.tunnels, or use transport: direct" % (device, name))
        return peer, local
    elif len(here) > 1:
        report.error(host, path + ".tunnel", "transport is ipsec and partner '%s' has %d tunnels on %s (%s)"
                     % (name, len(here), device, names), "name the one the session runs over, e.g. tunnel: %s" % sorted(here)[0])
        return peer, local
    else:
        wanted = next(iter(here))
    addresses = here[wanted]
    if addresses is None:
        return peer, local  # the tunnel's inside network is wrong: reported with the tunnel
    inside_local, inside_peer = (ipaddress.ip_address(a) for a in addresses)
    for key, given, derived in (("peer_address", peer, inside_peer), ("local_address", local, inside_local)):
        if given is not None and given != derived:
            report.error(host, "%s.%s" % (path, key), "%s %s is not the inside %s address %s of tunnel %s"
                         % (key, given, key.split("_", 1)[0], derived, wanted),
                         "remove %s: with transport ipsec it is derived from the tunnel's inside network" % key)
    return inside_peer, inside_local


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
    tunnels = _check_tunnels(name, good.get("tunnels", ()), fleet, report)
    sessions = good.get("sessions", ())
    if "sessions" in good and not sessions:
        report.warning(host, path + ".sessions", "partner has no sessions: nothing is configured for it",
                       "add a session, or remove the partner")
    for index, session in enumerate(sessions):
        _check_session(name, index, session, good, fleet, policy, report, tunnels)
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
# IPsec tunnels


def _check_ipsec_settings(ipsec_policy, inside_pool, inside_prefixlen, report):
    """(effective ipsec policy, InsidePool); bad values are reported and replaced by defaults."""
    effective, problems = check_ipsec_policy(ipsec_policy)
    for problem in problems:
        field = "ipsec_policy.%s" % problem.key if problem.key else "ipsec_policy"
        report.error("policy", field, str(problem), problem.fix or "")
    if isinstance(inside_prefixlen, str) and inside_prefixlen.strip().isdigit():
        inside_prefixlen = int(inside_prefixlen)
    if inside_prefixlen is None:
        inside_prefixlen = DEFAULT_PREFIXLEN
    if inside_pool is None:
        inside_pool = DEFAULT_POOL
    if isinstance(inside_prefixlen, bool) or inside_prefixlen not in PREFIXLENS:
        report.error("policy", "ipsec_inside_prefixlen", "ipsec_inside_prefixlen %s is not 30 or 31"
                     % _show("ipsec_inside_prefixlen", inside_prefixlen), "use 30 (default) or 31")
        inside_prefixlen = DEFAULT_PREFIXLEN
    try:
        pool = InsidePool(inside_pool, inside_prefixlen)
    except InsideError as exc:
        report.error("policy", "ipsec_inside_pool", exc.reason, exc.fix or "")
        pool = InsidePool(DEFAULT_POOL, inside_prefixlen)
    return effective, pool


def _check_tunnels(name, tunnels, fleet, report):
    """Check the partner's tunnels; return {device: {tunnel name: (inside local, inside peer) or None}}."""
    found = {}
    names = {}  # (device, tunnel name) -> index
    for index, tunnel in enumerate(tunnels):
        _check_tunnel(name, index, tunnel, fleet, report, found, names)
    return found


def _check_tunnel(name, index, tunnel, fleet, report, found, names):
    path = "partners.%s.tunnels[%d]" % (name, index)
    device = tunnel.get("device") if isinstance(tunnel, dict) else None
    host = device if isinstance(device, str) and device else "partner:%s" % name
    if not isinstance(tunnel, dict):
        report.error(host, path, "tunnel is %s, expected a mapping" % _type_name(tunnel),
                     "write {device: ..., peer_gateway: ..., auth: {psk: ...}}")
        return
    good = _typed(tunnel, TUNNEL_SPEC, host, path, report)
    if "device" in good:
        _check_gateway_device(device, host, path, fleet, report)
    else:
        device = None
    tname = good.get("name", DEFAULT_TUNNEL)
    if "name" in good and not TUNNEL_NAME_RE.match(tname):
        report.error(host, path + ".name", "tunnel name '%s' must match [a-z0-9_]{1,15}" % tname,
                     "use a short lower-case name, e.g. %s" % (re.sub(r"[^a-z0-9_]", "_", tname.lower())[:15] or "backup"))
        tname = None
    elif tunnel.get("name") is not None and "name" not in good:
        tname = None  # wrong type: reported by _typed
    if device is not None and tname is not None:
        other = names.get((device, tname))
        if other is not None:
            report.error(host, path + ".name", "partner '%s' already has a tunnel named '%s' on %s (tunnels[%d])"
                         % (name, tname, device, other),
                         "give each of the partner's tunnels on %s its own name, e.g. name: backup" % device)
            tname = None
        else:
            names[(device, tname)] = index
    _check_tunnel_gateways(good, device, host, path, fleet, report)
    _check_tunnel_auth(good, host, path, report)
    _check_tunnel_crypto(good, host, path, fleet, report)
    _check_tunnel_options(good, host, path, report)
    addresses = _check_inside(name, good, device, tname, host, path, fleet, report)
    if device is not None and tname is not None:
        found.setdefault(device, {})[tname] = addresses


def _check_gateway_device(device, host, path, fleet, report):
    if device not in fleet.devices:
        hint = _suggest(device, fleet.platforms) or _suggest(device, fleet.devices)
        report.error(host, path + ".device", "device '%s' is not in the inventory" % device,
                     ("did you mean '%s'? Otherwise u" % hint if hint else "U") + "se the inventory hostname of one of our VPN gateways")
        return
    platform = fleet.platforms.get(device)
    if platform not in GATEWAY_PLATFORMS:
        hostvars = fleet.devices.get(device)
        raw = hostvars.get("netinfra_platform") if isinstance(hostvars, dict) else None
        what = "netinfra_platform is not set" if raw is None else "its netinfra_platform is not usable"
        report.error(host, path + ".device", "device '%s' cannot terminate tunnels: %s" % (device, what),
                     "set netinfra_platform: linux (strongSwan-only gateway) or frr in host_vars/%s.yml" % device)


def _check_tunnel_gateways(good, device, host, path, fleet, report):
    peer = _check_gateway_address(good, "peer_gateway", host, path, report)
    local = _check_gateway_address(good, "local_gateway", host, path, report)
    if peer is not None and local is not None:
        if peer.version != local.version:
            report.error(host, path + ".local_gateway",
                         "local_gateway %s is IPv%d but peer_gateway %s is IPv%d" % (local, local.version, peer, peer.version),
                         "use our IPv%d public address, or leave local_gateway out" % peer.version)
        elif peer == local:
            report.error(host, path + ".local_gateway", "local_gateway is the same as peer_gateway (%s)" % peer,
                         "local_gateway is OUR public address; peer_gateway is the partner's")
    if peer is not None and device is not None:
        fleet.gateways.setdefault((device, peer), []).append(path)


def _check_gateway_address(good, key, host, path, report):
    value = good.get(key)
    if value is None:
        return None
    address = _parse_ip(value)
    whose = "the partner's public IKE address" if key == "peer_gateway" else "our public IKE address"
    if address is None:
        report.error(host, "%s.%s" % (path, key), "'%s' is not an IP address" % value, "use %s" % whose)
        return None
    if address.is_unspecified or address.is_multicast or address.is_loopback or address.is_link_local:
        report.error(host, "%s.%s" % (path, key), "%s is not a usable unicast address" % address, "use %s" % whose)
        return None
    return address


def _check_tunnel_auth(good, host, path, report):
    auth = good.get("auth")
    if auth is None:
        return
    field = path + ".auth"
    sub = _typed(auth, AUTH_SPEC, host, field, report)
    pubkey = [k for k in ("ca_cert", "cert", "key") if k in sub]
    set_keys = set(k for k in auth if auth.get(k) is not None and auth.get(k) != "")
    if "psk" in set_keys and set_keys & {"ca_cert", "cert", "key"}:
        report.error(host, field, "auth has both psk and %s" % ", ".join(sorted(set_keys & {"ca_cert", "cert", "key"})),
                     "use either psk or ca_cert + cert + key")
        return
    if "psk" in set_keys:
        psk = sub.get("psk")
        if isinstance(psk, str) and psk != MASK and len(psk) < MIN_PSK_LEN:
            report.error(host, field + ".psk", "psk is %d characters long, at least %d are required" % (len(psk), MIN_PSK_LEN),
                         "generate one with `openssl rand -base64 32`, agree it with the partner and store it with ansible-vault")
        return
    if not set_keys & {"ca_cert", "cert", "key"}:
        report.error(host, field, "auth has neither psk nor ca_cert + cert + key",
                     "set psk: \"{{ vault_<partner>_psk }}\" or all of ca_cert, cert and key")
        return
    missing = [k for k in ("ca_cert", "cert", "key") if k not in set_keys]
    if missing:
        report.error(host, field, "pubkey auth needs ca_cert, cert and key; %s %s missing"
                     % (", ".join(missing), "is" if len(missing) == 1 else "are"),
                     "set %s%s" % (", ".join(missing), " (the key vaulted)" if "key" in missing else ""))
    for key in pubkey:
        value = sub[key]
        if value == MASK:
            continue
        if "-----BEGIN" not in value:
            what = "a PEM private key" if key == "key" else "a PEM certificate"
            report.error(host, "%s.%s" % (field, key), "%s is not %s" % (key, what),
                         "use the PEM text, e.g. \"{{ lookup('file', 'pki/<name>.pem') }}\"" if key != "key"
                         else "use the vaulted PEM text of the private key")
    if good.get("remote_id") is None:
        report.error(host, path + ".remote_id", "remote_id is required with pubkey auth",
                     "set remote_id to the identity in the partner's certificate, e.g. \"CN=vpn.partner.example\"")


def _check_tunnel_crypto(good, host, path, fleet, report):
    policy = fleet.ipsec_policy
    weak = []  # (field, problem) that only a valid crypto_exception allows
    for problem in check_proposals(None, None, policy, good.get("ike_version", 2), good.get("aggressive", False)):
        key = "aggressive" if problem.token == "aggressive" else "ike_version"
        report.error(host, "%s.%s" % (path, key), problem.reason, problem.fix)
    for key, kind in (("ike_proposals", "ike"), ("esp_proposals", "esp")):
        for pos, text in enumerate(good.get(key, ())):
            field = "%s.%s[%d]" % (path, key, pos)
            pair = ([text], None) if kind == "ike" else (None, [text])
            for problem in check_proposals(pair[0], pair[1], policy):
                if problem.invalid:
                    report.error(host, field, problem.describe(), problem.fix)
                else:
                    weak.append((field, problem))
        if key in good and not good[key]:
            report.warning(host, "%s.%s" % (path, key), "%s is empty: the policy defaults are used" % key,
                           "leave %s out, or list the proposals agreed with the partner" % key)
    if _check_crypto_exception(good, host, path, fleet, report, weak):
        return  # the warning lists what the exception allows
    for field, problem in weak:
        report.error(host, field, problem.describe(),
                     "%s, or record a crypto_exception (reason, approved_by, expires) if the partner cannot" % problem.fix)


def _check_crypto_exception(good, host, path, fleet, report, weak):
    """True when the tunnel has a usable crypto_exception (reported as a warning listing what it allows)."""
    value = good.get("crypto_exception")
    if value is None:
        return False
    field = path + ".crypto_exception"
    sub = _typed(value, CRYPTO_EXCEPTION_SPEC, host, field, report)
    usable = "reason" in sub and "approved_by" in sub
    for key in ("reason", "approved_by"):
        if key in sub and not sub[key].strip():
            report.error(host, "%s.%s" % (field, key), "%s is empty" % key,
                         "set %s" % CRYPTO_EXCEPTION_SPEC[key][2])
            usable = False
    expires = None
    if "expires" in sub:
        try:
            expires = parse_expires(sub["expires"])
        except ValueError:
            report.error(host, field + ".expires", "expires %s is not a date" % _show("expires", sub["expires"]),
                         "write the date as YYYY-MM-DD, e.g. 2027-03-31")
            usable = False
    allows = _describe_weak(weak)
    if expires is not None and expires < fleet.today:
        approval = " (%s)" % sub["approved_by"] if sub.get("approved_by") else ""
        report.error(host, field + ".expires", "crypto_exception%s expired on %s%s"
                     % (approval, expires.isoformat(), "; it allowed %s" % allows if allows else ""),
                     "move the partner to proposals that meet the policy, or renew the approval and set a new expires")
        return False
    if not usable:
        return False
    until = "until %s" % expires.isoformat() if expires else "with no expiry date"
    if allows:
        report.warning(host, field, "crypto exception %s (%s) %s allows %s"
                       % (sub["approved_by"], " ".join(sub["reason"].split()), until, allows),
                       "move the partner to policy proposals, then remove crypto_exception")
    else:
        report.warning(host, field, "crypto exception %s is set but every proposal meets the policy" % sub["approved_by"],
                       "remove crypto_exception")
    return True


def _describe_weak(weak):
    by_proposal = {}
    for _field, problem in weak:
        by_proposal.setdefault((problem.kind, problem.proposal), []).append(
            problem.token if problem.token != problem.proposal else "no PFS" if problem.kind == "esp" else problem.reason)
    return "; ".join("%s %s (%s)" % (kind.upper(), proposal, ", ".join(tokens))
                     for (kind, proposal), tokens in by_proposal.items())


def _check_tunnel_options(good, host, path, report):
    for key, (low, high, zero_ok, unit) in TUNNEL_TIMERS.items():
        if key not in good:
            continue
        field = "%s.%s" % (path, key)
        try:
            seconds = parse_duration(good[key], key)
        except ValueError:
            report.error(host, field, "%s %s is not a duration" % (key, _show(key, good[key])),
                         "write seconds (14400) or a duration like 4h, 30m, 90s, 1d")
            continue
        if seconds == 0 and zero_ok:
            continue
        if not low <= seconds <= high:
            report.error(host, field, "%s %d s is out of range %d..%d %s" % (key, seconds, low, high, unit),
                         "use a value between %d and %d seconds%s" % (low, high, " (or 0)" if zero_ok else ""))
    for key, allowed in ACTION_VALUES.items():
        if key in good and good[key] not in allowed:
            report.error(host, "%s.%s" % (path, key), "%s '%s' is not one of %s" % (key, good[key], ", ".join(allowed)),
                         "use one of %s" % ", ".join(allowed))
    selectors = good.get("traffic_selectors")
    if selectors is not None:
        field = path + ".traffic_selectors"
        sub = _typed(selectors, SELECTORS_SPEC, host, field, report)
        for side in ("local", "remote"):
            for pos, item in enumerate(sub.get(side, ())):
                try:
                    parse_network(item, "traffic selector")
                except PrefixError as exc:
                    report.error(host, "%s.%s[%d]" % (field, side, pos), str(exc), exc.fix or "")


def _check_inside(name, good, device, tname, host, path, fleet, report):
    """(local, peer) inside addresses of the tunnel, or None; records the network for the overlap check."""
    pool = fleet.pool
    field = path + ".inside"
    if "inside" in good:
        try:
            net = parse_network(good["inside"], "inside")
        except PrefixError as exc:
            report.error(host, field, str(exc), exc.fix or "")
            return None
        why = pool.problem(net)
        if why:
            example = pool.hashed(name, device, tname) if device is not None and tname is not None else pool.network_at(0)
            reserved = " outside the reserved %s" % ", ".join(str(r) for r in pool.reserved) if pool.reserved else ""
            report.error(host, field, why, "use a /%d of %s%s, e.g. inside: %s, or leave inside out to allocate one"
                         % (pool.prefixlen, pool.network, reserved, example))
            return None
        explicit = True
    elif device is not None and tname is not None:
        net = pool.hashed(name, device, tname)
        explicit = False
    else:
        return None
    try:
        local, peer = inside_addresses(net, good.get("local_inside"))
    except (InsideError, ValueError) as exc:
        report.error(host, path + ".local_inside", getattr(exc, "reason", str(exc)), getattr(exc, "fix", "") or "")
        local, peer = None, None
    if device is not None and tname is not None:
        fleet.inside.setdefault(net, []).append(_InsideUse(host, field, name, device, tname, explicit))
        fleet.if_ids.setdefault((device, if_id(net)), []).append((path + ".inside", net))
    return (local, peer) if local is not None else None


def _check_tunnel_fleet(fleet, report):
    """Inside networks overlapping anywhere, if_id clashes and peer_gateway duplicates on one device."""
    used = set(fleet.inside)
    for net, uses in fleet.inside.items():
        if len(uses) < 2:
            continue
        # pin an allocated one if there is one (pinned networks are usually agreed with the partner)
        target = next((u for u in uses if not u.explicit), uses[-1])
        free = fleet.pool.free_near(target.partner, target.device, target.tunnel, used)
        if free is not None:
            used.add(free)
        for use in uses:
            others = "; ".join(o.label() for o in uses if o is not use)
            report.error(use.host, use.field,
                         "inside network %s (%s) overlaps %s" % (net, "pinned" if use.explicit else "allocated", others),
                         "pin inside: %s on one of them, e.g. %s: %s" % (free, target.field, free) if free else
                         "the inside pool is full: use a larger ipsec_inside_pool")
    for (device, number), uses in fleet.if_ids.items():
        if len(uses) < 2 or len(set(n for _f, n in uses)) < 2:
            continue
        for field, net in uses:
            others = ", ".join("%s (%s)" % (o, n) for o, n in uses if o != field)
            report.error(device, field, "if_id %d of inside network %s is also the if_id of %s on %s" % (number, net, others, device),
                         "pin inside networks of one /16 for tunnels on the same device (if_id comes from the low 16 bits)")
    for (device, peer), fields in fleet.gateways.items():
        if len(fields) < 2:
            continue
        for field in fields:
            others = ", ".join(f for f in fields if f != field)
            report.error(device, field + ".peer_gateway",
                         "peer_gateway %s is used by more than one tunnel on %s (also %s)" % (peer, device, others),
                         "one IKE peer address per gateway: merge the tunnels, or terminate one on another gateway")


# ---------------------------------------------------------------------------------------------------
# entry points


def validate_fleet(partners, devices, policy=None, partner_files=None, ipsec_policy=None,
                   inside_pool=DEFAULT_POOL, inside_prefixlen=DEFAULT_PREFIXLEN):
    """Every finding for the fleet's intent, sorted by host then field.

    ``partners``: the ``partners`` var (name -> partner). ``devices``: inventory hostname -> that
    host's vars subset (``netinfra_platform``, ``bgp``); a host without ``bgp`` does not run BGP
    (a ``netinfra_platform: linux`` host is a strongSwan-only VPN gateway). ``policy``: the
    ``bgp_policy`` var (defaults in :data:`POLICY_DEFAULTS`). ``partner_files`` (the
    ``partner_files`` var of the partners vars plugin, name -> file) adds the file to findings.
    ``ipsec_policy``, ``inside_pool``, ``inside_prefixlen``: the ``ipsec_policy``,
    ``ipsec_inside_pool`` and ``ipsec_inside_prefixlen`` vars (docs/ipsec.md).
    """
    report = _Report()
    effective = _check_policy(policy, report)
    ipsec_effective, pool = _check_ipsec_settings(ipsec_policy, inside_pool, inside_prefixlen, report)
    devices = devices or {}
    bgp_hosts, platforms = _check_devices(devices, report)
    fleet = _Fleet(bgp_hosts, devices, _OurSpace(bgp_hosts), platforms, ipsec_effective, pool)
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
    _check_tunnel_fleet(fleet, report)
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
    """``{"partners": N, "sessions": N, "devices": N, "tunnels": N}`` (devices = hosts with bgp vars)."""
    partners = partners if isinstance(partners, dict) else {}
    sessions = 0
    tunnels = 0
    for partner in partners.values():
        if isinstance(partner, dict) and isinstance(partner.get("sessions"), (list, tuple)):
            sessions += len(partner["sessions"])
        if isinstance(partner, dict) and isinstance(partner.get("tunnels"), (list, tuple)):
            tunnels += len(partner["tunnels"])
    bgp_devices = sum(1 for v in (devices or {}).values() if isinstance(v, dict) and v.get("bgp") is not None)
    return {"partners": len(partners), "sessions": sessions, "devices": bgp_devices, "tunnels": tunnels}


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
