# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed values: how a value is named in a message (never a secret's), "did you mean", ranges,
and the safety of text that reaches a device CLI or configuration file.

Plain Python, no Ansible import, Python 3.9 compatible.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import difflib
import ipaddress
import re
import socket
import unicodedata

# Characters that change how text is shown without being visible: bidi embeddings/overrides/isolates
# (CVE-2021-42574 "Trojan Source") and zero-width characters.
INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
# fast paths (the common case, checked at C speed): printable ASCII without blanks at either end
_SAFE_LINE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_SAFE_TOKEN = re.compile(r"[\x21-\x7e]+")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_NAME_BAD = "may hold only letters, digits, '_', '-' and '.' (starting with a letter or digit)"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = re.compile(r"%s(?:\.%s){3}" % (_OCTET, _OCTET))  # exactly what ipaddress accepts for IPv4


def type_name(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "empty"
    return "a %s" % type(value).__name__


def show(value, secret=False, key=None):
    """``value`` quoted for a message; a secret is named, never shown."""
    if secret:
        return "the %s" % (key or "secret")
    text = repr(value) if not isinstance(value, str) else "'%s'" % printable(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def printable(text):
    """Control and invisible characters written as escapes, so a message never carries them."""
    out = []
    for ch in text:
        if ch in INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append("\\u%04x" % ord(ch) if ord(ch) > 0xFF else "\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def suggest(name, candidates):
    """The candidate closest to ``name`` ("did you mean"), or None."""
    match = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return match[0] if match else None


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_range(value, low, high, host, field, report, what, unit="", fix=None, zero_ok=False):
    """True when ``low <= value <= high`` (either bound may be None); else report an error."""
    if (low is None or value >= low) and (high is None or value <= high):
        return True
    unit = " %s" % unit if unit else ""
    if low is not None and high is not None:
        bounds = "%d..%d%s" % (low, high, unit)
    elif low is not None:
        bounds = ">= %d%s" % (low, unit)
    else:
        bounds = "<= %d%s" % (high, unit)
    report.error(host, field, "%s %d is out of range %s" % (what, value, bounds),
                 fix or "use a value between %s and %s%s%s" % (low, high, unit, " (or 0)" if zero_ok else ""))
    return False


def text_problem(value, kind="line"):
    """Why ``value`` must not reach a device (None when it may).

    ``line``: one line, no control, invisible or bidi characters, no NUL, no leading/trailing blank.
    ``cli``: like line, and no ``?`` (vtysh's help key would swallow it on a CLI session).
    ``token``: like line, and no blank at all (addresses, identities without spaces).
    ``name``: an identifier the device uses as a name or in a file name (an SNMP user, a VRRP segment):
    letters, digits, ``_``, ``-`` and ``.``, starting with a letter or digit.
    ``pem``: multi-line text of printable ASCII.
    """
    if kind == "free":
        return None
    if kind in ("line", "cli") and _SAFE_LINE.fullmatch(value) and (kind == "line" or "?" not in value):
        return None
    if kind == "token" and _SAFE_TOKEN.fullmatch(value):
        return None
    if kind == "name" and _SAFE_NAME.fullmatch(value):
        return None
    if "\x00" in value:
        return "contains a NUL character"
    for ch in value:
        if ch in INVISIBLE:
            return "contains the invisible character U+%04X (a bidi override or zero-width character), which " \
                   "makes the text read differently from what the device gets" % ord(ch)
    if kind == "pem":
        for ch in value:
            if ch not in "\n\r\t" and (ord(ch) < 0x20 or ord(ch) == 0x7F or ord(ch) > 0x7E):
                return "contains the character U+%04X, which has no place in PEM text" % ord(ch)
        return None
    for ch in value:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp") or (category == "Cf" and ch not in INVISIBLE):
            what = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}.get(ch, "the control character U+%04X" % ord(ch))
            return "contains %s: it would end or corrupt the device's configuration line" % what
    if value and not value.strip():
        return "is blank (only whitespace)"
    if value != value.strip():
        return "has leading or trailing whitespace"
    if kind == "cli" and "?" in value:
        return "contains '?', which vtysh takes as its help key: the line would reach the router cut short"
    if kind in ("token", "name") and any(ch.isspace() for ch in value):
        return "contains whitespace"
    if kind == "name":
        return _NAME_BAD
    return None


def check_text(value, kind, host, field, report, name, secret=False):
    """Report text that must not reach a device; True when it may."""
    why = text_problem(value, kind)
    if why is None:
        return True
    what = ("the %s" % name) if secret else "%s %s" % (name, show(value))
    if why.startswith("is blank"):
        fix = "write the %s, or leave the key out" % name
    elif why.startswith("has leading"):
        fix = "remove the blanks around it" + ("" if secret else ", e.g. '%s'" % printable(value.strip()))
    elif why == "contains whitespace":
        fix = "remove the blanks inside it" + ("" if secret else ", e.g. '%s'" % printable("".join(value.split())))
    elif why == _NAME_BAD:
        clean = re.sub(r"[^A-Za-z0-9_.-]", "", value).lstrip("_.-")
        fix = "rename it" + (", e.g. '%s'" % clean if clean and not secret else "")
    elif "'?'" in why:
        fix = "use text without '?'" + (" (agree a new one with the partner)" if secret else "")
    else:
        fix = "retype it without the character (check the file in a hex viewer if it looks right)"
    report.error(host, field, "%s %s" % (what, why), fix)
    return False


def clean_name(value):
    """``value`` when it is a non-empty string that may name a host in a finding (no blanks, control
    or invisible characters), else None: a finding's host never carries what check_text refuses."""
    if isinstance(value, str) and value and text_problem(value, "token") is None:
        return value
    return None


def parse_ip(value):
    """An ip_address, or None (also for text with blanks around it: that is reported by check_text)."""
    if not isinstance(value, str) or value != value.strip():
        return None
    if _DOTTED_QUAD.fullmatch(value):  # fast path (15,000 sessions): ipaddress's own parser is slow
        return ipaddress.IPv4Address(socket.inet_aton(value))
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def unusable_unicast(address):
    """True for an unspecified, loopback or multicast address (checked on the integer for IPv4:
    ``ipaddress``'s properties are slow on a 15,000-session fleet)."""
    if address.version == 4:
        first = int(address) >> 24
        return first == 127 or 224 <= first <= 239 or int(address) == 0
    return address.is_unspecified or address.is_multicast or address.is_loopback
