# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPsec partner tunnels: fleet intent -> one gateway's normalised tunnels (docs/ipsec.md).

Inside networks (the link the BGP session runs over) are pinned in the intent (``inside``) or
allocated here from the pool: ``slot = sha256("<partner>/<device>/<tunnel>") mod <usable slots>``.
The slot depends only on the tunnel's own identity, so adding, removing or renaming another
partner's tunnel never renumbers this one. Reserved /24s inside the pool are never allocated (nor
accepted as ``inside``): 169.254.0.0/24, 169.254.169.0/24 (cloud metadata, 169.254.169.254) and
169.254.255.0/24 (the default pool is 169.254.0.0/16). Two tunnels whose inside networks overlap
anywhere in the fleet are an error naming both and a free network to pin on one of them.

Plain Python (stdlib only), Python 3.9 compatible: module_utils may be shipped to devices.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import hashlib
import ipaddress
import re

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.policy import effective_policy

DEFAULT_POOL = "169.254.0.0/16"
DEFAULT_PREFIXLEN = 30
PREFIXLENS = (30, 31)
RESERVED = tuple(ipaddress.ip_network(n) for n in ("169.254.0.0/24", "169.254.169.0/24", "169.254.255.0/24"))
DEFAULT_TUNNEL = "main"
CONNECTION_PREFIX = "partner-"
MIN_PSK_LEN = 20  # characters; a shorter pre-shared key is refused (validate_intent and ipsec_tunnel)
TUNNEL_NAME_RE = re.compile(r"^[a-z0-9_]{1,15}$")
DPD_ACTIONS = ("clear", "trap", "restart")
START_ACTIONS = ("none", "trap", "start")
CLOSE_ACTIONS = ("none", "trap", "start")
DEFAULTS = {
    "dpd_delay": 10,
    "dpd_action": "restart",
    "start_action": "start",
    "close_action": "start",
    "rekey_time": 14400,
    "reauth_time": 0,
    "child_rekey_time": 3600,
}
TIMER_KEYS = ("dpd_delay", "rekey_time", "reauth_time", "child_rekey_time")
ACTION_VALUES = {"dpd_action": DPD_ACTIONS, "start_action": START_ACTIONS, "close_action": CLOSE_ACTIONS}
LIBIPSEC_INTERFACE = "ipsec0"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_RE = re.compile(r"^(?:\d+[smhd]?)+$")
_DURATION_PART_RE = re.compile(r"(\d+)([smhd]?)")


class InsideError(ValueError):
    """An inside network that cannot be used; ``fix`` says what to write instead."""

    def __init__(self, message, fix=None):
        super(InsideError, self).__init__("%s. Fix: %s" % (message, fix) if fix else message)
        self.reason = message
        self.fix = fix


# ---------------------------------------------------------------------------------------------------
# small helpers


def tunnel_name(tunnel):
    """The tunnel's name (default ``main``)."""
    name = tunnel.get("name") if isinstance(tunnel, dict) else None
    return DEFAULT_TUNNEL if name is None else name


def connection_name(partner, tunnel="main"):
    """``partner-<partner>`` for the tunnel ``main``, else ``partner-<partner>-<tunnel>``."""
    name = CONNECTION_PREFIX + partner
    return name if tunnel == DEFAULT_TUNNEL else "%s-%s" % (name, tunnel)


def partner_of(name):
    """Inverse of :func:`connection_name` for the partner: ``partner-acme_bank[-backup]`` -> ``acme_bank``."""
    rest = name[len(CONNECTION_PREFIX):] if name.startswith(CONNECTION_PREFIX) else name
    return rest.split("-", 1)[0]


def if_id(network):
    """XFRM interface id of an inside network: ``((int(network) & 0xffff) >> 1) + 1`` (1..32768)."""
    net = ipaddress.ip_network(str(network))
    return ((int(net.network_address) & 0xFFFF) >> 1) + 1


def parse_duration(value, what="time"):
    """Seconds from an int or a string like ``"14400"``, ``"4h"``, ``"30m"``, ``"90s"``, ``"1d"``, ``"1h30m"``."""
    if isinstance(value, bool):
        raise ValueError("%s is %r, expected seconds or a duration like 4h, 30m, 90s, 1d" % (what, value))
    if isinstance(value, int):
        if value < 0:
            raise ValueError("%s %d is negative" % (what, value))
        return value
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if text and _DURATION_RE.match(text):
            return sum(int(n) * _UNITS[u or "s"] for n, u in _DURATION_PART_RE.findall(text))
    raise ValueError("%s is %r, expected seconds or a duration like 4h, 30m, 90s, 1d" % (what, value))


