# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Segmentation probes, run ON a probe source host (module ``segmentation_probe``).

Pure standard library (Python 3.9+), so it runs on any Linux host the proof probes from. Each target
``{address, protocol, port, tls, source}`` gets one probe, bound to ``source``:

- tcp: a connect with a timeout -> ``connected`` / ``refused`` (RST) / ``timeout`` (filtered or no
  route) / ``unreachable`` (ICMP) / ``error`` (the probe could not run, e.g. ``source`` is not an
  address of this host); where ``tls``: a TLS handshake on the connection (the peer's certificate is
  not verified: the proof is about reachability; protocol version, cipher, subject and SHA-256
  fingerprint are recorded);
- udp/161: an SNMPv3 engine-ID discovery request (RFC 3414 4.): any SNMPv3 agent answers it with a
  Report PDU carrying its engine ID, without credentials -> ``answered`` / ``no_answer`` /
  ``refused`` (ICMP port unreachable);
- any other udp port: ``unverifiable`` (no generic request gets an answer; nothing is sent).

Probes only open and close connections: they never change anything, in check mode either.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor

DEFAULT_TIMEOUT = 3.0
MAX_WORKERS = 32
SNMP_PORT = 161
OUTCOMES = ("connected", "answered", "refused", "timeout", "no_answer", "unreachable", "unverifiable", "error")
# outcomes that prove the target was reached
REACHED = ("connected", "answered")


# --- a minimal BER/DER codec (SNMP messages, X.509 subject) ---------------------------------------

def _len(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, value):
    """One BER element."""
    return bytes([tag]) + _len(len(value)) + value


def ber_int(n):
    return tlv(0x02, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True))


def ber_octets(data):
    return tlv(0x04, data)


def ber_seq(*items, tag=0x30):
    return tlv(tag, b"".join(items))


