# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ipsec_tunnel does without a gateway: complete the module's ``config`` into full
normalised tunnels, check them (strong-crypto policy, authentication, inside addresses) and
render/parse swanctl files with secrets masked. Used by the module and, before connecting, by its
action plugin on the controller. No Ansible import; Python 3.9+."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import ipaddress

from .. import model as ipsec_model
from .. import policy as ipsec_policy
from ....core.secrets import MASK
from . import swanctl

MIN_PSK_LEN = ipsec_model.MIN_PSK_LEN
INSIDE_POOL = ipaddress.ip_network(ipsec_model.DEFAULT_POOL)
# tunnel defaults: the policy's proposals and the model's timers/actions (the module's argspec says the same)
DEFAULTS = dict(ipsec_model.DEFAULTS, ike_proposals=list(ipsec_policy.DEFAULT_IKE_PROPOSALS),
                esp_proposals=list(ipsec_policy.DEFAULT_ESP_PROPOSALS))
if_id_for = ipsec_model.if_id


def _inside(inside):
    net = ipaddress.ip_network(str(inside["network"]), strict=True)
    if net.prefixlen == 31:
        hosts = [net.network_address, net.network_address + 1]
    else:
        hosts = list(net.hosts())[:2]
    if len(hosts) < 2:
        raise ValueError("%s has no two usable addresses; use a /30 or /31" % net)
    local = str(inside.get("local") or hosts[0])
    if inside.get("peer"):
        peer = str(inside["peer"])
    else:
        peer = str(hosts[1] if ipaddress.ip_address(local) == hosts[0] else hosts[0])
    return {"network": str(net), "local": local, "peer": peer, "prefixlen": net.prefixlen}


