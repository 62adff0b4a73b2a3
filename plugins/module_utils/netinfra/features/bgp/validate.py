# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""BGP partner peering: the fleet checks (docs/intent.md), registered with core.fleet.

Reads every host's ``bgp`` variable, the partners' BGP keys and sessions and ``bgp_policy``;
reads the IPsec feature's facts (``ipsec.tunnels``: the inside addresses of each partner's tunnels)
for ``transport: ipsec`` sessions; publishes ``bgp.space`` (every prefix we announce) for features
that must keep out of it. A module checks its own config with the same checks
(:func:`device_view` + core.fleet.check_device).

Plain Python, no Ansible import, Python 3.9 compatible. Linear in the size of the intent.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import bisect
import ipaddress

from ...core import fleet
from ...core import schema as sch
from ...core import values
from ...core.policy import check_waiver
from ...core.prefixes import MAX_BITS, PrefixError, bogon, describe, longest_match, parse_entry_network, parse_network
from ..ipsec.schema import DEFAULT_POOL, POOL_VAR
from . import schema

BGP_PLATFORMS = ("frr",)  # a linux gateway runs strongSwan only, no BGP speaker
AS_TRANS = 23456
HOST_DEVICE_VIEW = {k: f for k, f in schema.CONFIG.items() if k != "partners"}


class _Device:
    """What the partner checks need to know about one of our BGP routers."""

    __slots__ = ("asn", "announce")

    def __init__(self):
        self.asn = None
        self.announce = []


# ---------------------------------------------------------------------------------------------------
# policy, ASNs


def check_asn(value, host, field, report, whose):
    """False when the ASN cannot be used at all."""
    if value == 0:
        report.error(host, field, "ASN 0 is reserved and never valid in BGP (RFC 7607)", "use %s real ASN" % whose)
        return False
    if value == AS_TRANS:
        report.error(host, field, "ASN 23456 is AS_TRANS (RFC 6793), a placeholder for 4-byte ASNs",
                     "use %s real 4-byte ASN in asplain form" % whose)
        return False
    if value < 0 or value > schema.MAX_ASN:
        report.error(host, field, "ASN %d is out of range 1..4294967295" % value,
                     "use %s ASN in asplain form (asdot X.Y is X*65536+Y)" % whose)
        return False
    if value in (65535, schema.MAX_ASN):
        report.warning(host, field, "ASN %d is reserved (RFC 7300) and must not be used on a session" % value,
                       "use %s assigned ASN" % whose)
    return True


# ---------------------------------------------------------------------------------------------------
# devices


def _check_devices(ctx):
    """{host: _Device} for every host that runs BGP."""
    bgp_hosts = {}
    router_ids = {}  # (asn, router_id) -> [host]
    host_schema = HOST_DEVICE_VIEW if ctx.one_device else schema.HOST
    for host in sorted(ctx.devices):
        hostvars = ctx.devices[host]
        if not isinstance(hostvars, dict) or hostvars.get("bgp") is None:
            continue
        bgp = hostvars["bgp"]
        platform = hostvars.get("netinfra_platform")
        if platform in ctx.supported_platforms and platform not in BGP_PLATFORMS:
            ctx.error(host, "bgp", "host has bgp vars but netinfra_platform %s runs no BGP speaker" % platform,
                      "remove bgp from host_vars/%s.yml (a linux gateway only terminates tunnels), "
                      "or set netinfra_platform: frr if it runs FRR" % host)
            continue
        device = _Device()
        bgp_hosts[host] = device
        if not isinstance(bgp, dict):
            ctx.error(host, "bgp", "bgp is %s, expected a mapping" % values.type_name(bgp),
                      "set bgp: {asn: 65010, router_id: 198.18.0.1, announce: [...]}")
            continue
        good = sch.check_object(bgp, host_schema, host, "bgp", ctx.report)
        if "asn" in good and check_asn(good["asn"], host, "bgp.asn", ctx.report, "our"):
            device.asn = good["asn"]
        if "router_id" in good:
            rid = values.parse_ip(good["router_id"])
            if rid is None or rid.version != 4:
                ctx.error(host, "bgp.router_id", "%s is not an IPv4 address" % values.show(good["router_id"]),
                          "use an IPv4 address unique among routers with the same ASN, e.g. the loopback")
            elif device.asn is not None:
                router_ids.setdefault((device.asn, str(rid)), []).append(host)
        for index, item in enumerate(good.get("announce", ())):
            field = "bgp.announce[%d]" % index
            try:
                net = parse_network(item)
            except PrefixError as exc:
                ctx.error(host, field, str(exc), exc.fix or "")
                continue
            if net.prefixlen == 0:
                ctx.warning(host, field, "we would announce a default route (%s) to partners" % net,
                            "announce only our own prefixes")
            device.announce.append(net)
    for (asn, rid), hosts in router_ids.items():
        if len(hosts) > 1:
            for host in hosts:
                others = ", ".join(h for h in hosts if h != host)
                ctx.error(host, "bgp.router_id", "router_id %s is also used by %s in AS %d" % (rid, others, asn),
                          "give every router in AS %d its own router_id (e.g. its loopback)" % asn)
    return bgp_hosts


