# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPsec partner tunnels on strongSwan (swanctl/charon 5.9): render, parse, mask and plan the
``paynet-*`` files under ``/etc/swanctl`` (see docs/ipsec.md, "Files on the gateway").

Input is the normalised tunnel dict of docs/ipsec.md. Every tunnel owns up to four files::

    <root>/conf.d/paynet-<name>.conf        0600  connection (+ its ``secrets`` section for psk)
    <root>/x509ca/paynet-<name>-ca.pem      0644  partner CA            (pubkey)
    <root>/x509/paynet-<name>.pem           0644  our certificate       (pubkey)
    <root>/private/paynet-<name>.pem        0600  our private key       (pubkey, never shown)

Files with any other name are never read, written or deleted by :func:`plan`.

The conf file starts with comment lines: a "managed by" header and ``# paynet-meta <key> = <json>``
lines (``name`` first) with the tunnel fields charon does not use (partner, tunnel, description, inside, if_id, interface,
traffic_selectors, libipsec_selectors, crypto_exception), so :func:`tunnels_from_conf` gives back
exactly the tunnel that was rendered. Charon's view (addresses, ids, proposals, timers, actions,
selectors, if_id, secret) is always read from the settings themselves, never from the meta line.

Plain Python 3.9 (runs on the gateway), no Ansible imports.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import base64
import binascii
import json
import posixpath
import re

from ....core.secrets import MASK

ROOT = "/etc/swanctl"
DATAPLANES = ("xfrm", "libipsec")
STATES = ("merged", "replaced", "overridden", "deleted")
FILE_PREFIX = "paynet-"
CONF_MODE = 0o600
KEY_MODE = 0o600
CERT_MODE = 0o644
XFRM_SELECTORS = ["0.0.0.0/0", "::/0"]
DPD_ACTIONS = ("clear", "trap", "restart")
START_ACTIONS = ("none", "trap", "start", "trap|start")
CLOSE_ACTIONS = ("none", "trap", "start")
META_KEYS = ("partner", "tunnel", "description", "inside", "if_id", "interface", "traffic_selectors",
             "libipsec_selectors", "crypto_exception")
HEADER = "# Managed by paynet.netinfra: partner %s, tunnel %s. Do not edit: changes are overwritten."
META_PREFIX = "# paynet-meta "
MASKED_KEYS = ("secret", "pin")
KEY_SHOWN = "(private key, not shown)"
KEY_SHOWN_CHANGED = "(private key, not shown, changed)"
INDENT = "    "

# strongSwan defaults (swanctl.conf(5), 5.9) used when a setting is absent from a parsed file.
_DEFAULTS = {"dpd_delay": 0, "rekey_time": 4 * 3600, "reauth_time": 0, "child_rekey_time": 3600,
             "dpd_action": "clear", "start_action": "none", "close_action": "none"}

_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_LIST_ITEM_RE = re.compile(r"^[^\s,#{}\"\\]+$")
_OWNED = (
    ("conf", re.compile(r"^conf\.d/paynet-(?P<name>[A-Za-z0-9_-]+)\.conf$")),
    ("ca", re.compile(r"^x509ca/paynet-(?P<name>[A-Za-z0-9_-]+)-ca\.pem$")),
    ("cert", re.compile(r"^x509/paynet-(?P<name>[A-Za-z0-9_-]+)\.pem$")),
    ("key", re.compile(r"^private/paynet-(?P<name>[A-Za-z0-9_-]+)\.pem$")),
)
_MODES = {"conf": CONF_MODE, "ca": CERT_MODE, "cert": CERT_MODE, "key": KEY_MODE}
_TIME_RE = re.compile(r"^(\d+)([smhd]?)$")
_TIME_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class SwanctlError(ValueError):
    """A tunnel cannot be rendered or a change cannot be planned (the message names the field)."""


class ConfParseError(ValueError):
    """Text is not valid strongSwan settings syntax (message carries the line number)."""


# -- paths and ownership --------------------------------------------------------------------------
def _root(root):
    root = (root or ROOT).rstrip("/")
    return root or "/"


def tunnel_paths(name, root=ROOT):
    """{"conf", "ca", "cert", "key"} -> path of each file tunnel ``name`` may own."""
    root = _root(root)
    return {
        "conf": posixpath.join(root, "conf.d", "%s%s.conf" % (FILE_PREFIX, name)),
        "ca": posixpath.join(root, "x509ca", "%s%s-ca.pem" % (FILE_PREFIX, name)),
        "cert": posixpath.join(root, "x509", "%s%s.pem" % (FILE_PREFIX, name)),
        "key": posixpath.join(root, "private", "%s%s.pem" % (FILE_PREFIX, name)),
    }


