# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPsec partner tunnels: fleet intent -> one gateway's normalised tunnels (docs/ipsec.md).

Inside networks come from inside.py; the defaults, names and limits from schema.py (the one
schema of the feature). Plain Python (stdlib only), Python 3.9 compatible: module_utils may be
shipped to devices.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import re

from . import schema
from .inside import (
    _address,
    _tunnels,
    allocate_inside,
    if_id,
    inside_addresses,
    tunnel_name,
)
from .policy import effective_policy
from .schema import (
    CLOSE_ACTIONS,
    DEFAULT_POOL,
    DEFAULT_PREFIXLEN,
    DEFAULT_TUNNEL,
    DPD_ACTIONS,
    START_ACTIONS,
)

CONNECTION_PREFIX = "partner-"
TUNNEL_NAME_RE = re.compile(r"^[a-z0-9_]{1,15}$")
TIMER_KEYS = ("dpd_delay", "rekey_time", "reauth_time", "child_rekey_time")
DEFAULTS = {key: schema.TUNNEL_DEVICE[key].default for key in TIMER_KEYS + ("dpd_action", "start_action", "close_action")}
ACTION_VALUES = {"dpd_action": DPD_ACTIONS, "start_action": START_ACTIONS, "close_action": CLOSE_ACTIONS}
LIBIPSEC_INTERFACE = "ipsec0"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_RE = re.compile(r"^(?:\d+[smhd]?)+$")
_DURATION_PART_RE = re.compile(r"(\d+)([smhd]?)")


def connection_name(partner, tunnel="main"):
    """``partner-<partner>`` for the tunnel ``main``, else ``partner-<partner>-<tunnel>``."""
    name = CONNECTION_PREFIX + partner
    return name if tunnel == DEFAULT_TUNNEL else "%s-%s" % (name, tunnel)


def partner_of(name):
    """Inverse of :func:`connection_name` for the partner: ``partner-acme_bank[-backup]`` -> ``acme_bank``."""
    rest = name[len(CONNECTION_PREFIX):] if name.startswith(CONNECTION_PREFIX) else name
    return rest.split("-", 1)[0]


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


# ---------------------------------------------------------------------------------------------------
# inside networks


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
