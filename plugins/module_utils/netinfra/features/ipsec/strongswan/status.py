# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health of IPsec partner tunnels from what charon reports over VICI.

:func:`evaluate` compares the intent (normalised tunnels, docs/ipsec.md) with charon's
``list-sas`` and ``list-conns`` events (as :class:`vici.ViciSession` returns them: every value a
string) and explains, per tunnel, what is wrong in words an on-call engineer can act on.
:func:`summary_line` makes one line of the result; :func:`explain_log` turns the control-log
lines of a failed ``initiate`` into reasons.

Pure functions, stdlib only, Python 3.9 compatible (runs on the gateway).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import re
import time

from ..model import CONNECTION_PREFIX, partner_of  # noqa: F401  (partner_of is part of this module's API)

PREFIX = CONNECTION_PREFIX
IKE_UP = ("ESTABLISHED", "REKEYING")          # REKEYING: still usable while the new SA is negotiated
CHILD_UP = ("INSTALLED", "REKEYING")
# a CHILD SA younger than this is not judged for one-way traffic: BGP keepalives (60 s by default)
# may not have crossed both ways yet, and counters restart at every CHILD SA rekey
ONE_WAY_GRACE = 120
# inbound silence while we keep sending (longer than the default BGP hold time)
INBOUND_SILENCE = 180
# our dpd/close/start_action words -> how charon >= 5.9.6 lists them (list-conns)
ACTIONS = {"clear": "none", "none": "none", "trap": "trap", "hold": "trap", "route": "trap", "restart": "start",
           "start": "start"}
XFRM_SELECTORS = {"local": ["0.0.0.0/0", "::/0"], "remote": ["0.0.0.0/0", "::/0"]}

# --- strongSwan proposal keywords -> the names VICI reports -----------------------------------------
_ENCR_RE = re.compile(r"^(aes|camellia)(128|192|256)?(ctr|gcm|ccm|gmac)?(8|12|16|64|96|128)?$")
_ICV = {None: "16", "8": "8", "64": "8", "12": "12", "96": "12", "16": "16", "128": "16"}
_ENCR_FIXED = {
    "chacha20poly1305": ("CHACHA20_POLY1305", None), "3des": ("3DES_CBC", None), "des": ("DES_CBC", None),
    "cast128": ("CAST_CBC", 128), "null": ("NULL", None), "blowfish": ("BLOWFISH_CBC", 128),
    "blowfish128": ("BLOWFISH_CBC", 128), "blowfish192": ("BLOWFISH_CBC", 192), "blowfish256": ("BLOWFISH_CBC", 256),
}
INTEG = {
    "md5": "HMAC_MD5_96", "md5_128": "HMAC_MD5_128", "sha1": "HMAC_SHA1_96", "sha": "HMAC_SHA1_96",
    "sha1_96": "HMAC_SHA1_96", "sha1_160": "HMAC_SHA1_160", "sha256": "HMAC_SHA2_256_128",
    "sha2_256": "HMAC_SHA2_256_128", "sha256_96": "HMAC_SHA2_256_96", "sha2_256_96": "HMAC_SHA2_256_96",
    "sha384": "HMAC_SHA2_384_192", "sha2_384": "HMAC_SHA2_384_192", "sha512": "HMAC_SHA2_512_256",
    "sha2_512": "HMAC_SHA2_512_256", "aesxcbc": "AES_XCBC_96", "aescmac": "AES_CMAC_96",
}
PRF = {
    "prfmd5": "PRF_HMAC_MD5", "prfsha1": "PRF_HMAC_SHA1", "prfsha256": "PRF_HMAC_SHA2_256",
    "prfsha2_256": "PRF_HMAC_SHA2_256", "prfsha384": "PRF_HMAC_SHA2_384", "prfsha2_384": "PRF_HMAC_SHA2_384",
    "prfsha512": "PRF_HMAC_SHA2_512", "prfsha2_512": "PRF_HMAC_SHA2_512", "prfaesxcbc": "PRF_AES128_XCBC",
    "prfaescmac": "PRF_AES128_CMAC",
}
# an IKE proposal without a PRF uses the one matching its integrity algorithm
IMPLIED_PRF = {
    "HMAC_MD5_96": "PRF_HMAC_MD5", "HMAC_MD5_128": "PRF_HMAC_MD5", "HMAC_SHA1_96": "PRF_HMAC_SHA1",
    "HMAC_SHA1_160": "PRF_HMAC_SHA1", "HMAC_SHA2_256_128": "PRF_HMAC_SHA2_256", "HMAC_SHA2_256_96": "PRF_HMAC_SHA2_256",
    "HMAC_SHA2_384_192": "PRF_HMAC_SHA2_384", "HMAC_SHA2_512_256": "PRF_HMAC_SHA2_512",
    "AES_XCBC_96": "PRF_AES128_XCBC", "AES_CMAC_96": "PRF_AES128_CMAC",
}
DH = {
    "modp768": "MODP_768", "modp1024": "MODP_1024", "modp1536": "MODP_1536", "modp2048": "MODP_2048",
    "modp3072": "MODP_3072", "modp4096": "MODP_4096", "modp6144": "MODP_6144", "modp8192": "MODP_8192",
    "modp1024s160": "MODP_1024_160", "modp2048s224": "MODP_2048_224", "modp2048s256": "MODP_2048_256",
    "ecp192": "ECP_192", "ecp224": "ECP_224", "ecp256": "ECP_256", "ecp384": "ECP_384", "ecp521": "ECP_521",
    "ecp224bp": "ECP_224_BP", "ecp256bp": "ECP_256_BP", "ecp384bp": "ECP_384_BP", "ecp512bp": "ECP_512_BP",
    "curve25519": "CURVE_25519", "x25519": "CURVE_25519", "curve448": "CURVE_448", "x448": "CURVE_448",
}
_IGNORED = ("esn", "noesn")


