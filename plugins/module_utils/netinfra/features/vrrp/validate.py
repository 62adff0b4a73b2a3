# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VRRP gateway redundancy: the fleet checks (docs/vrrp.md), registered with core.fleet.

Per gateway: the schema (core.schema.check_object), the backend's capabilities (FRR vrrpd has no
object tracking, no accept-mode setting, no unicast peers and no preemption delay), addresses
(every virtual address inside a subnet of the interface, priority 255 only for the address owner),
VRRPv2 authentication refused, tracked interfaces that exist in intent. Across the fleet: the
gateways of a group (segment + VRID) agree on the virtual addresses, version and advertisement
interval, exactly one of them is the intended master, and no virtual address is used by anything
else in the inventory (another group, a gateway's interface, BGP session and IPsec inside addresses
the other features published). Publishes ``vrrp.vips`` (address -> (host, group path)).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress

from ...core import fleet, values
from ...core import schema as sch
from ..ipsec.model import connection_name
from . import schema

VRRP_PLATFORMS = ("linux", "frr")


def _ip(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _reserved_in(addr, net):
    """What ``addr`` is in ``net`` when no host may use it ("network address", "broadcast address",
    "Subnet-Router anycast address"), else None. /31, /32, /127 and /128 have no such addresses."""
    if net.prefixlen >= net.max_prefixlen - 1:
        return None
    if addr == net.network_address:
        return "network address" if net.version == 4 else "Subnet-Router anycast address"
    if net.version == 4 and addr == net.broadcast_address:
        return "broadcast address"
    return None


def _iface(text):
    try:
        return ipaddress.ip_interface(text)
    except ValueError:
        return None


class _Member:
    __slots__ = ("host", "path", "group", "drained", "backend")

    def __init__(self, host, path, group, drained, backend):
        self.host = host
        self.path = path
        self.group = group
        self.drained = drained
        self.backend = backend


def _backend(ctx, host, vrrp):
    backend = vrrp.get("backend")
    if backend:
        return backend
    return schema.DEFAULT_BACKEND.get(ctx.hostvars(host).get("netinfra_platform"))


def _check_capabilities(ctx, host, path, group, backend):
    if backend != "frr_vrrpd":
        return
    fix_keepalived = "or run this gateway's groups with keepalived (vrrp.backend: keepalived on a Linux gateway)"
    if group.get("track_interfaces"):
        ctx.error(host, path + ".track_interfaces", "FRR vrrpd has no object tracking (track_interfaces)",
                  "remove track_interfaces, " + fix_keepalived)
    if group.get("track_scripts"):
        ctx.error(host, path + ".track_scripts", "FRR vrrpd has no object tracking (track_scripts)",
                  "remove track_scripts, " + fix_keepalived)
    if group.get("accept_mode") is not None:
        ctx.error(host, path + ".accept_mode", "FRR vrrpd has no accept-mode setting (it always accepts)",
                  "remove accept_mode, " + fix_keepalived)
    if group.get("unicast_peers"):
        ctx.error(host, path + ".unicast_peers", "FRR vrrpd only sends multicast advertisements (no unicast peers)",
                  "remove unicast_peers, " + fix_keepalived)
    if group.get("preempt_delay"):
        ctx.error(host, path + ".preempt_delay", "FRR vrrpd has no preemption delay",
                  "remove preempt_delay (or set it to 0), " + fix_keepalived)
    if group.get("extra_options"):
        ctx.error(host, path + ".extra_options", "extra_options are keepalived lines; this gateway runs FRR vrrpd",
                  "remove extra_options")


def _check_addresses(ctx, host, path, group):
    """(own interfaces, vips) of a group; problems reported."""
    own = []
    for index, text in enumerate(group.get("address") or []):
        iface = _iface(text) if isinstance(text, str) and "/" in text else None
        if iface is None:
            ctx.error(host, "%s.address[%d]" % (path, index), "%s is not an address with prefix length" % values.show(text),
                      "write the gateway's address on %s with its prefix length, e.g. 198.18.31.2/24"
                      % group.get("interface", "the interface"))
            continue
        own.append(iface)
    vips = []
    for key, version in (("virtual_ipv4", 4), ("virtual_ipv6", 6)):
        for index, text in enumerate(group.get(key) or []):
            where = "%s.%s[%d]" % (path, key, index)
            addr = _ip(text) if isinstance(text, str) else None
            if addr is None or addr.version != version:
                ctx.error(host, where, "%s is not an IPv%d address" % (values.show(text), version),
                          "write a single IPv%d address without prefix length, e.g. %s"
                          % (version, "198.18.31.1" if version == 4 else "2001:db8:31::1"))
                continue
            subnets = [i.network for i in own if i.version == version]
            if not any(addr in net for net in subnets):
                ctx.error(host, where, "virtual address %s is not inside a subnet of %s (%s)"
                          % (addr, group.get("interface"), ", ".join(str(n) for n in subnets) or "no IPv%d address" % version),
                          "use an address from the segment's subnet, or add the gateway's IPv%d address on the "
                          "interface to address" % version)
            elif any(_reserved_in(addr, net) for net in subnets if addr in net):
                net = next(n for n in subnets if addr in n)
                ctx.error(host, where, "virtual address %s is the %s of %s, not a host address"
                          % (addr, _reserved_in(addr, net), net),
                          "use a host address from the segment's subnet, e.g. %s" % next(net.hosts(), net.network_address))
            elif addr in (i.ip for i in own) and group.get("priority") != 255:
                ctx.error(host, where, "virtual address %s is this gateway's own address but priority is %s"
                          % (addr, group.get("priority", 100)),
                          "set priority: 255 (this gateway owns the address), or use a free address as the virtual address")
            if any(v == (addr, where) for v in vips) or addr in [v for v, _w in vips]:
                ctx.error(host, where, "virtual address %s is listed twice" % addr, "list it once")
                continue
            vips.append((addr, where))
    if not vips:
        ctx.error(host, path, "the group has no virtual address", "set virtual_ipv4 and/or virtual_ipv6")
    if group.get("priority") == 255 and not any(v in [i.ip for i in own] for v, _w in vips):
        ctx.error(host, path + ".priority", "priority 255 is reserved for the address owner (RFC 5798), and no virtual "
                  "address is this gateway's own address", "use a priority 1..254")
    return own, vips


def _check_unicast_peers(ctx, host, path, group, own):
    """A unicast peer is the other gateway's address on the segment: an address, on-link (VRRP sends with TTL
    255 and drops adverts that crossed a router), and not this gateway's own."""
    for index, text in enumerate(group.get("unicast_peers") or []):
        where = "%s.unicast_peers[%d]" % (path, index)
        addr = values.parse_ip(text)
        if addr is None:
            ctx.error(host, where, "%s is not an IP address" % values.show(text),
                      "write the other gateway's address on %s, e.g. 198.18.31.3" % group.get("interface", "the segment"))
            continue
        if addr in (i.ip for i in own):
            ctx.error(host, where, "unicast peer %s is this gateway's own address" % addr,
                      "list the other gateways' addresses on the segment, not this one's")
        elif not any(addr in i.network for i in own if i.version == addr.version):
            ctx.error(host, where, "unicast peer %s is not on the segment (%s)" % (
                addr, ", ".join(str(i.network) for i in own if i.version == addr.version) or "no IPv%d address" % addr.version),
                "list the other gateway's address on %s (VRRP adverts must not cross a router: TTL 255)"
                % group.get("interface", "the segment"))


def _check_extra_options(ctx, host, path, group):
    """An extra option is one keepalived keyword line inside this group's instance: no block (braces) and no
    include, which would reach outside the instance."""
    for index, line in enumerate(group.get("extra_options") or []):
        if not isinstance(line, str):
            continue
        words = line.split()
        if "{" in line or "}" in line or (words and words[0] == "include"):
            ctx.error(host, "%s.extra_options[%d]" % (path, index), "extra option %s opens or closes a block or "
                      "includes a file, which would reach outside this group's instance" % values.show(line),
                      "give single keyword lines only (e.g. garp_master_delay 1)")


def _check_group(ctx, host, path, raw, backend, known_ifaces, seen):
    group = sch.check_object(raw, schema.GROUP, host, path, ctx.report)
    if raw.get("authentication") is not None:
        ctx.error(host, path + ".authentication", "VRRPv2 authentication is refused: it protects nothing (the password "
                  "travels in clear text in every advertisement, RFC 5798 section 9)",
                  "remove authentication; protect the segment itself (no untrusted hosts on it)")
    if group.get("version") == 2:
        ctx.error(host, path + ".version", "VRRPv2 is not supported here (no IPv6, whole-second adverts only)",
                  "set version: 3 or remove it")
    _check_capabilities(ctx, host, path, group, backend)
    own, vips = _check_addresses(ctx, host, path, group)
    for index, track in enumerate(group.get("track_interfaces") or []):
        if isinstance(track, dict):
            sch.check_object(track, schema.TRACK_INTERFACE, host, "%s.track_interfaces[%d]" % (path, index), ctx.report)
            name = track.get("interface")
            if isinstance(name, str) and name not in known_ifaces:
                ctx.error(host, "%s.track_interfaces[%d].interface" % (path, index),
                          "tracked interface '%s' is not in the intent of %s" % (values.printable(name), host),
                          "track one of %s, or add it to vrrp.interfaces" % (", ".join(sorted(known_ifaces)) or "the group interfaces"))
    for index, script in enumerate(group.get("track_scripts") or []):
        if not isinstance(script, dict):
            continue
        where = "%s.track_scripts[%d]" % (path, index)
        good = sch.check_object(script, schema.TRACK_SCRIPT, host, where, ctx.report)
        kind = good.get("kind")
        if kind == "command" and not (good.get("command") or "").startswith("/"):
            ctx.error(host, where + ".command", "a track script of kind command needs an absolute command path",
                      "set command to an absolute path with its arguments, e.g. /usr/local/bin/check-app")
        if kind == "command" and '"' in (good.get("command") or ""):
            ctx.error(host, where + ".command", "the command holds a double quote, which keepalived's quoted script "
                      "line cannot keep", "put the command and its arguments in a script file and give its path")
        if kind in ("bgp_sessions", "ipsec_tunnels") and not good.get("targets"):
            ctx.error(host, where + ".targets", "a %s track script needs targets" % kind,
                      "list the BGP peer addresses or swanctl connection names it checks")
        for t_index, target in enumerate(good.get("targets") or []):
            if not isinstance(target, str) or not target or not all(c.isalnum() or c in ".:-_" for c in target):
                ctx.error(host, "%s.targets[%d]" % (where, t_index), "target %s is not an address or a name"
                          % values.show(target), "write a peer address or a connection name (letters, digits, . : - _)")
    _check_unicast_peers(ctx, host, path, group, own)
    _check_extra_options(ctx, host, path, group)
    if "vrid" in group and "interface" in group:
        where = seen.get((group["interface"], group["vrid"]))
        if where:
            ctx.error(host, path + ".vrid", "VRID %d is used twice on %s (also %s)" % (group["vrid"], group["interface"], where),
                      "give each group on an interface its own VRID")
        seen[(group["interface"], group["vrid"])] = path
    return group, own, vips


def _published_addresses(ctx):
    """{ip: what} of the addresses BGP and IPsec use (their intent, and what they published)."""
    out = {address: path for _device, address, _key, path in fleet.partner_addresses(ctx)}
    for partner, devices in (ctx.facts.get("ipsec.tunnels") or {}).items():
        for device, tunnels in (devices or {}).items():
            for tname, inside in (tunnels or {}).items():
                for addr in inside or ():
                    ip = _ip(str(addr).split("/", maxsplit=1)[0])
                    if ip is not None:
                        out[ip] = "the inside address of %s's tunnel %s on %s" % (partner, tname, device)
    for host, hostvars in ctx.devices.items():
        bgp = hostvars.get("bgp") if isinstance(hostvars, dict) else None
        if isinstance(bgp, dict) and isinstance(bgp.get("router_id"), str):
            ip = _ip(bgp["router_id"])
            if ip is not None:
                out[ip] = "%s's bgp.router_id" % host
    return out


def validate(ctx):
    members = {}  # (segment, vrid) -> [_Member]
    interfaces = {}  # ip -> (host, path) of every gateway interface address
    vip_users = {}  # ip -> [(host, path, segment, vrid)]
    for host in sorted(ctx.devices):
        hostvars = ctx.hostvars(host)
        vrrp = hostvars.get("vrrp")
        if vrrp is None:
            continue
        if not isinstance(vrrp, dict):
            ctx.error(host, "vrrp", "vrrp is %s, expected a mapping" % values.type_name(vrrp),
                      "set vrrp: {groups: [{segment: ..., vrid: ..., interface: ..., virtual_ipv4: [...]}]}")
            continue
        platform = hostvars.get("netinfra_platform")
        if platform in ctx.supported_platforms and platform not in VRRP_PLATFORMS:
            ctx.error(host, "vrrp", "platform %s runs no VRRP backend" % platform, "remove vrrp from this host")
            continue
        top = sch.check_object(vrrp, schema.HOST, host, "vrrp", ctx.report)
        backend = _backend(ctx, host, vrrp)
        if backend is None and "backend" not in vrrp:
            ctx.error(host, "vrrp.backend", "no VRRP backend: netinfra_platform is %s" % values.show(platform),
                      "set vrrp.backend to keepalived or frr_vrrpd, or netinfra_platform to linux or frr")
        if backend == "frr_vrrpd" and platform == "linux":
            ctx.error(host, "vrrp.backend", "backend frr_vrrpd on a linux gateway (no FRR)",
                      "use backend: keepalived, or set netinfra_platform: frr")
        # in maintenance by the vrrp intent, or by playbooks/maintenance.yml's netinfra_maintenance
        drained = top.get("maintenance") == "drained" or hostvars.get("netinfra_maintenance") == "drained"
        groups = vrrp.get("groups")
        if not isinstance(groups, (list, tuple)):
            continue
        known = set(str(i) for i in top.get("interfaces") or [])
        known.update(str(g.get("interface")) for g in groups if isinstance(g, dict) and g.get("interface"))
        seen = {}
        for index, raw in enumerate(groups):
            path = "vrrp.groups[%d]" % index
            if not isinstance(raw, dict):
                ctx.error(host, path, "group is %s, expected a mapping" % values.type_name(raw),
                          "write {segment: ..., vrid: ..., interface: ..., address: [...], virtual_ipv4: [...]}")
                continue
            group, own, vips = _check_group(ctx, host, path, raw, backend, known, seen)
            _check_track_targets(ctx, host, path, group)
            for iface in own:
                interfaces.setdefault(iface.ip, (host, "%s.address" % path))
            if "segment" in group and "vrid" in group:
                members.setdefault((group["segment"], group["vrid"]), []).append(
                    _Member(host, path, dict(group, _vips=vips, _own=own), drained, backend))
                for addr, where in vips:
                    vip_users.setdefault(addr, []).append((host, where, group["segment"], group["vrid"]))
    _check_groups(ctx, members)
    _check_vip_use(ctx, vip_users, interfaces)
    ctx.facts["vrrp.vips"] = {addr: users[0][:2] for addr, users in vip_users.items()}


def _device_sessions(ctx, host):
    """(BGP peer addresses, swanctl connection names) the partners intent gives ``host``."""
    peers = {str(address) for device, address, key, _path in fleet.partner_addresses(ctx)
             if device == host and key == "peer_address"}
    conns = set()
    for partner, devices in (ctx.facts.get("ipsec.tunnels") or {}).items():
        for tname, inside in ((devices or {}).get(host) or {}).items():
            conns.add(connection_name(partner, tname))
            peers.update(str(a).split("/", maxsplit=1)[0] for a in inside or ())
    return peers, conns


def _check_track_targets(ctx, host, path, group):
    """A track script's BGP sessions and tunnels must exist in the partners intent on this gateway: a
    target left behind by an offboarded (deleted) partner would hold the group's priority down forever."""
    if not ctx.partners:
        return  # a module's one-device view has no partners intent to compare with
    peers, conns = None, None
    for index, script in enumerate(group.get("track_scripts") or ()):
        if not isinstance(script, dict) or script.get("kind") not in ("bgp_sessions", "ipsec_tunnels"):
            continue
        if peers is None:
            peers, conns = _device_sessions(ctx, host)
        for t_index, target in enumerate(script.get("targets") or ()):
            if not isinstance(target, str):
                continue
            known = peers if script["kind"] == "bgp_sessions" else conns
            if (str(_ip(target)) if _ip(target) else target) not in known:
                what = "BGP session" if script["kind"] == "bgp_sessions" else "IPsec tunnel"
                ctx.error(host, "%s.track_scripts[%d].targets[%d]" % (path, index, t_index),
                          "track script %s targets %s, which is no %s of any partner on %s (a deleted or offboarded "
                          "partner?)" % (script.get("name"), target, what, host),
                          "remove the target (or the track script), or restore the partner's %s on %s"
                          % ("session" if script["kind"] == "bgp_sessions" else "tunnel", host))


def _priority(member):
    return member.group.get("priority", 100)


def _check_groups(ctx, members):
    for (segment, vrid), group_members in sorted(members.items()):
        first = group_members[0]
        for other in group_members[1:]:
            for key, what in (("advert_interval", "advertisement interval"), ("version", "version"),
                              ("preempt_delay", None)):
                if what and first.group.get(key, schema.GROUP[key].default) != other.group.get(key, schema.GROUP[key].default):
                    ctx.error(other.host, "%s.%s" % (other.path, key),
                              "%s %s differs from %s's %s in group %s VRID %d" % (
                                  what, other.group.get(key, schema.GROUP[key].default), first.host,
                                  first.group.get(key, schema.GROUP[key].default), segment, vrid),
                              "use the same %s on every gateway of the group" % what)
            mine = sorted(str(a) for a, _w in other.group["_vips"])
            theirs = sorted(str(a) for a, _w in first.group["_vips"])
            if mine != theirs:
                ctx.error(other.host, other.path, "virtual addresses %s differ from %s's %s in group %s VRID %d"
                          % (", ".join(mine), first.host, ", ".join(theirs), segment, vrid),
                          "list the same virtual addresses on every gateway of the group")
            if other.host == first.host:
                ctx.error(other.host, other.path, "group %s VRID %d is defined twice on %s" % (segment, vrid, other.host),
                          "define it once per gateway")
        if ctx.one_device:
            continue
        if len(group_members) == 1:
            ctx.warning(first.host, first.path, "group %s VRID %d has one gateway: no redundancy" % (segment, vrid),
                        "add the group to the peer gateway")
            continue
        live = [m for m in group_members if not m.drained]
        if not live:
            ctx.error(first.host, first.path, "every gateway of group %s VRID %d is drained" % (segment, vrid),
                      "set vrrp.maintenance: active on at least one of %s" % ", ".join(m.host for m in group_members))
            continue
        top = max(_priority(m) for m in live)
        masters = [m for m in live if _priority(m) == top]
        if len(masters) != 1:
            ctx.error(masters[1].host, masters[1].path + ".priority",
                      "group %s VRID %d has %d intended masters (priority %d on %s)"
                      % (segment, vrid, len(masters), top, ", ".join(m.host for m in masters)),
                      "give exactly one gateway of the group the highest priority")
        for m in group_members:
            if m.drained and not all(o.group.get("preempt", True) for o in live):
                ctx.error(m.host, "vrrp.maintenance", "draining %s does not move group %s VRID %d: its peer does not "
                          "preempt" % (m.host, segment, vrid), "set preempt: true on the peer gateway")


def _check_vip_use(ctx, vip_users, interfaces):
    published = _published_addresses(ctx)
    for addr, users in sorted(vip_users.items(), key=lambda kv: (kv[0].version, kv[0])):
        groups = sorted({(u[2], u[3]) for u in users})
        if len(groups) > 1:
            host, where = users[-1][0], users[-1][1]
            ctx.error(host, where, "virtual address %s is used by more than one group (%s)"
                      % (addr, ", ".join("%s VRID %d" % g for g in groups)), "give each group its own virtual address")
        owner = interfaces.get(addr)
        if owner is not None:
            for host, where, _seg, _vrid in users:
                if host != owner[0]:
                    ctx.error(host, where, "virtual address %s is %s's interface address (%s)" % (addr, owner[0], owner[1]),
                              "use a free address of the segment as the virtual address")
        if addr in published:
            host, where = users[0][0], users[0][1]
            ctx.error(host, where, "virtual address %s is also used by %s" % (addr, published[addr]),
                      "use a free address of the segment as the virtual address")


def count(ctx):
    groups = 0
    for hostvars in ctx.devices.values():
        vrrp = hostvars.get("vrrp") if isinstance(hostvars, dict) else None
        if isinstance(vrrp, dict) and isinstance(vrrp.get("groups"), (list, tuple)):
            groups += len(vrrp["groups"])
    return {"vrrp_groups": groups} if groups else {}


def device_view(config, device=fleet.ONE_DEVICE):
    """The vrrp module's ``config`` (plus ``_platform``) as a fleet of the gateway ``device``."""
    config = dict(config or {})
    platform = config.pop("_platform", None) or "linux"
    vrrp = {k: v for k, v in config.items() if v is not None}
    return {}, {"netinfra_platform": platform, "vrrp": vrrp}, {"vrrp": "config"}


FEATURE = fleet.register(fleet.Feature(
    "vrrp", validate, host_vars={"vrrp": schema.HOST_VAR}, platforms=VRRP_PLATFORMS,
    after=("bgp", "ipsec"), count=count, device_view=device_view))
