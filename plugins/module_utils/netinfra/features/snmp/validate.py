# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet validation of SNMP intent (a device's ``snmp``, the fleet's ``snmp_policy``); registers the
``snmp`` feature. The module checks its own config with this same validator (core.fleet.check_device).

Policy (docs/snmp.md):
- PCI scope (``pci_scope: true``, the default): SNMPv3 only; users authPriv with SHA-2 and AES; no
  community; no exception possible. Outside PCI scope a v2c community needs ``v2c_exception`` (a dated,
  approved waiver, shown as a warning on every run) and weak algorithms are warnings.
- Pass phrases: at least 8 characters (RFC 3414), ``snmp_policy.min_key_length`` (20) by policy; the
  auth and priv pass phrases differ.
- Trap targets are literal unicast addresses (in ``management_networks`` when the policy lists them).
- The agent never listens on a wildcard, a partner-facing address (a BGP session's ``local_address`` or an
  IPsec tunnel's ``local_gateway`` on that device, from the partners intent the BGP and IPsec features
  validate first) or an internet-facing (globally routed) address outside ``management_networks``.
- Views that include a route table that hangs with full tables (BGP4-MIB path attributes, ipRouteTable,
  ipForward) must exclude it.
Publishes ``snmp.agents`` ({host: [listen addresses]}).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

from ...core import fleet
from ...core import schema as sch
from ...core import values
from ...core.policy import check_waiver
from ...core.prefixes import PrefixError, parse_network
from . import schema

PLATFORMS = ("frr", "linux")
OID_RE = re.compile(r"^\.?1(\.(0|[1-9][0-9]{0,9}))+$")


def _norm_oid(oid):
    return oid if oid.startswith(".") else "." + oid


def _under(oid, tree):
    """``oid`` is ``tree`` or inside it."""
    return oid == tree or oid.startswith(tree + ".")


def _partner_facing(ctx):
    """{device: {address: what}} of the partner-facing addresses in the partners intent (BGP sessions'
    local_address, IPsec tunnels' local_gateway)."""
    out = {}
    for device, address, key, path in fleet.partner_addresses(ctx):
        if device is not None and key in ("local_address", "local_gateway"):
            out.setdefault(device, {})[address] = path
    return out


def _networks(ctx, policy):
    nets = []
    for index, text in enumerate(policy.get("management_networks") or ()):
        try:
            nets.append(parse_network(text, "management network"))
        except PrefixError as exc:
            ctx.error("policy", "snmp_policy.management_networks[%d]" % index, str(exc), exc.fix if hasattr(exc, "fix") else "")
    return nets


def _check_names(ctx, host, path, items, what):
    seen = {}
    for index, item in enumerate(items):
        name = item.get("name")
        if name is None:
            continue
        if name in seen:
            ctx.error(host, "%s[%d].name" % (path, index), "%s '%s' is defined twice (also %s[%d])" % (what, name, path, seen[name]),
                      "give every %s its own name" % what)
        else:
            seen[name] = index
    return seen


def _items(ctx, host, path, value, fields, example):
    out = []
    for index, item in enumerate(value or ()):
        where = "%s[%d]" % (path, index)
        if not isinstance(item, dict):
            ctx.error(host, where, "entry is %s, expected a mapping" % values.type_name(item), "write %s" % example)
            out.append({})
            continue
        out.append(sch.check_object(item, fields, host, where, ctx.report))
    return out


def _check_users(ctx, host, snmp, users, policy, groups):
    pci = snmp.get("pci_scope", True)
    report = ctx.error if pci else ctx.warning
    scope = "in PCI scope" if pci else "by policy"
    for index, user in enumerate(users):
        where = "snmp.users[%d]" % index
        auth = user.get("auth", schema.USER["auth"].default)
        priv = user.get("priv", schema.USER["priv"].default)
        if "auth" in user or "auth_key" in user:
            if auth not in schema.STRONG_AUTH:
                report(host, where + ".auth", "auth %s is not SHA-2 (%s)" % (auth, scope),
                       "use SHA-256 or SHA-512")
        if priv not in schema.STRONG_PRIV:
            report(host, where + ".priv", "priv %s is not AES (%s)" % (priv, scope), "use AES-128 or AES-256")
        keys = {}
        for key in ("auth_key", "priv_key"):
            value = user.get(key)
            if not isinstance(value, str):
                continue
            keys[key] = value
            if len(value) < schema.MIN_KEY_LEN:
                ctx.error(host, "%s.%s" % (where, key), "the %s is %d characters long; SNMPv3 needs at least %d"
                          % (key, len(value), schema.MIN_KEY_LEN),
                          "use a random pass phrase of at least %d characters from ansible-vault" % policy["min_key_length"])
            elif len(value) < policy["min_key_length"]:
                ctx.error(host, "%s.%s" % (where, key), "the %s is %d characters long; snmp_policy.min_key_length is %d"
                          % (key, len(value), policy["min_key_length"]),
                          "use a random pass phrase of at least %d characters from ansible-vault" % policy["min_key_length"])
            if '"' in value or value != value.strip():
                ctx.error(host, "%s.%s" % (where, key), "the %s has a double quote or leading/trailing blanks, which "
                          "snmpd's config reader cannot keep" % key, "use a pass phrase without '\"' and without blanks at the ends")
        if len(keys) == 2 and keys["auth_key"] == keys["priv_key"]:
            ctx.error(host, where + ".priv_key", "the priv_key is the same as the auth_key",
                      "use two different random pass phrases")
        group = user.get("group")
        if group is not None and group not in groups:
            ctx.error(host, where + ".group", "group '%s' is not in snmp.groups" % group,
                      "add it to snmp.groups or use one of %s" % (", ".join(sorted(groups)) or "(no groups defined)"))


