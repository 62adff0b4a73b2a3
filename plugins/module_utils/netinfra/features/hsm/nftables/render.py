# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HSM policy as one nftables table, rendered from features/hsm/model.device_model (so what the
gateway enforces is what model.allowed_by, the proof's expectation, says).

The text is the table's canonical form: parse.py turns ``nft -j list table`` into exactly this text
(counter values left out), so the diff of intended and gathered is the exact change of our table.
It is also what is loaded: :func:`apply_file` wraps it so that one ``nft -f`` creates the table if
absent, deletes it and re-creates it (atomically; other tables are never touched).

Layout: one interval set per address set and family (``<set>_v4``/``<set>_v6``) used by the
gateway's rules; a base chain ``forward`` (hook forward, priority filter, policy accept) that jumps by
the segment's interfaces (its VRRP interface and that group's virtual-MAC macvlans) and by the
segment's subnets to ``<segment>_in`` (towards the HSMs) and ``<segment>_out`` (from them);
in each: replies of allowed flows (ct state established,related), the allow rules, a rate-limited log
and a counted default drop. Every rule has a counter and a comment: ``<rule id>: <justification>``.

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress

BASE_CHAIN = "forward"
COMMENT_MAX = 120  # nft refuses comments over 128 bytes
LOG_BURST = 5  # nft's default burst of "limit rate N/minute"
FAMILY = {4: ("ip", "ipv4_addr", "_v4"), 6: ("ip6", "ipv6_addr", "_v6")}


def comment_text(text):
    """``text`` as nft accepts it in a quoted comment: printable ASCII without quotes and backslashes,
    at most COMMENT_MAX characters."""
    out = "".join(c if " " <= c <= "~" and c not in '"\\' else ("'" if c == '"' else "?") for c in str(text))
    out = " ".join(out.split())
    if len(out) > COMMENT_MAX:
        out = out[:COMMENT_MAX - 3].rstrip() + "..."
    return out


def rule_comment(rule_id, justification):
    return comment_text("%s: %s" % (rule_id, justification))


def established_comment(segment):
    return "segment %s: established,related (replies of allowed flows)" % segment


def drop_comment(segment, way):
    return "segment %s: default drop (%s)" % (segment, way)


def log_prefix(segment, way):
    return "hsm %s %s drop: " % (segment, way)


def chain_names(segment):
    return "%s_in" % segment, "%s_out" % segment


def element_text(net):
    return str(net.network_address) if net.prefixlen == net.max_prefixlen else str(net)


def elements(nets):
    """Canonical interval-set elements: collapsed (nft refuses overlapping intervals) and sorted."""
    out = []
    for version in (4, 6):
        out.extend(ipaddress.collapse_addresses([n for n in nets if n.version == version]))
    return [element_text(n) for n in sorted(out, key=lambda n: (n.version, n))]


def one_or_set(items):
    items = list(items)
    return items[0] if len(items) == 1 else "{ %s }" % ", ".join(items)


def set_name(name, version):
    return name + FAMILY[version][2]


def _sorted_nets(nets):
    return sorted(ipaddress.collapse_addresses([n for n in nets if n.version == 4])) + \
        sorted(ipaddress.collapse_addresses([n for n in nets if n.version == 6]))


def _families(nets):
    return sorted({n.version for n in nets})


def _rule_lines(rule, sets_used):
    """The nft lines of one allow rule (one per source/destination set and family)."""
    lines = []
    proto = rule["protocol"]
    ports = one_or_set(str(p) for p in rule["ports"])
    comment = rule_comment(rule["id"], rule["justification"])
    inbound = rule["direction"] == "inbound"
    set_names = rule["source_names"] if inbound else rule["destination_names"]
    hosts = rule["destinations"] if inbound else rule["sources"]
    for version in (4, 6):
        fam = FAMILY[version][0]
        addrs = sorted(n.network_address for n in hosts if n.version == version)
        if not addrs:
            continue
        addr_text = one_or_set(str(a) for a in addrs)
        for name in set_names:
            nets = [n for n in sets_used.get(name, ()) if n.version == version]
            if not nets:
                continue
            ref = "@" + set_name(name, version)
            match = ("%s saddr %s %s daddr %s" % (fam, ref, fam, addr_text) if inbound
                     else "%s saddr %s %s daddr %s" % (fam, addr_text, fam, ref))
            lines.append('%s %s dport %s counter accept comment "%s"' % (match, proto, ports, comment))
    return lines


