# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small, dependency-free client for strongSwan's VICI protocol (charon's control socket).

Runs on the gateway with the system Python (3.9+, stdlib only): the PyPI ``vici`` package is not
installed there. Protocol (strongSwan ``src/libcharon/plugins/vici/README.md``):

* transport: segments of ``!I`` length (not counting itself, at most 512 KiB) + data;
* packet: 1 type byte; named types (CMD_REQUEST, EVENT_REGISTER, EVENT_UNREGISTER, EVENT) then
  carry a 1-byte length + ASCII name; the rest is a message;
* message: a flat run of elements -- SECTION_START name / SECTION_END, KEY_VALUE name value,
  LIST_START name / LIST_ITEM value / LIST_END -- names with a 1-byte length, values with a
  ``!H`` length. charon sends every value as a string (numbers too).

:func:`encode_message` / :func:`decode_message` map messages to plain dicts (sections), lists and
values (``str`` when the bytes are valid UTF-8, else ``bytes`` -- e.g. DER certificates).
:class:`ViciSession` sends commands: :meth:`ViciSession.request` for a single answer,
:meth:`ViciSession.streamed` for commands that stream events before their answer (list-sas,
list-conns, list-certs, initiate, terminate).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import errno
import os
import socket
import struct
import time

DEFAULT_SOCKET = "/var/run/charon.vici"
MAX_SEGMENT = 512 * 1024

# packet types
CMD_REQUEST = 0
CMD_RESPONSE = 1
CMD_UNKNOWN = 2
EVENT_REGISTER = 3
EVENT_UNREGISTER = 4
EVENT_CONFIRM = 5
EVENT_UNKNOWN = 6
EVENT = 7
_NAMED_PACKETS = (CMD_REQUEST, EVENT_REGISTER, EVENT_UNREGISTER, EVENT)
PACKET_NAMES = {CMD_REQUEST: "CMD_REQUEST", CMD_RESPONSE: "CMD_RESPONSE", CMD_UNKNOWN: "CMD_UNKNOWN",
                EVENT_REGISTER: "EVENT_REGISTER", EVENT_UNREGISTER: "EVENT_UNREGISTER",
                EVENT_CONFIRM: "EVENT_CONFIRM", EVENT_UNKNOWN: "EVENT_UNKNOWN", EVENT: "EVENT"}

# message element types
SECTION_START = 1
SECTION_END = 2
KEY_VALUE = 3
LIST_START = 4
LIST_ITEM = 5
LIST_END = 6

# terminate: charon's answer when nothing matched (treated as success: the SA is gone already)
NO_MATCHING_SAS = "no matching SAs to terminate found"


class ViciError(Exception):
    """Any VICI failure. ``errmsg`` is charon's own error message when charon sent one."""

    def __init__(self, message, command=None, errmsg=None, events=None):
        super(ViciError, self).__init__(message)
        self.command = command
        self.errmsg = errmsg
        self.events = events or []


class ViciConnectError(ViciError):
    """The socket is missing or refuses connections: charon not running or vici plugin not loaded."""


class ViciTimeout(ViciError):
    """charon did not answer in time (the session is closed: a late answer would desync it)."""


class ViciProtocolError(ViciError):
    """Malformed data on the wire, or an answer that does not fit the request."""


class ViciCommandError(ViciError):
    """charon answered ``success = no`` (``errmsg`` holds why) or does not know the command."""


# ---------------------------------------------------------------------------------------------------
# message encoding


def _name_bytes(name):
    raw = name.encode("ascii") if isinstance(name, str) else bytes(name)
    if not raw or len(raw) > 255:
        raise ValueError("VICI names must be 1..255 bytes long, not %r" % (name,))
    return raw


def _value_bytes(value):
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    elif isinstance(value, bool):
        raw = b"yes" if value else b"no"
    else:
        raw = str(value).encode("utf-8")
    if len(raw) > 0xFFFF:
        raise ValueError("a VICI value is at most 65535 bytes, this one has %d" % len(raw))
    return raw


