# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SNMPv3 USM key derivation: password -> key (RFC 3414 A.2), key localization to an engineID
(RFC 3414 2.6, SHA-2 per RFC 7860) and the privacy key as net-snmp stores it.

snmpd turns each ``createUser NAME AUTH AUTHPASS PRIV PRIVPASS`` line of its persistent file into a
``usmUser`` line holding the *localized* keys (the password is gone). To know whether the key on a
device is the one in the intent, we compute the localized key from the intent's pass phrase and the
agent's engineID and compare it with the stored one (:func:`stored_keys`).

The privacy key is localized with the *authentication* hash. AES-128 uses its first 16 bytes. For
AES-192/256 (net-snmp's ``AES-192``/``AES-256``, draft-blumenthal-aes-usm-04, OIDs
1.3.6.1.4.1.14832.1.3/.4) a localized key shorter than the cipher key is extended by appending
``H(key so far)`` until it is long enough (with SHA-256/384/512 it is already long enough and is just
truncated). Checked against RFC 3414 A.3 and against what snmpd 5.9 wrote (tests/unit).

Plain Python (hashlib), no Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import hashlib
import hmac

ONE_MEGABYTE = 1048576

# net-snmp's names -> (hashlib name, usmUser protocol OID)
AUTH_PROTOCOLS = {
    "MD5": ("md5", ".1.3.6.1.6.3.10.1.1.2"),
    "SHA": ("sha1", ".1.3.6.1.6.3.10.1.1.3"),
    "SHA-224": ("sha224", ".1.3.6.1.6.3.10.1.1.4"),
    "SHA-256": ("sha256", ".1.3.6.1.6.3.10.1.1.5"),
    "SHA-384": ("sha384", ".1.3.6.1.6.3.10.1.1.6"),
    "SHA-512": ("sha512", ".1.3.6.1.6.3.10.1.1.7"),
}
# net-snmp's names -> (key length in bytes, usmUser protocol OID)
PRIV_PROTOCOLS = {
    "DES": (16, ".1.3.6.1.6.3.10.1.2.2"),
    "AES": (16, ".1.3.6.1.6.3.10.1.2.4"),
    "AES-192": (24, ".1.3.6.1.4.1.14832.1.3"),
    "AES-256": (32, ".1.3.6.1.4.1.14832.1.4"),
}
AUTH_BY_OID = {oid: name for name, (_h, oid) in AUTH_PROTOCOLS.items()}
PRIV_BY_OID = {oid: name for name, (_n, oid) in PRIV_PROTOCOLS.items()}
NO_AUTH_OID = ".1.3.6.1.6.3.10.1.1.1"
NO_PRIV_OID = ".1.3.6.1.6.3.10.1.2.1"
# the spellings the intent accepts for AES-128
PRIV_ALIASES = {"AES-128": "AES", "AES128": "AES", "AES256": "AES-256", "AES192": "AES-192"}

_KU_CACHE = {}  # (hash, password) -> Ku: hashing 1 MB costs ~2 ms per key, a run may need it twice


def _hash(name):
    try:
        return AUTH_PROTOCOLS[name][0]
    except KeyError:
        raise ValueError("unknown authentication protocol %r (known: %s)" % (name, ", ".join(AUTH_PROTOCOLS)))


def password_to_key(password, auth):
    """Ku: the hash of ``password`` repeated to 1 MiB (RFC 3414 A.2.1/A.2.2, RFC 7860 4.2)."""
    if not password:
        raise ValueError("an empty pass phrase cannot be turned into a key")
    algo = _hash(auth)
    data = password.encode("utf-8") if isinstance(password, str) else bytes(password)
    cached = _KU_CACHE.get((algo, data))
    if cached is not None:
        return cached
    repeat = (data * (ONE_MEGABYTE // len(data) + 1))[:ONE_MEGABYTE]
    key = hashlib.new(algo, repeat).digest()
    if len(_KU_CACHE) > 512:
        _KU_CACHE.clear()
    _KU_CACHE[(algo, data)] = key
    return key


def engine_id_bytes(engine_id):
    """An engineID given as ``0x8000...`` / ``8000...`` hex text (or bytes) as bytes."""
    if isinstance(engine_id, (bytes, bytearray)):
        return bytes(engine_id)
    text = str(engine_id).strip()
    if text.lower().startswith("0x"):
        text = text[2:]
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise ValueError("engineID %r is not hex" % engine_id)
    if not 5 <= len(value) <= 32:
        raise ValueError("engineID %r must be 5..32 bytes long (RFC 3411)" % engine_id)
    return value


def localize(key, engine_id, auth):
    """Kul = H(Ku || engineID || Ku) (RFC 3414 2.6)."""
    algo = _hash(auth)
    eid = engine_id_bytes(engine_id)
    return hashlib.new(algo, key + eid + key).digest()


def auth_key(password, engine_id, auth):
    """The localized authentication key snmpd stores for ``password``."""
    return localize(password_to_key(password, auth), engine_id, auth)


def extend_key(key, length, auth):
    """net-snmp's extension of a localized key for AES-192/256 (draft-blumenthal-aes-usm-04 3.1.2.1):
    append H(key so far) until ``length`` bytes, then truncate."""
    algo = _hash(auth)
    out = bytes(key)
    while len(out) < length:
        out += hashlib.new(algo, out).digest()
    return out[:length]


def priv_key(password, engine_id, auth, priv):
    """The localized privacy key snmpd stores for ``password`` (localized with the auth hash)."""
    priv = PRIV_ALIASES.get(priv, priv)
    try:
        length = PRIV_PROTOCOLS[priv][0]
    except KeyError:
        raise ValueError("unknown privacy protocol %r (known: %s)" % (priv, ", ".join(PRIV_PROTOCOLS)))
    return extend_key(localize(password_to_key(password, auth), engine_id, auth), length, auth)


def hex_key(key):
    return "0x" + key.hex()


def same_key(stored_hex, computed):
    """Constant-time comparison of a stored ``0x...`` key and a computed one."""
    try:
        text = stored_hex[2:] if stored_hex.lower().startswith("0x") else stored_hex
        stored = bytes.fromhex(text)
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(stored, computed)