def table_text(model, sets):
    """The canonical text of the gateway's table. ``model``: model.device_model(); ``sets``: model.address_sets()
    ({name: [networks]}). Empty text when the gateway serves no segment (no table)."""
    if not model["segments"]:
        return ""
    used = {}
    for segment in model["segments"]:
        for rule in segment["rules"]:
            for name in rule["source_names"] if rule["direction"] == "inbound" else rule["destination_names"]:
                used[name] = sets.get(name, [])
    lines = ["table inet %s {" % model["table"]]
    for name in sorted(set_name(n, v) for n, nets in used.items() for v in _families(nets)):
        base, version = name[:-3], 4 if name.endswith("_v4") else 6
        lines += ["\tset %s {" % name, "\t\ttype %s" % FAMILY[version][1], "\t\tflags interval"]
        elems = elements([n for n in used[base] if n.version == version])
        if elems:
            lines.append("\t\telements = { %s }" % ", ".join(elems))
        lines.append("\t}")
    chains = {}
    jumps = []
    for segment in model["segments"]:
        chain_in, chain_out = chain_names(segment["name"])
        ifaces = one_or_set('"%s"' % i for i in segment.get("interfaces") or [segment["interface"]])
        # by interface (the VRRP interface and its virtual-MAC macvlans) and by address (a route or a
        # source that does not go through those interfaces is judged all the same)
        jumps += ["oifname %s jump %s" % (ifaces, chain_in)]
        jumps += ["%s daddr %s jump %s" % (FAMILY[n.version][0], n, chain_in) for n in _sorted_nets(segment["subnets"])]
        jumps += ["iifname %s jump %s" % (ifaces, chain_out)]
        jumps += ["%s saddr %s jump %s" % (FAMILY[n.version][0], n, chain_out) for n in _sorted_nets(segment["subnets"])]
        for chain, direction, way in ((chain_in, "inbound", "in"), (chain_out, "outbound", "out")):
            body = ['ct state established,related counter accept comment "%s"' % established_comment(segment["name"])]
            for rule in segment["rules"]:
                if rule["direction"] == direction:
                    body += _rule_lines(rule, used)
            body += ['limit rate %d/minute log prefix "%s"' % (segment["log_rate"], log_prefix(segment["name"], way)),
                     'counter drop comment "%s"' % drop_comment(segment["name"], way)]
            chains[chain] = body
    lines += ["\tchain %s {" % BASE_CHAIN, "\t\ttype filter hook forward priority filter; policy accept;"]
    lines += ["\t\t" + j for j in jumps] + ["\t}"]
    for chain in sorted(chains):
        lines += ["\tchain %s {" % chain] + ["\t\t" + line for line in chains[chain]] + ["\t}"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def apply_file(table, text):
    """One nft file that replaces table ``table`` with ``text`` atomically (or removes it when ``text`` is
    empty): ``table inet X {}`` creates it when absent, so the ``delete`` never fails."""
    head = "table inet %s {}\ndelete table inet %s\n" % (table, table)
    return head + (text or "")


def counter_keys(model):
    """The counter keys hsm_status returns for ``model``: "<segment>/<rule id>" for every rule,
    "<segment>/established" and "<segment>/drop"."""
    keys = []
    for segment in model["segments"]:
        keys += ["%s/%s" % (segment["name"], r["id"]) for r in segment["rules"]]
        keys += ["%s/established" % segment["name"], "%s/drop" % segment["name"]]
    return keys