def _check_views(ctx, host, views_in):
    names = {}
    for index, view in enumerate(views_in):
        where = "snmp.views[%d]" % index
        lists = {}
        for key in ("included", "excluded"):
            oids = []
            for pos, oid in enumerate(view.get(key) or ()):
                if not OID_RE.match(oid):
                    ctx.error(host, "%s.%s[%d]" % (where, key, pos), "'%s' is not a numeric OID" % oid,
                              "write it numerically, e.g. .1.3.6.1.2.1.1 (the agent loads no MIB files)")
                    continue
                oids.append(_norm_oid(oid))
            lists[key] = oids
        for tree in lists.get("included", ()):
            for table, what in sorted(schema.ROUTE_TABLES.items()):
                if _under(table, tree) and not any(_under(table, ex) for ex in lists.get("excluded", ())):
                    ctx.error(host, where + ".excluded", "view '%s' includes %s through %s: it has one row per route "
                              "and a walk hangs with full tables" % (view.get("name"), what, tree),
                              "add %s to the view's excluded list" % table)
        if "name" in view:
            names[view["name"]] = lists
    return names


def _check_listen(ctx, host, listen, facing, nets):
    for index, text in enumerate(listen or ()):
        where = "snmp.listen[%d]" % index
        address = values.parse_ip(text)
        if address is None:
            ctx.error(host, where, "'%s' is not an IP address" % text, "use the device's management address")
            continue
        if address.is_unspecified:
            ctx.error(host, where, "%s listens on every address, partner-facing ones included" % address,
                      "list the management address(es) only")
            continue
        if address in facing:
            ctx.error(host, where, "%s is partner-facing (%s): the agent must not listen there" % (address, facing[address]),
                      "listen on the management address only")
            continue
        if nets and not any(address in net for net in nets if net.version == address.version):
            ctx.error(host, where, "%s is not in snmp_policy.management_networks" % address,
                      "listen on an address in %s" % ", ".join(str(n) for n in nets))
        elif not nets and address.is_global:
            ctx.error(host, where, "%s is a globally routed (internet-facing) address" % address,
                      "listen on the management address, or list the management networks in snmp_policy.management_networks")


def _check_targets(ctx, host, targets, users, groups_of, nets):
    for index, target in enumerate(targets):
        where = "snmp.targets[%d]" % index
        text = target.get("address")
        if text is not None:
            address = values.parse_ip(text)
            if address is None:
                ctx.error(host, where + ".address", "'%s' is not an IP address" % text,
                          "write the NMS's address (a trap target needs no name lookup)")
            elif values.unusable_unicast(address) or address.is_link_local:
                ctx.error(host, where + ".address", "%s is not a reachable unicast address" % address,
                          "write the NMS's unicast address")
            elif nets and not any(address in net for net in nets if net.version == address.version):
                ctx.error(host, where + ".address", "%s is not in snmp_policy.management_networks" % address,
                          "send notifications to an NMS in %s" % ", ".join(str(n) for n in nets))
        user = target.get("user")
        if user is not None and user not in users:
            ctx.error(host, where + ".user", "user '%s' is not in snmp.users" % user,
                      "add the notification user to snmp.users, or use one of %s" % (", ".join(sorted(users)) or "(none)"))
        elif user is not None and groups_of.get(user):
            ctx.warning(host, where + ".user", "user '%s' also polls (group %s); notifications should have their own user"
                        % (user, groups_of[user]), "add a user without a group for notifications")