def _encryption(token):
    """``(VICI name, key size or None)`` of an encryption keyword, or None when unknown."""
    if token in _ENCR_FIXED:
        return _ENCR_FIXED[token]
    match = _ENCR_RE.match(token)
    if not match:
        return None
    cipher, size, mode, icv = match.groups()
    size = int(size or 128)
    if cipher == "aes":
        if mode is None and icv is None:
            return "AES_CBC", size
        if mode == "ctr" and icv is None:
            return "AES_CTR", size
        if mode in ("gcm", "ccm"):
            return "AES_%s_%s" % (mode.upper(), _ICV[icv]), size
        if mode == "gmac" and icv is None:
            return "NULL_AES_GMAC", size
        return None
    if mode is None and icv is None:
        return "CAMELLIA_CBC", size
    if mode == "ctr" and icv is None:
        return "CAMELLIA_CTR", size
    if mode == "ccm":
        return "CAMELLIA_CCM_%s" % _ICV[icv], size
    return None


def parse_proposal(text, kind="ike"):
    """What a strongSwan proposal allows, in VICI's names.

    ``{"text", "encr": [(name, keysize or None)], "integ": [name], "prf": [name], "dh": [name],
    "unknown": [token], "default": bool}``; each list holds the alternatives of that transform.
    For IKE proposals without a PRF the PRFs implied by the integrity algorithms are filled in.
    ``default`` is set for strongSwan's ``default`` keyword (anything strongSwan offers by default).
    """
    out = {"text": text, "encr": [], "integ": [], "prf": [], "dh": [], "unknown": [], "default": False}
    for token in str(text).strip().lower().split("-"):
        if not token or token in _IGNORED:
            continue
        if token == "default":
            out["default"] = True
            continue
        encr = _encryption(token)
        if encr:
            out["encr"].append(encr)
        elif token in INTEG:
            out["integ"].append(INTEG[token])
        elif token in PRF:
            out["prf"].append(PRF[token])
        elif token in DH or (token.startswith("ke") and token[3:4] == "_" and token[4:] in DH):
            out["dh"].append(DH[token if token in DH else token[4:]])
        else:
            out["unknown"].append(token)
    if kind == "ike" and not out["prf"]:
        out["prf"] = [IMPLIED_PRF[i] for i in out["integ"] if i in IMPLIED_PRF]
    return out


def _fmt_encr(name, size):
    return "%s-%s" % (name, size) if size else str(name)