def _encode_section(section, out):
    for key, value in section.items():
        if value is None:
            continue
        name = _name_bytes(key)
        if isinstance(value, dict):
            out.append(struct.pack("!BB", SECTION_START, len(name)) + name)
            _encode_section(value, out)
            out.append(struct.pack("!B", SECTION_END))
        elif isinstance(value, (list, tuple)):
            out.append(struct.pack("!BB", LIST_START, len(name)) + name)
            for item in value:
                if isinstance(item, (dict, list, tuple)):
                    raise ValueError("VICI list '%s' may only hold values, not %r" % (key, item))
                raw = _value_bytes(item)
                out.append(struct.pack("!BH", LIST_ITEM, len(raw)) + raw)
            out.append(struct.pack("!B", LIST_END))
        else:
            raw = _value_bytes(value)
            out.append(struct.pack("!BB", KEY_VALUE, len(name)) + name + struct.pack("!H", len(raw)) + raw)


def encode_message(message):
    """Encode a dict (values: str/int/bool/bytes, lists of those, nested dicts) as a VICI message.

    Keys keep their dict order; ``None`` values are left out; ``True``/``False`` become yes/no.
    """
    if message is None:
        return b""
    if not isinstance(message, dict):
        raise ValueError("a VICI message is a dict, not %r" % (message,))
    out = []
    _encode_section(message, out)
    return b"".join(out)