def owned_file(path, root=ROOT):
    """(tunnel name, kind) for a file we own (kind: conf | ca | cert | key), else None."""
    root = _root(root)
    prefix = root if root.endswith("/") else root + "/"
    if not isinstance(path, str) or not path.startswith(prefix):
        return None
    rel = path[len(prefix):]
    for kind, pattern in _OWNED:
        match = pattern.match(rel)
        if match:
            return match.group("name"), kind
    return None


# -- rendering ------------------------------------------------------------------------------------
def _value(text):
    """A settings value as written: bare when the lexer reads it back unchanged, else quoted."""
    text = str(text)
    if text and not re.search(r"[\s#{}\"\\]", text) and text.isprintable():
        return text
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return '"%s"' % escaped


def _section_name(name, field="name"):
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise SwanctlError("%s: %r cannot be used as a swanctl section and file name; use letters, digits, '_' and '-'"
                           % (field, name))
    return name


def _join(items, field):
    if isinstance(items, str) or not items:
        raise SwanctlError("%s: must be a non-empty list, got %r" % (field, items))
    for item in items:
        if not isinstance(item, str) or not _LIST_ITEM_RE.match(item):
            raise SwanctlError("%s: %r is not a valid list item (no blanks, commas, quotes, '#', braces)" % (field, item))
    return ",".join(items)


def _seconds(value, field):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SwanctlError("%s: must be a whole number of seconds >= 0, got %r" % (field, value))
    return "%ds" % value


def _choice(value, choices, field):
    if value not in choices:
        raise SwanctlError("%s: must be one of %s, got %r" % (field, ", ".join(choices), value))
    return value


def _check_dataplane(dataplane):
    if dataplane not in DATAPLANES:
        raise SwanctlError("dataplane: must be one of %s (resolve 'auto' first), got %r" % (", ".join(DATAPLANES), dataplane))


def child_selectors(tunnel, dataplane):
    """(local_ts, remote_ts) lists the CHILD_SA uses: traffic_selectors, else the data plane default."""
    _check_dataplane(dataplane)
    ts = tunnel.get("traffic_selectors")
    field = "traffic_selectors"
    if ts is None:
        if dataplane == "xfrm":
            return list(XFRM_SELECTORS), list(XFRM_SELECTORS)
        ts = tunnel.get("libipsec_selectors")
        field = "libipsec_selectors"
        if not ts:
            raise SwanctlError("%s: the libipsec data plane needs libipsec_selectors (or traffic_selectors) for tunnel %s"
                               % (field, tunnel.get("name")))
    if not isinstance(ts, dict) or not ts.get("local") or not ts.get("remote"):
        raise SwanctlError("%s: needs non-empty 'local' and 'remote' lists, got %r" % (field, ts))
    return list(ts["local"]), list(ts["remote"])


class _Writer:
    def __init__(self):
        self.lines = []
        self.depth = 0

    def open(self, name):
        self.lines.append("%s%s {" % (INDENT * self.depth, name))
        self.depth += 1

    def close(self):
        self.depth -= 1
        self.lines.append("%s}" % (INDENT * self.depth))

    def kv(self, key, value):
        self.lines.append("%s%s = %s" % (INDENT * self.depth, key, _value(value)))


def _meta_lines(tunnel, name):
    """``# paynet-meta <key> = <json>`` lines: the tunnel fields charon does not use (name line first)."""
    lines = [META_PREFIX + "name = " + json.dumps(name)]
    for key in META_KEYS:
        lines.append("%s%s = %s" % (META_PREFIX, key, json.dumps(tunnel.get(key), sort_keys=True, ensure_ascii=True, default=str)))
    return lines


def _b64(secret):
    return "0s" + base64.b64encode(secret.encode("utf-8")).decode("ascii")


