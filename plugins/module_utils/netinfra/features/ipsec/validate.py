# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPsec partner tunnels: the one tunnel validator (docs/ipsec.md), registered with core.fleet.

It checks the fleet's ``tunnels``, ``ipsec_policy``, ``ipsec_inside_pool`` and
``ipsec_inside_prefixlen``, and publishes ``ipsec.tunnels`` (the inside addresses of every
partner's tunnels, for BGP sessions with ``transport: ipsec``) and ``ipsec.pool``. The
ipsec_tunnel module and its action plugin check their normalised tunnels with the same code
(:func:`device_view` + core.fleet.check_device) and the same fleet policy.

Plain Python, no Ansible import, Python 3.9 compatible.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress
import re

from ...core import fleet
from ...core import schema as sch
from ...core import values
from ...core.policy import check_waiver
from ...core.prefixes import PrefixError, parse_network
from ...core.secrets import MASK
from . import schema
from .inside import InsideError, InsidePool, if_id, inside_addresses, pool_args
from .model import TUNNEL_NAME_RE, connection_name, parse_duration, partner_of
from .policy import check_policy, check_proposals

GATEWAY_PLATFORMS = ("frr", "linux")
PUBKEY_KEYS = ("ca_cert", "cert", "key")


class _InsideUse:
    """One tunnel's inside network, for the fleet-wide overlap check."""

    __slots__ = ("host", "field", "partner", "device", "tunnel", "explicit")

    def __init__(self, host, field, partner, device, tunnel, explicit):
        self.host, self.field, self.partner = host, field, partner
        self.device, self.tunnel, self.explicit = device, tunnel, explicit

    def label(self):
        return "tunnel %s of partner %s on %s (%s, %s)" % (
            self.tunnel, self.partner, self.device, self.field.rsplit(".", 1)[0], "pinned" if self.explicit else "allocated")


class _State:
    def __init__(self, policy, pool):
        self.policy = policy
        self.pool = pool
        self.inside = {}  # inside network -> [_InsideUse]
        self.if_ids = {}  # (device, if_id) -> [(field, network)]
        self.gateways = {}  # (device, peer_gateway ip) -> [field]
        self.tunnels = {}  # partner -> {device: {tunnel name: (inside local, inside peer) or None}}


# ---------------------------------------------------------------------------------------------------
# fleet settings


def _check_settings(ctx):
    """(effective ipsec policy, InsidePool); bad values are reported and replaced by defaults."""
    effective, problems = check_policy(ctx.policy_vars.get("ipsec_policy"))
    for problem in problems:
        field = "ipsec_policy.%s" % problem.key if problem.key else "ipsec_policy"
        message = str(problem)
        if problem.key and message.startswith(field + ": "):
            message = message[len(field) + 2:]  # the finding names the field already
        elif problem.key and message.startswith(field + " "):
            message = problem.key + message[len(field):]
        ctx.error("policy", field, message, problem.fix or "")
    inside_pool, inside_prefixlen = pool_args(ctx.policy_vars.get("ipsec_inside_pool"),
                                              ctx.policy_vars.get("ipsec_inside_prefixlen"))
    if isinstance(inside_prefixlen, bool) or inside_prefixlen not in schema.PREFIXLENS:
        ctx.error("policy", "ipsec_inside_prefixlen", "ipsec_inside_prefixlen %s is not 30 or 31"
                  % values.show(inside_prefixlen), "use 30 (default) or 31")
        inside_prefixlen = schema.DEFAULT_PREFIXLEN
    try:
        pool = InsidePool(inside_pool, inside_prefixlen)
    except InsideError as exc:
        ctx.error("policy", "ipsec_inside_pool", exc.reason, exc.fix or "")
        pool = InsidePool(schema.DEFAULT_POOL, inside_prefixlen)
    ctx.policy["ipsec_policy"] = effective
    ctx.policy["ipsec_inside_pool"] = str(pool.network)
    ctx.policy["ipsec_inside_prefixlen"] = pool.prefixlen
    return effective, pool


# ---------------------------------------------------------------------------------------------------
# one tunnel


def _check_tunnel(ctx, state, name, index, tunnel, names):
    where = ctx.partner_item(name, "tunnels", index, tunnel, "{device: ..., peer_gateway: ..., auth: {psk: ...}}")
    if where is None:
        return
    path, host = where
    device = tunnel.get("device")
    tunnel = dict(tunnel)
    device_only = tunnel.pop("_device", None)  # a module's normalised tunnel (device_view)
    good = sch.check_object(tunnel, schema.TUNNEL_INTENT, host, path, ctx.report)
    if "device" in good:
        _check_gateway_device(ctx, device, host, path)
    else:
        device = None
    tname = good.get("name", schema.DEFAULT_TUNNEL)
    if "name" in good and not TUNNEL_NAME_RE.match(tname):
        ctx.error(host, path + ".name", "tunnel name '%s' must match [a-z0-9_]{1,15}" % tname,
                  "use a short lower-case name, e.g. %s" % (re.sub(r"[^a-z0-9_]", "_", tname.lower())[:15] or "backup"))
        tname = None
    elif tunnel.get("name") is not None and "name" not in good:
        tname = None  # wrong type: reported by check_object
    if device is not None and tname is not None:
        other = names.get((device, tname))
        if other is not None:
            ctx.error(host, path + ".name", "partner '%s' already has a tunnel named '%s' on %s (partners.%s.tunnels[%d])"
                      % (name, tname, device, name, other),
                      "give each of the partner's tunnels on %s its own name, e.g. name: backup" % device)
            tname = None
        else:
            names[(device, tname)] = index
    _check_gateways(ctx, state, good, device, host, path)
    given = (device_only or {}).get("auth")  # a module's auth names its method
    method = given.get("method") if isinstance(given, dict) else None
    _check_auth(ctx, good, host, path, method, tunnel.get("remote_id") in (None, ""))
    _check_crypto(ctx, state, good, host, path)
    _check_options(ctx, good, host, path)
    addresses = _check_inside(ctx, state, name, good, device, tname, host, path)
    if device_only is not None:
        _check_device_only(ctx, name, tname, device_only, addresses, host, path)
    if device is not None and tname is not None:
        state.tunnels.setdefault(name, {}).setdefault(device, {})[tname] = addresses


def _check_gateway_device(ctx, device, host, path):
    if device not in ctx.devices:
        hint = values.suggest(device, ctx.platforms) or values.suggest(device, ctx.devices)
        ctx.error(host, path + ".device", "device '%s' is not in the inventory" % device,
                  ("did you mean '%s'? Otherwise u" % hint if hint else "U") + "se the inventory hostname of one of our VPN gateways")
        return
    platform = ctx.platforms.get(device)
    if platform not in GATEWAY_PLATFORMS:
        raw = ctx.hostvars(device).get("netinfra_platform")
        what = "netinfra_platform is not set" if raw is None else "its netinfra_platform is not usable"
        ctx.error(host, path + ".device", "device '%s' cannot terminate tunnels: %s" % (device, what),
                  "set netinfra_platform: linux (strongSwan-only gateway) or frr in host_vars/%s.yml" % device)


def _check_gateways(ctx, state, good, device, host, path):
    peer = _gateway_address(ctx, good, "peer_gateway", host, path)
    local = _gateway_address(ctx, good, "local_gateway", host, path)
    if peer is not None and local is not None:
        if peer.version != local.version:
            ctx.error(host, path + ".local_gateway",
                      "local_gateway %s is IPv%d but peer_gateway %s is IPv%d" % (local, local.version, peer, peer.version),
                      "use our IPv%d public address, or leave local_gateway out" % peer.version)
        elif peer == local:
            ctx.error(host, path + ".local_gateway", "local_gateway is the same as peer_gateway (%s)" % peer,
                      "local_gateway is OUR public address; peer_gateway is the partner's")
    if peer is not None and device is not None:
        state.gateways.setdefault((device, peer), []).append(path)


def _gateway_address(ctx, good, key, host, path):
    value = good.get(key)
    if value is None:
        return None
    address = values.parse_ip(value)
    whose = "the partner's public IKE address" if key == "peer_gateway" else "our public IKE address"
    if address is None:
        ctx.error(host, "%s.%s" % (path, key), "'%s' is not an IP address" % value, "use %s" % whose)
        return None
    if address.is_unspecified or address.is_multicast or address.is_loopback or address.is_link_local:
        ctx.error(host, "%s.%s" % (path, key), "%s is not a usable unicast address" % address, "use %s" % whose)
        return None
    return address


def _pem_problem(text, key):
    """What is wrong with PEM ``text`` for ``auth.key`` (a private key) or a certificate, or None.
    Never quotes the text."""
    if "-----BEGIN" not in text:
        return "is not a PEM private key" if key == "key" else "is not a PEM certificate"
    if key == "key":
        return None if "PRIVATE KEY-----" in text else "is not a PEM private key (no BEGIN ... PRIVATE KEY)"
    if "PRIVATE KEY-----" in text:
        return "holds a private key: give only the certificate"
    return None if "-----BEGIN CERTIFICATE-----" in text else "is not a PEM certificate (no BEGIN CERTIFICATE)"


NEW_PSK = "generate one with `openssl rand -base64 32`, agree it with the partner and store it with ansible-vault"


def _check_auth(ctx, good, host, path, method=None, no_remote_id=False):
    """``method``: the module config's auth.method (psk or pubkey), None for the fleet intent.
    ``no_remote_id``: remote_id is not set at all (a refused value is reported as such, not as missing)."""
    auth = good.get("auth")
    if auth is None:
        return
    field = path + ".auth"
    sub = sch.check_object(auth, schema.AUTH_INTENT, host, field, ctx.report)
    set_keys = set(k for k in auth if auth.get(k) is not None and auth.get(k) != "")
    pubkey = set_keys & set(PUBKEY_KEYS)
    if "psk" in set_keys and pubkey:
        if method == "psk":  # the keys of the other method are refused; the method's own are checked
            for key in sorted(pubkey):
                ctx.error(host, "%s.%s" % (field, key), "auth.%s is set with method psk" % key, "remove it, or use method pubkey")
            pubkey = set()
        elif method == "pubkey":
            ctx.error(host, field + ".psk", "auth.psk is set with method pubkey", "remove it, or use method psk")
            set_keys.discard("psk")
        else:
            ctx.error(host, field, "auth has both psk and %s" % ", ".join(sorted(pubkey)), "use either psk or ca_cert + cert + key")
            return
    if method == "psk" and "psk" not in set_keys:
        what = ", ".join(sorted(pubkey))
        ctx.error(host, field + ".psk", "auth.method is psk but psk is missing%s" % (" (%s given instead)" % what if what else ""),
                  NEW_PSK + (", or use method pubkey" if what else ""))
        return
    if method == "pubkey" and "psk" in set_keys:
        ctx.error(host, field + ".method", "auth.method is pubkey but auth has a psk and no ca_cert, cert or key",
                  "use method psk, or give ca_cert, cert and key instead of psk")
        return
    if "psk" in set_keys:
        psk = sub.get("psk")
        if isinstance(psk, str) and psk != MASK and len(psk) < schema.MIN_PSK_LEN:
            ctx.error(host, field + ".psk", "psk is %d characters long, at least %d are required" % (len(psk), schema.MIN_PSK_LEN),
                      NEW_PSK)
        return
    if not pubkey:
        if "psk" in auth:
            ctx.error(host, field + ".psk", "psk is empty", NEW_PSK)
        else:
            ctx.error(host, field, "auth has neither psk nor ca_cert + cert + key",
                      "set psk: \"{{ vault_<partner>_psk }}\" or all of ca_cert, cert and key")
        return
    missing = [k for k in PUBKEY_KEYS if k not in set_keys]
    if missing:
        ctx.error(host, field, "pubkey auth needs ca_cert, cert and key; %s %s missing"
                  % (", ".join(missing), "is" if len(missing) == 1 else "are"),
                  "set %s" % "; ".join("%s to %s" % (k, schema.AUTH_INTENT[k].what) for k in missing))
    for key in PUBKEY_KEYS:
        value = sub.get(key)
        if value is None or value == MASK:
            continue
        why = _pem_problem(value, key)
        if why:
            ctx.error(host, "%s.%s" % (field, key), "%s %s" % (key, why),
                      "use the vaulted PEM text of the private key" if key == "key"
                      else "use the PEM text, e.g. \"{{ lookup('file', 'pki/<name>.pem') }}\"")
    if no_remote_id:
        ctx.error(host, path + ".remote_id", "remote_id is required with pubkey auth",
                  "set remote_id to the identity in the partner's certificate, e.g. \"CN=vpn.partner.example\"")


def _check_crypto(ctx, state, good, host, path):
    policy = state.policy
    weak = []  # (field, problem) that only a valid crypto_exception allows
    for problem in check_proposals(None, None, policy, good.get("ike_version", 2), good.get("aggressive", False)):
        key = "aggressive" if problem.token == "aggressive" else "ike_version"
        ctx.error(host, "%s.%s" % (path, key), problem.reason, problem.fix)
    for key, kind in (("ike_proposals", "ike"), ("esp_proposals", "esp")):
        for pos, text in enumerate(good.get(key, ())):
            field = "%s.%s[%d]" % (path, key, pos)
            pair = ([text], None) if kind == "ike" else (None, [text])
            for problem in check_proposals(pair[0], pair[1], policy):
                if problem.invalid:
                    ctx.error(host, field, problem.describe(), problem.fix)
                else:
                    weak.append((field, problem))
        if key in good and not good[key]:
            ctx.warning(host, "%s.%s" % (path, key), "%s is empty: the policy defaults are used" % key,
                        "leave %s out, or list the proposals agreed with the partner" % key)
    if _check_crypto_exception(ctx, good, host, path, weak):
        return  # the warning lists what the exception allows
    for field, problem in weak:
        ctx.error(host, field, problem.describe(),
                  "%s, or record a crypto_exception (reason, approved_by, expires) if the partner cannot" % problem.fix)


def _check_crypto_exception(ctx, good, host, path, weak):
    """True when the tunnel has a usable crypto_exception (reported as a warning listing what it allows)."""
    value = good.get("crypto_exception")
    if value is None:
        return False
    field = path + ".crypto_exception"
    allows = _describe_weak(weak)
    waiver = check_waiver(value, host, field, ctx.report, ctx.today, "crypto_exception", allows, schema.CRYPTO_EXCEPTION)
    if waiver is None or not waiver.usable:
        return False
    if allows:
        ctx.warning(host, field, "crypto exception %s (%s) %s allows %s"
                    % (waiver.approved_by, " ".join(waiver.reason.split()), waiver.until(), allows),
                    "move the partner to policy proposals, then remove crypto_exception")
    else:
        ctx.warning(host, field, "crypto exception %s is set but every proposal meets the policy" % waiver.approved_by,
                    "remove crypto_exception")
    return True


def _describe_weak(weak):
    by_proposal = {}
    for _field, problem in weak:
        by_proposal.setdefault((problem.kind, problem.proposal), []).append(
            problem.token if problem.token != problem.proposal else "no PFS" if problem.kind == "esp" else problem.reason)
    return "; ".join("%s %s (%s)" % (kind.upper(), proposal, ", ".join(tokens))
                     for (kind, proposal), tokens in by_proposal.items())


def _check_options(ctx, good, host, path):
    for key, (low, high, zero_ok, unit) in schema.TIMER_RANGES.items():
        if key not in good:
            continue
        field = "%s.%s" % (path, key)
        try:
            seconds = parse_duration(good[key], key)
        except ValueError:
            if values.is_int(good[key]):  # negative
                ctx.error(host, field, "%s %d is negative" % (key, good[key]),
                          "use a value between %d and %d seconds%s" % (low, high, " (or 0)" if zero_ok else ""))
            else:
                ctx.error(host, field, "%s %s is not a duration" % (key, values.show(good[key])),
                          "write seconds (14400) or a duration like 4h, 30m, 90s, 1d")
            continue
        if seconds == 0 and zero_ok:
            continue
        if not low <= seconds <= high:
            ctx.error(host, field, "%s %d s is out of range %d..%d %s" % (key, seconds, low, high, unit),
                      "use a value between %d and %d seconds%s" % (low, high, " (or 0)" if zero_ok else ""))
    selectors = good.get("traffic_selectors")
    if selectors is not None:
        field = path + ".traffic_selectors"
        sub = sch.check_object(selectors, schema.SELECTORS, host, field, ctx.report)
        for side in ("local", "remote"):
            for pos, item in enumerate(sub.get(side, ())):
                try:
                    parse_network(item, "traffic selector")
                except PrefixError as exc:
                    ctx.error(host, "%s.%s[%d]" % (field, side, pos), str(exc), exc.fix or "")


def _check_inside(ctx, state, name, good, device, tname, host, path):
    """(local, peer) inside addresses of the tunnel, or None; records the network for the overlap check."""
    pool = state.pool
    field = path + ".inside"
    if "inside" in good:
        try:
            net = parse_network(good["inside"], "inside")
        except PrefixError as exc:
            ctx.error(host, field, str(exc), exc.fix or "")
            return None
        why = pool.problem(net)
        if why:
            example = pool.hashed(name, device, tname) if device is not None and tname is not None else pool.network_at(0)
            reserved = " outside the reserved %s" % ", ".join(str(r) for r in pool.reserved) if pool.reserved else ""
            ctx.error(host, field, why, "use a /%d of %s%s, e.g. inside: %s, or leave inside out to allocate one"
                      % (pool.prefixlen, pool.network, reserved, example))
            return None
        explicit = True
    elif device is not None and tname is not None:
        net = pool.hashed(name, device, tname)
        explicit = False
    else:
        return None
    try:
        local, peer = inside_addresses(net, good.get("local_inside"))
    except InsideError as exc:
        ctx.error(host, path + ".local_inside", exc.reason, exc.fix or "")
        local, peer = None, None
    except ValueError as exc:  # not an IP address
        first, second = inside_addresses(net)
        ctx.error(host, path + ".local_inside", str(exc),
                  "use %s or %s (the usable addresses of %s), or leave local_inside out for %s" % (first, second, net, first))
        local, peer = None, None
    if device is not None and tname is not None:
        state.inside.setdefault(net, []).append(_InsideUse(host, field, name, device, tname, explicit))
        state.if_ids.setdefault((device, if_id(net)), []).append((path + ".inside", net))
    return (local, peer) if local is not None else None


def _check_device_only(ctx, partner, tname, device, addresses, host, path):
    """The derived fields of a module's normalised tunnel must agree with what they derive from."""
    name = device.get("name")
    if isinstance(name, str) and tname is not None and name != connection_name(partner, tname):
        ctx.error(host, path + ".name", "connection name '%s' is not %s (partner %s, tunnel %s)"
                  % (name, connection_name(partner, tname), partner, tname),
                  "build the config with the paynet.netinfra.ipsec_device_config filter, or name it %s"
                  % connection_name(partner, tname))
    inside = device.get("inside") if isinstance(device.get("inside"), dict) else {}
    peer = inside.get("peer")
    if addresses is not None and peer not in (None, "") and str(peer).strip() != addresses[1]:
        same = " (it equals inside.local)" if str(peer).strip() == addresses[0] else ""
        ctx.error(host, path + ".inside.peer", "inside.peer %s is not the other usable address %s of %s%s"
                  % (values.show(peer), addresses[1], inside.get("network"), same),
                  "leave inside.peer out: it is derived from the inside network and local address")
    network = inside.get("network")
    try:
        net = ipaddress.ip_network(str(network).strip(), strict=True) if network else None
    except ValueError:
        net = None  # reported as inside
    if net is not None and inside.get("prefixlen") is not None and inside["prefixlen"] != net.prefixlen:
        ctx.error(host, path + ".inside.prefixlen", "inside.prefixlen %s is not the prefix length of %s" % (inside["prefixlen"], net),
                  "leave inside.prefixlen out")
    if net is not None and device.get("if_id") is not None and device["if_id"] != if_id(net):
        ctx.error(host, path + ".if_id", "if_id %s is not %d, the if_id of inside network %s" % (device["if_id"], if_id(net), net),
                  "leave if_id out: it is derived from the inside network")


def _check_fleet_wide(ctx, state):
    """Inside networks overlapping anywhere, if_id clashes and peer_gateway duplicates on one device."""
    used = set(state.inside)
    for net, uses in state.inside.items():
        if len(uses) < 2:
            continue
        # pin an allocated one if there is one (pinned networks are usually agreed with the partner)
        target = next((u for u in uses if not u.explicit), uses[-1])
        free = state.pool.free_near(target.partner, target.device, target.tunnel, used)
        if free is not None:
            used.add(free)
        for use in uses:
            others = "; ".join(o.label() for o in uses if o is not use)
            ctx.error(use.host, use.field,
                      "inside network %s (%s) overlaps %s" % (net, "pinned" if use.explicit else "allocated", others),
                      "pin inside: %s on one of them, e.g. %s: %s" % (free, target.field, free) if free else
                      "the inside pool is full: use a larger ipsec_inside_pool")
    for (device, number), uses in state.if_ids.items():
        if len(uses) < 2 or len(set(n for _f, n in uses)) < 2:
            continue
        for field, net in uses:
            others = ", ".join("%s (%s)" % (o, n) for o, n in uses if o != field)
            ctx.error(device, field, "if_id %d of inside network %s is also the if_id of %s on %s" % (number, net, others, device),
                      "pin inside networks of one /16 for tunnels on the same device (if_id comes from the low 16 bits)")
    for (device, peer), fields in state.gateways.items():
        if len(fields) < 2:
            continue
        for field in fields:
            others = ", ".join(f for f in fields if f != field)
            ctx.error(device, field + ".peer_gateway",
                      "peer_gateway %s is used by more than one tunnel on %s (also %s)" % (peer, device, others),
                      "one IKE peer address per gateway: merge the tunnels, or terminate one on another gateway")


def validate(ctx):
    policy, pool = _check_settings(ctx)
    state = _State(policy, pool)
    for name in sorted(ctx.partners):
        tunnels = ctx.partners[name].get("tunnels")
        if tunnels is None:
            continue
        if not isinstance(tunnels, (list, tuple)):
            ctx.error("partner:%s" % name, "partners.%s.tunnels" % name, "tunnels is %s, expected a list" % values.type_name(tunnels),
                      "write tunnels: [{device: ..., peer_gateway: ..., auth: {psk: ...}}]")
            continue
        names = {}
        for index, tunnel in enumerate(tunnels):
            _check_tunnel(ctx, state, name, index, tunnel, names)
    _check_fleet_wide(ctx, state)
    ctx.facts["ipsec.tunnels"] = state.tunnels
    ctx.facts["ipsec.pool"] = pool.network


def count(ctx):
    return {"tunnels": sum(len(p["tunnels"]) for p in ctx.partners.values() if isinstance(p.get("tunnels"), (list, tuple)))}


_TO_INTENT = ("description", "peer_gateway", "local_gateway", "local_id", "remote_id", "ike_proposals", "esp_proposals",
              "dpd_delay", "dpd_action", "start_action", "close_action", "rekey_time", "reauth_time", "child_rekey_time",
              "traffic_selectors", "crypto_exception")


def device_view(config, device=fleet.ONE_DEVICE):
    """ipsec_tunnel's normalised ``config`` as a fleet of the gateway ``device``: (partners, host vars,
    {intent path: config path}).

    Each tunnel becomes the intent that produces it (``inside`` and ``local_inside`` from its
    inside network, ``auth`` without ``method``); its derived fields travel along to be checked
    against what they derive from."""
    partners = {}
    paths = {}
    for index, tunnel in enumerate((config or {}).get("tunnels") or []):
        if not isinstance(tunnel, dict):
            continue
        name = tunnel.get("name") if isinstance(tunnel.get("name"), str) else ""
        partner = tunnel.get("partner") or partner_of(name)
        view = {k: tunnel[k] for k in _TO_INTENT if tunnel.get(k) is not None}
        view["device"] = device
        view["name"] = tunnel.get("tunnel") or schema.DEFAULT_TUNNEL
        auth = tunnel.get("auth")
        view["auth"] = {k: v for k, v in auth.items() if k != "method" and v is not None} if isinstance(auth, dict) else auth
        inside = tunnel.get("inside")
        if isinstance(inside, dict):
            if inside.get("network") is not None:
                view["inside"] = inside["network"]
            if inside.get("local") not in (None, ""):
                view["local_inside"] = inside["local"]
        view["_device"] = tunnel
        here = partners.setdefault(partner, {"tunnels": []})["tunnels"]
        intent = "partners.%s.tunnels[%d]" % (partner, len(here))
        here.append(view)
        where = "config.tunnels[%d]" % index
        if not (isinstance(partner, str) and fleet.PARTNER_NAME_RE.match(partner)):  # reported on the partner
            field = where + (".partner" if tunnel.get("partner") else ".name")
            paths.setdefault("partners.%s" % values.printable(str(partner)), field)
        paths.update({intent: where, intent + ".inside": where + ".inside.network",
                      intent + ".local_inside": where + ".inside.local", intent + ".device": where,
                      intent + ".inside.peer": where + ".inside.peer", intent + ".inside.prefixlen": where + ".inside.prefixlen"})
    return partners, {"netinfra_platform": "linux"}, paths


FEATURE = fleet.register(fleet.Feature(
    "ipsec", validate, partner_fields=schema.PARTNER_INTENT, policy_vars=schema.POLICY_VARS,
    platforms=GATEWAY_PLATFORMS, count=count, device_view=device_view))
