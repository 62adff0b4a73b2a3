# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ipsec_tunnel does without a gateway: complete the module's ``config`` into full
normalised tunnels and render/parse swanctl files with secrets masked. Used by the module and,
before connecting, by its action plugin on the controller. (Checking the tunnels is the feature's
validator's job: features/ipsec/validate.py.) No Ansible import; Python 3.9+."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress

from .. import model as ipsec_model
from .. import schema
from ....core.secrets import MASK
from . import swanctl

# tunnel defaults: the schema's (the module's argspec and docs come from the same fields)
DEFAULTS = {key: schema.TUNNEL_DEVICE[key].default
            for key in ipsec_model.TIMER_KEYS + ("dpd_action", "start_action", "close_action", "ike_proposals", "esp_proposals")}
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