class OurSpace:
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


def _accept_waivers(ctx, name, good):
    """{prefix text: Waiver} of the partner's usable accept_exceptions (problems reported)."""
    host = "partner:%s" % name
    path = "partners.%s.accept_exceptions" % name
    out = {}
    for index, item in enumerate(good.get("accept_exceptions", ())):
        field = "%s[%d]" % (path, index)
        waiver = check_waiver(item, host, field, ctx.report, ctx.today, "accept exception", allows=_waiver_prefix(item),
                              fields=schema.WAIVER)
        prefix = _waiver_prefix(item)
        if waiver is None or prefix is None:
            continue
        try:
            key = str(parse_network(prefix, "accept exception prefix"))
        except PrefixError as exc:
            ctx.error(host, field + ".prefix", str(exc), exc.fix or "")
            continue
        out[key] = (waiver, field)
    return out


def _waiver_prefix(item):
    value = item.get("prefix") if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def _inside_pool(ctx, sessions):
    """The IPsec inside pool when the partner's sessions run over its tunnels (their inside networks come
    from it, and may be accepted from the partner), else None.

    A module's config has no ``transport``: the filter replaced it by the tunnel's inside addresses. There
    a session whose peer address lies in the pool (``ipsec_inside_pool`` of the module's fleet_policy)
    runs over a tunnel."""
    if not ctx.one_device:
        over_ipsec = any(isinstance(s, dict) and s.get("transport") == "ipsec" for s in sessions)
        return ctx.facts.get("ipsec.pool") if over_ipsec else None
    try:
        pool = ipaddress.ip_network(ctx.policy_vars.get("ipsec_inside_pool") or DEFAULT_POOL, strict=True)
    except (TypeError, ValueError):
        return None  # a bad pool is the IPsec feature's finding
    for session in sessions:
        peer = values.parse_ip(session.get("peer_address")) if isinstance(session, dict) else None
        if peer is not None and peer.version == pool.version and peer in pool:
            return pool
    return None


