# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inside addresses and XFRM interfaces of IPsec partner tunnels (docs/ipsec.md, "Data plane").

- ``xfrm``: one XFRM interface per tunnel, named ``tunnel["interface"]`` (``xfrm<if_id>``), created on
  the WAN device with the tunnel's if_id, alias ``paynet <partner> <tunnel>``, the inside local
  address ``<local>/<prefixlen>`` on it, and up.
- ``libipsec``: charon's TUN device ``ipsec0`` (created by charon's kernel-libipsec plugin) carries
  every tunnel's inside local address ``<local>/<prefixlen>``; the peer of a /30 or /31 is then
  reachable as a connected route.

Ownership: an interface is ours only when it is named ``xfrm<N>`` AND its alias starts with
``paynet ``; an address on ``ipsec0`` is ours only when it is inside ``pool`` (default 169.254.0.0/16)
and is the inside address of a paynet tunnel being removed or replaced (known from ``managed``, the
tunnels configured before the run, e.g. ``swanctl.tunnels_from_files(current_files)``). Nothing else
is ever changed.

Commands are argument lists for ``ip`` (run as ``["ip"] + args``; with ``ip -batch`` quote the alias).

Rollback: parse ``ip -d -j addr show`` before the change (``before``) and after it (``now``);
``rollback_interfaces(before, now)`` returns the commands that put our interfaces and our ipsec0
addresses back as they were in ``before``.

Plain Python 3.9 (runs on the gateway), no Ansible imports.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress
import json
import re

STATES = ("merged", "replaced", "overridden", "deleted")
DATAPLANES = ("xfrm", "libipsec")
LIBIPSEC_DEVICE = "ipsec0"
ALIAS_PREFIX = "paynet "
DEFAULT_POOL = "169.254.0.0/16"
_XFRM_NAME_RE = re.compile(r"^xfrm([0-9]+)$")


class InterfacePlanError(ValueError):
    """The interface change cannot be planned safely (the message names the conflict and the fix)."""


# -- reading --------------------------------------------------------------------------------------
def _if_id(value):
    """iproute2 prints the xfrm if_id as a hex string ("0xa01", print_0xhex); accept ints and decimals too."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value), 0)
    except ValueError:
        return None


def parse_ip_addr_json(text):
    """``ip -d -j addr show`` output -> {ifname: {"kind", "if_id", "link", "alias", "addresses", "up"}}.

    ``kind`` is ``linkinfo.info_kind`` ("xfrm", "tun", "veth", ...) or None; ``if_id`` the xfrm
    interface id (int) or None; ``link`` the lower device name (top-level ``link``, else
    ``linkinfo.info_data.link``) or None; ``alias`` the ``ifalias`` or None; ``addresses`` the
    ``local/prefixlen`` strings in kernel order; ``up`` True when the administrative UP flag is set.
    """
    data = json.loads(text) if isinstance(text, str) else text
    result = {}
    for entry in data or []:
        name = entry.get("ifname")
        if not name:
            continue
        linkinfo = entry.get("linkinfo") or {}
        info_data = linkinfo.get("info_data") or {}
        kind = linkinfo.get("info_kind")
        link = entry.get("link") or info_data.get("link")
        addresses = []
        for addr in entry.get("addr_info") or []:
            if addr.get("local") is not None and addr.get("prefixlen") is not None:
                addresses.append("%s/%d" % (addr["local"], int(addr["prefixlen"])))
        result[name] = {
            "kind": kind,
            "if_id": _if_id(info_data.get("if_id")) if kind == "xfrm" else None,
            "link": link if isinstance(link, str) else None,
            "alias": entry.get("ifalias"),
            "addresses": addresses,
            "up": "UP" in (entry.get("flags") or []),
        }
    return result


# -- helpers --------------------------------------------------------------------------------------
def tunnel_alias(tunnel):
    return "%s%s %s" % (ALIAS_PREFIX, tunnel["partner"], tunnel["tunnel"])


def inside_address(tunnel):
    """The tunnel's inside local address as ``<local>/<prefixlen>``."""
    inside = tunnel.get("inside") or {}
    if not inside.get("local") or inside.get("prefixlen") is None:
        raise InterfacePlanError("inside: tunnel %s has no inside local address/prefixlen" % tunnel.get("name"))
    return _norm("%s/%d" % (inside["local"], int(inside["prefixlen"])))


def _norm(address):
    return ipaddress.ip_interface(address).with_prefixlen


def is_ours(name, info):
    """True for an interface we manage: named xfrm<N> and with an alias that starts with "paynet "."""
    return bool(_XFRM_NAME_RE.match(name or "")) and (info.get("alias") or "").startswith(ALIAS_PREFIX)