def _text(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


class _Reader:
    def __init__(self, data):
        self.data = memoryview(data)
        self.pos = 0

    def more(self):
        return self.pos < len(self.data)

    def take(self, count, what):
        if self.pos + count > len(self.data):
            raise ViciProtocolError("truncated VICI message: %s needs %d bytes at offset %d, %d left"
                                    % (what, count, self.pos, len(self.data) - self.pos))
        chunk = self.data[self.pos:self.pos + count].tobytes()
        self.pos += count
        return chunk

    def byte(self, what):
        return self.take(1, what)[0]

    def name(self, what):
        raw = self.take(self.byte(what + " name length"), what + " name")
        return raw.decode("utf-8", "replace")

    def value(self, what):
        length = struct.unpack("!H", self.take(2, what + " value length"))[0]
        return _text(self.take(length, what + " value"))


def decode_message(data):
    """Decode a VICI message into nested dicts / lists / values (str, or bytes when not UTF-8)."""
    reader = _Reader(data)
    root = {}
    stack = [root]
    while reader.more():
        at = reader.pos
        kind = reader.byte("element type")
        if kind == SECTION_START:
            section = {}
            stack[-1][reader.name("section")] = section
            stack.append(section)
        elif kind == SECTION_END:
            if len(stack) == 1:
                raise ViciProtocolError("malformed VICI message: SECTION_END without a section at offset %d" % at)
            stack.pop()
        elif kind == KEY_VALUE:
            key = reader.name("key")
            stack[-1][key] = reader.value("key '%s'" % key)
        elif kind == LIST_START:
            key = reader.name("list")
            items = []
            while True:
                item_at = reader.pos
                marker = reader.byte("list '%s' element" % key)
                if marker == LIST_ITEM:
                    items.append(reader.value("list '%s' item" % key))
                elif marker == LIST_END:
                    break
                else:
                    raise ViciProtocolError("malformed VICI message: element type %d inside list '%s' at offset %d"
                                            % (marker, key, item_at))
            stack[-1][key] = items
        else:
            raise ViciProtocolError("malformed VICI message: unknown element type %d at offset %d" % (kind, at))
    if len(stack) != 1:
        raise ViciProtocolError("malformed VICI message: %d section(s) not closed" % (len(stack) - 1))
    return root


# ---------------------------------------------------------------------------------------------------
# packets


def encode_packet(ptype, name=None, message=None):
    """One packet: type byte, the name for named types, then the encoded message (dict or bytes)."""
    out = struct.pack("!B", ptype)
    if ptype in _NAMED_PACKETS:
        raw = _name_bytes(name or "")
        out += struct.pack("!B", len(raw)) + raw
    elif name:
        raise ValueError("packet type %s carries no name" % PACKET_NAMES.get(ptype, ptype))
    if isinstance(message, (bytes, bytearray)):
        return out + bytes(message)
    return out + encode_message(message)


def decode_packet(data):
    """``(type, name or None, message bytes)`` of one packet."""
    reader = _Reader(data)
    ptype = reader.byte("packet type")
    if ptype not in PACKET_NAMES:
        raise ViciProtocolError("unknown VICI packet type %d" % ptype)
    name = reader.name("packet") if ptype in _NAMED_PACKETS else None
    return ptype, name, bytes(reader.data[reader.pos:])


def frame(packet):
    """The transport segment for ``packet`` (length prefix + data)."""
    if len(packet) > MAX_SEGMENT:
        raise ValueError("VICI segment of %d bytes exceeds charon's limit of %d" % (len(packet), MAX_SEGMENT))
    return struct.pack("!I", len(packet)) + packet


# ---------------------------------------------------------------------------------------------------
# session


def _log_line(event):
    group = event.get("group") or "---"
    msg = event.get("msg")
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    return "[%s] %s" % (group, msg if msg is not None else "")


class ViciSession:
    """A connection to charon's VICI socket. Use as a context manager::

        with ViciSession() as vs:
            sas = vs.list_sas()

    ``timeout`` (seconds) bounds every answer; commands with their own charon-side timeout
    (initiate, terminate) wait that long plus ``timeout``. The socket is opened on first use.
    After a timeout or a protocol error the connection is closed (a late answer would be read as
    the answer to the next command); the next command reconnects.
    """

    def __init__(self, path=DEFAULT_SOCKET, timeout=10):
        self.path = path
        self.timeout = timeout
        self._sock = None

    # -- connection ---------------------------------------------------------------------------------
    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def connect(self):
        if self._sock is not None:
            return self
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except socket.timeout:
            sock.close()
            raise ViciTimeout("charon did not accept the VICI connection on %s within %ss" % (self.path, self.timeout)) from None
        except OSError as exc:
            sock.close()
            code = getattr(exc, "errno", None)
            if code in (errno.ENOENT, errno.ECONNREFUSED, errno.ENOTDIR):
                why = "socket %s does not exist" % self.path if code != errno.ECONNREFUSED else \
                    "nothing listens on %s" % self.path
                raise ViciConnectError("charon is not running or VICI is not enabled: %s (start strongSwan, e.g. "
                                       "'systemctl start strongswan', and check that the vici plugin is loaded)" % why) from exc
            if code == errno.EACCES:
                raise ViciConnectError("permission denied on the VICI socket %s: run as root" % self.path) from exc
            raise ViciConnectError("cannot connect to charon's VICI socket %s: %s" % (self.path, exc)) from exc
        self._sock = sock
        return self

    def close(self):
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    @property
    def connected(self):
        return self._sock is not None

    # -- transport ----------------------------------------------------------------------------------
    def _send(self, packet):
        try:
            self._sock.sendall(frame(packet))
        except socket.timeout:
            self.close()
            raise ViciTimeout("timed out sending to charon's VICI socket %s" % self.path) from None
        except OSError as exc:
            self.close()
            raise ViciConnectError("lost the VICI connection to charon (%s) while sending: %s" % (self.path, exc)) from exc

    def _recv_exact(self, count, deadline, command):
        chunks = []
        missing = count
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout()
            self._sock.settimeout(remaining)
            chunk = self._sock.recv(min(missing, 65536))
            if not chunk:
                raise ViciConnectError("charon closed the VICI connection during '%s' (charon stopped or crashed?)"
                                       % command, command=command)
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _recv(self, deadline, command, wait):
        try:
            length = struct.unpack("!I", self._recv_exact(4, deadline, command))[0]
            if length > MAX_SEGMENT:
                raise ViciProtocolError("charon announced a %d byte VICI segment (limit %d): not a VICI socket?"
                                        % (length, MAX_SEGMENT), command=command)
            return decode_packet(self._recv_exact(length, deadline, command))
        except socket.timeout:
            self.close()
            raise ViciTimeout("charon did not answer '%s' within %ss (VICI socket %s); charon may be overloaded or hung"
                              % (command, round(wait, 1), self.path), command=command) from None
        except ViciError:
            self.close()
            raise
        except OSError as exc:
            self.close()
            raise ViciConnectError("lost the VICI connection to charon during '%s': %s" % (command, exc), command=command) from exc

    # -- commands -----------------------------------------------------------------------------------
    @staticmethod
    def _message(message, args):
        msg = dict(message or {})
        msg.update(args)
        return {k: v for k, v in msg.items() if v is not None}

    def _check(self, command, answer, events=None):
        if answer.get("success", "yes") not in ("yes", b"yes"):
            errmsg = answer.get("errmsg")
            if isinstance(errmsg, bytes):
                errmsg = errmsg.decode("utf-8", "replace")
            raise ViciCommandError("charon: '%s' failed: %s" % (command, errmsg or "no reason given"),
                                   command=command, errmsg=errmsg, events=events)
        return answer

    def _register(self, event, register, deadline, command):
        ptype = EVENT_REGISTER if register else EVENT_UNREGISTER
        self._send(encode_packet(ptype, event))
        while True:
            rtype, _name, _payload = self._recv(deadline, command, self.timeout)
            if rtype == EVENT:
                continue  # an event raised before the (de)registration took effect
            if rtype == EVENT_CONFIRM:
                return
            if rtype == EVENT_UNKNOWN:
                raise ViciCommandError("charon does not know the VICI event '%s' (strongSwan too old?)" % event,
                                       command=command)
            self.close()
            raise ViciProtocolError("charon answered %s to %s '%s'" % (
                PACKET_NAMES.get(rtype, rtype), PACKET_NAMES[ptype], event), command=command)

    def _exchange(self, command, message, event=None, wait=None):
        """Send ``command``; return (answer dict, [event dicts]) without judging ``success``."""
        packet = encode_packet(CMD_REQUEST, command, message)  # bad input fails before anything is sent
        self.connect()
        wait = self.timeout if wait is None else wait
        events = []
        try:
            if event:
                self._register(event, True, time.monotonic() + self.timeout, command)
            deadline = time.monotonic() + wait
            self._send(packet)
            while True:
                rtype, name, payload = self._recv(deadline, command, wait)
                if rtype != EVENT:
                    break
                if name == event:
                    events.append(decode_message(payload))
            if event:
                self._register(event, False, time.monotonic() + self.timeout, command)
            answer = decode_message(payload) if rtype == CMD_RESPONSE else None
        except ViciProtocolError as exc:
            exc.command = exc.command or command
            self.close()
            raise
        if rtype == CMD_UNKNOWN:
            raise ViciCommandError("charon does not know the VICI command '%s' (strongSwan too old, or the plugin "
                                   "providing it is not loaded)" % command, command=command)
        if rtype != CMD_RESPONSE:
            self.close()
            raise ViciProtocolError("charon answered %s to the command '%s'" % (PACKET_NAMES.get(rtype, rtype), command),
                                    command=command)
        return answer, events

    def request(self, cmd, message=None, **args):
        """Run a command with a single answer; returns the answer dict.

        Arguments come from ``message`` (for keys that are no Python names, e.g. ``{"ike-id": 3}``)
        and ``args``; ``None`` values are left out. Raises :class:`ViciCommandError` with charon's
        ``errmsg`` when it answers ``success = no``.
        """
        answer, _events = self._exchange(cmd, self._message(message, args))
        return self._check(cmd, answer)

    def streamed(self, cmd, event, message=None, **args):
        """Run a command that streams ``event`` messages before its answer; returns the events.

        E.g. ``streamed("list-sas", "list-sa")``. On ``success = no`` the
        :class:`ViciCommandError` carries the events received so far in ``.events``.
        """
        answer, events = self._exchange(cmd, self._message(message, args), event=event)
        self._check(cmd, answer, events)
        return events

    # -- convenience --------------------------------------------------------------------------------
    def version(self):
        """``{daemon, version, sysname, release, machine}``."""
        return self.request("version")

    def stats(self):
        """uptime, workers, queues, ikesas {total, half-open}, ``plugins`` [loaded plugin names], ..."""
        return self.request("stats")

    def plugins(self):
        """Names of the plugins charon has loaded (e.g. to detect ``kernel-libipsec``)."""
        return list(self.stats().get("plugins") or [])

    def get_algorithms(self):
        """``{encryption|integrity|aead|hasher|prf|xof|dh|rng|nonce-gen: {ALG_NAME: plugin}}``."""
        return self.request("get-algorithms")

    def list_sas(self, ike=None, ike_id=None, noblock=False):
        """``[{ike_sa_name: {...}}]``, one event per IKE SA (several per name when duplicated)."""
        return self.streamed("list-sas", "list-sa", {"ike": ike, "ike-id": ike_id, "noblock": "yes" if noblock else None})

    def list_conns(self, ike=None):
        """``[{conn_name: {local_addrs, remote_addrs, version, ..., children: {...}}}]``."""
        return self.streamed("list-conns", "list-conn", ike=ike)

    def get_conns(self):
        """Names of the connections loaded over VICI (swanctl)."""
        return list(self.request("get-conns").get("conns") or [])

    def list_certs(self, type=None, flag=None, subject=None):  # pylint: disable=redefined-builtin
        """``[{type, flag, has_privkey, data (DER bytes)}]``."""
        return self.streamed("list-certs", "list-cert", type=type, flag=flag, subject=subject)

    def _control(self, command, message, timeout_ms):
        wait = self.timeout + (max(timeout_ms, 0) / 1000.0 if timeout_ms else 0)
        if timeout_ms == 0:  # charon waits without limit; so do we, but not forever
            wait = max(wait, 300)
        answer, events = self._exchange(command, message, event="control-log", wait=wait)
        lines = [_log_line(e) for e in events]
        ok = answer.get("success") in ("yes", b"yes")
        errmsg = answer.get("errmsg")
        if isinstance(errmsg, bytes):
            errmsg = errmsg.decode("utf-8", "replace")
        return ok, lines, errmsg, answer

    def initiate(self, child, ike=None, timeout_ms=30000, loglevel=1, init_limits=None):
        """Bring up CHILD ``child`` (of IKE conn ``ike``); returns ``(ok, log_lines)``.

        ``log_lines`` are charon's control-log messages as ``"[GROUP] message"`` (the same lines
        ``swanctl --initiate`` prints), e.g. ``[IKE] received AUTHENTICATION_FAILED notify error``
        or ``[IKE] giving up after 5 retransmits``; on failure charon's error message is the last
        line, as ``"[VICI] <errmsg>"``. ``timeout_ms`` 0 makes charon wait until the SA is up or
        failed; -1 returns at once (no log). On timeout (``ok`` False) the IKE SA keeps trying
        in the background.
        """
        message = {"child": child, "ike": ike, "timeout": int(timeout_ms), "loglevel": int(loglevel),
                   "init-limits": init_limits}
        ok, lines, errmsg, _answer = self._control("initiate", self._message(message, {}), timeout_ms)
        if not ok:
            lines.append("[VICI] %s" % (errmsg or "initiate '%s' failed" % child))
        return ok, lines

    def terminate(self, ike=None, child=None, ike_id=None, child_id=None, force=True, timeout_ms=5000, loglevel=1):
        """Close an IKE SA (by conn name ``ike`` / ``ike_id``) or a CHILD SA; ``(ok, log_lines)``.

        ``force`` deletes the IKE SA locally without waiting for the peer's DELETE answer (after
        ``timeout_ms`` when that is set). Nothing to terminate counts as success (idempotent).
        """
        if not (ike or child or ike_id or child_id):
            raise ValueError("terminate needs ike, child, ike_id or child_id")
        message = {"ike": ike, "child": child, "ike-id": ike_id, "child-id": child_id,
                   "force": "yes" if force else None, "timeout": int(timeout_ms), "loglevel": int(loglevel)}
        ok, lines, errmsg, _answer = self._control("terminate", self._message(message, {}), timeout_ms)
        if not ok and errmsg == NO_MATCHING_SAS:
            return True, lines + ["[VICI] %s" % errmsg]
        if not ok:
            lines.append("[VICI] %s" % (errmsg or "terminate failed"))
        return ok, lines

    def unload_conn(self, name, missing_ok=True):
        """Unload connection ``name``; its SAs stay up until terminated.

        Returns True when unloaded, False when charon had no such connection (``missing_ok``;
        charon 5.9 answers "unload: connection '<name>' not found"), raises otherwise.
        """
        try:
            self.request("unload-conn", name=name)
        except ViciCommandError as exc:
            if missing_ok and exc.errmsg and "not found" in exc.errmsg:
                return False
            raise
        return True


def socket_present(path=DEFAULT_SOCKET):
    """Whether the VICI socket file exists (a cheap pre-check; connecting is the real test)."""
    return os.path.exists(path)