def ber_read(data, pos=0):
    """(tag, value bytes, next position) of the element at ``pos``; ValueError when truncated."""
    if pos + 2 > len(data):
        raise ValueError("truncated BER element")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("bad BER length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("truncated BER value")
    return tag, data[pos:pos + length], pos + length


def ber_items(data):
    """Every (tag, value) of a constructed element's content."""
    items = []
    pos = 0
    while pos < len(data):
        tag, value, pos = ber_read(data, pos)
        items.append((tag, value))
    return items


def _oid(value):
    parts = []
    n = 0
    for byte in value:
        n = (n << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(n)
            n = 0
    if not parts:
        return ""
    first = min(parts[0] // 40, 2)
    return ".".join(str(p) for p in [first, parts[0] - 40 * first] + parts[1:])


# --- SNMPv3 engine-ID discovery ---------------------------------------------------------------------

PDU_GET = 0xA0
PDU_REPORT = 0xA8


def snmpv3_discovery(msg_id, request_id):
    """An SNMPv3 discovery message (RFC 3414 4.): noAuthNoPriv, reportable, empty engine ID and user,
    a GetRequest with no variable bindings."""
    header = ber_seq(ber_int(msg_id), ber_int(65507), ber_octets(b"\x04"), ber_int(3))
    usm = ber_seq(ber_octets(b""), ber_int(0), ber_int(0), ber_octets(b""), ber_octets(b""), ber_octets(b""))
    pdu = ber_seq(ber_int(request_id), ber_int(0), ber_int(0), ber_seq(), tag=PDU_GET)
    scoped = ber_seq(ber_octets(b""), ber_octets(b""), pdu)
    return ber_seq(ber_int(3), header, ber_octets(usm), scoped)


def parse_snmpv3_report(data, msg_id=None):
    """{engine_id (hex), engine_boots, engine_time, pdu ('report'|hex tag), report_oid} of an SNMPv3
    answer; ValueError when it is not one (or answers another message id)."""
    tag, body, _end = ber_read(data)
    if tag != 0x30:
        raise ValueError("not an SNMP message")
    items = ber_items(body)
    if len(items) < 4 or items[0][0] != 0x02 or int.from_bytes(items[0][1], "big") != 3:
        raise ValueError("not an SNMPv3 message")
    header = ber_items(items[1][1])
    if msg_id is not None and int.from_bytes(header[0][1], "big", signed=True) != msg_id:
        raise ValueError("answers another message id")
    usm = ber_items(ber_read(items[2][1])[1])
    engine_id, boots, etime = usm[0][1], usm[1][1], usm[2][1]
    scoped = items[3]
    result = {"engine_id": engine_id.hex(), "engine_boots": int.from_bytes(boots, "big"),
              "engine_time": int.from_bytes(etime, "big"), "pdu": None, "report_oid": None}
    if scoped[0] == 0x30:  # plaintext scopedPDU (a Report to a discovery request is never encrypted)
        sitems = ber_items(scoped[1])
        pdu_tag, pdu_body = sitems[2]
        result["pdu"] = "report" if pdu_tag == PDU_REPORT else "0x%02x" % pdu_tag
        pitems = ber_items(pdu_body)
        binds = ber_items(pitems[3][1]) if len(pitems) > 3 else []
        if binds:
            first = ber_items(binds[0][1])
            result["report_oid"] = _oid(first[0][1])
    if not engine_id:
        raise ValueError("SNMPv3 answer without an engine ID")
    return result


# --- X.509 subject of a DER certificate -------------------------------------------------------------

_NAMES = {"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
          "2.5.4.5": "serialNumber", "1.2.840.113549.1.9.1": "emailAddress"}


def cert_subject(der):
    """The subject of a DER certificate as ``CN=...,O=...`` (RFC 4514 order not reversed: as encoded)."""
    tbs = ber_items(ber_read(ber_read(der)[1])[1])
    fields = tbs[1:] if tbs[0][0] == 0xA0 else tbs  # skip the explicit [0] version
    subject = fields[4][1]  # serial, signature, issuer, validity, subject
    parts = []
    for _set_tag, rdn in ber_items(subject):
        for _seq_tag, attr in ber_items(rdn):
            oid_item, value_item = ber_items(attr)[:2]
            oid = _oid(oid_item[1])
            parts.append("%s=%s" % (_NAMES.get(oid, oid), value_item[1].decode("utf-8", "replace")))
    return ",".join(parts)


# --- probes -----------------------------------------------------------------------------------------

def _family(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _ms(start):
    return round((time.monotonic() - start) * 1000.0, 1)


def _error_outcome(exc):
    code = getattr(exc, "errno", None)
    if code == errno.ECONNREFUSED:
        return "refused"
    if code in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "unreachable"
    if isinstance(exc, socket.timeout) or code in (errno.ETIMEDOUT, errno.EAGAIN):
        return "timeout"
    return "error"


def _bound_socket(target, kind):
    sock = socket.socket(_family(target["address"]), kind)
    if target.get("source"):
        sock.bind((target["source"], 0))
    return sock


def probe_tcp(target, timeout):
    """Connect (and where ``tls`` shake hands): {outcome, elapsed_ms, detail, tls}."""
    result = {"outcome": None, "elapsed_ms": None, "detail": "", "tls": None}
    start = time.monotonic()
    try:
        sock = _bound_socket(target, socket.SOCK_STREAM)
    except OSError as exc:
        return dict(result, outcome="error", elapsed_ms=_ms(start), detail="cannot bind source %s: %s"
                    % (target.get("source"), exc.strerror or exc))
    try:
        sock.settimeout(timeout)
        try:
            sock.connect((target["address"], int(target["port"])))
        except (OSError, socket.timeout) as exc:
            outcome = _error_outcome(exc)
            return dict(result, outcome=outcome, elapsed_ms=_ms(start), detail=str(exc) or outcome)
        result.update(outcome="connected", elapsed_ms=_ms(start))
        if target.get("tls"):
            result["tls"] = handshake(sock, target["address"], timeout)
        return result
    finally:
        sock.close()


def handshake(sock, server_name, timeout):
    """A TLS handshake on a connected socket, certificate not verified: {completed, version, cipher,
    subject, sha256, elapsed_ms, error}."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    info = {"completed": False, "version": None, "cipher": None, "subject": None, "sha256": None,
            "elapsed_ms": None, "error": None}
    start = time.monotonic()
    try:
        sock.settimeout(timeout)
        tls = context.wrap_socket(sock, server_hostname=None if _is_ip(server_name) else server_name)
    except (OSError, ssl.SSLError, socket.timeout) as exc:
        info.update(elapsed_ms=_ms(start), error=str(exc) or type(exc).__name__)
        return info
    try:
        der = tls.getpeercert(binary_form=True) or b""
        info.update(completed=True, version=tls.version(), cipher=(tls.cipher() or [None])[0],
                    sha256=hashlib.sha256(der).hexdigest() if der else None, elapsed_ms=_ms(start))
        try:
            info["subject"] = cert_subject(der) if der else None
        except (ValueError, IndexError):
            info["subject"] = "(unparsed)"
        try:
            tls.unwrap()
        except (OSError, ssl.SSLError, ValueError):
            pass
    finally:
        tls.close()
    return info


def _is_ip(text):
    try:
        socket.inet_pton(_family(text), text)
        return True
    except OSError:
        return False


def probe_snmp(target, timeout):
    """SNMPv3 engine-ID discovery: {outcome: answered|no_answer|refused|..., elapsed_ms, detail, snmp}."""
    result = {"outcome": None, "elapsed_ms": None, "detail": "", "snmp": None}
    start = time.monotonic()
    try:
        sock = _bound_socket(target, socket.SOCK_DGRAM)
    except OSError as exc:
        return dict(result, outcome="error", elapsed_ms=_ms(start), detail="cannot bind source %s: %s"
                    % (target.get("source"), exc.strerror or exc))
    msg_id = int.from_bytes(os.urandom(3), "big")
    try:
        sock.connect((target["address"], int(target["port"])))
        sock.send(snmpv3_discovery(msg_id, msg_id ^ 0x5A5A))
        deadline = start + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return dict(result, outcome="no_answer", elapsed_ms=_ms(start),
                            detail="no SNMPv3 answer within %.1f s" % timeout)
            sock.settimeout(left)
            try:
                data = sock.recv(65535)
            except socket.timeout:
                continue
            try:
                report = parse_snmpv3_report(data, msg_id)
            except (ValueError, IndexError):
                continue  # not ours: wait for the real answer
            return dict(result, outcome="answered", elapsed_ms=_ms(start), snmp=report,
                        detail="SNMPv3 engine %s answered" % report["engine_id"])
    except OSError as exc:
        outcome = _error_outcome(exc)
        return dict(result, outcome=outcome, elapsed_ms=_ms(start), detail=str(exc) or outcome)
    finally:
        sock.close()


def probe_one(target, timeout=DEFAULT_TIMEOUT, snmp_ports=(SNMP_PORT,)):
    """One target -> the target's fields plus the probe's result. ``snmp_ports``: the udp ports that get an
    SNMPv3 discovery request (161; tests use an unprivileged port)."""
    protocol = (target.get("protocol") or "tcp").lower()
    base = {"address": target["address"], "protocol": protocol, "port": int(target["port"]),
            "tls": bool(target.get("tls")), "source": target.get("source") or None}
    if protocol == "tcp":
        result = probe_tcp(base, timeout)
    elif protocol == "udp" and base["port"] in snmp_ports:
        result = probe_snmp(base, timeout)
    elif protocol == "udp":
        result = {"outcome": "unverifiable", "elapsed_ms": 0.0,
                  "detail": "udp/%d has no generic request that gets an answer: not probed" % base["port"]}
    else:
        result = {"outcome": "error", "elapsed_ms": 0.0, "detail": "unknown protocol %r" % protocol}
    base.update(result)
    base["reached"] = base["outcome"] in REACHED
    return base


def run_probes(targets, timeout=DEFAULT_TIMEOUT, workers=MAX_WORKERS, snmp_ports=(SNMP_PORT,)):
    """Every target probed concurrently (one thread each, at most ``workers``), results in input order."""
    targets = list(targets or [])
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        return list(pool.map(lambda t: probe_one(t, timeout, snmp_ports), targets))


def check_targets(targets):
    """Problems with the targets (a list of messages naming the target and the fix)."""
    problems = []
    for i, target in enumerate(targets or []):
        where = "targets[%d]" % i
        if not isinstance(target, dict):
            problems.append("%s: must be a mapping {address, protocol, port, tls, source}" % where)
            continue
        if not target.get("address") or not _is_ip(str(target["address"])):
            problems.append("%s.address: %r is not an IP address; give the appliance's address" % (where, target.get("address")))
        if (target.get("protocol") or "tcp") not in ("tcp", "udp"):
            problems.append("%s.protocol: %r; use tcp or udp" % (where, target.get("protocol")))
        try:
            port = int(target.get("port"))
        except (TypeError, ValueError):
            port = 0
        if not 1 <= port <= 65535:
            problems.append("%s.port: %r is not a port 1..65535" % (where, target.get("port")))
        if target.get("source") and not _is_ip(str(target["source"])):
            problems.append("%s.source: %r is not an IP address; give this host's probe source address"
                            % (where, target.get("source")))
    return problems
