# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device model for BGP partner peering: fleet intent -> one device's normalised config.

Plain Python (no Ansible at import time) so unit tests and benchmarks call it directly. The shapes
are documented in docs/intent.md.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.model import (
    DEFAULT_POOL,
    DEFAULT_PREFIXLEN,
    allocate_inside,
    inside_addresses,
    session_tunnel,
    tunnel_name,
)

PARTNER_PREFIX = "PARTNER_"


def ip_family(address):
    """4 or 6 for an address or prefix string."""
    return ipaddress.ip_network(str(address), strict=False).version


def object_name(partner, family, direction):
    """FRR prefix-list/route-map name a partner owns, e.g. PARTNER_ACME_BANK_V4_IN."""
    return "%s%s_V%d_%s" % (PARTNER_PREFIX, partner.upper(), family, direction.upper())


def partner_from_object_name(name):
    """Inverse of object_name: (partner, family, direction) or None for names we do not own."""
    if not name.startswith(PARTNER_PREFIX):
        return None
    rest = name[len(PARTNER_PREFIX):]
    parts = rest.rsplit("_", 2)
    if len(parts) != 3 or parts[1] not in ("V4", "V6") or parts[2] not in ("IN", "OUT"):
        return None
    return parts[0].lower(), int(parts[1][1]), parts[2].lower()


def _prefix_entry(entry):
    if isinstance(entry, dict):
        prefix, ge, le = entry.get("prefix"), entry.get("ge"), entry.get("le")
    else:
        prefix, ge, le = entry, None, None
    net = ipaddress.ip_network(str(prefix), strict=True)
    return {"prefix": str(net), "ge": int(ge) if ge is not None else None,
            "le": int(le) if le is not None else None}


def _max_prefixes(value):
    if value is None:
        return None
    if isinstance(value, dict):
        out = {"limit": int(value["limit"]), "threshold": value.get("threshold"),
               "restart": value.get("restart"), "warning_only": bool(value.get("warning_only", False))}
    else:
        out = {"limit": int(value), "threshold": None, "restart": None, "warning_only": False}
    for key in ("threshold", "restart"):
        if out[key] is not None:
            out[key] = int(out[key])
    return out


def _timers(value):
    if not value:
        return None
    return {"keepalive": int(value["keepalive"]), "hold": int(value["hold"])}


def normalise_session(session):
    return {
        "peer_address": str(ipaddress.ip_address(str(session["peer_address"]))),
        "local_address": (str(ipaddress.ip_address(str(session["local_address"])))
                          if session.get("local_address") else None),
        "password": session.get("password") or None,
        "description": " ".join(str(session["description"]).split()) if session.get("description") else None,
        "shutdown": bool(session.get("shutdown", False)),
    }


def normalise_partner(name, partner, default_announce=()):
    """One partner's device-independent settings in canonical form (sessions not included)."""
    announce = partner.get("announce")
    if announce is None:
        announce = list(default_announce)
    # GTSM needs both ends; it is never switched on behind the partner's back.
    ttl_security = partner.get("ttl_security")
    multihop = partner.get("ebgp_multihop")
    return {
        "name": name,
        "asn": int(partner["asn"]),
        "description": " ".join(str(partner["description"]).split()) if partner.get("description") else None,
        "accept_prefixes": sorted((_prefix_entry(p) for p in partner.get("accept_prefixes") or []),
                                  key=_prefix_sort_key),
        "announce": sorted((str(ipaddress.ip_network(str(p), strict=True)) for p in announce),
                           key=lambda p: _prefix_sort_key({"prefix": p})),
        "max_prefixes": _max_prefixes(partner.get("max_prefixes")),
        "ttl_security": int(ttl_security) if ttl_security is not None else None,
        "ebgp_multihop": int(multihop) if multihop is not None else None,
        "timers": _timers(partner.get("timers")),
        # BGP connect-retry seconds (FRR default 120): how soon we retry after the path (a tunnel) returns
        "connect_retry": int(partner["connect_retry"]) if partner.get("connect_retry") is not None else None,
        "bfd": bool(partner.get("bfd", False)),
        # maintenance drain (docs/operations.md): how a drain reaches this partner, and whether this
        # partner alone is drained (offboarding)
        "drain": partner.get("drain") or "community",
        "drain_prepend": int(partner["drain_prepend"]) if partner.get("drain_prepend") is not None else 3,
        "graceful_shutdown": bool(partner.get("graceful_shutdown", False)),
    }


def _prefix_sort_key(entry):
    net = ipaddress.ip_network(entry["prefix"])
    return (net.version, int(net.network_address), net.prefixlen, entry.get("ge") or 0, entry.get("le") or 0)