def render_conf(tunnel, dataplane):
    """Text of ``conf.d/paynet-<name>.conf`` for ``tunnel`` on ``dataplane`` ("xfrm" or "libipsec")."""
    _check_dataplane(dataplane)
    name = _section_name(tunnel.get("name"))
    auth = tunnel.get("auth") or {}
    method = _choice(auth.get("method"), ("psk", "pubkey"), "auth.method")
    if not tunnel.get("peer_gateway"):
        raise SwanctlError("peer_gateway: required for tunnel %s" % name)
    if not tunnel.get("remote_id"):
        raise SwanctlError("remote_id: required for tunnel %s" % name)
    local_ts, remote_ts = child_selectors(tunnel, dataplane)
    out = _Writer()
    out.lines.append(HEADER % (tunnel.get("partner"), tunnel.get("tunnel")))
    out.lines.extend(_meta_lines(tunnel, name))
    out.open("connections")
    out.open(name)
    out.kv("version", "2")
    if tunnel.get("local_gateway"):
        out.kv("local_addrs", tunnel["local_gateway"])
    out.kv("remote_addrs", tunnel["peer_gateway"])
    out.kv("proposals", _join(tunnel.get("ike_proposals"), "ike_proposals"))
    out.kv("dpd_delay", _seconds(tunnel.get("dpd_delay"), "dpd_delay"))
    out.kv("rekey_time", _seconds(tunnel.get("rekey_time"), "rekey_time"))
    out.kv("reauth_time", _seconds(tunnel.get("reauth_time"), "reauth_time"))
    out.kv("mobike", "no")
    # a partner tunnel is never given up: retry for ever (with dpd_action/close_action restart/start)
    out.kv("keyingtries", "0")
    # one IKE SA per partner gateway: when both ends re-establish at once (DPD restart on both sides),
    # the newer IKE SA replaces the older instead of leaving duplicates
    out.kv("unique", "replace")
    out.open("local")
    out.kv("auth", method)
    if tunnel.get("local_id"):
        out.kv("id", tunnel["local_id"])
    if method == "pubkey":
        out.kv("certs", posixpath.basename(tunnel_paths(name)["cert"]))
    out.close()
    out.open("remote")
    out.kv("auth", method)
    out.kv("id", tunnel["remote_id"])
    if method == "pubkey":
        out.kv("cacerts", posixpath.basename(tunnel_paths(name)["ca"]))
    out.close()
    out.open("children")
    out.open(name)
    out.kv("local_ts", _join(local_ts, "local_ts"))
    out.kv("remote_ts", _join(remote_ts, "remote_ts"))
    out.kv("esp_proposals", _join(tunnel.get("esp_proposals"), "esp_proposals"))
    out.kv("start_action", _choice(tunnel.get("start_action"), START_ACTIONS, "start_action"))
    out.kv("close_action", _choice(tunnel.get("close_action"), CLOSE_ACTIONS, "close_action"))
    out.kv("dpd_action", _choice(tunnel.get("dpd_action"), DPD_ACTIONS, "dpd_action"))
    out.kv("rekey_time", _seconds(tunnel.get("child_rekey_time"), "child_rekey_time"))
    if dataplane == "xfrm":
        if_id = tunnel.get("if_id")
        if isinstance(if_id, bool) or not isinstance(if_id, int) or not 0 < if_id <= 0xFFFFFFFF:
            raise SwanctlError("if_id: the xfrm data plane needs an interface id 1..4294967295, got %r" % (if_id,))
        out.kv("if_id_in", str(if_id))
        out.kv("if_id_out", str(if_id))
    while out.depth:  # children.<name>, children, <name>, connections
        out.close()
    if method == "psk":
        psk = auth.get("psk")
        if not isinstance(psk, str) or not psk:
            raise SwanctlError("auth.psk: tunnel %s needs a non-empty pre-shared key" % name)
        out.open("secrets")
        out.open("ike-%s" % name)
        if tunnel.get("local_id"):
            out.kv("id-local", tunnel["local_id"])
        out.kv("id-remote", tunnel["remote_id"])
        out.kv("secret", _b64(psk))
        out.close()
        out.close()
    return "\n".join(out.lines) + "\n"


def normalise_pem(text):
    """PEM text with CRLF turned into LF, surrounding blank space removed and exactly one final newline."""
    return str(text).replace("\r\n", "\n").strip() + "\n"


def _check_pem(text, field, private):
    if not isinstance(text, str) or not text.strip():
        raise SwanctlError("auth.%s: required for pubkey authentication" % field)
    has_key = "PRIVATE KEY-----" in text
    if private and not has_key:
        raise SwanctlError("auth.%s: is not a PEM private key (no '-----BEGIN ... PRIVATE KEY-----')" % field)
    if not private and (has_key or "-----BEGIN CERTIFICATE-----" not in text):
        raise SwanctlError("auth.%s: must be a PEM certificate (BEGIN CERTIFICATE) and must not hold a private key" % field)
    return normalise_pem(text)


