# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prefix-list entries: parse, check, normalise and (optionally) aggregate.

An entry is what a prefix-list line matches: ``{"prefix": "198.51.100.0/24", "ge": None, "le": 26}``.
Input entries may be plain strings (``"198.51.100.0/24"``, an exact match) or dicts with ``prefix``
and optional ``ge``/``le``. The rules are FRR's (``len < ge <= le <= 32|128``, ``le >= len``).

Plain Python (stdlib ``ipaddress`` only): modules running on devices import this too, so it stays
compatible with Python 3.9 and needs no third-party package.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import bisect
import ipaddress
import re
import socket

ENTRY_KEYS = ("prefix", "ge", "le")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_V4_NETWORK = re.compile(r"(%s(?:\.%s){3})/([0-9]|[1-2][0-9]|3[0-2])" % (_OCTET, _OCTET))
MAX_BITS = {4: 32, 6: 128}


class PrefixError(ValueError):
    """A prefix-list entry that cannot be used.

    ``str(exc)`` names the bad value. ``key`` is the entry key at fault (``prefix``, ``ge``, ``le``
    or ``None`` for the entry as a whole) and ``fix`` says what to write instead.
    """

    def __init__(self, message, key=None, fix=None):
        super(PrefixError, self).__init__(message)
        self.key = key
        self.fix = fix


