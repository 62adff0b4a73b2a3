# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mask secrets in device configuration text before it is shown, diffed, returned or backed up.

``mask_text(text, extra=())`` replaces, with :data:`MASK`:

- FRR ``neighbor X password S`` (and vty ``password S`` / ``enable password S``),
- swanctl ``secret = S`` (also ``psk =``), ipsec.secrets ``: PSK "S"``, keepalived ``auth_pass S``,
- net-snmp ``createUser [-e ID] NAME AUTHPROTO AUTHPASS [PRIVPROTO PRIVPASS]`` pass phrases, ``trapsess``
  ``-A``/``-X``/``-c`` values, client ``defAuthPassphrase``/``defPrivPassphrase`` and
  ``rocommunity``/``rwcommunity``/``com2sec`` community strings,
- the body of PEM private key blocks,
- every occurrence of each string in ``extra`` (e.g. the passwords a module was given).

Masking is idempotent. Plain Python 3.9-compatible (modules on devices import it).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import re

MASK = "********"

# A value token: a double- or single-quoted string (may contain blanks) or a run of non-blanks.
_TOKEN = r"(?:\"[^\"\n]*\"|'[^'\n]*'|\S+)"

_LINE_RULES = (
    # FRR: neighbor 203.0.113.2 password S  /  neighbor PEERGROUP password S (rest of line)
    # (also behind a vtysh prompt echo: "r1(config-router)# neighbor X password S")
    re.compile(r"(?m)^(?P<keep>(?:[^\n#]*#)?[ \t]*(?:no[ \t]+)?neighbor[ \t]+\S+[ \t]+password[ \t]+)"
               r"(?P<secret>[^\n]*?)[ \t]*$"),
    # FRR vty / enable passwords
    re.compile(r"(?m)^(?P<keep>[ \t]*(?:enable[ \t]+)?password[ \t]+(?:\d[ \t]+)?)(?P<secret>[^\n]*?)[ \t]*$"),
    # swanctl.conf secrets { ike-x { secret = S } } ; psk = S
    re.compile(r"(?m)^(?P<keep>[ \t]*(?:secret|psk)[ \t]*=[ \t]*)(?P<secret>[^\n]*?)[ \t]*$"),
    # ipsec.secrets: <ids> : PSK "S"
    re.compile(r"(?m)(?P<keep>:[ \t]*(?:PSK|XAUTH|EAP)[ \t]+)(?P<secret>" + _TOKEN + r")"),
    # keepalived: auth_pass S
    re.compile(r"(?m)^(?P<keep>[ \t]*auth_pass[ \t]+)(?P<secret>" + _TOKEN + r")"),
    # snmpd: rocommunity S [source [oid]] ; rwcommunity6 S ... ; com2sec NAME SOURCE S
    re.compile(r"(?m)^(?P<keep>[ \t]*r[ow]community6?[ \t]+)(?P<secret>" + _TOKEN + r")"),
    re.compile(r"(?m)^(?P<keep>[ \t]*com2sec6?[ \t]+(?:-Cn[ \t]+\S+[ \t]+)?\S+[ \t]+\S+[ \t]+)(?P<secret>" + _TOKEN + r")"),
    # snmpd: trapsess/trap2sink/informsink ... -A AUTHPASS ... -X PRIVPASS (also -c COMMUNITY); snmp.conf
    # defAuthPassphrase/defPrivPassphrase/authPass/privPass
    re.compile(r"(?m)^(?P<keep>[ \t]*(?:defAuthPassphrase|defPrivPassphrase|defPassphrase|authPass|privPass)[ \t]+)(?P<secret>[^\n]*?)[ \t]*$"),
)

# snmpd: createUser [-e ENGINEID] NAME (MD5|SHA|SHA-224..512) AUTHPASS [(DES|AES|AES-128..256) PRIVPASS]
_CREATE_USER = re.compile(
    r"(?m)^(?P<head>[ \t]*createUser[ \t]+(?:-e[ \t]+\S+[ \t]+)?\S+[ \t]+(?:MD5|SHA(?:-\d+)?)[ \t]+)"
    r"(?P<auth>" + _TOKEN + r")"
    r"(?:(?P<mid>[ \t]+(?:DES|AES(?:-?\d+)?C?)[ \t]+)(?P<priv>" + _TOKEN + r"))?",
    re.IGNORECASE,
)

# snmpd: trapsess/trap2sink/informsink/trapsink lines: every -A/-X/-c value (and a v1/v2c sink's community)
_NOTIFY_LINE = re.compile(r"(?m)^[ \t]*(?:trapsess|trap2sink|informsink|trapsink)\b[^\n]*")
_NOTIFY_FLAG = re.compile(r"(?P<keep>[ \t]-[AXc][ \t]*)(?P<secret>" + _TOKEN + r")")
_SINK_COMMUNITY = re.compile(r"^(?P<keep>[ \t]*(?:trap2sink|informsink|trapsink)[ \t]+\S+[ \t]+)(?P<secret>(?!-)" + _TOKEN + r")")


def _mask_notify(match):
    line = _NOTIFY_FLAG.sub(lambda m: m.group("keep") + MASK, match.group(0))
    return _SINK_COMMUNITY.sub(lambda m: m.group("keep") + MASK, line)


_PEM_KEY = re.compile(
    r"(?P<begin>-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY)-----)(?P<body>.*?)(?P<end>-----END (?P=kind)-----)",
    re.DOTALL,
)


def _mask_line_rule(pattern, text):
    def repl(match):
        if not match.group("secret"):
            return match.group(0)
        return match.group("keep") + MASK
    return pattern.sub(repl, text)


def _mask_create_user(match):
    out = match.group("head") + MASK
    if match.group("priv") is not None:
        out += match.group("mid") + MASK
    return out


def _mask_pem(match):
    return "%s\n%s\n%s" % (match.group("begin"), MASK, match.group("end"))


def _literal_secrets(extra):
    """Non-empty secret strings, longest first so a secret that contains another is masked whole."""
    values = set()
    for value in extra or ():
        if value is None or isinstance(value, bool):
            continue
        text = value if isinstance(value, str) else str(value)
        if text and text != MASK:
            values.add(text)
    return sorted(values, key=lambda v: (-len(v), v))


def mask_text(text, extra=()):
    """``text`` with every secret it contains replaced by :data:`MASK` (see the module docstring).

    ``None`` is returned unchanged; non-string input is converted with ``str()``.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        text = str(text)
    for secret in _literal_secrets(extra):
        text = text.replace(secret, MASK)
    text = _PEM_KEY.sub(_mask_pem, text)
    text = _CREATE_USER.sub(_mask_create_user, text)
    text = _NOTIFY_LINE.sub(_mask_notify, text)
    for pattern in _LINE_RULES:
        text = _mask_line_rule(pattern, text)
    return text