def normalise_device(config):
    """Canonical form of the bgp_peering module's ``config`` option."""
    announce = [str(ipaddress.ip_network(str(p), strict=True)) for p in config.get("announce") or []]
    partners = []
    for partner in config.get("partners") or []:
        norm = normalise_partner(partner["name"], partner, announce)
        norm["sessions"] = sorted((normalise_session(s) for s in partner.get("sessions") or []),
                                  key=lambda s: addr_sort_key(s["peer_address"]))
        partners.append(norm)
    return {
        "asn": int(config["asn"]) if config.get("asn") is not None else None,
        "router_id": config.get("router_id"),
        "announce": sorted(announce, key=lambda p: _prefix_sort_key({"prefix": p})),
        "graceful_shutdown": bool(config.get("graceful_shutdown", False)),
        "partners": sorted(partners, key=lambda p: p["name"]),
    }


def device_config_from_intent(partners, hostname, bgp, only=None, pool=DEFAULT_POOL, prefixlen=DEFAULT_PREFIXLEN,
                              drain=None, drained=False):
    """The bgp_peering ``config`` for ``hostname`` from the fleet's ``partners`` intent.

    ``bgp`` is the host's ``bgp`` var (asn, router_id, announce, graceful_shutdown). ``only``
    limits the result to the named partners (onboarding one partner). Partners with no session
    on this device are left out. A session with ``transport: ipsec`` runs over the partner's tunnel
    on this device (its ``tunnel``, else the only one): its ``peer_address``/``local_address`` are
    the tunnel's inside peer/local addresses, from ``pool``/``prefixlen`` (``ipsec_inside_pool``,
    ``ipsec_inside_prefixlen``; see docs/ipsec.md).

    Maintenance (docs/operations.md): ``drained`` (the device is in maintenance) sets
    ``graceful_shutdown`` whatever the ``bgp`` var says; ``drain`` names partners drained on their own
    (partner offboarding), each gets ``graceful_shutdown: true``.
    """
    bgp = bgp or {}
    drain = set([drain] if isinstance(drain, str) else (drain or ()))
    unknown_drain = drain - set(partners or {})
    if unknown_drain:
        raise ValueError("unknown partner(s) %s to drain: not in the partners intent" % ", ".join(sorted(unknown_drain)))
    wanted = set(only) if only else None
    out_partners = []
    inside = []  # allocated lazily: only when this device has an ipsec session
    for name in sorted(partners or {}):
        if wanted is not None and name not in wanted:
            continue
        partner = partners[name] or {}
        sessions = []
        for session in partner.get("sessions") or []:
            if session.get("device") != hostname:
                continue
            out = {k: v for k, v in session.items() if k not in ("device", "transport", "tunnel")}
            if session.get("transport") == "ipsec":
                if not inside:
                    inside.append(allocate_inside(partners, pool, prefixlen))
                _ipsec_addresses(name, partner, session, hostname, inside[0], out)
            sessions.append(out)
        if not sessions:
            continue
        entry = {k: v for k, v in partner.items() if k not in ("sessions", "tunnels")}
        entry["name"] = name
        entry["sessions"] = sessions
        if name in drain:
            entry["graceful_shutdown"] = True
        out_partners.append(entry)
    if wanted:
        unknown = wanted - set(partners or {})
        if unknown:
            raise ValueError("unknown partner(s) %s: not in the partners intent" % ", ".join(sorted(unknown)))
    return {
        "asn": bgp.get("asn"),
        "router_id": bgp.get("router_id"),
        "announce": list(bgp.get("announce") or []),
        "graceful_shutdown": bool(bgp.get("graceful_shutdown", False)) or bool(drained),
        "partners": out_partners,
    }


def _ipsec_addresses(name, partner, session, hostname, inside, out):
    """Set ``out``'s peer/local address to the inside addresses of the session's tunnel."""
    tunnel = session_tunnel(name, partner, session, hostname)
    network = inside[(name, hostname, tunnel_name(tunnel))]
    local, peer = inside_addresses(network, tunnel.get("local_inside"))
    for key, derived in (("peer_address", peer), ("local_address", local)):
        given = session.get(key)
        if given and str(ipaddress.ip_address(str(given).strip())) != derived:
            raise ValueError("session of partner %s on %s: %s %s is not the tunnel %s's inside %s address %s; "
                             "remove %s (it is derived from the tunnel)"
                             % (name, hostname, key, given, tunnel_name(tunnel), key.split("_", maxsplit=1)[0], derived, key))
        out[key] = derived


def addr_sort_key(address):
    addr = ipaddress.ip_address(address)
    return (addr.version, addr.packed)
