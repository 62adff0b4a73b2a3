# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HSM policy model: the ``hsm`` intent resolved into what one gateway enforces, and the one
definition of "is this flow allowed" that the nftables backend renders and the segmentation proof
expects.

Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress

from . import schema
from ..vrrp import model as vrrp_model


class ModelError(ValueError):
    """The intent cannot be modelled (the validator reports the same problem with its fix)."""


def _net(text):
    return ipaddress.ip_network(text, strict=False)


def address_sets(hsm):
    """{set name: [ip_network, ...]} of the intent's address sets."""
    return {s["name"]: [_net(a) for a in s.get("addresses") or []] for s in (hsm or {}).get("address_sets") or []}


def segment_interface(segment, vrrp):
    """The gateway's interface on ``segment``: the ``interface`` of its VRRP group whose ``segment`` is
    the HSM segment's ``vrrp_segment`` (default: its name)."""
    wanted = segment.get("vrrp_segment") or segment["name"]
    for group in (vrrp or {}).get("groups") or []:
        if group.get("segment") == wanted:
            return group["interface"]
    raise ModelError("segment %s: this gateway has no VRRP group with segment %s; add it to the gateway's vrrp.groups "
                     "(the HSM segment's interface comes from it) or set the segment's vrrp_segment"
                     % (segment["name"], wanted))


def segment_interfaces(segment, vrrp):
    """Every interface the gateway's traffic to and from ``segment`` can use: the VRRP group's interface
    and the group's virtual-MAC macvlans (both VRRP backends receive the hosts' traffic to the virtual
    address on ``v4-<if>-<vrid>``/``v6-<if>-<vrid>``, and a route through them is equally possible).
    Filtering on the base interface alone would let the HSMs' outbound traffic bypass the policy."""
    interface = segment_interface(segment, vrrp)
    wanted = segment.get("vrrp_segment") or segment["name"]
    names = {interface}
    for group in (vrrp or {}).get("groups") or []:
        if group.get("segment") != wanted or group.get("interface") != interface:
            continue
        for family, key in ((4, "virtual_ipv4"), (6, "virtual_ipv6")):
            if group.get(key) and group.get("vrid") is not None:
                names.add(vrrp_model.macvlan_name(family, interface, group["vrid"]))
    return sorted(names)


def _rule(segment, rule, sets):
    appliances = {a["name"]: ipaddress.ip_address(a["address"]) for a in segment.get("appliances") or []}
    if rule["direction"] == "inbound":
        sources = [n for name in rule["sources"] for n in sets[name]]
        destinations = [ipaddress.ip_network(appliances[name]) for name in rule["destinations"]]
    else:
        sources = [ipaddress.ip_network(appliances[name]) for name in rule["sources"]]
        destinations = [n for name in rule["destinations"] for n in sets[name]]
    return {
        "id": rule["id"],
        "direction": rule["direction"],
        "protocol": rule.get("protocol") or "tcp",
        "ports": sorted(set(rule["ports"])),
        "sources": sources,
        "destinations": destinations,
        "source_names": list(rule["sources"]),
        "destination_names": list(rule["destinations"]),
        "justification": rule["justification"],
        "owner": rule["owner"],
        "review_by": str(rule["review_by"]),
    }


def segment_model(hsm, segment, sets=None):
    """One segment with its rules resolved to networks (no gateway-specific part)."""
    sets = address_sets(hsm) if sets is None else sets
    try:
        return {
            "name": segment["name"],
            "subnets": [_net(s) for s in segment["subnets"]],
            "appliances": [dict(a, address=str(ipaddress.ip_address(a["address"]))) for a in segment["appliances"]],
            "rules": [_rule(segment, r, sets) for r in segment.get("rules") or []],
            "log_rate": segment.get("log_rate") or 10,
        }
    except (KeyError, ValueError) as exc:
        raise ModelError("segment %s: %s (run the fleet validator: it names the field and the fix)"
                         % (segment.get("name"), exc)) from None


def device_model(hsm, host, vrrp):
    """What gateway ``host`` enforces: {table, segments: [segment model + interface]} for every segment
    that lists ``host`` among its gateways."""
    sets = address_sets(hsm)
    segments = []
    for segment in (hsm or {}).get("segments") or []:
        if host not in (segment.get("gateways") or []):
            continue
        model = segment_model(hsm, segment, sets)
        model["interface"] = segment_interface(segment, vrrp)
        model["interfaces"] = segment_interfaces(segment, vrrp)
        segments.append(model)
    return {"table": (hsm or {}).get("table") or schema.DEFAULT_TABLE, "segments": segments}


def _matches(rule, src, dst, protocol, port):
    return (rule["protocol"] == protocol and port in rule["ports"]
            and any(src in n for n in rule["sources"] if n.version == src.version)
            and any(dst in n for n in rule["destinations"] if n.version == dst.version))


def allowed_by(hsm, src, dst, protocol, port):
    """The id of the first rule (``segment/rule``) that allows ``src`` to open ``protocol``/``port`` to
    ``dst``, or None: the flow is dropped. Only flows into or out of an HSM segment are judged; any
    other flow is outside this feature (None as well)."""
    src = ipaddress.ip_address(src)
    dst = ipaddress.ip_address(dst)
    sets = address_sets(hsm)
    for segment in (hsm or {}).get("segments") or []:
        model = segment_model(hsm, segment, sets)
        inside = [n for n in model["subnets"] if n.version == dst.version]
        outside = [n for n in model["subnets"] if n.version == src.version]
        if not (any(dst in n for n in inside) or any(src in n for n in outside)):
            continue
        for rule in model["rules"]:
            if _matches(rule, src, dst, protocol, int(port)):
                return "%s/%s" % (model["name"], rule["id"])
    return None


def probe_plan(hsm):
    """Every probe the segmentation proof runs: for each probe source, each appliance service:
    {source host, source address, zone, segment, appliance, address, protocol, port, tls, expect
    (allow|deny), rule (the allowing rule id or None)}."""
    plan = []
    for source in (hsm or {}).get("probes") or []:
        for segment in (hsm or {}).get("segments") or []:
            for appliance in segment.get("appliances") or []:
                for service in appliance.get("services") or []:
                    protocol = service.get("protocol") or "tcp"
                    rule = allowed_by(hsm, source["address"], appliance["address"], protocol, service["port"])
                    plan.append({
                        "host": source["host"], "source": source["address"], "zone": source["zone"],
                        "segment": segment["name"], "appliance": appliance["name"],
                        "address": appliance["address"], "service": service["name"], "protocol": protocol,
                        "port": service["port"], "tls": bool(service.get("tls")),
                        "expect": "allow" if rule else "deny", "rule": rule,
                    })
    return plan