def _alias_key(alias):
    """"paynet <partner> <tunnel>" -> (partner, tunnel), else None."""
    parts = (alias or "").split(" ")
    if len(parts) == 3 and parts[0] == ALIAS_PREFIX.strip():
        return parts[1], parts[2]
    return None


def _in_pool(address, pool):
    try:
        iface = ipaddress.ip_interface(address)
    except ValueError:
        return False
    pool_net = ipaddress.ip_network(pool)
    return iface.version == pool_net.version and iface.ip in pool_net


def _link_local_v6(address):
    iface = ipaddress.ip_interface(address)
    return iface.version == 6 and iface.ip.is_link_local


def _create(name, link, if_id, alias, addresses, up):
    if not link:
        raise InterfacePlanError("wan: the xfrm data plane needs the WAN device to create %s on; pass wan" % name)
    commands = [["link", "add", name, "type", "xfrm", "dev", link, "if_id", str(if_id)],
                ["link", "set", name, "alias", alias]]
    commands.extend(["addr", "add", address, "dev", name] for address in addresses)
    if up:
        commands.append(["link", "set", name, "up"])
    return commands


def _converge(name, info, link, if_id, alias, addresses, up):
    """Commands that turn existing interface ``info`` (ours) into the wanted one."""
    if (info.get("kind") not in ("xfrm", None) or info.get("if_id") != if_id
            or (link and info.get("link") and info["link"] != link)):
        return [["link", "del", name]] + _create(name, link or info.get("link"), if_id, alias, addresses, up)
    commands = []
    if info.get("alias") != alias:
        commands.append(["link", "set", name, "alias", alias])
    have = [_norm(a) for a in info.get("addresses") or []]
    for address in have:
        if address not in addresses and not _link_local_v6(address):
            commands.append(["addr", "del", address, "dev", name])
    for address in addresses:
        if address not in have:
            commands.append(["addr", "add", address, "dev", name])
    if up and not info.get("up"):
        commands.append(["link", "set", name, "up"])
    elif not up and info.get("up"):
        commands.append(["link", "set", name, "down"])
    return commands


# -- plan -----------------------------------------------------------------------------------------
def plan_interfaces(current, tunnels, dataplane, wan=None, state="merged", managed=(), pool=DEFAULT_POOL):
    """Ordered ``ip`` argument lists that bring the tunnels' interfaces/addresses to ``state``.

    ``current``: :func:`parse_ip_addr_json` of the gateway now. ``tunnels``: the intended normalised
    tunnels (for ``deleted``: the tunnels to remove, empty = all). ``wan``: device the XFRM interfaces
    are created on (needed only to create one). ``managed``: the paynet tunnels configured before this
    run (normalised dicts); their inside addresses are the only ipsec0 addresses ever removed.

    Scope, like the swanctl files: merged and replaced converge each listed tunnel completely (an old
    interface or address of that same tunnel is removed) and leave other tunnels alone; overridden
    also removes every paynet interface/address no listed tunnel wants; deleted removes the listed
    tunnels' (or, with an empty list, all paynet) interfaces and addresses.
    Order: interface deletions, address deletions, then per tunnel creation/convergence.
    """
    if state not in STATES:
        raise InterfacePlanError("state: %r cannot be planned; use one of %s" % (state, ", ".join(STATES)))
    if dataplane not in DATAPLANES:
        raise InterfacePlanError("dataplane: must be one of %s (resolve 'auto' first), got %r"
                                 % (", ".join(DATAPLANES), dataplane))
    tunnels = [{"name": t} if isinstance(t, str) else t for t in tunnels or []]
    managed = list(managed or [])
    wanted_xfrm = {}       # ifname -> (if_id, alias, [address])
    wanted_ipsec0 = []     # addresses
    if state != "deleted":
        seen = {}
        for tunnel in tunnels:
            address = inside_address(tunnel)
            if address in seen:
                raise InterfacePlanError("inside: tunnels %s and %s use the same inside address %s"
                                         % (seen[address], tunnel["name"], address))
            seen[address] = tunnel["name"]
            if dataplane == "xfrm":
                name = tunnel.get("interface") or ""
                if not _XFRM_NAME_RE.match(name):
                    raise InterfacePlanError("interface: tunnel %s needs an xfrm<if_id> interface name, got %r"
                                             % (tunnel["name"], name))
                if name in wanted_xfrm:
                    raise InterfacePlanError("interface: tunnels share %s; their inside networks give the same if_id" % name)
                wanted_xfrm[name] = (int(tunnel["if_id"]), tunnel_alias(tunnel), [address])
            else:
                wanted_ipsec0.append(address)

    # Which tunnels may lose interfaces/addresses: names, (partner, tunnel) alias keys, interface names.
    everything = state == "overridden" or (state == "deleted" and not tunnels)
    scope_names = {t.get("name") for t in tunnels}
    scope_keys, scope_ifnames = set(), set()
    for tunnel in tunnels + [m for m in managed if m.get("name") in scope_names]:
        if tunnel.get("partner") and tunnel.get("tunnel"):
            scope_keys.add((tunnel["partner"], tunnel["tunnel"]))
        if state == "deleted" and tunnel.get("interface"):
            scope_ifnames.add(tunnel["interface"])

    commands = []
    # 1. our xfrm interfaces that nothing wants any more
    for name in sorted(current, key=_if_sort_key):
        info = current[name]
        if not is_ours(name, info) or name in wanted_xfrm:
            continue
        key = _alias_key(info.get("alias"))
        if everything or key in scope_keys or name in scope_ifnames:
            commands.append(["link", "del", name])

    # 2. ipsec0 addresses of managed tunnels in scope that nothing wants any more
    ipsec0 = current.get(LIBIPSEC_DEVICE)
    if ipsec0 is not None:
        owned = set()
        for tunnel in managed + (tunnels if state == "deleted" else []):
            if everything or tunnel.get("name") in scope_names:
                try:
                    owned.add(inside_address(tunnel))
                except (InterfacePlanError, ValueError):
                    continue
        for address in [_norm(a) for a in ipsec0.get("addresses") or []]:
            if address in owned and address not in wanted_ipsec0 and _in_pool(address, pool):
                commands.append(["addr", "del", address, "dev", LIBIPSEC_DEVICE])

    # 3. wanted interfaces / addresses
    for name, (if_id, alias, addresses) in wanted_xfrm.items():
        info = current.get(name)
        if info is None:
            commands.extend(_create(name, wan, if_id, alias, addresses, True))
        elif not is_ours(name, info):
            raise InterfacePlanError(
                "interface %s exists and is not managed by paynet (alias %r): it is left alone; remove or rename it, "
                "or give the tunnel another inside network" % (name, info.get("alias")))
        else:
            commands.extend(_converge(name, info, wan, if_id, alias, addresses, True))
    if wanted_ipsec0:
        missing = [a for a in wanted_ipsec0 if ipsec0 is None or a not in [_norm(x) for x in ipsec0.get("addresses") or []]]
        if missing and ipsec0 is None:
            raise InterfacePlanError("%s does not exist: charon with the kernel-libipsec plugin must be running "
                                     "before the inside addresses can be added" % LIBIPSEC_DEVICE)
        commands.extend(["addr", "add", address, "dev", LIBIPSEC_DEVICE] for address in missing)
    return commands