def render_files(tunnels, dataplane, root=ROOT):
    """{path: (content, mode)} of every file of every tunnel, sorted by path."""
    _check_dataplane(dataplane)
    files = {}
    seen = set()
    for tunnel in tunnels:
        name = _section_name(tunnel.get("name"))
        if name in seen:
            raise SwanctlError("name: tunnel %s is listed twice" % name)
        seen.add(name)
        paths = tunnel_paths(name, root)
        files[paths["conf"]] = (render_conf(tunnel, dataplane), CONF_MODE)
        auth = tunnel["auth"]
        if auth["method"] == "pubkey":
            files[paths["ca"]] = (_check_pem(auth.get("ca_cert"), "ca_cert", False), CERT_MODE)
            files[paths["cert"]] = (_check_pem(auth.get("cert"), "cert", False), CERT_MODE)
            files[paths["key"]] = (_check_pem(auth.get("key"), "key", True), KEY_MODE)
    return {path: files[path] for path in sorted(files)}


# -- parsing strongSwan settings syntax -----------------------------------------------------------
# Tokens: (kind, value, start, end, line). Kinds: NAME, VALUE (after "="; value None when empty),
# NL, "{", "}", "=", ":", ",". Mirrors libstrongswan's settings_lexer.l / settings_parser.y.
_NAME_CHARS = re.compile(r"[^#{}=\",:\r\n\t ]+")
_VALUE_CHARS = re.compile(r"[^#}\"\r\n\t ]+")