def _algorithm_mismatch(used, proposals, kind):
    """None when ``used`` fits one of ``proposals``, else a description of the difference."""
    if not proposals or not used.get("encr_alg"):
        return None
    best = None
    for text in proposals:
        parsed = parse_proposal(text, kind)
        if parsed["default"] or parsed["unknown"]:
            return None  # cannot judge what we cannot parse: no false alarm
        diffs = []
        encr = (used.get("encr_alg"), used.get("encr_keysize"))
        if parsed["encr"] and not any(n == encr[0] and (s is None or encr[1] is None or s == encr[1])
                                      for n, s in parsed["encr"]):
            diffs.append("encryption %s instead of %s" % (
                _fmt_encr(*encr), "/".join(_fmt_encr(n, s) for n, s in parsed["encr"])))
        integ = used.get("integ_alg")
        if parsed["integ"] and integ not in parsed["integ"]:
            diffs.append("integrity %s instead of %s" % (integ or "none (AEAD)", "/".join(parsed["integ"])))
        elif not parsed["integ"] and integ:
            diffs.append("integrity %s although the proposal has none (AEAD)" % integ)
        if kind == "ike" and parsed["prf"] and used.get("prf_alg") and used["prf_alg"] not in parsed["prf"]:
            diffs.append("PRF %s instead of %s" % (used["prf_alg"], "/".join(parsed["prf"])))
        dh = used.get("dh_group")
        if dh and dh not in parsed["dh"]:
            # (an ESP SA created with IKE_AUTH has no DH group: PFS shows only from its first rekey)
            diffs.append("DH group %s instead of %s" % (dh, "/".join(parsed["dh"]) or "none (no PFS)"))
        elif kind == "ike" and not dh and parsed["dh"]:
            diffs.append("no DH group instead of %s" % "/".join(parsed["dh"]))
        if not diffs:
            return None
        if best is None or len(diffs) < len(best[1]):
            best = (text, diffs)
    text, diffs = best
    if len(proposals) == 1:
        return "; ".join(diffs)
    return "matches none of %s (closest %s: %s)" % (", ".join(proposals), text, "; ".join(diffs))


# --- traffic selectors --------------------------------------------------------------------------------
def normalise_ts(ts):
    """Canonical text of a traffic selector as strongSwan prints it (``10.0.0.0/24[tcp/179]``)."""
    text = str(ts).strip()
    suffix = ""
    if "[" in text:
        text, suffix = text.split("[", 1)
        suffix = "[" + suffix.lower()
    text = text.strip()
    if ".." not in text and text.lower() != "dynamic":
        try:
            text = str(ipaddress.ip_network(text, strict=False))
        except ValueError:
            pass
    return text.lower() + suffix


def _ts_set(items):
    return frozenset(normalise_ts(t) for t in items or [])


def _ts_text(items):
    return ", ".join(sorted(items)) or "none"


