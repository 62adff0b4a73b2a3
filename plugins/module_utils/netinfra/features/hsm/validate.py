# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HSM network attachment: the fleet checks (docs/hsm.md), registered with core.fleet.

The ``hsm`` intent is one fleet-wide variable (group_vars/all), read like a fleet policy variable.
Checked before any device: the schema; address sets (parse, never "any": no 0.0.0.0/0, ::/0 or a
prefix as wide as schema.MIN_SOURCE_PREFIXLEN); rules (sources and destinations name defined sets and
appliances for their direction, inbound ports are services of every destination appliance, ports in
range, unique ids, a justification, an owner and a review date in the future); appliances (inside a
segment subnet, unique); gateways (inventory hosts with a VRRP group for the segment); probes
(inventory hosts). Across features: the HSM subnet is never announced to a partner (``bgp.space``,
a partner's ``announce``) nor inside or overlapping a partner's accepted prefixes, and no address set
holds a partner's peer or gateway address (core.fleet.partner_addresses). Publishes ``hsm.segments``
(segment name -> [subnets]).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import bisect
import ipaddress

from ...core import fleet, values
from ...core import schema as sch
from ...core.policy import parse_date
from ...core.prefixes import NetworkIndex
from . import model, schema

HSM_PLATFORMS = ("linux",)
HOST = "hsm"  # the finding host of fleet-wide hsm intent problems


def _net(text):
    """An ip_network (host bits allowed for a host address) or None."""
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError:
        return None


def _check_identifier(ctx, path, name, what):
    """Names that become nft identifiers (table, sets, chains) start with a letter (nft reads a leading digit
    as a number)."""
    if isinstance(name, str) and name and not name[0].isalpha():
        ctx.error(HOST, path, "%s name %s starts with %s; it becomes an nftables identifier, which must start "
                  "with a letter" % (what, values.show(name), "a digit" if name[0].isdigit() else values.show(name[0])),
                  "rename it to start with a letter, e.g. %s" % values.printable("x" + name))


def _object(ctx, raw, where, what, example, fields):
    """``raw`` checked against ``fields`` (core.schema.check_object), or None (reported) when it is not a mapping."""
    if not isinstance(raw, dict):
        ctx.error(HOST, where, "%s is %s, expected a mapping" % (what, values.type_name(raw)), example)
        return None
    return sch.check_object(raw, fields, HOST, where, ctx.report)


def _ip_index(pairs):
    """``{version: (sorted integer addresses, [(ip, what)] in the same order)}`` of ``[(ip, what)]``: which
    partner addresses fall in a network, by bisection (a 5,000-device fleet has thousands of them)."""
    index = {}
    for ip, what in sorted(pairs, key=lambda pair: (pair[0].version, int(pair[0]))):
        keys, items = index.setdefault(ip.version, ([], []))
        keys.append(int(ip))
        items.append((ip, what))
    return index


def _ips_in(index, net):
    """The ``(ip, what)`` pairs of ``index`` (see :func:`_ip_index`) inside ``net``, in address order."""
    keys, items = index.get(net.version, ([], []))
    low = bisect.bisect_left(keys, int(net.network_address))
    high = bisect.bisect_right(keys, int(net.broadcast_address))
    return items[low:high]


def _check_sets(ctx, hsm, partner_ips):
    """{set name: [networks]} of the usable address sets; problems reported."""
    sets = {}
    for index, raw in enumerate(hsm.get("address_sets") or []):
        path = "hsm.address_sets[%d]" % index
        good = _object(ctx, raw, path, "address set", "write {name: payment_apps, addresses: [198.18.41.10]}",
                       schema.ADDRESS_SET)
        if good is None:
            continue
        name = good.get("name")
        _check_identifier(ctx, path + ".name", name, "address set")
        if name in sets:
            ctx.error(HOST, path + ".name", "address set %s is defined twice" % name, "give each set its own name")
        nets = []
        for a_index, text in enumerate(good.get("addresses") or []):
            where = "%s.addresses[%d]" % (path, a_index)
            net = _net(text)
            if net is None:
                ctx.error(HOST, where, "%s is not an address or prefix (host bits must be zero)" % values.show(text),
                          "write an address like 198.18.41.10 or a prefix like 198.18.41.64/28")
                continue
            if net.prefixlen <= schema.MIN_SOURCE_PREFIXLEN[net.version]:
                ctx.error(HOST, where, "%s is as wide as 'any' (a /%d or wider): no HSM port is open to a whole "
                          "network" % (net, schema.MIN_SOURCE_PREFIXLEN[net.version]),
                          "list the clients' own addresses or small prefixes (longer than /%d)"
                          % schema.MIN_SOURCE_PREFIXLEN[net.version])
                continue
            for ip, what in _ips_in(partner_ips, net):
                if ip in net:
                    ctx.error(HOST, where, "%s holds %s, a partner's address (%s): a partner link must never reach an "
                              "HSM" % (net, ip, what), "remove the partner's address from the set")
            nets.append(net)
        if not good.get("addresses") and "addresses" in good:
            ctx.error(HOST, path + ".addresses", "address set %s is empty" % name,
                      "list the addresses it holds, or remove the set")
        if name:
            sets[name] = nets
    return sets


def _check_appliances(ctx, path, segment, subnets, seen_addresses):
    """{appliance name: {"address": ip, "ports": {(protocol, port)}}}; problems reported."""
    appliances = {}
    for index, raw in enumerate(segment.get("appliances") or []):
        where = "%s.appliances[%d]" % (path, index)
        good = _object(ctx, raw, where, "appliance",
                       "write {name: hsm1, address: 198.18.40.10, services: [{name: ntls, port: 1792}]}", schema.APPLIANCE)
        if good is None:
            continue
        name = good.get("name")
        addr = values.parse_ip(good.get("address")) if good.get("address") else None
        if "address" in good and addr is None:
            ctx.error(HOST, where + ".address", "%s is not an IP address" % values.show(good["address"]),
                      "write the appliance's address, e.g. 198.18.40.10")
        elif addr is not None:
            if not any(addr in net for net in subnets if net.version == addr.version):
                ctx.error(HOST, where + ".address", "appliance address %s is not inside a subnet of the segment (%s)"
                          % (addr, ", ".join(str(n) for n in subnets) or "none"),
                          "use an address of the segment's subnets, or add its subnet to subnets")
            if addr in seen_addresses:
                ctx.error(HOST, where + ".address", "appliance address %s is also %s" % (addr, seen_addresses[addr]),
                          "give each appliance its own address")
            seen_addresses[addr] = where
        if name in appliances:
            ctx.error(HOST, where + ".name", "appliance %s is defined twice in the segment" % name,
                      "give each appliance its own name")
        ports = set()
        for s_index, service in enumerate(good.get("services") or []):
            s_where = "%s.services[%d]" % (where, s_index)
            s_good = _object(ctx, service, s_where, "service", "write {name: ntls, protocol: tcp, port: 1792}",
                             schema.SERVICE)
            if s_good is None:
                continue
            if "port" in s_good:
                ports.add((s_good.get("protocol") or "tcp", s_good["port"]))
        if not good.get("services") and "services" in good:
            ctx.error(HOST, where + ".services", "appliance %s serves no port" % name, "list its service ports")
        if name:
            appliances[name] = {"address": addr, "ports": ports}
    return appliances


def _families(nets):
    return {n.version for n in nets}


def _check_rule(ctx, where, raw, sets, appliances, ids):
    good = _object(ctx, raw, where, "rule", "write {id: ..., direction: inbound, sources: [...], destinations: [...], "
                   "ports: [...], justification: ..., owner: ..., review_by: YYYY-MM-DD}", schema.RULE)
    if good is None:
        return
    rid = good.get("id")
    if rid is not None:
        if rid in ids:
            ctx.error(HOST, where + ".id", "rule id %s is used twice in the segment (also %s)" % (rid, ids[rid]),
                      "give each rule its own id (it names the rule's counter and evidence)")
        ids.setdefault(rid, where)
    review = raw.get("review_by")
    if review is not None:
        try:
            date = parse_date(review)
        except ValueError:
            ctx.error(HOST, where + ".review_by", "review_by %s is not a date" % values.show(str(review)),
                      "write the date as YYYY-MM-DD, e.g. %s" % ctx.today.replace(year=ctx.today.year + 1).isoformat())
        else:
            if date <= ctx.today:
                ctx.error(HOST, where + ".review_by", "rule %s was due for review on %s (PCI DSS 1.2.7): an unreviewed "
                          "rule is not enforced" % (rid or "?", date.isoformat()),
                          "review the rule and set review_by to a date in the future (its owner %s answers for it)"
                          % (good.get("owner") or "?"))
    direction = good.get("direction")
    protocol = good.get("protocol") or "tcp"
    ports = []
    for p_index, port in enumerate(good.get("ports") or []):
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            ctx.error(HOST, "%s.ports[%d]" % (where, p_index), "port %s is not in 1..65535" % values.show(port),
                      "write a port number 1..65535")
            continue
        ports.append(port)
    if "ports" in good and not good["ports"]:
        ctx.error(HOST, where + ".ports", "the rule opens no port", "list the destination ports, e.g. [1792]")
    if direction not in schema.DIRECTIONS:
        return
    src_kind, dst_kind = ("sets", "appliances") if direction == "inbound" else ("appliances", "sets")
    known = {"sets": sets, "appliances": appliances}
    nets = {"sources": [], "destinations": []}
    for key, kind in (("sources", src_kind), ("destinations", dst_kind)):
        names = good.get(key) or []
        if key in good and not names:
            ctx.error(HOST, "%s.%s" % (where, key), "the rule has no %s" % key, "list %s names" % kind[:-1])
        for n_index, name in enumerate(names):
            n_where = "%s.%s[%d]" % (where, key, n_index)
            if name == "any":
                ctx.error(HOST, n_where, "'any' is not allowed: an HSM port is open only to listed addresses",
                          "define an address set of the clients and name it")
                continue
            table = known[kind]
            if name not in table:
                other = known["appliances" if kind == "sets" else "sets"]
                if name in other:
                    message = "%s is %s; the %s of an %s rule name %s" % (
                        name, "an appliance" if kind == "sets" else "an address set", key, direction,
                        "address sets" if kind == "sets" else "appliances of the segment")
                else:
                    what = "address set" if kind == "sets" else "appliance of the segment"
                    message = "%s is not a defined %s" % (values.show(name), what)
                hint = values.suggest(str(name), table)
                ctx.error(HOST, n_where, message, ("did you mean '%s'? " % hint if hint else "") + "name one of %s%s" % (
                    ", ".join(sorted(table)) or "none defined",
                    "" if kind == "appliances" else " (or define it in hsm.address_sets)"))
                continue
            if kind == "sets":
                nets[key].extend(table[name])
            elif table[name]["address"] is not None:
                nets[key].append(ipaddress.ip_network(table[name]["address"]))
    if nets["sources"] and nets["destinations"] and not _families(nets["sources"]) & _families(nets["destinations"]):
        ctx.error(HOST, where, "the rule's sources and destinations share no address family (IPv4/IPv6), so it "
                  "would allow nothing", "list sources and destinations of the same family")
    if direction == "inbound":
        for n_index, name in enumerate(good.get("destinations") or []):
            appliance = appliances.get(name)
            if appliance is None:
                continue
            missing = [p for p in ports if (protocol, p) not in appliance["ports"]]
            if missing:
                served = ", ".join("%s/%d" % pp for pp in sorted(appliance["ports"])) or "nothing"
                ctx.error(HOST, "%s.ports" % where, "appliance %s does not serve %s (it serves %s): the rule would open "
                          "a port nobody needs" % (name, ", ".join("%s/%d" % (protocol, p) for p in missing), served),
                          "open only ports the appliance serves, or add the service to the appliance")


def _check_gateways(ctx, path, segment):
    wanted = segment.get("vrrp_segment") or segment.get("name")
    for index, host in enumerate(segment.get("gateways") or []):
        where = "%s.gateways[%d]" % (path, index)
        if not isinstance(host, str):
            continue
        if ctx.one_device:
            if host != next(iter(ctx.devices), None):
                continue
        elif host not in ctx.devices:
            hint = values.suggest(host, ctx.devices)
            ctx.error(HOST, where, "gateway %s is not in the inventory" % values.show(host),
                      ("did you mean '%s'? " % hint if hint else "") + "name an inventory host that routes the segment")
            continue
        hostvars = ctx.hostvars(host)
        platform = hostvars.get("netinfra_platform")
        if platform is not None and platform not in HSM_PLATFORMS and not ctx.one_device:
            ctx.error(host, "netinfra_platform", "%s is an HSM segment gateway but its platform is %s (nftables runs "
                      "on linux)" % (host, values.show(platform)),
                      "use a linux gateway, or remove %s from the segment's gateways" % host)
        vrrp = hostvars.get("vrrp")
        groups = vrrp.get("groups") if isinstance(vrrp, dict) else None
        found = [g for g in groups or [] if isinstance(g, dict) and g.get("segment") == wanted]
        if not found:
            ctx.error(host, "vrrp.groups", "%s is a gateway of HSM segment %s but has no VRRP group with segment %s "
                      "(the segment interface comes from it)" % (host, segment.get("name"), wanted),
                      "add a group with segment: %s to %s's vrrp.groups, or set the HSM segment's vrrp_segment"
                      % (wanted, host))


def _announce_overlaps(ctx, name, subnets, partner_index):
    """The HSM subnets must never be announced: not in our announced space, not in a partner's announce
    list, not inside or overlapping a partner's accepted prefixes. ``partner_index``: a NetworkIndex of
    every partner's announce and accept_prefixes entries (:func:`_partner_index`), built once."""
    space = ctx.facts.get("bgp.space")
    for s_index, net in enumerate(subnets):
        where = "hsm.segments[%s].subnets[%d]" % (name, s_index)
        if space is not None:
            found = space.overlap(net)
            if found:
                ours, host, _n = found
                ctx.error(HOST, where, "HSM subnet %s overlaps %s, which %s announces over BGP to partners"
                          % (net, ours, host), "never announce the HSM segment: remove it from %s's bgp.announce or "
                          "announce prefixes outside %s" % (host, net))
        for other, (partner, key, e_index) in partner_index.overlapping(net):
            if key == "announce":
                what = "is announced to partner %s" % partner
                fix = "remove it from partners.%s.announce: the HSM segment is never announced" % partner
            else:
                what = "is reachable through partner %s's accepted prefixes" % partner
                fix = ("narrow partners.%s.accept_prefixes so that no entry covers or overlaps %s (a partner route "
                       "would reach or hijack the HSM segment)" % (partner, net))
            ctx.error(HOST, where, "HSM subnet %s %s (partners.%s.%s[%d]: %s)" % (net, what, partner, key, e_index, other),
                      fix)


def _partner_networks(ctx, key="accept_prefixes"):
    """[(network, partner, key, index)] of every partner's ``key`` list (announce or accept_prefixes; an
    entry is a prefix or {prefix, ge, le})."""
    out = []
    for partner in sorted(ctx.partners):
        data = ctx.partners[partner]
        for e_index, entry in enumerate(data.get(key) or [] if isinstance(data, dict) else []):
            text = entry.get("prefix") if isinstance(entry, dict) else entry
            try:
                net = ipaddress.ip_network(text, strict=False) if isinstance(text, str) else None
            except ValueError:
                net = None
            if net is not None:
                out.append((net, partner, key, e_index))
    return out


def _partner_index(ctx, keys):
    """NetworkIndex of every partner's ``keys`` lists (:func:`_partner_networks`), payload (partner, key, index)."""
    return NetworkIndex((net, (partner, key, e_index)) for key in keys
                        for net, partner, key, e_index in _partner_networks(ctx, key))


def _sets_in_partner_space(ctx, hsm):
    """No address set (client, management source, outbound server) may overlap a partner's network: a
    rule naming it would open the HSM to traffic from, or send the HSM's traffic to, a partner link."""
    partner_nets = _partner_index(ctx, ("accept_prefixes",))
    if not partner_nets:
        return
    for index, raw in enumerate(hsm.get("address_sets") or []):
        if not isinstance(raw, dict):
            continue
        for a_index, text in enumerate(raw.get("addresses") or [] if isinstance(raw.get("addresses"), list) else []):
            net = _net(text) if isinstance(text, str) else None
            if net is None:
                continue
            for other, (partner, key, e_index) in partner_nets.overlapping(net):
                where = "partners.%s.%s[%d]" % (partner, key, e_index)
                ctx.error(HOST, "hsm.address_sets[%d].addresses[%d]" % (index, a_index),
                          "%s overlaps %s, a partner's network (%s): a partner link must never reach an HSM"
                          % (net, other, where),
                          "remove it from address set %s (list only our own hosts), or correct %s"
                          % (raw.get("name"), where))


def _probes_from_outside_allowed(ctx, hsm):
    """A probe source in the partner or internet zone that a rule allows is an intent that opens the HSM
    to the outside: refused before the proof would fail on it."""
    for index, probe in enumerate(hsm.get("probes") or []):
        if not isinstance(probe, dict) or probe.get("zone") not in ("partner", "internet"):
            continue
        for segment in hsm.get("segments") or []:
            for appliance in segment.get("appliances") or []:
                for service in appliance.get("services") or []:
                    try:
                        rule = model.allowed_by(hsm, probe["address"], appliance["address"],
                                                service.get("protocol") or "tcp", service["port"])
                    except (model.ModelError, KeyError, TypeError, ValueError, AttributeError):
                        return  # the intent has errors of its own, reported above
                    if rule:
                        ctx.error(HOST, "hsm.probes[%d].address" % index,
                                  "%s (%s, zone %s) is allowed to %s:%s/%s by rule %s: the intent opens an HSM to the %s"
                                  % (probe["address"], probe.get("host"), probe["zone"], appliance["name"], service["port"],
                                     service.get("protocol") or "tcp", rule, probe["zone"]),
                                  "remove %s from the sets of rule %s (or, if the source is ours, correct its zone)"
                                  % (probe["address"], rule))


def _check_probes(ctx, hsm):
    for index, raw in enumerate(hsm.get("probes") or []):
        where = "hsm.probes[%d]" % index
        good = _object(ctx, raw, where, "probe", "write {host: app1, address: 198.18.41.10, zone: client}", schema.PROBE)
        if good is None:
            continue
        if "address" in good and values.parse_ip(good["address"]) is None:
            ctx.error(HOST, where + ".address", "%s is not an IP address" % values.show(good["address"]),
                      "write the probe host's source address, e.g. 198.18.41.10")
        host = good.get("host")
        if host and not ctx.one_device and host not in ctx.devices:
            hint = values.suggest(host, ctx.devices)
            ctx.error(HOST, where + ".host", "probe host %s is not in the inventory" % values.show(host),
                      ("did you mean '%s'? " % hint if hint else "") + "name an inventory host the proof can run on")


def validate(ctx):
    hsm = ctx.policy_vars.get("hsm")
    if hsm is None:
        return
    top = _object(ctx, hsm, "hsm", "hsm", "set hsm: {address_sets: [...], segments: [...]} in group_vars/all", schema.HSM)
    if top is None:
        return
    _check_identifier(ctx, "hsm.table", top.get("table"), "table")
    partner_ips = _ip_index([(ip, path) for _device, ip, _key, path in fleet.partner_addresses(ctx)])
    sets = _check_sets(ctx, hsm, partner_ips)
    partner_lists = None
    published = {}
    published_index = NetworkIndex()  # the same subnets, for the overlap test of each new one
    seen_addresses = {}
    names = {}
    for index, raw in enumerate(hsm.get("segments") or [] if isinstance(hsm.get("segments"), list) else []):
        path = "hsm.segments[%d]" % index
        segment = _object(ctx, raw, path, "segment",
                          "write {name: hsmseg, subnets: [...], gateways: [...], appliances: [...], rules: [...]}",
                          schema.SEGMENT)
        if segment is None:
            continue
        name = segment.get("name")
        _check_identifier(ctx, path + ".name", name, "segment")
        if name in names:
            ctx.error(HOST, path + ".name", "segment %s is defined twice" % name, "give each segment its own name")
        names[name] = path
        subnets = []
        for s_index, text in enumerate(segment.get("subnets") or []):
            net = _net(text)
            if net is None:
                ctx.error(HOST, "%s.subnets[%d]" % (path, s_index), "%s is not a prefix (host bits must be zero)"
                          % values.show(text), "write the segment's prefix, e.g. 198.18.40.0/24")
                continue
            for o_net, o_name in published_index.overlapping(net):
                ctx.error(HOST, "%s.subnets[%d]" % (path, s_index), "subnet %s overlaps %s of segment %s"
                          % (net, o_net, o_name), "give each segment its own subnets")
            published[(name, s_index)] = (name, net)
            published_index.add(net, name)
            subnets.append(net)
        appliances = _check_appliances(ctx, path, segment, subnets, seen_addresses)
        ids = {}
        for r_index, rule in enumerate(segment.get("rules") or []):
            _check_rule(ctx, "%s.rules[%d]" % (path, r_index), rule, sets, appliances, ids)
        _check_gateways(ctx, path, segment)
        if not ctx.one_device:
            if partner_lists is None:
                partner_lists = _partner_index(ctx, ("announce", "accept_prefixes"))
            _announce_overlaps(ctx, index, subnets, partner_lists)
    _check_probes(ctx, hsm)
    if not ctx.one_device:
        _sets_in_partner_space(ctx, hsm)
        _probes_from_outside_allowed(ctx, hsm)
    segments = {}
    for (name, _i), (_n, net) in published.items():
        segments.setdefault(name, []).append(net)
    ctx.facts["hsm.segments"] = segments


def count(ctx):
    hsm = ctx.policy_vars.get("hsm") if isinstance(ctx.policy_vars, dict) else None
    if not isinstance(hsm, dict) or not isinstance(hsm.get("segments"), list):
        return {}
    rules = sum(len(s.get("rules") or []) for s in hsm["segments"] if isinstance(s, dict))
    return {"hsm_segments": len(hsm["segments"]), "hsm_rules": rules}


def device_view(config, device=fleet.ONE_DEVICE):
    """The hsm_attachment module's input as a fleet of the gateway ``device``: ``config`` holds the hsm
    intent under ``hsm`` and the gateway's vrrp variable under ``vrrp`` (see :func:`module_check`)."""
    config = dict(config or {})
    return {}, {"netinfra_platform": "linux", "vrrp": config.get("vrrp") or {}}, {"hsm": "config", "vrrp": "vrrp"}


def module_check(hsm, vrrp, gateway, policy_vars=None, today=None):
    """The module's own input check: the same validator on a one-gateway view (``gateway`` with its
    ``vrrp``), the hsm intent as the fleet variable. Errors as strings naming the option and the fix."""
    policy = dict(policy_vars or {})
    policy["hsm"] = hsm
    return fleet.check_device(FEATURE.name, {"vrrp": vrrp}, policy, host=gateway, today=today)


FEATURE = fleet.register(fleet.Feature(
    "hsm", validate, policy_vars={"hsm": schema.HSM_VAR}, platforms=HSM_PLATFORMS,
    after=("bgp", "ipsec", "vrrp"), count=count, device_view=device_view))