def _if_sort_key(name):
    match = _XFRM_NAME_RE.match(name)
    return (0, int(match.group(1)), name) if match else (1, 0, name)


# -- rollback -------------------------------------------------------------------------------------
def rollback_interfaces(before, now, pool=DEFAULT_POOL):
    """Commands that put our interfaces and our ipsec0 addresses in ``now`` back to ``before``.

    Both are :func:`parse_ip_addr_json` results. Our xfrm interfaces (see :func:`is_ours`) created
    since ``before`` are deleted, deleted ones re-created (same lower device, if_id, alias, addresses,
    up state) and changed ones converged; on ipsec0 only addresses inside ``pool`` are added/removed.
    Interfaces that are not ours in either snapshot are never touched.
    """
    commands = []
    ours_before = {n: i for n, i in before.items() if is_ours(n, i)}
    ours_now = {n: i for n, i in now.items() if is_ours(n, i)}
    for name in sorted(ours_now, key=_if_sort_key):
        if name not in ours_before:
            commands.append(["link", "del", name])
    for name in sorted(ours_before, key=_if_sort_key):
        info = ours_before[name]
        addresses = [_norm(a) for a in info.get("addresses") or [] if not _link_local_v6(a)]
        if name in now and name not in ours_now:
            continue  # the name is now used by an interface that is not ours: leave it alone
        if name not in ours_now:
            commands.extend(_create(name, info.get("link"), info.get("if_id"), info["alias"], addresses, info.get("up")))
        else:
            commands.extend(_converge(name, ours_now[name], info.get("link"), info.get("if_id"), info["alias"],
                                      addresses, info.get("up")))
    dev_before = before.get(LIBIPSEC_DEVICE)
    dev_now = now.get(LIBIPSEC_DEVICE)
    if dev_now is not None:
        had = [_norm(a) for a in (dev_before or {}).get("addresses") or [] if _in_pool(a, pool)]
        has = [_norm(a) for a in dev_now.get("addresses") or [] if _in_pool(a, pool)]
        commands.extend(["addr", "del", a, "dev", LIBIPSEC_DEVICE] for a in has if a not in had)
        commands.extend(["addr", "add", a, "dev", LIBIPSEC_DEVICE] for a in had if a not in has)
    return commands