def parse_network(value, what="prefix"):
    """An ``ipaddress`` network from ``value``; host bits set are an error naming the network."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise PrefixError("%s %r is not a string like 198.51.100.0/24" % (what, value), "prefix",
                          "write the %s as a quoted string in CIDR form, e.g. 198.51.100.0/24" % what)
    text = value.strip()
    if text != value:
        raise PrefixError("%s '%s' has leading or trailing whitespace" % (what, value), "prefix",
                          "write it without the blanks, e.g. '%s'" % text)
    fast = _V4_NETWORK.fullmatch(text)
    if fast:  # the common case at C speed (a fleet's accept lists hold thousands of prefixes)
        start, length = int.from_bytes(socket.inet_aton(fast.group(1)), "big"), int(fast.group(2))
        if length <= 32 and not start & ((1 << (32 - length)) - 1):
            return ipaddress.IPv4Network((start, length))
    if "/" not in text:
        raise PrefixError("%s '%s' has no prefix length" % (what, value), "prefix",
                          "add the length, e.g. '%s/32' for one IPv4 address or '%s/128' for IPv6"
                          % (text, text))
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        pass
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise PrefixError("%s '%s' is not an IPv4 or IPv6 prefix" % (what, value), "prefix",
                          "write it in CIDR form, e.g. 198.51.100.0/24 or 2001:db8::/32")
    raise PrefixError("%s '%s' has host bits set: the network is %s" % (what, value, net), "prefix",
                      "write %s (or a longer prefix length if only part of it is meant)" % net)


def _length(value, key, prefix):
    if isinstance(value, bool) or isinstance(value, float):
        raise PrefixError("%s %r for %s is not a whole number" % (key, value, prefix), key,
                          "write %s as an integer prefix length" % key)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PrefixError("%s %r for %s is not a whole number" % (key, value, prefix), key,
                          "write %s as an integer prefix length" % key)


def parse_entry_network(entry, max_len=None):
    """``(entry, network)``: one checked, canonical entry ``{"prefix", "ge", "le"}`` from a string or a
    dict, and its ``ipaddress`` network.

    ``max_len`` (an int, or a mapping ``{4: 24, 6: 48}``) is the longest prefix the entry may
    match, counting ``le`` (and ``ge`` without ``le``, which matches up to /32 or /128).
    Raises :class:`PrefixError` (a ``ValueError``) naming the bad value.
    """
    if isinstance(entry, dict):
        unknown = sorted(str(k) for k in entry if k not in ENTRY_KEYS)
        if unknown:
            raise PrefixError("unknown key(s) %s in prefix entry %r" % (", ".join(unknown), entry), None,
                              "an entry has only prefix, ge and le")
        if entry.get("prefix") is None:
            raise PrefixError("prefix entry %r has no prefix" % (entry,), "prefix",
                              "add prefix: <network/len>")
        prefix, ge, le = entry.get("prefix"), entry.get("ge"), entry.get("le")
    else:
        prefix, ge, le = entry, None, None
    net = parse_network(prefix)
    bits = MAX_BITS[net.version]
    plen = net.prefixlen
    ge = None if ge is None else _length(ge, "ge", net)
    le = None if le is None else _length(le, "le", net)
    if ge is not None and not plen < ge <= bits:
        raise PrefixError("ge %d for %s must be longer than /%d and at most %d" % (ge, net, plen, bits), "ge",
                          "FRR needs len < ge <= le <= %d: use ge %d..%d, or drop ge for an exact match"
                          % (bits, min(plen + 1, bits), bits))
    if le is not None and not plen <= le <= bits:
        raise PrefixError("le %d for %s must be between %d and %d" % (le, net, plen, bits), "le",
                          "FRR needs len <= le <= %d: use le %d..%d" % (bits, plen, bits))
    if ge is not None and le is not None and ge > le:
        raise PrefixError("ge %d is greater than le %d for %s" % (ge, le, net), "ge",
                          "FRR needs len < ge <= le: swap them or lower ge")
    limit = _max_len_for(max_len, net.version)
    if limit is not None:
        longest = longest_match(net, ge, le)
        if longest > limit:
            key = "le" if le is not None else ("ge" if ge is not None else "prefix")
            raise PrefixError("%s matches prefixes up to /%d, longer than the allowed /%d"
                              % (describe({"prefix": str(net), "ge": ge, "le": le}), longest, limit), key,
                              "use le %d or shorter (and a prefix of /%d or shorter)" % (limit, limit))
    return {"prefix": str(net), "ge": ge, "le": le}, net


def parse_entry(entry, max_len=None):
    """One checked, canonical entry ``{"prefix", "ge", "le"}`` (see :func:`parse_entry_network`)."""
    return parse_entry_network(entry, max_len)[0]


def _max_len_for(max_len, version):
    if max_len is None:
        return None
    if isinstance(max_len, dict):
        value = max_len.get(version, max_len.get("v%d" % version))
        return None if value is None else int(value)
    return int(max_len)


def longest_match(net, ge=None, le=None):
    """Longest prefix length an entry matches (``ge`` alone matches up to the family maximum)."""
    if le is not None:
        return int(le)
    if ge is not None:
        return MAX_BITS[net.version]
    return net.prefixlen


def describe(entry):
    """An entry as a prefix-list line would show it: ``203.0.113.0/24 ge 25 le 26``."""
    text = str(entry["prefix"])
    if entry.get("ge") is not None:
        text += " ge %d" % entry["ge"]
    if entry.get("le") is not None:
        text += " le %d" % entry["le"]
    return text


def sort_key(entry):
    """Order entries by family, address, length, ge, le (the order prefix-lists are rendered in)."""
    net = ipaddress.ip_network(entry["prefix"])
    return (net.version, int(net.network_address), net.prefixlen, entry.get("ge") or 0, entry.get("le") or 0)


def aggregate_entries(entries):
    """Merge exact entries (no ge/le) into the fewest covering networks; range entries stay.

    This is summarisation: 198.51.100.0/25 + 198.51.100.128/25 become one exact 198.51.100.0/24,
    and an exact entry inside another exact entry is dropped. For an *inbound* exact-match filter
    that changes what matches (the /25s would no longer be accepted); use it for what we announce.
    """
    exact = [ipaddress.ip_network(e["prefix"]) for e in entries if e.get("ge") is None and e.get("le") is None]
    ranged = [e for e in entries if e.get("ge") is not None or e.get("le") is not None]
    merged = []
    for version in (4, 6):
        nets = [n for n in exact if n.version == version]
        merged.extend({"prefix": str(n), "ge": None, "le": None} for n in ipaddress.collapse_addresses(nets))
    return merged + ranged


def normalise_entries(entries, max_len=None, aggregate=False):
    """Checked, deduplicated, sorted ``[{"prefix", "ge", "le"}]`` from strings and/or dicts.

    ``max_len`` as in :func:`parse_entry`. ``aggregate`` summarises exact entries (see
    :func:`aggregate_entries`). Raises :class:`PrefixError` for the first bad entry, naming it.
    """
    if entries is None:
        return []
    if isinstance(entries, (str, dict)):
        entries = [entries]
    parsed = {}
    for entry in entries:
        item = parse_entry(entry, max_len)
        parsed[(item["prefix"], item["ge"], item["le"])] = item
    result = list(parsed.values())
    if aggregate:
        result = aggregate_entries(result)
    return sorted(result, key=sort_key)


# ---------------------------------------------------------------------------------------------------
# bogons: address space no partner routes to us legitimately

BOGONS = tuple((ipaddress.ip_network(net), label) for net, label in (
    ("0.0.0.0/8", "'this network' (RFC 791)"),
    ("10.0.0.0/8", "private space (RFC 1918)"),
    ("100.64.0.0/10", "carrier-grade NAT space (RFC 6598)"),
    ("127.0.0.0/8", "loopback (RFC 1122)"),
    ("169.254.0.0/16", "link-local (RFC 3927)"),
    ("172.16.0.0/12", "private space (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments (RFC 6890)"),
    ("192.168.0.0/16", "private space (RFC 1918)"),
    ("224.0.0.0/4", "multicast (RFC 5771)"),
    ("240.0.0.0/4", "reserved space (RFC 1112)"),
    ("::/8", "reserved IPv6 space (loopback, unspecified, IPv4-mapped)"),
    ("100::/64", "the IPv6 discard prefix (RFC 6666)"),
    ("fc00::/7", "IPv6 unique local space (RFC 4193)"),
    ("fe80::/10", "IPv6 link-local (RFC 4291)"),
    ("fec0::/10", "deprecated IPv6 site-local space (RFC 3879)"),
    ("ff00::/8", "IPv6 multicast (RFC 4291)"),
))
# documentation and benchmarking space: bogons in production, the lab's addresses elsewhere
DOCUMENTATION = tuple((ipaddress.ip_network(net), label) for net, label in (
    ("192.0.2.0/24", "documentation space TEST-NET-1 (RFC 5737)"),
    ("198.51.100.0/24", "documentation space TEST-NET-2 (RFC 5737)"),
    ("203.0.113.0/24", "documentation space TEST-NET-3 (RFC 5737)"),
    ("198.18.0.0/15", "benchmarking space (RFC 2544)"),
    ("2001:db8::/32", "IPv6 documentation space (RFC 3849)"),
    ("3fff::/20", "IPv6 documentation space (RFC 9637)"),
))


def _ranges(table):
    return tuple((space.version, int(space.network_address), int(space.broadcast_address), space, label)
                 for space, label in table)


_BOGON_RANGES = _ranges(BOGONS)
_DOC_RANGES = _ranges(DOCUMENTATION)


def bogon(net, production=True):
    """``(bogon network, label)`` of the first bogon ``net`` overlaps (contains or lies in),
    else None. Documentation and benchmarking space count only when ``production``."""
    version, start, end = net.version, int(net.network_address), int(net.broadcast_address)
    for ranges in (_BOGON_RANGES, _DOC_RANGES) if production else (_BOGON_RANGES,):
        for space_version, low, high, space, label in ranges:
            if space_version == version and start <= high and low <= end:
                return space, label
    return None


class NetworkIndex:
    """Networks with a payload each, answering "which of them overlap this network?" without comparing it
    with every one (a fleet check of 500 HSM segments against 250 partners' prefixes was 125,000 overlap
    tests per check). Two CIDR blocks overlap exactly when one contains the other, so a query looks up the
    blocks containing it (one dictionary lookup per shorter prefix length) and the blocks inside it (a
    bisection of the sorted start addresses). Answers come in the order the networks were added."""

    def __init__(self, items=()):
        self._by_block = {}  # (version, network int, prefixlen) -> [(seq, net, payload)]
        self._starts = {4: [], 6: []}  # sorted [(network int, seq)] per version
        self._entries = []
        self._sorted = True
        for net, payload in items:
            self.add(net, payload)

    def add(self, net, payload=None):
        seq = len(self._entries)
        entry = (seq, net, payload)
        self._entries.append(entry)
        self._by_block.setdefault((net.version, int(net.network_address), net.prefixlen), []).append(entry)
        self._starts[net.version].append((int(net.network_address), seq))
        self._sorted = False

    def __len__(self):
        return len(self._entries)

    def overlapping(self, net):
        """``[(network, payload)]`` of every indexed network that overlaps ``net`` (equal, containing it or
        inside it), in the order they were added."""
        if not self._sorted:
            for starts in self._starts.values():
                starts.sort()
            self._sorted = True
        version, start, plen = net.version, int(net.network_address), net.prefixlen
        bits = MAX_BITS[version]
        found = {}
        for length in range(plen, -1, -1):  # equal to net or containing it
            mask = ((1 << length) - 1) << (bits - length) if length else 0
            for entry in self._by_block.get((version, start & mask, length), ()):
                found[entry[0]] = entry
        starts = self._starts[version]
        end = int(net.broadcast_address)
        first = bisect.bisect_left(starts, (start, -1))
        last = bisect.bisect_right(starts, (end, len(self._entries)))
        for _start, seq in starts[first:last]:  # starting inside net: inside it when not shorter than net
            entry = self._entries[seq]
            if entry[1].prefixlen >= plen:
                found[seq] = entry
        return [(found[seq][1], found[seq][2]) for seq in sorted(found)]