def _check_device(ctx, host, value, policy, facing, nets):
    if not isinstance(value, dict):
        ctx.error(host, "snmp", "snmp is %s, expected a mapping" % values.type_name(value),
                  "write snmp: {users: [...], views: [...], groups: [...]}")
        return None
    platform = ctx.platforms.get(host)
    if platform is not None and platform not in PLATFORMS:
        ctx.error(host, "netinfra_platform", "SNMP is managed on frr or linux devices, not %s" % platform,
                  "remove snmp from this host")
    snmp = sch.check_object(value, schema.HOST, host, "snmp", ctx.report)
    pci = snmp.get("pci_scope", True)
    users = _items(ctx, host, "snmp.users", snmp.get("users"), schema.USER, "{name: nms, auth_key: ..., priv_key: ...}")
    views = _items(ctx, host, "snmp.views", snmp.get("views"), schema.VIEW, "{name: nms, included: [.1.3.6.1.2.1.1]}")
    groups = _items(ctx, host, "snmp.groups", snmp.get("groups"), schema.GROUP, "{name: monitoring, read_view: nms}")
    targets = _items(ctx, host, "snmp.targets", snmp.get("targets"), schema.TARGET, "{address: 198.18.62.10, user: nmstrap}")
    communities = _items(ctx, host, "snmp.communities", snmp.get("communities"), schema.COMMUNITY,
                         "{community: ..., source: 198.18.62.0/24, view: nms}")
    user_names = _check_names(ctx, host, "snmp.users", users, "user")
    view_names = _check_names(ctx, host, "snmp.views", views, "view")
    group_names = _check_names(ctx, host, "snmp.groups", groups, "group")
    _check_users(ctx, host, snmp, users, policy, group_names)
    _check_views(ctx, host, views)
    for index, group in enumerate(groups):
        for key in ("read_view", "write_view"):
            view = group.get(key)
            if view is not None and view not in view_names:
                ctx.error(host, "snmp.groups[%d].%s" % (index, key), "view '%s' is not in snmp.views" % view,
                          "add it to snmp.views or use one of %s" % (", ".join(sorted(view_names)) or "(no views defined)"))
        if group.get("write_view") is not None:
            (ctx.error if pci else ctx.warning)(host, "snmp.groups[%d].write_view" % index,
                                                "group '%s' may write (SET) through SNMP" % group.get("name"),
                                                "monitoring is read-only: remove write_view")
    groups_of = {u.get("name"): u.get("group") for u in users if u.get("name")}
    _check_targets(ctx, host, targets, user_names, groups_of, nets)
    _check_listen(ctx, host, snmp.get("listen"), facing.get(host, {}), nets)
    for index, community in enumerate(communities):
        where = "snmp.communities[%d]" % index
        if community.get("view") is not None and community["view"] not in view_names:
            ctx.error(host, where + ".view", "view '%s' is not in snmp.views" % community["view"], "use a defined view")
        if community.get("source") is not None:
            try:
                parse_network(community["source"], "source")
            except PrefixError as exc:
                ctx.error(host, where + ".source", str(exc), "write the NMS network in CIDR form, e.g. 198.18.62.0/24")
    if communities or snmp.get("v2c_exception") is not None:
        _check_v2c(ctx, host, snmp, communities, value.get("v2c_exception"), pci)
    return snmp.get("listen")


def _check_v2c(ctx, host, snmp, communities, exception, pci):
    if pci:
        for index in range(len(communities)):
            ctx.error(host, "snmp.communities[%d]" % index, "SNMP v1/v2c communities are refused in PCI scope "
                      "(no exception possible)", "remove the community and poll with an SNMPv3 authPriv user")
        if exception is not None:
            ctx.error(host, "snmp.v2c_exception", "a v2c exception cannot apply to a device in PCI scope",
                      "remove v2c_exception (or take the device out of PCI scope, if it really is)")
        return
    waiver = None
    if exception is not None:
        waiver = check_waiver(exception, host, "snmp.v2c_exception", ctx.report, ctx.today, "v2c exception",
                              allows="SNMPv2c communities", fields=schema.V2C_EXCEPTION)
    if not communities:
        return
    if waiver is None or not waiver.usable:
        if exception is None:
            ctx.error(host, "snmp.communities", "SNMPv2c communities need an approved, dated exception",
                      "remove the communities, or add snmp.v2c_exception {reason, approved_by, expires}")
        return
    ctx.warning(host, "snmp.v2c_exception", "SNMPv2c allowed by exception %s (%s) %s"
                % (waiver.approved_by, waiver.reason, waiver.until()), "move the NMS to SNMPv3 before it expires")


def validate(ctx):
    policy = ctx.policy_mapping("snmp_policy", schema.POLICY)
    nets = _networks(ctx, policy)
    facing = _partner_facing(ctx)
    agents = {}
    for host in sorted(ctx.devices):
        hostvars = ctx.hostvars(host)
        value = hostvars.get("snmp")
        if value is None:
            continue
        listen = _check_device(ctx, host, value, policy, facing, nets)
        if listen:
            agents[host] = list(listen)
    ctx.facts["snmp.agents"] = agents


def count(ctx):
    """{"snmp_agents": N} when the fleet has agents (a fleet without SNMP keeps its summary as it was)."""
    agents = sum(1 for v in ctx.devices.values() if isinstance(v, dict) and v.get("snmp") is not None)
    return {"snmp_agents": agents} if agents else {}


def device_view(config, device=fleet.ONE_DEVICE):
    """An snmp module's ``config`` as a fleet of one device: (partners, host vars, {intent path: config path})."""
    config = config or {}
    snmp = {k: v for k, v in config.items() if v is not None}
    return {}, {"netinfra_platform": "frr" if snmp.get("agentx") else "linux", "snmp": snmp}, {"snmp": "config"}


FEATURE = fleet.register(fleet.Feature(
    "snmp", validate, host_vars={"snmp": schema.HOST_VAR}, policy_vars=schema.POLICY_VARS, platforms=PLATFORMS,
    after=("bgp", "ipsec"), count=count, device_view=device_view))
