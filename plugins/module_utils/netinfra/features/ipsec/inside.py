# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inside networks of IPsec partner tunnels: the link each tunnel's BGP session runs over.

Pinned in the intent (``inside``) or allocated from the pool: ``slot = sha256("<partner>/<device>/<tunnel>")
mod <usable slots>``. The slot depends only on the tunnel's own identity, so adding, removing or renaming
another partner's tunnel never renumbers this one. Reserved /24s inside the pool are never allocated (nor
accepted as ``inside``): 169.254.0.0/24, 169.254.169.0/24 (cloud metadata, 169.254.169.254) and
169.254.255.0/24. Two tunnels whose inside networks overlap anywhere in the fleet are an error naming both
and a free network to pin on one of them.

Plain Python (stdlib only), Python 3.9 compatible: module_utils may be shipped to devices.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import hashlib
import ipaddress

from .schema import DEFAULT_POOL, DEFAULT_PREFIXLEN, DEFAULT_TUNNEL, PREFIXLENS

RESERVED = tuple(ipaddress.ip_network(n) for n in ("169.254.0.0/24", "169.254.169.0/24", "169.254.255.0/24"))


def tunnel_name(tunnel):
    """The tunnel's name (default ``main``)."""
    name = tunnel.get("name") if isinstance(tunnel, dict) else None
    return DEFAULT_TUNNEL if name is None else name


def pool_args(pool=None, prefixlen=None):
    """``(pool, prefixlen)`` of the ``ipsec_inside_pool``/``ipsec_inside_prefixlen`` variables, as the
    validator and the filters read them: the schema's defaults when unset (None), a prefix length given
    as text (``-e ipsec_inside_prefixlen=31``) as a number; anything else as given (checked by InsidePool)."""
    if pool is None:
        pool = DEFAULT_POOL
    if prefixlen is None:
        prefixlen = DEFAULT_PREFIXLEN
    if isinstance(prefixlen, str) and prefixlen.strip().isdigit():
        prefixlen = int(prefixlen)
    return pool, prefixlen


def _address(value, what):
    try:
        return ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise ValueError("%s '%s' is not an IP address" % (what, value))


class InsideError(ValueError):
    """An inside network that cannot be used; ``fix`` says what to write instead."""

    def __init__(self, message, fix=None):
        super(InsideError, self).__init__("%s. Fix: %s" % (message, fix) if fix else message)
        self.reason = message
        self.fix = fix


def if_id(network):
    """XFRM interface id of an inside network: ``((int(network) & 0xffff) >> 1) + 1`` (1..32768)."""
    net = ipaddress.ip_network(str(network))
    return ((int(net.network_address) & 0xFFFF) >> 1) + 1