# --- helpers ------------------------------------------------------------------------------------------
def _int(value):
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _str(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _yes(value):
    return _str(value) == "yes"


def _iso(now, seconds_ago):
    if now is None or seconds_ago is None:
        return None
    stamp = datetime.datetime.fromtimestamp(now - seconds_ago, tz=datetime.timezone.utc).replace(microsecond=0)
    return stamp.isoformat().replace("+00:00", "Z")


def _ip(text):
    try:
        return ipaddress.ip_address(str(text))
    except ValueError:
        return None


def _index(events):
    """``{name: [section, ...]}`` from VICI list-* events (several sections per name possible)."""
    out = {}
    for event in events or []:
        for name, section in (event or {}).items():
            if isinstance(section, dict):
                out.setdefault(_str(name), []).append(section)
    return out


def _child_name(key, child):
    name = _str(child.get("name"))
    if name:
        return name
    # strongSwan < 5.6.1 has no "name" key; since then the section is "<name>-<uniqueid>"
    uid = _str(child.get("uniqueid"))
    if uid and key.endswith("-" + uid):
        return key[:-len(uid) - 1]
    return key


def _ike_view(sa, now):
    established = _int(sa.get("established"))
    ports = (_int(sa.get("local-port")), _int(sa.get("remote-port")))
    children = sa.get("child-sas") or {}
    # not port 4500: with MOBIKE charon floats IKE to 4500 without NAT, and ESP stays unencapsulated
    encap = _yes(sa.get("nat-any")) or any(_yes(c.get("encap")) for c in children.values() if isinstance(c, dict))
    return {
        "uniqueid": _int(sa.get("uniqueid")),
        "version": _int(sa.get("version")),
        "state": _str(sa.get("state")),
        "initiator": _yes(sa.get("initiator")),
        "local_host": _str(sa.get("local-host")),
        "local_port": ports[0],
        "local_id": _str(sa.get("local-id")),
        "remote_host": _str(sa.get("remote-host")),
        "remote_port": ports[1],
        "remote_id": _str(sa.get("remote-id")),
        "encap": encap,
        "nat_local": _yes(sa.get("nat-local")),
        "nat_remote": _yes(sa.get("nat-remote")),
        "encr_alg": _str(sa.get("encr-alg")),
        "encr_keysize": _int(sa.get("encr-keysize")),
        "integ_alg": _str(sa.get("integ-alg")),
        "prf_alg": _str(sa.get("prf-alg")),
        "dh_group": _str(sa.get("dh-group")),
        "established": established,
        "established_at": _iso(now, established),
        "rekey_time": _int(sa.get("rekey-time")),
        "reauth_time": _int(sa.get("reauth-time")),
        "tasks_active": [_str(t) for t in sa.get("tasks-active") or []],
    }


def _child_view(key, child, now):
    install_time = _int(child.get("install-time"))
    return {
        "name": _child_name(key, child),
        "uniqueid": _int(child.get("uniqueid")),
        "reqid": _int(child.get("reqid")),
        "state": _str(child.get("state")),
        "mode": _str(child.get("mode")),
        "protocol": _str(child.get("protocol")),
        "encap": _yes(child.get("encap")),
        "spi_in": _str(child.get("spi-in")),
        "spi_out": _str(child.get("spi-out")),
        "encr_alg": _str(child.get("encr-alg")),
        "encr_keysize": _int(child.get("encr-keysize")),
        "integ_alg": _str(child.get("integ-alg")),
        "dh_group": _str(child.get("dh-group")),
        "rekey_time": _int(child.get("rekey-time")),
        "life_time": _int(child.get("life-time")),
        "install_time": install_time,
        "installed_at": _iso(now, install_time),
        "bytes_in": _int(child.get("bytes-in")),
        "bytes_out": _int(child.get("bytes-out")),
        "packets_in": _int(child.get("packets-in")),
        "packets_out": _int(child.get("packets-out")),
        "use_in": _int(child.get("use-in")),
        "use_out": _int(child.get("use-out")),
        "local_ts": [_str(t) for t in child.get("local-ts") or []],
        "remote_ts": [_str(t) for t in child.get("remote-ts") or []],
    }


def _children(sa, name):
    return [(k, c) for k, c in (sa.get("child-sas") or {}).items()
            if isinstance(c, dict) and _child_name(k, c) == name]


def _sa_rank(sa, name):
    state = _str(sa.get("state"))
    installed = any(_str(c.get("state")) in CHILD_UP for _k, c in _children(sa, name))
    order = {"ESTABLISHED": 0, "REKEYING": 1, "CONNECTING": 2}.get(state, 3)
    established = _int(sa.get("established"))
    return (0 if installed else 1, order, established if established is not None else 1 << 62)


def _child_rank(child):
    state = _str(child.get("state"))
    return ({"INSTALLED": 0, "REKEYING": 1}.get(state, 2), _int(child.get("install-time")) or 0)


def _expected_ts(tunnel, data_plane):
    """Candidate intended selector sets ``[(local, remote)]``; empty when unknown."""
    if tunnel.get("traffic_selectors"):
        cands = [tunnel["traffic_selectors"]]
    elif data_plane == "libipsec":
        cands = [tunnel.get("libipsec_selectors")]
    elif data_plane == "xfrm":
        cands = [XFRM_SELECTORS]
    else:
        cands = [tunnel.get("libipsec_selectors"), XFRM_SELECTORS]
    return [(_ts_set(c.get("local")), _ts_set(c.get("remote"))) for c in cands if c]


# --- per-tunnel checks ----------------------------------------------------------------------------------
def _conn_checks(tunnel, conn, reasons):
    """The loaded connection against the intent: stale config means the role did not run."""
    name = tunnel["name"]
    diffs = []
    peer = tunnel.get("peer_gateway")
    remote_addrs = [_str(a) for a in conn.get("remote_addrs") or []]
    if peer and remote_addrs and remote_addrs != [peer]:
        diffs.append("remote_addrs %s instead of %s" % (",".join(remote_addrs), peer))
    local = tunnel.get("local_gateway")
    local_addrs = [_str(a) for a in conn.get("local_addrs") or []]
    if local and local_addrs and local_addrs != [local]:
        diffs.append("local_addrs %s instead of %s" % (",".join(local_addrs), local))
    version = _str(conn.get("version"))
    if version and version != "IKEv2":
        diffs.append("version %s instead of IKEv2" % version)
    for key, vici_key in (("rekey_time", "rekey_time"), ("reauth_time", "reauth_time"), ("dpd_delay", "dpd_delay")):
        want, have = tunnel.get(key), _int(conn.get(vici_key))
        if want is not None and have is not None and int(want) != have:
            diffs.append("%s %s instead of %s" % (key, have, want))
    children = conn.get("children") or {}
    child = children.get(name)
    if child is None and children is not None:
        reasons.append("connection %s is loaded without its CHILD %s (children: %s): run the ipsec_tunnels role"
                       % (name, name, ", ".join(sorted(children)) or "none"))
    elif child is not None:
        want, have = tunnel.get("child_rekey_time"), _int(child.get("rekey_time"))
        if want is not None and have is not None and int(want) != have:
            diffs.append("child rekey_time %s instead of %s" % (have, want))
        for key in ("dpd_action", "close_action"):
            want, have = ACTIONS.get(tunnel.get(key)), _str(child.get(key))
            if want and have and want != have:
                word = tunnel.get(key)
                diffs.append("%s %s instead of %s%s" % (key, have, want, "" if word == want else " (%s)" % word))
    if diffs:
        reasons.append("the connection loaded in charon differs from the intended one (%s): run the ipsec_tunnels role"
                       % "; ".join(diffs))
    return child


def _connecting_reason(ike, peer):
    who = peer or ike.get("remote_host") or "the partner gateway"
    if ike["initiator"] and _str(ike.get("_responder_spi") or "").strip("0") == "":
        return ("IKE SA CONNECTING: peer %s has not answered IKE_SA_INIT (charon is retransmitting): check reachability "
                "of UDP 500/4500 to %s and that the partner has this tunnel configured and up" % (who, who))
    if ike["initiator"]:
        return ("IKE SA CONNECTING: peer %s answered IKE_SA_INIT but IKE_AUTH has not completed: authentication or "
                "identity problem (PSK, certificate, local_id/remote_id) or large IKE_AUTH packets (certificates) "
                "dropped on the path" % who)
    return ("IKE SA CONNECTING as responder: peer %s started IKE_SA_INIT but has not completed IKE_AUTH "
            "(authentication/identity problem or IKE_AUTH packets lost)" % who)


def _traffic_reasons(child, reasons):
    pin, pout = child.get("packets_in"), child.get("packets_out")
    age = child.get("install_time")
    if pin is None or pout is None:
        return
    old_enough = age is None or age >= ONE_WAY_GRACE
    if old_enough and pout > 0 and pin == 0:
        reasons.append("one-way traffic: %d packets sent into the tunnel in %ss, none received: the partner does not send "
                       "back (their routing/BGP/selectors) or ESP%s is filtered on the way back"
                       % (pout, age if age is not None else "?", " (UDP 4500)" if child.get("encap") else ""))
    elif old_enough and pin > 0 and pout == 0:
        reasons.append("one-way traffic: %d packets received from the partner in %ss, none sent: our routing does not "
                       "steer traffic into the tunnel (check routes/BGP over the inside network)"
                       % (pin, age if age is not None else "?"))
    elif child.get("use_out") is not None and child["use_out"] < ONE_WAY_GRACE and pin > 0 and \
            child.get("use_in") is not None and child["use_in"] >= INBOUND_SILENCE:
        reasons.append("one-way traffic: nothing received for %ss while we keep sending (last sent %ss ago): the "
                       "partner stopped sending" % (child["use_in"], child["use_out"]))


def _evaluate_one(tunnel, conns, sas, now, data_plane):
    name = tunnel["name"]
    intended = "peer_gateway" in tunnel
    conn = (conns.get(name) or [None])[0]
    peer = tunnel.get("peer_gateway") or (_str(((conn or {}).get("remote_addrs") or [None])[0]) if conn else None)
    reasons = []
    entry = {"name": name, "partner": tunnel.get("partner") or partner_of(name), "loaded": conn is not None,
             "ike_state": None, "ike": None, "child": None, "ike_sas": 0, "healthy": False, "reasons": reasons,
             "warnings": []}

    conn_child = None
    if conn is None:
        reasons.append("connection %s is not loaded in charon: run the ipsec_tunnels role (it writes "
                       "/etc/swanctl/conf.d/paynet-%s.conf and runs swanctl --load-all)" % (name, name))
    elif intended:
        conn_child = _conn_checks(tunnel, conn, reasons)
    else:
        conn_child = (conn.get("children") or {}).get(name)

    ike_sas = sorted(sas.get(name) or [], key=lambda sa: _sa_rank(sa, name))
    entry["ike_sas"] = len(ike_sas)
    if not ike_sas:
        how = ""
        if tunnel.get("start_action") == "trap":
            how = " (start_action trap: it is only started by traffic matching the selectors)"
        elif tunnel.get("start_action") == "none":
            how = " (start_action none: we wait for the partner to initiate)"
        reasons.append("IKE SA down%s: peer %s not answering or rejecting us / check reachability of UDP 500/4500 to %s "
                       "and the initiate log (swanctl --initiate --child %s)"
                       % (how, peer or "(unknown)", peer or "the partner gateway", name))
        return entry

    sa = ike_sas[0]
    ike = _ike_view(sa, now)
    ike["_responder_spi"] = _str(sa.get("responder-spi"))
    entry["ike_state"] = ike["state"]
    established = [s for s in ike_sas if _str(s.get("state")) == "ESTABLISHED"]
    if len(established) > 1:
        # traffic flows (the best SA is used); an anomaly to look at, not an outage
        entry["warnings"].append(
            "%d IKE SAs ESTABLISHED for %s (duplicate; unique ids %s): both sides initiated; the duplicates should be "
            "deleted by charon (uniqueness) -- if they persist, set start_action so that only one side initiates"
            % (len(established), name, ", ".join(_str(s.get("uniqueid")) or "?" for s in established)))

    if ike["state"] == "CONNECTING":
        reasons.append(_connecting_reason(ike, peer))
    elif ike["state"] not in IKE_UP:
        hint = {"DELETING": "being deleted (DPD timeout, or the partner sent a DELETE)",
                "DESTROYING": "being destroyed", "REKEYED": "replaced by a rekeyed IKE SA",
                "CREATED": "created but not started", "PASSIVE": "passive (HA)"}.get(ike["state"], "not usable")
        reasons.append("IKE SA %s: %s" % (ike["state"], hint))
    del ike["_responder_spi"]
    entry["ike"] = ike

    if ike["state"] in IKE_UP:
        mismatch = _algorithm_mismatch(ike, tunnel.get("ike_proposals"), "ike")
        if mismatch:
            reasons.append("IKE algorithms in use differ from the intended proposals %s: %s"
                           % (", ".join(tunnel.get("ike_proposals")), mismatch))
        remote = _ip(peer) if intended else None
        if remote is not None and _ip(ike["remote_host"]) not in (None, remote):
            reasons.append("IKE SA is with %s, not the intended peer_gateway %s" % (ike["remote_host"], peer))
        local = _ip(tunnel.get("local_gateway")) if intended else None
        if local is not None and _ip(ike["local_host"]) not in (None, local):
            reasons.append("IKE SA uses our address %s, not the intended local_gateway %s"
                           % (ike["local_host"], tunnel.get("local_gateway")))

    children = sorted(_children(sa, name), key=lambda kc: _child_rank(kc[1]))
    if children:
        key, raw = children[0]
        child = _child_view(key, raw, now)
        entry["child"] = child
        installed = [c for _k, c in children if _str(c.get("state")) == "INSTALLED"]
        if len(installed) > 1:
            entry["warnings"].append(
                "%d CHILD SAs INSTALLED for %s (duplicate, both sides created one): harmless for traffic but "
                "doubles rekeying; check that only one side initiates" % (len(installed), name))
        if child["state"] not in CHILD_UP:
            hint = {"INSTALLING": "the kernel/libipsec has not accepted the SA yet",
                    "ROUTED": "only a trap policy is installed: waiting for traffic",
                    "RETRYING": "the partner asked to retry (e.g. another DH group)",
                    "DELETING": "being deleted", "DELETED": "deleted", "REKEYED": "replaced by a rekeyed CHILD SA",
                    "CREATED": "created, negotiation not finished", "UPDATING": "being updated"}.get(child["state"], "")
            reasons.append("CHILD SA %s is %s, not INSTALLED%s" % (name, child["state"], (": " + hint) if hint else ""))
        else:
            mismatch = _algorithm_mismatch(child, tunnel.get("esp_proposals"), "esp")
            if mismatch:
                reasons.append("ESP algorithms in use differ from the intended proposals %s: %s"
                               % (", ".join(tunnel.get("esp_proposals")), mismatch))
            _ts_reasons(tunnel, child, conn_child, data_plane, intended, reasons)
            _traffic_reasons(child, reasons)
    elif ike["state"] in IKE_UP:
        reasons.append("CHILD SA %s missing: the IKE SA is up but no CHILD SA (the partner rejected our traffic selectors "
                       "or ESP proposals -- TS_UNACCEPTABLE / NO_PROPOSAL_CHOSEN -- or closed it; see close_action)" % name)
    return entry


def _ts_reasons(tunnel, child, conn_child, data_plane, intended, reasons):
    have = (_ts_set(child["local_ts"]), _ts_set(child["remote_ts"]))
    configured = None
    if conn_child is not None:
        configured = (_ts_set(conn_child.get("local-ts")), _ts_set(conn_child.get("remote-ts")))
    candidates = _expected_ts(tunnel, data_plane) if intended else []
    if not candidates and configured is not None and "dynamic" not in configured[0] | configured[1]:
        candidates = [configured]
    if not candidates or have in candidates:
        return
    want = configured if configured in candidates else candidates[0]
    parts = []
    for side, got, exp in (("local", have[0], want[0]), ("remote", have[1], want[1])):
        if got != exp:
            parts.append("%s %s instead of %s" % (side, _ts_text(got), _ts_text(exp)))
    narrowed = all(g <= e for g, e in zip(have, want))
    reasons.append("traffic selectors differ from the intended ones%s: %s" % (
        " (narrowed by the partner: their side allows less)" if narrowed else "", "; ".join(parts)))


def evaluate(tunnels, list_sas, list_conns, now=None, data_plane=None):
    """Health of each tunnel.

    ``tunnels``: normalised tunnel dicts (the intent); empty/None reports every loaded connection
    (and IKE SA) named ``partner-*`` without comparing algorithms. ``list_sas`` / ``list_conns``:
    the VICI events (``[{name: section}]``). ``now``: epoch seconds for the ``*_at`` timestamps
    (default: the current time). ``data_plane``: "xfrm" / "libipsec" picks the default traffic
    selectors of tunnels without ``traffic_selectors``; None accepts either default.

    Returns ``{"tunnels": [{name, partner, loaded, ike_state, ike, child, ike_sas, healthy,
    reasons}], "healthy": n, "unhealthy": n, "unexpected": [loaded partner-* conns not in the
    intent]}``.
    """
    now = time.time() if now is None else now
    conns = _index(list_conns)
    sas = _index(list_sas)
    wanted = list(tunnels or [])
    unexpected = []
    if not wanted:
        names = sorted(n for n in set(conns) | set(sas) if n.startswith(PREFIX))
        wanted = [{"name": n} for n in names]
    else:
        names = {t["name"] for t in wanted}
        unexpected = sorted(n for n in conns if n.startswith(PREFIX) and n not in names)
    out = []
    for tunnel in wanted:
        entry = _evaluate_one(tunnel, conns, sas, now, data_plane)
        entry["healthy"] = not entry["reasons"]
        out.append(entry)
    healthy = sum(1 for t in out if t["healthy"])
    return {"tunnels": out, "healthy": healthy, "unhealthy": len(out) - healthy, "unexpected": unexpected}


def summary_line(result):
    """One line: ``IPsec: 2/3 tunnels healthy; partner-x: IKE SA down: ...``."""
    tunnels = result.get("tunnels") or []
    if not tunnels:
        line = "IPsec: no partner tunnels"
    else:
        line = "IPsec: %d/%d tunnels healthy" % (result.get("healthy", 0), len(tunnels))
        bad = [t for t in tunnels if not t.get("healthy")]
        if bad:
            line += "; " + "; ".join("%s: %s" % (t["name"], (t.get("reasons") or ["unhealthy"])[0]) for t in bad)
    if result.get("unexpected"):
        line += "; loaded but not intended: %s" % ", ".join(result["unexpected"])
    return line


# --- initiate log -----------------------------------------------------------------------------------
_LOG_HINTS = (
    (re.compile(r"received AUTHENTICATION_FAILED"),
     "the partner rejected our authentication (AUTHENTICATION_FAILED): PSK differs, or our certificate/local_id "
     "is not what the partner expects"),
    (re.compile(r"MAC mismatched|verification of AUTH payload .* failed|AUTH payload verification failed", re.I),
     "the partner's authentication did not verify: the pre-shared keys differ"),
    (re.compile(r"no shared key found"), "no pre-shared key loaded for these identities (local_id/remote_id vs secrets)"),
    (re.compile(r"no trusted \S+ public key found|no issuer certificate found|certificate .* not trusted", re.I),
     "the partner's certificate is not trusted by the configured CA, or its identity does not match remote_id"),
    (re.compile(r"constraint check failed|identity '.*' required", re.I),
     "the partner's identity does not match remote_id"),
    (re.compile(r"received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"),
     "the partner accepts none of our ESP proposals (NO_PROPOSAL_CHOSEN for the CHILD SA)"),
    (re.compile(r"received NO_PROPOSAL_CHOSEN"),
     "the partner accepts none of our IKE proposals (NO_PROPOSAL_CHOSEN)"),
    (re.compile(r"no acceptable proposal found|no matching proposal found", re.I),
     "no common proposal with the partner"),
    (re.compile(r"received TS_UNACCEPTABLE"),
     "the partner rejected our traffic selectors (TS_UNACCEPTABLE): align traffic_selectors/inside with theirs"),
    (re.compile(r"received INVALID_KE_PAYLOAD|peer didn't accept DH group"),
     "the partner wants another DH group first (INVALID_KE_PAYLOAD; usually recovered automatically)"),
    (re.compile(r"giving up after (\d+) retransmits"),
     "the partner gateway does not answer: giving up after retransmits -- check UDP 500/4500 reachability"),
    (re.compile(r"unable to resolve|no address found for", re.I), "the peer address cannot be resolved"),
    (re.compile(r"unable to install|failed to install|installing .* failed", re.I),
     "the kernel (or libipsec) refused the IPsec SA/policy: check the data plane (XFRM support / kernel-libipsec)"),
)
_RETRANSMIT = re.compile(r"retransmit (\d+) of request")


def explain_log(lines):
    """Specific reasons from the control-log lines of a failed initiate (most telling first)."""
    text = "\n".join(_str(line) or "" for line in lines or [])
    out = []
    for pattern, why in _LOG_HINTS:
        if pattern.search(text) and why not in out:
            out.append(why)
    retransmits = _RETRANSMIT.findall(text)
    if retransmits and not any("does not answer" in r for r in out):
        out.append("the partner gateway answers slowly or not at all (%s retransmits so far)" % max(int(r) for r in retransmits))
    return out