def complete(tunnels):
    """Module ``config.tunnels`` -> full normalised tunnels (derived keys filled in). Raises
    ValueError with the tunnel and field for a malformed inside network."""
    out = []
    for raw in tunnels or []:
        t = dict(raw)
        try:
            t["inside"] = _inside(t["inside"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("tunnel %s: inside.network: %s" % (t.get("name"), exc)) from exc
        t["tunnel"] = t.get("tunnel") or ipsec_model.DEFAULT_TUNNEL
        t["partner"] = t.get("partner") or ipsec_model.partner_of(t["name"])
        t["if_id"] = t.get("if_id") or if_id_for(t["inside"]["network"])
        t["interface"] = t.get("interface") or "xfrm%d" % t["if_id"]
        auth = dict(t.get("auth") or {})
        t["auth"] = auth
        if not t.get("remote_id") and auth.get("method") == "psk":
            t["remote_id"] = t["peer_gateway"]
        if not t.get("libipsec_selectors"):
            t["libipsec_selectors"] = {"local": [t["inside"]["network"]], "remote": [t["inside"]["network"]]}
        for key, default in DEFAULTS.items():
            if t.get(key) is None:
                t[key] = default
        t["ike_proposals"] = [p.lower() for p in t["ike_proposals"]]
        t["esp_proposals"] = [p.lower() for p in t["esp_proposals"]]
        for key in ("description", "local_gateway", "local_id", "remote_id", "traffic_selectors", "crypto_exception"):
            t.setdefault(key, None)
        out.append(t)
    return sorted(out, key=lambda t: t["name"])


def _expiry(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.datetime.strptime(str(value).strip(), "%Y-%m-%d").date()


def _exception_problems(exception, pre, today):
    """Why ``crypto_exception`` cannot be used (empty when it can): it then covers nothing."""
    problems = []
    for key in ("reason", "approved_by"):
        if not str(exception.get(key) or "").strip():
            problems.append("%s: crypto_exception.%s is empty, so the exception covers nothing. Fix: set %s"
                            % (pre, key, "why the partner cannot meet the policy" if key == "reason"
                               else "the approving change, e.g. CHG-123456"))
    expires = exception.get("expires")
    if expires not in (None, ""):
        try:
            date = _expiry(expires)
        except (TypeError, ValueError):
            problems.append("%s: crypto_exception.expires %r is not a date, so the exception covers nothing. Fix: "
                            "write it as YYYY-MM-DD, e.g. 2027-03-31" % (pre, expires))
        else:
            if date < today:
                problems.append("%s: crypto_exception (%s) expired on %s, so it covers nothing. Fix: move the partner to "
                                "proposals that meet the policy, or renew the approval and set a new expires"
                                % (pre, exception.get("approved_by") or "no approval", date.isoformat()))
    return problems


def _pem_problem(auth, key):
    """What is wrong with PEM ``auth[key]`` (the renderer's rules: certificates without a key, a
    private key for ``key``), or None. Never quotes the text."""
    text = auth.get(key)
    if not text or not isinstance(text, str) or not text.strip():
        return "missing"
    if "-----BEGIN" not in text:
        return "not PEM"
    if key == "key":
        return None if "PRIVATE KEY-----" in text else "not a PEM private key (no BEGIN ... PRIVATE KEY)"
    if "PRIVATE KEY-----" in text:
        return "holding a private key: give only the certificate"
    return None if "-----BEGIN CERTIFICATE-----" in text else "not a PEM certificate (no BEGIN CERTIFICATE)"


def check(tunnels, policy_overrides=None, host=None, today=None):
    """Problems that must stop the run before the gateway is touched, one line each, naming the
    tunnel, the field and the fix. Never includes a secret. ``today`` (a date, default the current
    one) decides whether a crypto_exception has expired."""
    today = today or datetime.date.today()
    where = ("%s: " % host) if host else ""
    problems = []
    try:
        policy = ipsec_policy.effective_policy(policy_overrides)
    except ipsec_policy.PolicyError as exc:
        return ["%sipsec_policy.%s: %s. Fix: %s" % (where, exc.key or "", exc, exc.fix or "correct the policy")]
    names = set()
    for t in tunnels:
        name = t["name"]
        pre = "%stunnel %s" % (where, name)
        if name in names:
            problems.append("%s: name is given twice. Fix: give every tunnel its own name" % pre)
        names.add(name)
        exception = t.get("crypto_exception")
        exception_problems = _exception_problems(exception, pre, today) if exception else []
        problems.extend(exception_problems)
        for found in ipsec_policy.check_proposals(t["ike_proposals"], t["esp_proposals"], policy):
            if exception and not exception_problems and not found.invalid:
                continue
            problems.append("%s: %s" % (pre, found))
        auth = t.get("auth") or {}
        if auth.get("method") == "psk":
            psk = auth.get("psk") or ""
            if len(psk) < MIN_PSK_LEN:
                problems.append("%s: auth.psk is %s. Fix: use at least %d random characters, e.g. "
                                "`openssl rand -base64 32`, kept in ansible-vault"
                                % (pre, "missing" if not psk else "shorter than %d characters" % MIN_PSK_LEN, MIN_PSK_LEN))
            if auth.get("key"):
                problems.append("%s: auth.key is set with method psk. Fix: remove it, or use method pubkey" % pre)
        elif auth.get("method") == "pubkey":
            for key in ("ca_cert", "cert", "key"):
                wrong = _pem_problem(auth, key)
                if wrong:
                    problems.append("%s: auth.%s is %s. Fix: give the PEM text (the key from ansible-vault)"
                                    % (pre, key, wrong))
            if not t.get("remote_id"):
                problems.append("%s: remote_id is missing for certificate authentication. Fix: set remote_id to the "
                                "partner certificate's subject, e.g. \"CN=vpn.partner.example\"" % pre)
            if auth.get("psk"):
                problems.append("%s: auth.psk is set with method pubkey. Fix: remove it, or use method psk" % pre)
        inside = t["inside"]
        net = ipaddress.ip_network(inside["network"])
        if net.version != 4 or not net.subnet_of(INSIDE_POOL) or net.prefixlen not in (30, 31):
            problems.append("%s: inside.network %s is not a /30 or /31 in %s. Fix: allocate it with the "
                            "paynet.netinfra.ipsec_inside_network filter" % (pre, net, INSIDE_POOL))
        for key in ("local", "peer"):
            try:
                outside = ipaddress.ip_address(inside[key]) not in net
            except ValueError:
                problems.append("%s: inside.%s '%s' is not an IP address. Fix: use an address of %s, or leave it out "
                                "to derive it" % (pre, key, inside[key], net))
                continue
            if outside:
                problems.append("%s: inside.%s %s is outside %s. Fix: use an address of the inside network"
                                % (pre, key, inside[key], net))
        if inside["local"] == inside["peer"]:
            problems.append("%s: inside.local equals inside.peer. Fix: leave peer out to derive it" % pre)
        for key in ("peer_gateway", "local_gateway"):
            if t.get(key):
                try:
                    ipaddress.ip_address(t[key])
                except ValueError:
                    problems.append("%s: %s '%s' is not an IP address. Fix: use the gateway's public IP" % (pre, key, t[key]))
        for key in ("dpd_delay", "rekey_time", "reauth_time", "child_rekey_time"):
            if t[key] < 0:
                problems.append("%s: %s is negative. Fix: use seconds >= 0" % (pre, key))
    return problems


def mask_files(files):
    """{path: content} -> the same with secrets masked and private keys not shown."""
    out = {}
    for path, content in sorted(files.items()):
        if "/private/" in path:
            out[path] = "(private key, not shown)"
        else:
            out[path] = swanctl.mask_conf(content)
    return out


def rendered(tunnels, dataplane, root="/etc/swanctl"):
    plane = "xfrm" if dataplane == "auto" else dataplane
    files = swanctl.render_files(tunnels, plane, root=root)
    return mask_files({path: content for path, (content, _mode) in files.items()})


def masked_tunnel(t):
    t = dict(t)
    auth = dict(t.get("auth") or {})
    for key in ("psk", "key"):
        if auth.get(key):
            auth[key] = MASK
    t["auth"] = auth
    return t


def parsed(text):
    return {"tunnels": [masked_tunnel(t) for t in swanctl.tunnels_from_conf(text)]}