def _address(value, what):
    try:
        return ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise ValueError("%s '%s' is not an IP address" % (what, value))


def _network(value, what):
    try:
        return ipaddress.ip_network(str(value).strip(), strict=True)
    except ValueError:
        raise ValueError("%s '%s' is not a network in CIDR form (no host bits), e.g. 169.254.10.0/30" % (what, value))


def _prefix_of(entry):
    return entry.get("prefix") if isinstance(entry, dict) else entry


def _dedupe(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _expires(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_expires(value):
    """A ``datetime.date`` from a YAML date or a ``YYYY-MM-DD`` string; ``ValueError`` otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.datetime.strptime(value.strip(), "%Y-%m-%d").date()
        except ValueError:
            pass
    raise ValueError("expires %r is not a date like 2027-03-31" % (value,))


# ---------------------------------------------------------------------------------------------------
# inside networks


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


# ---------------------------------------------------------------------------------------------------
# normalisation


def _auth(auth, where):
    if not isinstance(auth, dict):
        raise ValueError("%s.auth is missing: give psk, or ca_cert + cert + key" % where)
    pubkey_keys = ("ca_cert", "cert", "key")
    has_psk = bool(auth.get("psk"))
    has_pub = [k for k in pubkey_keys if auth.get(k)]
    if has_psk and has_pub:
        raise ValueError("%s.auth has both psk and %s: use one method" % (where, ", ".join(has_pub)))
    if has_psk:
        return {"method": "psk", "psk": str(auth["psk"])}
    if len(has_pub) == len(pubkey_keys):
        return {"method": "pubkey", "ca_cert": str(auth["ca_cert"]), "cert": str(auth["cert"]), "key": str(auth["key"])}
    if has_pub:
        missing = [k for k in pubkey_keys if k not in has_pub]
        raise ValueError("%s.auth has %s but not %s: pubkey auth needs all of ca_cert, cert and key"
                         % (where, ", ".join(has_pub), ", ".join(missing)))
    raise ValueError("%s.auth has neither psk nor ca_cert + cert + key" % where)


def _selectors(value, where):
    if value is None:
        return None
    if not isinstance(value, dict) or not value.get("local") or not value.get("remote"):
        raise ValueError("%s.traffic_selectors needs both local and remote lists" % where)
    out = {}
    for side in ("local", "remote"):
        items = value[side]
        if isinstance(items, str):
            items = [items]
        out[side] = _dedupe(str(_network(item, "%s.traffic_selectors.%s" % (where, side))) for item in items)
    return out


def _crypto_exception(value):
    if not value:
        return None
    return {"reason": " ".join(str(value.get("reason") or "").split()),
            "approved_by": str(value.get("approved_by") or "").strip(),
            "expires": _expires(value.get("expires"))}


def normalise_tunnel(partner_name, partner, tunnel, inside_network, device_announce=(), policy=None):
    """One tunnel in the normalised form of docs/ipsec.md (every key present).

    ``inside_network`` comes from :func:`allocate_inside`; ``device_announce`` is the gateway's
    ``bgp.announce`` (for ``libipsec_selectors``); ``policy`` is the ``ipsec_policy`` var (default
    proposals). Raises ``ValueError`` naming the field for values the validator would refuse.
    """
    partner = partner or {}
    tname = tunnel_name(tunnel)
    where = "partners.%s.tunnels[name=%s, device=%s]" % (partner_name, tname, tunnel.get("device"))
    if not isinstance(tname, str) or not TUNNEL_NAME_RE.match(tname):
        raise ValueError("%s.name %r must match [a-z0-9_]{1,15}" % (where, tname))
    if not tunnel.get("peer_gateway"):
        raise ValueError("%s.peer_gateway is missing (the partner's public IKE address)" % where)
    peer_gateway = str(_address(tunnel["peer_gateway"], where + ".peer_gateway"))
    local_gateway = str(_address(tunnel["local_gateway"], where + ".local_gateway")) if tunnel.get("local_gateway") else None
    auth = _auth(tunnel.get("auth"), where)
    if tunnel.get("remote_id"):
        remote_id = str(tunnel["remote_id"]).strip()
    elif auth["method"] == "psk":
        remote_id = peer_gateway
    else:
        raise ValueError("%s.remote_id is required with pubkey auth (the partner certificate's subject or SAN)" % where)
    if tunnel.get("local_id"):
        local_id = str(tunnel["local_id"]).strip()
    else:
        local_id = local_gateway if auth["method"] == "psk" else None
    effective = effective_policy(policy)
    ike = tunnel.get("ike_proposals") or effective["ike_proposals"]
    esp = tunnel.get("esp_proposals") or effective["esp_proposals"]
    out = {
        "name": connection_name(partner_name, tname),
        "partner": partner_name,
        "tunnel": tname,
        "description": None,
        "local_gateway": local_gateway,
        "peer_gateway": peer_gateway,
        "local_id": local_id,
        "remote_id": remote_id,
        "auth": auth,
        "ike_proposals": [str(p).strip().lower() for p in ([ike] if isinstance(ike, str) else ike)],
        "esp_proposals": [str(p).strip().lower() for p in ([esp] if isinstance(esp, str) else esp)],
    }
    description = tunnel.get("description") or partner.get("description")
    out["description"] = " ".join(str(description).split()) if description else None
    for key in ("dpd_delay", "dpd_action", "start_action", "close_action", "rekey_time", "reauth_time", "child_rekey_time"):
        value = tunnel.get(key)
        if value is None:
            value = DEFAULTS[key]
        if key in TIMER_KEYS:
            value = parse_duration(value, "%s.%s" % (where, key))
        else:
            value = str(value).strip().lower()
            if value not in ACTION_VALUES[key]:
                raise ValueError("%s.%s '%s' is not one of %s" % (where, key, value, ", ".join(ACTION_VALUES[key])))
        out[key] = value
    net = ipaddress.ip_network(str(inside_network), strict=True)
    local, peer = inside_addresses(net, tunnel.get("local_inside"))
    out["inside"] = {"network": str(net), "local": local, "peer": peer, "prefixlen": net.prefixlen}
    out["if_id"] = if_id(net)
    out["interface"] = "xfrm%d" % out["if_id"]
    out["traffic_selectors"] = _selectors(tunnel.get("traffic_selectors"), where)
    announce = [str(_network(p, "bgp.announce")) for p in device_announce or ()]
    accept = [str(_network(_prefix_of(p), "partners.%s.accept_prefixes" % partner_name))
              for p in partner.get("accept_prefixes") or ()]
    out["libipsec_selectors"] = {"local": _dedupe([str(net)] + announce), "remote": _dedupe([str(net)] + accept)}
    out["crypto_exception"] = _crypto_exception(tunnel.get("crypto_exception"))
    return out


def ipsec_device_config(partners, hostname, bgp=None, pool=DEFAULT_POOL, prefixlen=DEFAULT_PREFIXLEN, only=None, policy=None):
    """``{"tunnels": [...]}``: the normalised tunnels on ``hostname``, sorted by name.

    Inside networks are allocated over the whole fleet (so overlaps anywhere are refused). ``bgp``
    is the gateway's ``bgp`` var (its ``announce`` feeds ``libipsec_selectors``); ``only`` limits
    the result to the named partners; ``policy`` is the ``ipsec_policy`` var.
    """
    partners = partners or {}
    wanted = set(only) if only else None
    if wanted:
        unknown = wanted - set(partners)
        if unknown:
            raise ValueError("unknown partner(s) %s: not in the partners intent" % ", ".join(sorted(unknown)))
    inside = allocate_inside(partners, pool, prefixlen)
    announce = list((bgp or {}).get("announce") or [])
    tunnels = []
    for name, _index, tunnel in _tunnels(partners):
        if tunnel.get("device") != hostname or (wanted is not None and name not in wanted):
            continue
        network = inside[(name, hostname, tunnel_name(tunnel))]
        tunnels.append(normalise_tunnel(name, partners[name], tunnel, network, announce, policy))
    return {"tunnels": sorted(tunnels, key=lambda t: t["name"])}


def session_tunnel(partner_name, partner, session, hostname):
    """The tunnel an ``transport: ipsec`` session runs over: the named one, else the only one on the device."""
    tunnels = [t for t in (partner or {}).get("tunnels") or [] if isinstance(t, dict) and t.get("device") == hostname]
    wanted = session.get("tunnel")
    if wanted is not None:
        for tunnel in tunnels:
            if tunnel_name(tunnel) == wanted:
                return tunnel
        names = ", ".join(sorted(str(tunnel_name(t)) for t in tunnels)) or "none"
        raise ValueError("session of partner %s on %s names tunnel '%s', but the partner's tunnels on %s are: %s"
                         % (partner_name, hostname, wanted, hostname, names))
    if not tunnels:
        raise ValueError("session of partner %s on %s has transport ipsec, but the partner has no tunnel on %s"
                         % (partner_name, hostname, hostname))
    if len(tunnels) > 1:
        raise ValueError("session of partner %s on %s has transport ipsec and the partner has %d tunnels there (%s): "
                         "name one with tunnel:" % (partner_name, hostname, len(tunnels),
                                                    ", ".join(sorted(str(tunnel_name(t)) for t in tunnels))))
    return tunnels[0]