def _string(text, i, line):
    """Quoted string body starting after the opening quote -> (value, index after quote, line)."""
    out = []
    n = len(text)
    start_line = line
    while i < n:
        c = text[i]
        if c == '"':
            return "".join(out), i + 1, line
        if c == "\\":
            if i + 1 >= n:
                break
            nxt = text[i + 1]
            if nxt == "\n":
                i, line = i + 2, line + 1
                continue
            if nxt == "\r" and text[i + 2:i + 3] == "\n":
                i, line = i + 3, line + 1
                continue
            out.append({"n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt))
            i += 2
            continue
        if c == "\r":
            i += 1
            continue
        if c == "\n":
            line += 1
        out.append(c)
        i += 1
    raise ConfParseError("line %d: unterminated string" % start_line)


def _tokens(text):
    tokens = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c == "\n":
            tokens.append(("NL", None, i, i + 1, line))
            line += 1
            i += 1
        elif c in "{}:,":
            tokens.append((c, None, i, i + 1, line))
            i += 1
        elif c == '"':
            raise ConfParseError("line %d: unexpected string (quotes are only allowed in values)" % line)
        elif c == "=":
            tokens.append(("=", None, i, i + 1, line))
            i += 1
            parts, start, end = [], None, None
            while i < n:
                c = text[i]
                if c in " \t\r":
                    i += 1
                    continue
                if c in "#}\n":
                    break
                if start is None:
                    start = i
                if c == '"':
                    value, i, line = _string(text, i + 1, line)
                else:
                    match = _VALUE_CHARS.match(text, i)
                    value, i = match.group(0), match.end()
                parts.append(value)
                end = i
            tokens.append(("VALUE", " ".join(parts) if parts else None, start, end, line))
        elif text.startswith("include", i) and _is_include(text, i):
            # include <pattern>: files are not followed here; the statement is skipped.
            j = i + len("include")
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == '"':
                j, line = _string(text, j + 1, line)[1:]
            else:
                while j < n and text[j] not in "#}\n\t ":
                    j += 2 if text[j] == "\\" and j + 1 < n else 1
            i = j
        else:
            match = _NAME_CHARS.match(text, i)
            tokens.append(("NAME", match.group(0), i, match.end(), line))
            i = match.end()
    return tokens


def _is_include(text, i):
    """'include' followed by blanks and then not '=' (flex rule ``"include"[\\t ]+/[^=]``)."""
    j = i + len("include")
    if j >= len(text) or text[j] not in " \t":
        return False
    while j < len(text) and text[j] in " \t":
        j += 1
    return j < len(text) and text[j] not in "=\n"


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0
        self.assignments = []  # (section path, key, VALUE token) in file order

    def peek(self, skip_nl=False):
        pos = self.pos
        while skip_nl and pos < len(self.tokens) and self.tokens[pos][0] == "NL":
            pos += 1
        return self.tokens[pos] if pos < len(self.tokens) else None

    def error(self, token, message):
        line = token[4] if token else (self.tokens[-1][4] if self.tokens else 1)
        raise ConfParseError("line %d: %s" % (line, message))

    def statements(self, section, path, top, open_line=None):
        while True:
            token = self.peek()
            if token is None:
                if not top:
                    raise ConfParseError("line %d: section %s is never closed (missing '}')" % (open_line, ".".join(path)))
                return
            kind = token[0]
            if kind == "NL":
                self.pos += 1
            elif kind == "}":
                if top:
                    self.error(token, "unexpected '}'")
                self.pos += 1
                return
            elif kind == "NAME":
                self.statement(section, path)
            else:
                self.error(token, "unexpected %r" % (token[1] or kind))

    def statement(self, section, path):
        name_token = self.tokens[self.pos]
        name = name_token[1]
        self.pos += 1
        token = self.peek()
        if token is not None and token[0] == "=":
            value = self.tokens[self.pos + 1]
            self.pos += 2
            if isinstance(section.get(name), dict):
                self.error(name_token, "%s is both a section and a setting" % ".".join(path + (name,)))
            section[name] = value[1]
            self.assignments.append((path, name, value))
            return
        if token is not None and token[0] == ":":  # section references: inherited settings are not resolved
            self.pos += 1
            while self.peek() is not None and self.peek()[0] in ("NAME", ","):
                self.pos += 1
        token = self.peek(skip_nl=True)
        if token is None or token[0] != "{":
            self.error(token or name_token, "expected '=' or '{' after %s" % name)
        while self.tokens[self.pos][0] == "NL":
            self.pos += 1
        self.pos += 1
        existing = section.get(name)
        if existing is not None and not isinstance(existing, dict):
            self.error(name_token, "%s is both a setting and a section" % ".".join(path + (name,)))
        sub = {}
        self.statements(sub, path + (name,), False, name_token[4])
        if existing is None:
            section[name] = sub
        else:
            _extend(existing, sub)


def _extend(target, source):
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _extend(target[key], value)
        else:
            target[key] = value


def _parse(text):
    parser = _Parser(_tokens(text))
    root = {}
    parser.statements(root, (), True)
    return root, parser.assignments


def parse_conf(text):
    """strongSwan settings text (swanctl.conf / strongswan.conf syntax) -> nested dict.

    Sections become dicts, settings strings (``None`` for an empty assignment ``key =``). Quoted
    values are unescaped, several words of one value are joined by one blank, a repeated section
    extends the earlier one and a repeated key replaces it (as libstrongswan does). Comments and
    ``include`` statements are skipped; section references (``a : b {``) are not resolved.
    Raises :class:`ConfParseError` with the line number on a syntax error.
    """
    return _parse(text)[0]


def parse_seconds(value, field="time"):
    """strongSwan time value ("10", "10s", "30m", "4h", "1d") -> int seconds."""
    match = _TIME_RE.match((value or "").strip())
    if not match:
        raise ConfParseError("%s: %r is not a strongSwan time value" % (field, value))
    return int(match.group(1)) * _TIME_UNITS[match.group(2)]


def decode_secret(value):
    """A swanctl secret value (0s<base64>, 0x<hex> or plain) -> str."""
    if value is None:
        return None
    try:
        if value.startswith("0s"):
            raw = base64.b64decode(value[2:], validate=True)
        elif value.startswith("0x"):
            raw = binascii.unhexlify(value[2:])
        else:
            return value
    except (binascii.Error, ValueError):
        raise ConfParseError("secret: not valid %s data" % ("base64" if value.startswith("0s") else "hex"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "surrogateescape")


def _split(value):
    if value is None:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


_META_RE = re.compile(r"^[ \t]*# paynet-meta (?P<key>[a-z_]+) = (?P<json>.*?)[ \t\r]*$")


def _metas(text):
    """{connection name: {meta key: value}} from the ``# paynet-meta`` lines; a ``name`` line starts a group."""
    metas, current = {}, None
    for line in text.split("\n"):
        match = _META_RE.match(line)
        if not match:
            continue
        try:
            value = json.loads(match.group("json"))
        except ValueError:
            continue
        key = match.group("key")
        if key == "name":
            current = metas.setdefault(value, {}) if isinstance(value, str) else None
        elif current is not None and key in META_KEYS:
            current[key] = value
    return metas


def _name_parts(name):
    """partner-<p>[-<t>] -> (p, t) (the model's naming), else (None, None)."""
    match = re.match(r"^partner-([a-z][a-z0-9_]*)(?:-([a-z0-9_]+))?$", name)
    if not match:
        return None, None
    return match.group(1), match.group(2) or "main"


def _secret_for(secrets, name, remote_id):
    if not isinstance(secrets, dict):
        return None
    section = secrets.get("ike-%s" % name)
    if isinstance(section, dict) and section.get("secret") is not None:
        return section["secret"]
    for key, section in secrets.items():
        if key.startswith("ike") and isinstance(section, dict) and section.get("secret") is not None:
            ids = [v for k, v in section.items() if k.startswith("id") and k != "id-local"]
            if remote_id in ids:
                return section["secret"]
    return None


def _section(parent, key):
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def tunnels_from_conf(text, files=None, root=ROOT):
    """Normalised tunnel dicts (docs/ipsec.md) for every connection in swanctl ``text``, sorted by name.

    The inverse of :func:`render_conf`: ``tunnels_from_conf(render_conf(t, dp), files)`` == ``[t]`` for
    either data plane. Charon's settings come from the settings themselves (timers with s/m/h/d
    suffixes -> seconds; secrets decoded from 0s/0x/plain); the rest from the ``# paynet-meta:`` line
    (missing meta: partner/tunnel from the name, other meta fields None). For pubkey tunnels the PEMs
    are taken from ``files`` ({path: content}) at the paths under ``root`` the connection names; a
    missing file (or no ``files``) gives None for that field.
    """
    tree = parse_conf(text)
    metas = _metas(text)
    connections = _section(tree, "connections")
    secrets = _section(tree, "secrets")
    root = _root(root)
    tunnels = []
    for name in sorted(connections):
        conn = connections[name]
        if not isinstance(conn, dict):
            continue
        meta = metas.get(name, {})
        local, remote = _section(conn, "local"), _section(conn, "remote")
        children = _section(conn, "children")
        child = _section(children, name) or next((c for c in children.values() if isinstance(c, dict)), {})
        partner, tunnel_name = _name_parts(name)
        method = local.get("auth") or "pubkey"
        remote_id = remote.get("id")
        if method == "psk":
            auth = {"method": "psk", "psk": decode_secret(_secret_for(secrets, name, remote_id))}
        else:
            files = files or {}
            cert = _split(local.get("certs"))
            cacert = _split(remote.get("cacerts"))
            auth = {
                "method": method,
                "ca_cert": files.get(posixpath.join(root, "x509ca", cacert[0])) if cacert else None,
                "cert": files.get(posixpath.join(root, "x509", cert[0])) if cert else None,
                "key": files.get(tunnel_paths(name, root)["key"]),
            }
        if_id = child.get("if_id_in")
        local_ts, remote_ts = _split(child.get("local_ts")), _split(child.get("remote_ts"))
        selectors = {"local": local_ts, "remote": remote_ts}
        meta_ts = meta.get("traffic_selectors")
        if meta_ts is None:
            if if_id is not None:
                default = {"local": XFRM_SELECTORS, "remote": XFRM_SELECTORS}
            else:
                default = meta.get("libipsec_selectors")
            traffic_selectors = None if selectors == default else selectors
        else:
            traffic_selectors = selectors
        tunnels.append({
            "name": name,
            "partner": meta.get("partner", partner),
            "tunnel": meta.get("tunnel", tunnel_name),
            "description": meta.get("description"),
            "local_gateway": conn.get("local_addrs"),
            "peer_gateway": conn.get("remote_addrs"),
            "local_id": local.get("id"),
            "remote_id": remote_id,
            "auth": auth,
            "ike_proposals": _split(conn.get("proposals")),
            "esp_proposals": _split(child.get("esp_proposals")),
            "dpd_delay": _time(conn, "dpd_delay", "dpd_delay"),
            "dpd_action": child.get("dpd_action") or _DEFAULTS["dpd_action"],
            "start_action": child.get("start_action") or _DEFAULTS["start_action"],
            "close_action": child.get("close_action") or _DEFAULTS["close_action"],
            "rekey_time": _time(conn, "rekey_time", "rekey_time"),
            "reauth_time": _time(conn, "reauth_time", "reauth_time"),
            "child_rekey_time": _time(child, "rekey_time", "child_rekey_time"),
            "inside": meta.get("inside"),
            "if_id": _int(if_id) if if_id is not None else meta.get("if_id"),
            "interface": meta.get("interface"),
            "traffic_selectors": traffic_selectors,
            "libipsec_selectors": meta.get("libipsec_selectors"),
            "crypto_exception": meta.get("crypto_exception"),
        })
    return tunnels


def _time(section, key, field):
    value = section.get(key)
    if value is None:
        return _DEFAULTS[field]
    return parse_seconds(value, field)


def _int(value):
    try:
        return int(value, 0)
    except (TypeError, ValueError):
        return value


def tunnels_from_files(files, root=ROOT):
    """Tunnels of every ``conf.d/paynet-*.conf`` in ``files`` ({path: content}), sorted by name."""
    tunnels = []
    for path in sorted(files):
        owner = owned_file(path, root)
        if owner and owner[1] == "conf":
            tunnels.extend(tunnels_from_conf(files[path], files, root))
    return sorted(tunnels, key=lambda t: t["name"])


# -- masking --------------------------------------------------------------------------------------
def _fallback_spans(text):
    """Spans for text that does not parse: the rest of every line that assigns a masked key."""
    pattern = re.compile(r"(?m)(?:^|(?<=[\s{]))(?:%s)[ \t]*=[ \t]*(?P<value>[^\n]*)" % "|".join(MASKED_KEYS))
    return [(("line", index), match.start("value"), match.end("value"))
            for index, match in enumerate(pattern.finditer(text)) if match.group("value")]


def _secret_spans(text):
    """[(key, start, end)] of every masked value (secret/pin) in ``text``; key = (section path, name, n),
    from the settings lexer, so spans are exact. None when ``text`` does not parse."""
    try:
        assignments = _parse(text)[1]
    except ConfParseError:
        return None
    spans, counts = [], {}
    for path, key, token in assignments:
        if key not in MASKED_KEYS or token[2] is None:
            continue
        ident = (path, key)
        counts[ident] = counts.get(ident, 0) + 1
        spans.append(((path, key, counts[ident]), token[2], token[3]))
    return spans


def _mask_spans(text, compare_to=None):
    """``text`` with masked values replaced; with ``compare_to`` a value that differs from the value
    at the same place there is marked ``(changed)``. Both texts use the same span method (lexer, or
    the line fallback when either does not parse), so equal masked texts mean equal raw texts."""
    spans = _secret_spans(text)
    other_spans = _secret_spans(compare_to) if compare_to is not None else []
    if spans is None or other_spans is None:
        spans = _fallback_spans(text)
        other_spans = _fallback_spans(compare_to) if compare_to is not None else []
    other = {key: compare_to[start:end] for key, start, end in other_spans}
    out, last = [], 0
    for key, start, end in spans:
        out.append(text[last:start])
        changed = compare_to is not None and key in other and other[key] != text[start:end]
        out.append(MASK + (" (changed)" if changed else ""))
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_conf(text):
    """swanctl/strongswan settings ``text`` with every ``secret``/``pin`` value replaced by ``********``."""
    if text is None:
        return None
    return _mask_spans(text)


def mask_private_key(text):
    """What is shown instead of a private key file."""
    return "(private key, %d bytes, not shown)" % len((text or "").encode("utf-8"))


# -- plan -----------------------------------------------------------------------------------------
class Plan:
    """The file changes of one run.

    ``writes`` {path: (content, mode)}, ``deletes`` [path], ``changed_tunnels``/``added``/``removed``
    [name] (a tunnel exists when its conf file does), ``diff`` {"before", "after"} (masked),
    ``before``/``expected`` {path: content} of all owned files before/after, ``changed``.
    """

    def __init__(self, writes, deletes, changed_tunnels, added, removed, diff, before, expected, root=ROOT):
        self.root = root
        self.writes = writes
        self.deletes = deletes
        self.changed_tunnels = changed_tunnels
        self.added = added
        self.removed = removed
        self.diff = diff
        self.before = before
        self.expected = expected

    @property
    def changed(self):
        return bool(self.writes or self.deletes)

    def realised(self, files):
        """True when the owned files in ``files`` ({path: content}) are exactly the planned ones."""
        return _owned(files, self.root)[0] == self.expected

    def as_dict(self):
        """Safe to return/log: file contents are left out (``writes`` -> {path: mode})."""
        return {"writes": {p: "%04o" % m for p, (_c, m) in self.writes.items()}, "deletes": self.deletes,
                "changed_tunnels": self.changed_tunnels, "added": self.added, "removed": self.removed,
                "diff": self.diff, "changed": self.changed}


def _owned(files, root):
    """({path: content}, {path: mode or None}) of the owned files in ``files`` (values: content or (content, mode))."""
    contents, modes = {}, {}
    for path in sorted(files or {}):
        if owned_file(path, root) is None:
            continue
        value = files[path]
        if isinstance(value, tuple):
            contents[path], modes[path] = value[0], value[1]
        else:
            contents[path], modes[path] = value, None
    return contents, modes


def default_mode(path, root=ROOT):
    owner = owned_file(path, root)
    return _MODES[owner[1]] if owner else None


def _block(path, content, mode, root, compare_to):
    header = "# file: %s" % path
    if mode is not None:
        header += " (mode %04o)" % mode
    if owned_file(path, root)[1] == "key" or "PRIVATE KEY-----" in content:
        changed = compare_to is not None and compare_to != content
        body = (KEY_SHOWN_CHANGED if changed else KEY_SHOWN) + "\n"
    else:
        body = _mask_spans(content, compare_to)
        if body and not body.endswith("\n"):
            body += "\n\\ No newline at end of file\n"
    return header + "\n" + body


def _diff(paths, before, after, before_modes, after_modes, root):
    texts = []
    for side, other, modes in ((before, after, before_modes), (after, before, after_modes)):
        parts = []
        for path in paths:
            if path in side:
                parts.append(_block(path, side[path], modes.get(path), root, other.get(path) if side is after else None))
        texts.append("".join(parts))
    return {"before": texts[0], "after": texts[1]}


def _make_plan(before, before_modes, expected, expected_modes, root, show_modes):
    writes = {}
    for path in sorted(expected):
        content, mode = expected[path], expected_modes[path]
        if path not in before or before[path] != content or (show_modes and before_modes.get(path) != mode):
            writes[path] = (content, mode)
    deletes = sorted(path for path in before if path not in expected)
    touched = sorted(set(writes) | set(deletes))
    names_before = {owned_file(p, root)[0] for p in before if owned_file(p, root)[1] == "conf"}
    names_after = {owned_file(p, root)[0] for p in expected if owned_file(p, root)[1] == "conf"}
    shown_before = before_modes if show_modes else {}
    shown_after = expected_modes if show_modes else {}
    diff = _diff(touched, before, expected, shown_before, shown_after, root)
    return Plan(writes=writes, deletes=deletes,
                changed_tunnels=sorted({owned_file(p, root)[0] for p in touched}),
                added=sorted(names_after - names_before), removed=sorted(names_before - names_after),
                diff=diff, before=dict(before), expected={p: expected[p] for p in sorted(expected)}, root=root)


def _names(tunnels):
    names = []
    for tunnel in tunnels or []:
        name = tunnel if isinstance(tunnel, str) else (tunnel or {}).get("name")
        names.append(_section_name(name))
    return names


def plan(current_files, intended_tunnels, state, dataplane, root=ROOT, current_modes=None):
    """Plan the swanctl files for ``state`` (merged | replaced | overridden | deleted).

    ``current_files`` {path: content} holds the existing ``paynet-*`` files (others are ignored).
    ``current_modes`` {path: mode}, when given, makes a wrong file mode a change (shown in the diff
    headers); without it modes are not compared.

    - merged: listed tunnels are written in full (each file replaced); nothing is ever deleted, so a
      tunnel switched from pubkey to psk keeps its old CA/cert/key files until replaced/overridden.
    - replaced: like merged, and a listed tunnel's files it no longer needs are deleted.
    - overridden: the listed tunnels become the complete set; every other paynet file is deleted.
    - deleted: the listed tunnels' files are deleted (entries may be tunnel dicts or names); an empty
      list deletes every paynet tunnel.
    """
    if state not in STATES:
        raise SwanctlError("state: %r cannot be planned; use one of %s" % (state, ", ".join(STATES)))
    _check_dataplane(dataplane)
    root = _root(root)
    before, before_modes = _owned(current_files, root)
    if current_modes is not None:
        for path in before:
            if current_modes.get(path) is not None:
                before_modes[path] = current_modes[path]
    show_modes = current_modes is not None or any(isinstance(v, tuple) for v in (current_files or {}).values())
    for path in before:
        if before_modes[path] is None:
            before_modes[path] = default_mode(path, root)
    current_names = {owned_file(p, root)[0] for p in before}
    if state == "deleted":
        desired = {}
        scope = set(_names(intended_tunnels)) or current_names
    else:
        desired = render_files(intended_tunnels, dataplane, root)
        scope = set(_names(intended_tunnels))
        if state == "overridden":
            scope |= current_names
    expected = dict(before)
    expected_modes = dict(before_modes)
    for path, (content, mode) in desired.items():
        expected[path] = content
        expected_modes[path] = mode
    if state != "merged":
        for path in before:
            if owned_file(path, root)[0] in scope and path not in desired:
                del expected[path]
                del expected_modes[path]
    return _make_plan(before, before_modes, expected, expected_modes, root, show_modes)


def rollback_plan(plan_, root=ROOT):
    """A plan that puts the owned files back to ``plan_.before`` from ``plan_.expected``."""
    root = _root(root)
    modes = {p: default_mode(p, root) for p in plan_.before}
    expected_modes = {p: (plan_.writes[p][1] if p in plan_.writes else default_mode(p, root)) for p in plan_.expected}
    return _make_plan(plan_.expected, expected_modes, plan_.before, modes, root, False)
