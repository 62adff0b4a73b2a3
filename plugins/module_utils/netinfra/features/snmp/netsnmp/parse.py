# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read what net-snmp holds: snmpd.conf (back into the ``config`` shape) and the persistent file
/var/lib/snmp/snmpd.conf (engineID, ``usmUser`` lines with localized keys, pending ``createUser``
lines). Keys read here are only ever compared, never returned (see :func:`public_users`).

Plain Python; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import hmac
import re
import shlex

from ....core.secrets import MASK
from .. import keyloc
from ..model import INTENT_PRIV, NETSNMP_PRIV

_ADDR = re.compile(r"^(?:udp6?:)?\[?([0-9A-Fa-f:.]+?)\]?(?::(\d+))?$")


class UsmUser:
    """A user as the persistent file holds it: ``engine_id`` (hex), protocols (net-snmp names), keys
    (localized ``0x..`` hex for a ``usmUser`` line, pass phrases for a pending ``createUser``)."""

    __slots__ = ("name", "engine_id", "auth", "priv", "auth_key", "priv_key", "pending")

    def __init__(self, name, engine_id, auth, priv, auth_key, priv_key, pending):
        self.name, self.engine_id, self.auth, self.priv = name, engine_id, auth, priv
        self.auth_key, self.priv_key, self.pending = auth_key, priv_key, pending

    def public(self):
        return {"name": self.name, "auth": self.auth, "priv": INTENT_PRIV.get(self.priv, self.priv),
                "auth_key": MASK, "priv_key": MASK}


class Persistent:
    """The persistent file: ``engine_id`` (``0x..`` or None before snmpd first ran), ``users`` by name."""

    def __init__(self, text):
        self.text = text or ""
        self.engine_id = None
        self.users = {}
        for line in self.text.splitlines():
            words = line.split()
            if not words:
                continue
            if words[0] == "oldEngineID" and len(words) > 1:
                self.engine_id = words[1]
            elif words[0] == "usmUser" and len(words) >= 11:
                user = _usm_user(words)
                if user is not None:
                    self.users[user.name] = user
            elif words[0] == "createUser":
                user = _create_user(line)
                if user is not None:
                    self.users[user.name] = user


def _unquote(word):
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] == '"' else word


def _usm_user(words):
    # usmUser 1 3 ENGINEID "NAME" "SECNAME" NULL AUTHOID AUTHKEY PRIVOID PRIVKEY ""
    name = _unquote(words[4])
    auth = keyloc.AUTH_BY_OID.get(words[7], words[7])
    priv = keyloc.PRIV_BY_OID.get(words[9], words[9])
    if words[7] == keyloc.NO_AUTH_OID:
        auth = None
    if words[9] == keyloc.NO_PRIV_OID:
        priv = None
    return UsmUser(name, words[3], auth, priv, words[8], words[10], False)


def _create_user(line):
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    args = words[1:]
    engine = None
    if args[:1] == ["-e"] and len(args) > 1:
        engine, args = args[1], args[2:]
    if len(args) < 3:
        return None
    priv = args[3] if len(args) > 4 else None
    return UsmUser(args[0], engine, args[1], priv, args[2], args[4] if len(args) > 4 else None, True)


def key_state(stored, user, engine_id):
    """``(same auth, same priv)`` of the stored user against the intent's ``user`` (net-snmp names),
    comparing localized keys computed for ``engine_id``; (False, False) when protocols differ."""
    priv = NETSNMP_PRIV.get(user["priv"], user["priv"])
    if stored is None or stored.auth != user["auth"] or stored.priv != priv:
        return False, False
    if stored.pending:
        return (hmac.compare_digest(stored.auth_key.encode(), user["auth_key"].encode()),
                stored.priv_key is not None and hmac.compare_digest(stored.priv_key.encode(), user["priv_key"].encode()))
    if not engine_id or (stored.engine_id or "").lower() != engine_id.lower():
        return False, False
    same_auth = keyloc.same_key(stored.auth_key, keyloc.auth_key(user["auth_key"], engine_id, user["auth"]))
    same_priv = keyloc.same_key(stored.priv_key, keyloc.priv_key(user["priv_key"], engine_id, user["auth"], priv))
    return same_auth, same_priv


def snmpd_conf(text):
    """The ``config`` shape of an snmpd.conf (ours, or any simple one); secrets masked."""
    config = {"listen": [], "users": [], "views": [], "groups": [], "targets": [], "communities": [],
              "agentx": False, "auth_traps": False}
    views, groups, members = {}, {}, {}
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _sep, rest = line.partition(" ")
        rest = rest.strip()
        lower = key.lower()
        words = rest.split()
        if lower == "agentaddress":
            for part in rest.split(","):
                match = _ADDR.match(part.strip())
                if match:
                    config["listen"].append(match.group(1))
        elif lower in ("sysname", "syslocation", "syscontact"):
            config[{"sysname": "sys_name", "syslocation": "location", "syscontact": "contact"}[lower]] = rest
        elif lower == "view" and len(words) >= 3:
            view = views.setdefault(words[0], {"name": words[0], "included": [], "excluded": []})
            view["included" if words[1] == "included" else "excluded"].append(words[2])
        elif lower == "group" and len(words) >= 3:
            members[words[2]] = words[0]
        elif lower == "access" and len(words) >= 7:
            groups[words[0]] = {"name": words[0], "read_view": words[5]}
            if words[6] != "none":
                groups[words[0]]["write_view"] = words[6]
        elif lower in ("rocommunity", "rocommunity6") and words:
            community = {"community": MASK}
            if len(words) > 1:
                community["source"] = words[1]
            if "-V" in words[:-1]:
                community["view"] = words[words.index("-V") + 1]
            config["communities"].append(community)
        elif lower == "authtrapenable":
            config["auth_traps"] = rest == "1"
        elif lower == "trapsess":
            config["targets"].append(_trapsess(words))
        elif lower == "master" and rest == "agentx":
            config["agentx"] = True
    config["views"] = list(views.values())
    config["groups"] = list(groups.values())
    config["members"] = members
    return config


def _trapsess(words):
    target = {"type": "trap", "port": 162}
    index = 0
    while index < len(words):
        word = words[index]
        if word == "-Ci":
            target["type"] = "inform"
        elif word == "-u" and index + 1 < len(words):
            target["user"] = words[index + 1]
            index += 1
        elif word.startswith("-") and word not in ("-Ci",) and index + 1 < len(words):
            index += 1
        else:
            match = _ADDR.match(word)
            if match:
                target["address"] = match.group(1)
                if match.group(2):
                    target["port"] = int(match.group(2))
        index += 1
    return target