def _check_accept(ctx, name, good, policy, space, pool):
    """``pool``: the IPsec inside pool when the partner's sessions run over its tunnels (see _inside_pool)."""
    host = "partner:%s" % name
    path = "partners.%s.accept_prefixes" % name
    limits = {4: policy["max_accept_prefix_len_v4"], 6: policy["max_accept_prefix_len_v6"]}
    waivers = _accept_waivers(ctx, name, good)
    used = set()
    seen = {}
    for index, entry in enumerate(good.get("accept_prefixes", ())):
        field = "%s[%d]" % (path, index)
        try:
            item, net = parse_entry_network(entry)
        except PrefixError as exc:
            sub = ".%s" % exc.key if isinstance(entry, dict) and exc.key else ""
            ctx.error(host, field + sub, str(exc), exc.fix or "")
            continue
        text = describe(item)
        if net.prefixlen == 0:
            ctx.error(host, field, "%s would accept a default route from the partner" % text,
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
            ctx.error(host, field + (".le" if isinstance(entry, dict) and item["le"] is not None else ""),
                      "%s accepts prefixes up to /%d, longer than %s (/%d)" % (text, longest, setting, limit), fix)
        ours = space.overlap(net)
        if ours:
            our_net, our_host, count = ours
            more = " and %d more of ours" % (count - 1) if count > 1 else ""
            ctx.error(host, field, "%s overlaps our %s (announced by %s)%s: the partner could hijack our address space"
                      % (text, our_net, our_host, more),
                      "remove it or narrow it to the partner's own prefixes outside our space")
        _check_bogon(ctx, host, field, net, text, waivers, used, pool)
        identity = (item["prefix"], item["ge"], item["le"])
        if identity in seen:
            ctx.warning(host, field, "%s is listed twice (also at index %d)" % (text, seen[identity]), "remove the duplicate")
        else:
            seen[identity] = index
    for key, (_waiver, field) in sorted(waivers.items()):
        if key not in used:
            ctx.warning(host, field, "accept exception for %s matches no bogon in accept_prefixes" % key,
                        "remove the exception")


def _check_bogon(ctx, host, field, net, text, waivers, used, pool):
    found = bogon(net, production=ctx.is_production())
    if found is None:
        return
    space, label = found
    if pool is not None and space == ipaddress.ip_network("169.254.0.0/16") and net.subnet_of(pool):
        return  # a tunnel's inside network, accepted over that tunnel
    # where the entry lies: in the bogon space, or covering it (an aggregate that includes a bogon)
    relation = ("%s %s" % (space, label) if net == space else
                "in %s %s" % (space, label) if net.subnet_of(space) else "covering %s %s" % (space, label))
    waiver = waivers.get(str(net))
    if waiver is not None:
        used.add(str(net))
        info, wfield = waiver
        if info.usable:
            ctx.warning(host, field, "%s is a bogon (%s), accepted under exception %s (%s) %s"
                        % (text, relation, info.approved_by, " ".join(str(info.reason).split()), info.until()),
                        "have the partner announce routable space, then remove the exception (%s)" % wfield)
            return
        return  # the waiver's own problem (expired, incomplete) is the error already reported
    ctx.error(host, field, "%s is a bogon (%s), which no partner routes to us legitimately" % (text, relation),
              "remove it, or record an approved, dated exception: accept_exceptions: [{prefix: %s, reason: ..., "
              "approved_by: CHG-..., expires: YYYY-MM-DD}]" % net)


def _check_partner_announce(ctx, name, entries):
    nets = []
    for index, entry in enumerate(entries):
        try:
            nets.append(parse_network(entry))
        except PrefixError as exc:
            ctx.error("partner:%s" % name, "partners.%s.announce[%d]" % (name, index), str(exc), exc.fix or "")
    return nets


def _check_max_prefixes(ctx, name, good, is_set, policy):
    """``is_set``: the partner has a max_prefixes value (maybe of a wrong type, already reported)."""
    host = "partner:%s" % name
    field = "partners.%s.max_prefixes" % name
    value = good.get("max_prefixes")
    if value is None:
        if policy["max_prefixes_required"] and not is_set:
            count = len(good.get("accept_prefixes") or ())
            ctx.error(host, field, "max_prefixes is not set: a leak from the partner would fill our tables",
                      "set max_prefixes to a little above what they announce, e.g. %d" % max(10, 2 * count))
        return
    if values.is_int(value):
        values.check_range(value, 1, schema.MAX_ASN, host, field, ctx.report, "max_prefixes")
        return
    sch.check_object(value, schema.MAX_PREFIXES, host, field, ctx.report)


def _check_session_options(ctx, name, good):
    host = "partner:%s" % name
    path = "partners.%s" % name
    if "ttl_security" in good and "ebgp_multihop" in good:
        ctx.error(host, path + ".ebgp_multihop", "ttl_security and ebgp_multihop are mutually exclusive",
                  "keep ttl_security (GTSM, if the partner agrees) or ebgp_multihop, not both")
    if "drain_prepend" in good and good.get("drain", "community") != "prepend":
        ctx.error(host, path + ".drain_prepend",
                  "drain_prepend is set but drain is %s: the prepend count is only used with drain: prepend"
                  % good.get("drain", "community"),
                  "set drain: prepend (the partner's routers ignore the graceful-shutdown community) or remove "
                  "drain_prepend")
    if "timers" in good:
        timers = sch.check_object(good["timers"], schema.TIMERS, host, path + ".timers", ctx.report)
        keepalive, hold = timers.get("keepalive"), timers.get("hold")
        if keepalive is not None and hold is not None and keepalive * 3 > hold:
            ctx.error(host, path + ".timers.keepalive", "keepalive %d is more than a third of hold %d" % (keepalive, hold),
                      "use keepalive <= %d (hold/3), e.g. {keepalive: %d, hold: %d}" % (hold // 3, max(hold // 3, 1), hold))


def _check_password(ctx, session, host, field, policy):
    value = session.get("password")
    if value is None or value == "":
        if policy["password_required"]:
            ctx.error(host, field, "no password: every partner session needs a TCP-MD5 password",
                      "set password: \"{{ vault_<partner>_bgp }}\" and store the value with ansible-vault")
        return
    if not isinstance(value, str):
        return  # wrong type: already reported
    if len(value) > schema.MAX_PASSWORD_LEN:
        ctx.error(host, field, "password is %d characters long, FRR's TCP-MD5 limit is %d"
                  % (len(value), schema.MAX_PASSWORD_LEN), "agree a password of at most 80 characters with the partner")
    if value.strip() == value and len(value.split()) > 1:
        ctx.error(host, field, "password contains whitespace, which FRR cannot configure",
                  "agree a password without spaces, tabs or newlines with the partner")


def _check_session(ctx, state, name, index, session, partner, policy, tunnels):
    where = ctx.partner_item(name, "sessions", index, session,
                             "{device: ..., peer_address: ..., local_address: ..., password: ...}")
    if where is None:
        return
    path, host = where
    device = session.get("device")
    good = sch.check_object(session, schema.SESSION, host, path, ctx.report)
    dev = None
    if "device" in good:
        dev = _session_device(ctx, state, device, host, path)
    transport = good.get("transport")
    if transport != "ipsec" and session.get("peer_address") is None:
        ctx.error(host, path + ".peer_address", "required key 'peer_address' is missing",
                  "set peer_address to the partner router's IPv4 or IPv6 address "
                  "(or use transport: ipsec to run the session over the partner's tunnel)")
    peer = _check_address(ctx, good, "peer_address", host, path)
    local = _check_address(ctx, good, "local_address", host, path)
    if transport == "ipsec":
        peer, local = _check_ipsec_session(ctx, name, good, device, (tunnels or {}).get(device), peer, local, host, path)
    elif "tunnel" in good:
        ctx.error(host, path + ".tunnel", "tunnel is set but transport is not ipsec",
                  "set transport: ipsec to run the session over the tunnel, or remove tunnel")
    if peer is not None and local is not None:
        if peer.version != local.version:
            ctx.error(host, path + ".local_address",
                      "local_address %s is IPv%d but peer_address %s is IPv%d" % (local, local.version, peer, peer.version),
                      "use our IPv%d address on the link to %s" % (peer.version, peer))
        elif peer == local:
            ctx.error(host, path + ".local_address", "local_address is the same as peer_address (%s)" % peer,
                      "local_address is OUR address on the link; peer_address is the partner's")
    if session.get("password") is None or "password" in good:
        _check_password(ctx, session, host, path + ".password", policy)
    if dev is not None:
        if dev.asn is not None and values.is_int(partner.get("asn")) and partner["asn"] == dev.asn:
            ctx.error(host, path + ".device", "partner ASN %d is our ASN on %s: that would be an iBGP session" % (dev.asn, device),
                      "check the partner's asn (partner sessions are always eBGP)")
        if peer is not None:
            state.peers.setdefault((device, peer), []).append((name, path))
            state.peer_devices.setdefault(peer, {}).setdefault(device, path)
    return good


def _session_device(ctx, state, device, host, path):
    if device not in ctx.devices:
        hint = state.device_hint(ctx, device)
        ctx.error(host, path + ".device", "device '%s' is not in the inventory" % device,
                  ("did you mean '%s'? Otherwise u" % hint if hint else "U") + "se the inventory hostname of one of our routers")
        return None
    platform = ctx.platforms.get(device)
    if device not in state.bgp_hosts and platform is not None and platform not in BGP_PLATFORMS:
        ctx.error(host, path + ".device", "device '%s' is a %s VPN gateway with no BGP speaker" % (device, platform),
                  "run the session on one of our FRR routers (a tunnel can end there too), or keep the tunnel on "
                  "%s and peer from a router behind it" % device)
        return None
    if device not in state.bgp_hosts:
        ctx.error(host, path + ".device", "device '%s' has no bgp vars (it does not run BGP)" % device,
                  "add bgp: {asn, router_id, announce} to host_vars/%s.yml or use one of our BGP routers" % device)
        return None
    return state.bgp_hosts[device]


def _check_ipsec_session(ctx, name, good, device, here, peer, local, host, path):
    """(peer, local) of a ``transport: ipsec`` session: the inside addresses of its tunnel.

    ``here``: {tunnel name: (local, peer) or None} of the partner's tunnels on the session's device.
    """
    if not isinstance(device, str) or not device:
        return peer, local
    names = ", ".join(sorted(here)) if here else ""
    wanted = good.get("tunnel")
    if wanted is not None:
        if wanted not in (here or {}):
            ctx.error(host, path + ".tunnel", "partner '%s' has no tunnel named '%s' on %s%s"
                      % (name, wanted, device, " (its tunnels there: %s)" % names if names else ""),
                      ("use one of %s" % names) if names else
                      "add a tunnel {device: %s, name: %s, ...} to the partner's tunnels" % (device, wanted))
            return peer, local
    elif not here:
        ctx.error(host, path + ".transport", "transport is ipsec but partner '%s' has no tunnel on %s" % (name, device),
                  "add a tunnel with device: %s to partners.%s.tunnels, or use transport: direct" % (device, name))
        return peer, local
    elif len(here) > 1:
        ctx.error(host, path + ".tunnel", "transport is ipsec and partner '%s' has %d tunnels on %s (%s)"
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
            ctx.error(host, "%s.%s" % (path, key), "%s %s is not the inside %s address %s of tunnel %s"
                      % (key, given, key.split("_", 1)[0], derived, wanted),
                      "remove %s: with transport ipsec it is derived from the tunnel's inside network" % key)
    return inside_peer, inside_local


def _check_address(ctx, good, key, host, path):
    value = good.get(key)
    if value is None:
        return None
    address = values.parse_ip(value)
    if address is None:
        whose = "the partner's router" if key == "peer_address" else "our router on the link"
        ctx.error(host, "%s.%s" % (path, key), "'%s' is not an IP address" % value, "use an IPv4 or IPv6 address of %s" % whose)
        return None
    if values.unusable_unicast(address):
        ctx.error(host, "%s.%s" % (path, key), "%s is not a usable unicast address" % address,
                  "use the interface address on the link")
        return None
    return address


class _State:
    """Cross-partner facts gathered while walking the sessions."""

    def __init__(self, bgp_hosts):
        self.bgp_hosts = bgp_hosts
        self.peers = {}  # (device, peer ip) -> [(partner, field)]
        self.peer_devices = {}  # peer ip -> {device: field}
        self.asns = {}  # partner asn -> [partner]
        self._hints = {}

    def device_hint(self, ctx, device):
        if device not in self._hints:
            self._hints[device] = values.suggest(device, self.bgp_hosts) or values.suggest(device, ctx.devices)
        return self._hints[device]


def _check_partner(ctx, state, name, partner, policy, space):
    host = "partner:%s" % name
    path = "partners.%s" % name
    good = sch.check_object(partner, schema.PARTNER_INTENT, host, path, ctx.report, unknown=False)
    if "asn" in good and check_asn(good["asn"], host, path + ".asn", ctx.report, "the partner's"):
        state.asns.setdefault(good["asn"], []).append(name)
    sessions = good.get("sessions", ())
    _check_accept(ctx, name, good, policy, space, _inside_pool(ctx, sessions))
    if "accept_prefixes" in good and not good["accept_prefixes"]:
        ctx.warning(host, path + ".accept_prefixes", "accept_prefixes is empty: nothing they send is accepted",
                    "list the prefixes the partner announces")
    announce = _check_partner_announce(ctx, name, good.get("announce", ()))
    _check_max_prefixes(ctx, name, good, partner.get("max_prefixes") is not None, policy)
    _check_session_options(ctx, name, good)
    tunnels = (ctx.facts.get("ipsec.tunnels") or {}).get(name, {})
    if "sessions" in good and not sessions:
        ctx.warning(host, path + ".sessions", "partner has no sessions: nothing is configured for it",
                    "add a session, or remove the partner")
    for index, session in enumerate(sessions):
        _check_session(ctx, state, name, index, session, good, policy, tunnels)
        _check_announce_covered(ctx, state, name, index, session, announce)


def _check_announce_covered(ctx, state, name, index, session, announce):
    """Warn when we would announce to the partner a prefix the session's router does not originate."""
    if not announce or not isinstance(session, dict):
        return
    device = state.bgp_hosts.get(session.get("device")) if isinstance(session.get("device"), str) else None
    if device is None:
        return
    for pos, net in enumerate(announce):
        if not any(net.version == ours.version and net.subnet_of(ours) for ours in device.announce):
            ctx.warning(session["device"], "partners.%s.announce[%d]" % (name, pos),
                        "%s is not within bgp.announce of %s, so it will never be sent (session %d)"
                        % (net, session["device"], index),
                        "add it to bgp.announce of %s or remove it from the partner's announce" % session["device"])


def _check_fleet_wide(ctx, state):
    for (device, peer), uses in state.peers.items():
        if len(uses) > 1:
            for _partner, path in uses:
                others = ", ".join(other for _name, other in uses if other != path)
                ctx.error(device, path + ".peer_address", "peer_address %s is used more than once on %s (also %s)"
                          % (peer, device, others),
                          "every session on a router needs its own peer address; remove the duplicate")
    for peer, on_devices in state.peer_devices.items():
        if len(on_devices) > 1:
            for device, path in on_devices.items():
                others = ", ".join(d for d in sorted(on_devices) if d != device)
                ctx.warning(device, path + ".peer_address", "peer_address %s is also a peer on %s" % (peer, others),
                            "check that the partner really uses the same address towards both routers")
    for asn, names in state.asns.items():
        if len(names) > 1:
            for name in names:
                ctx.warning("partner:%s" % name, "partners.%s.asn" % name,
                            "ASN %d is also the ASN of partner %s" % (asn, _others(names, name)),
                            "check the ASN: two partners rarely share one (one partner under two names?)")


def _others(items, me, shown=3):
    """The first ``shown`` of ``items`` other than ``me``, and how many more: a finding stays one readable
    line when a whole fleet shares a value (and the check stays linear)."""
    first = []
    for item in items:
        if item != me:
            first.append(item)
            if len(first) > shown:
                break
    more = len(items) - 1 - shown
    return ", ".join(first[:shown]) + (" and %d more" % more if more > 0 else "")


def validate(ctx):
    policy = ctx.policy_mapping("bgp_policy", schema.POLICY)
    bgp_hosts = _check_devices(ctx)
    space = OurSpace(bgp_hosts)
    ctx.facts["bgp.space"] = space
    ctx.facts["bgp.hosts"] = bgp_hosts
    state = _State(bgp_hosts)
    for name in sorted(ctx.partners):
        _check_partner(ctx, state, name, ctx.partners[name], policy, space)
    _check_fleet_wide(ctx, state)


def count(ctx):
    sessions = 0
    for partner in ctx.partners.values():
        if isinstance(partner.get("sessions"), (list, tuple)):
            sessions += len(partner["sessions"])
    bgp_devices = sum(1 for v in ctx.devices.values() if isinstance(v, dict) and v.get("bgp") is not None)
    return {"sessions": sessions, "devices": bgp_devices}


def device_view(config, device=fleet.ONE_DEVICE):
    """A bgp_peering ``config`` as a fleet of the router ``device``: (partners, host vars, {intent path: config path})."""
    config = config or {}
    partners = {}
    paths = {"bgp": "config"}
    for index, partner in enumerate(config.get("partners") or []):
        if not isinstance(partner, dict):
            continue
        # graceful_shutdown: a partner drained on its own (offboarding), device config only (no intent key)
        entry = {k: v for k, v in partner.items() if k not in ("name", "graceful_shutdown") and v is not None}
        entry["sessions"] = [dict({k: v for k, v in s.items() if v is not None}, device=device)
                             if isinstance(s, dict) else s for s in partner.get("sessions") or []]
        name = partner.get("name")
        partners[name] = entry
        where = "config.partners[%d]" % index
        paths["partners.%s" % name] = where
        for pos in range(len(entry["sessions"])):  # the session's device is the router the module runs on
            paths["partners.%s.sessions[%d].device" % (name, pos)] = "%s.sessions[%d]" % (where, pos)
        if not (isinstance(name, str) and fleet.PARTNER_NAME_RE.match(name)):
            paths["partners.%s" % values.printable(str(name))] = where + ".name"
    bgp = {k: v for k, v in config.items() if k != "partners" and v is not None}
    return partners, {"netinfra_platform": "frr", "bgp": bgp}, paths


FEATURE = fleet.register(fleet.Feature(
    "bgp", validate, host_vars={"bgp": schema.HOST_VAR}, partner_fields=schema.PARTNER_INTENT,
    # ipsec_inside_pool: a session over a tunnel may accept the tunnel's inside network (see _inside_pool)
    policy_vars={"bgp_policy": schema.POLICY_VAR, "ipsec_inside_pool": POOL_VAR}, platforms=BGP_PLATFORMS,
    after=("ipsec",), count=count,
    device_view=device_view))