class InsidePool:
    """The pool inside networks come from: slots of ``/prefixlen``, reserved /24s left out."""

    def __init__(self, pool=DEFAULT_POOL, prefixlen=DEFAULT_PREFIXLEN):
        try:
            net = ipaddress.ip_network(str(pool).strip(), strict=True)
        except ValueError:
            raise InsideError("ipsec_inside_pool '%s' is not an IPv4 network in CIDR form" % (pool,),
                              "use e.g. %s" % DEFAULT_POOL)
        if net.version != 4:
            raise InsideError("ipsec_inside_pool %s is not IPv4" % net, "use an IPv4 link-local pool, e.g. %s" % DEFAULT_POOL)
        if isinstance(prefixlen, bool) or prefixlen not in PREFIXLENS:
            raise InsideError("ipsec_inside_prefixlen %r is not 30 or 31" % (prefixlen,), "use 30 (default) or 31")
        if net.prefixlen >= prefixlen:
            raise InsideError("ipsec_inside_pool %s is too small for /%d inside networks" % (net, prefixlen),
                              "use a larger pool, e.g. %s" % DEFAULT_POOL)
        self.network = net
        self.prefixlen = prefixlen
        self.size = 1 << (32 - prefixlen)
        self.total = 1 << (prefixlen - net.prefixlen)
        self.reserved = [r for r in RESERVED if r.overlaps(net)]
        base = int(net.network_address)
        ranges = []
        for res in self.reserved:
            start = max(int(res.network_address), base)
            end = min(int(res.broadcast_address), int(net.broadcast_address))
            ranges.append(((start - base) // self.size, (end - base) // self.size + 1))
        self._ranges = sorted(ranges)
        self.usable = self.total - sum(b - a for a, b in self._ranges)
        if self.usable <= 0:
            raise InsideError("ipsec_inside_pool %s has no usable networks (all reserved)" % net, "use %s" % DEFAULT_POOL)

    def network_at(self, index):
        """The ``index``-th usable network (0 <= index < usable), skipping reserved slots."""
        slot = index
        for start, end in self._ranges:
            if slot >= start:
                slot += end - start
        return ipaddress.IPv4Network((int(self.network.network_address) + slot * self.size, self.prefixlen))

    def index_of(self, key):
        digest = hashlib.sha256(key.encode("utf-8")).digest()
        return int.from_bytes(digest, "big") % self.usable

    def hashed(self, partner, device, tunnel):
        """The allocated network of one tunnel: depends only on its own (partner, device, tunnel)."""
        return self.network_at(self.index_of("%s/%s/%s" % (partner, device, tunnel)))

    def problem(self, net):
        """Why ``net`` cannot be an inside network of this pool, or None."""
        if net.version != 4 or not net.subnet_of(self.network):
            return "%s is not inside the pool %s" % (net, self.network)
        if net.prefixlen != self.prefixlen:
            return "%s is a /%d, the inside networks are /%d (ipsec_inside_prefixlen)" % (net, net.prefixlen, self.prefixlen)
        for res in self.reserved:
            if net.overlaps(res):
                return "%s is in the reserved %s" % (net, res)
        return None

    def free_near(self, partner, device, tunnel, used):
        """A free network (not in ``used``, a set of networks) searched from the tunnel's own slot."""
        start = self.index_of("%s/%s/%s" % (partner, device, tunnel))
        for step in range(self.usable):
            net = self.network_at((start + step) % self.usable)
            if net not in used:
                return net
        return None


def inside_addresses(network, local_inside=None):
    """``(local, peer)`` addresses of an inside network (/30: .1 and .2; /31: .0 and .1).

    ``local_inside`` picks our address; the peer is the other usable address.
    """
    net = ipaddress.ip_network(str(network), strict=True)
    if net.prefixlen == 31:
        usable = [net.network_address, net.network_address + 1]
    elif net.prefixlen == 30:
        usable = [net.network_address + 1, net.network_address + 2]
    else:
        raise InsideError("inside network %s is a /%d" % (net, net.prefixlen), "use a /30 or a /31")
    if local_inside is None or local_inside == "":
        return str(usable[0]), str(usable[1])
    local = _address(local_inside, "local_inside")
    if local not in usable:
        raise InsideError("local_inside %s is not a usable address of %s" % (local, net),
                          "use %s or %s" % (usable[0], usable[1]))
    peer = usable[1] if local == usable[0] else usable[0]
    return str(local), str(peer)


def _tunnels(partners):
    """(partner, index, tunnel) of every tunnel, partners sorted by name."""
    if not isinstance(partners, dict):
        raise ValueError("partners is %s, expected a mapping of name -> partner" % type(partners).__name__)
    for name in sorted(partners):
        partner = partners[name] or {}
        tunnels = partner.get("tunnels") or [] if isinstance(partner, dict) else []
        for index, tunnel in enumerate(tunnels):
            if not isinstance(tunnel, dict):
                raise ValueError("partners.%s.tunnels[%d] is not a mapping" % (name, index))
            yield name, index, tunnel


def _label(key, index, how):
    partner, device, tunnel = key
    return "tunnel %s of partner %s on %s (partners.%s.tunnels[%d], %s)" % (tunnel, partner, device, partner, index, how)


def allocate_inside(partners, pool=DEFAULT_POOL, prefixlen=DEFAULT_PREFIXLEN):
    """``{(partner, device, tunnel): "169.254.x.y/30"}`` for every tunnel in the fleet.

    Explicit ``inside`` wins; the others get their hashed slot (see the module doc). Raises
    :class:`InsideError` for a bad pool or inside network, and for any overlap (explicit or
    allocated, on one device or across the fleet), naming both tunnels and a free network to pin.
    """
    space = InsidePool(pool, prefixlen)
    entries = []  # (explicit?, key, index, network)
    seen = {}
    for name, index, tunnel in _tunnels(partners):
        device = tunnel.get("device")
        tname = tunnel_name(tunnel)
        if not isinstance(device, str) or not device:
            raise ValueError("partners.%s.tunnels[%d].device is missing" % (name, index))
        key = (name, device, tname)
        if key in seen:
            raise ValueError("partner %s has two tunnels named %s on %s (partners.%s.tunnels[%d] and [%d])"
                             % (name, tname, device, name, seen[key], index))
        seen[key] = index
        if tunnel.get("inside"):
            try:
                net = ipaddress.ip_network(str(tunnel["inside"]).strip(), strict=True)
            except ValueError:
                raise InsideError("partners.%s.tunnels[%d].inside '%s' is not a network in CIDR form"
                                  % (name, index, tunnel["inside"]), "write e.g. %s" % space.hashed(*key))
            why = space.problem(net)
            if why:
                raise InsideError("partners.%s.tunnels[%d].inside: %s" % (name, index, why),
                                  "pin a /%d of %s, e.g. inside: %s, or leave inside out to allocate one"
                                  % (space.prefixlen, space.network, space.hashed(*key)))
            entries.append((True, key, index, net))
        else:
            entries.append((False, key, index, space.hashed(*key)))
    owners = {}
    used = set(net for _e, _k, _i, net in entries)
    for explicit, key, index, net in sorted(entries, key=lambda e: (not e[0], e[1])):
        if net in owners:
            other_explicit, other_key, other_index = owners[net]
            # pin the allocated one if there is one (explicit networks are usually agreed with the partner)
            target_key, target_index = (key, index) if not explicit or other_explicit else (other_key, other_index)
            free = space.free_near(target_key[0], target_key[1], target_key[2], used)
            raise InsideError(
                "inside network %s of %s overlaps %s" % (
                    net, _label(key, index, "pinned" if explicit else "allocated"),
                    _label(other_key, other_index, "pinned" if other_explicit else "allocated")),
                "pin inside: %s on one of them, e.g. partners.%s.tunnels[%d].inside: %s"
                % (free, target_key[0], target_index, free))
        owners[net] = (explicit, key, index)
    return {key: str(net) for _e, key, _i, net in entries}
