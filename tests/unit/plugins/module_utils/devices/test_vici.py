"""Unit tests for our dependency-free VICI client (platforms/linux/vici.py).

The PyPI ``vici`` package (strongSwan's own Python binding, installed in the dev venv only) is the
reference: our encoder must produce the very bytes it produces, and the fake charon below parses
our requests and builds its answers with it, so both directions are checked against an
independent implementation. The fake charon speaks the protocol over a real unix socket.
"""

from __future__ import annotations

import collections
import os
import shutil
import socket
import struct
import tempfile
import threading
import time

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices import vici

protocol = pytest.importorskip("vici.protocol")  # reference implementation (dev venv only)

# README "Encoding example": key1 = value1, section1 { sub-section { key2 = value2 }, list1 = [item1, item2] }
README_EXAMPLE = bytes(
    [3, 4] + list(b"key1") + [0, 6] + list(b"value1")
    + [1, 8] + list(b"section1")
    + [1, 11] + list(b"sub-section")
    + [3, 4] + list(b"key2") + [0, 6] + list(b"value2")
    + [2]
    + [4, 5] + list(b"list1")
    + [5, 0, 5] + list(b"item1")
    + [5, 0, 5] + list(b"item2")
    + [6]
    + [2])

NESTED = collections.OrderedDict([
    ("partner-acme_bank", collections.OrderedDict([
        ("version", "2"),
        ("local_addrs", ["198.18.200.1"]),
        ("remote_addrs", ["198.18.200.2", "198.18.200.3"]),
        ("proposals", ["aes256gcm16-prfsha384-ecp384"]),
        ("dpd_delay", 10),
        ("local-1", collections.OrderedDict([("auth", "psk"), ("id", "198.18.200.1")])),
        ("children", collections.OrderedDict([
            ("partner-acme_bank", collections.OrderedDict([
                ("local_ts", ["0.0.0.0/0", "::/0"]),
                ("remote_ts", []),
                ("esp_proposals", ["aes256gcm16-ecp384"]),
                ("if_id_in", 1281),
                ("empty", collections.OrderedDict()),
            ])),
        ])),
    ])),
    ("note", "gr\u00fc\u00dfe \u2713"),
])


def as_text(obj):
    """The PyPI package's output with bytes made str (what our decoder returns for UTF-8 values)."""
    if isinstance(obj, dict):
        return {k: as_text(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [as_text(v) for v in obj]
    if isinstance(obj, bytes):
        return obj.decode("utf-8")
    return str(obj)


# --- message encoding ----------------------------------------------------------------------------


def test_readme_example_decodes_and_encodes_byte_exact():
    expected = {"key1": "value1", "section1": {"sub-section": {"key2": "value2"}, "list1": ["item1", "item2"]}}
    assert vici.decode_message(README_EXAMPLE) == expected
    assert vici.encode_message(expected) == README_EXAMPLE


def test_encoder_is_byte_identical_to_the_reference_package():
    assert vici.encode_message(NESTED) == protocol.Message.serialize(NESTED)


def test_decoding_what_the_reference_package_encodes():
    raw = protocol.Message.serialize(NESTED)
    assert vici.decode_message(raw) == as_text(NESTED)
    # and the reference package decodes what we encode
    ours = vici.encode_message(NESTED)
    assert as_text(protocol.Message.deserialize(protocol.FiniteStream(ours))) == as_text(NESTED)


def test_round_trip_keeps_structure_and_order():
    msg = {"b": "2", "a": {"z": [], "y": {"x": "1"}}, "c": ["1", "2", "3"], "d": ""}
    decoded = vici.decode_message(vici.encode_message(msg))
    assert decoded == msg
    assert list(decoded) == ["b", "a", "c", "d"]
    assert list(decoded["a"]) == ["z", "y"]


def test_value_conversions():
    raw = vici.encode_message({"n": 42, "yes": True, "no": False, "skip": None, "blob": b"\x30\x82\x01\xff",
                               "items": [1, b"raw", "t"]})
    assert vici.decode_message(raw) == {"n": "42", "yes": "yes", "no": "no", "blob": b"\x30\x82\x01\xff",
                                        "items": ["1", "raw", "t"]}


def test_non_utf8_values_stay_bytes_and_utf8_become_str():
    raw = vici.encode_message({"der": b"\xff\xfe\x00", "utf8": "\u00e9".encode("utf-8"), "li": [b"\xc3", b"ok"]})
    decoded = vici.decode_message(raw)
    assert decoded == {"der": b"\xff\xfe\x00", "utf8": "\u00e9", "li": [b"\xc3", "ok"]}


def test_empty_message():
    assert vici.encode_message({}) == b""
    assert vici.encode_message(None) == b""
    assert vici.decode_message(b"") == {}


@pytest.mark.parametrize("bad, why", [
    ({"k" * 256: "v"}, "1..255"),
    ({"": "v"}, "1..255"),
    ({"k": "v" * 65536}, "65535"),
    ({"l": [["nested"]]}, "only hold values"),
    ({"l": [{"k": "v"}]}, "only hold values"),
    (["not", "a", "dict"], "is a dict"),
])
def test_encoder_refuses_what_vici_cannot_carry(bad, why):
    with pytest.raises(ValueError, match=why):
        vici.encode_message(bad)


@pytest.mark.parametrize("raw, why", [
    (bytes([3, 4]) + b"key1" + bytes([0, 9]) + b"short", "truncated"),
    (bytes([3, 10]) + b"abc", "truncated"),
    (bytes([2]), "SECTION_END without a section"),
    (bytes([1, 1]) + b"s", "not closed"),
    (bytes([4, 1]) + b"l" + bytes([3, 1]) + b"k", "inside list"),
    (bytes([4, 1]) + b"l" + bytes([5, 0, 1]) + b"x", "truncated"),
    (bytes([9]), "unknown element type 9"),
])
def test_decoder_rejects_malformed_messages(raw, why):
    with pytest.raises(vici.ViciProtocolError, match=why):
        vici.decode_message(raw)


# --- packets -------------------------------------------------------------------------------------


def test_packets_match_the_reference_package():
    msg = {"ike": "partner-acme_bank"}
    assert vici.encode_packet(vici.CMD_REQUEST, "list-sas", msg) == protocol.Packet.request(
        "list-sas", protocol.Message.serialize(msg))
    assert vici.encode_packet(vici.EVENT_REGISTER, "list-sa") == protocol.Packet.register_event("list-sa")
    assert vici.encode_packet(vici.EVENT_UNREGISTER, "list-sa") == protocol.Packet.unregister_event("list-sa")
    assert vici.encode_packet(vici.CMD_RESPONSE, None, {"success": "yes"}) == bytes([1]) + vici.encode_message(
        {"success": "yes"})


def test_packet_decode_and_framing():
    ptype, name, payload = vici.decode_packet(vici.encode_packet(vici.EVENT, "list-sa", {"a": "1"}))
    assert (ptype, name, vici.decode_message(payload)) == (vici.EVENT, "list-sa", {"a": "1"})
    assert vici.decode_packet(bytes([vici.EVENT_CONFIRM])) == (vici.EVENT_CONFIRM, None, b"")
    assert vici.frame(b"abc") == b"\x00\x00\x00\x03abc"
    with pytest.raises(vici.ViciProtocolError, match="unknown VICI packet type 42"):
        vici.decode_packet(bytes([42]))
    with pytest.raises(ValueError, match="limit"):
        vici.frame(b"x" * (vici.MAX_SEGMENT + 1))
    with pytest.raises(ValueError, match="carries no name"):
        vici.encode_packet(vici.CMD_RESPONSE, "named")


# --- a fake charon on a unix socket --------------------------------------------------------------


def ref_packet(ptype, name=None, message=None):
    """A packet built with the reference package's encoder."""
    body = protocol.Message.serialize(message) if message is not None else b""
    if ptype in (vici.CMD_REQUEST, vici.EVENT_REGISTER, vici.EVENT_UNREGISTER, vici.EVENT):
        raw = name.encode()
        return struct.pack("!BB", ptype, len(raw)) + raw + body
    return struct.pack("!B", ptype) + body


def ref_parse(packet):
    """(type, name, message) parsed with the reference package."""
    ptype = packet[0]
    rest = packet[1:]
    name = None
    if ptype in (vici.CMD_REQUEST, vici.EVENT_REGISTER, vici.EVENT_UNREGISTER, vici.EVENT):
        name = rest[1:1 + rest[0]].decode()
        rest = rest[1 + rest[0]:]
    message = as_text(protocol.Message.deserialize(protocol.FiniteStream(rest)))
    return ptype, name, message


class FakeCharon:
    """Accepts connections; for each received packet, ``handler(ptype, name, message)`` returns the
    packets to send back (a list of bytes, or of (bytes, delay) to dribble), or None to hang up.
    Every received packet is recorded in ``received`` as (type, name, message)."""

    def __init__(self, path, handler):
        self.path = path
        self.handler = handler
        self.received = []
        self.connections = 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(5)
        self.server.settimeout(0.05)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _addr = self.server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    @staticmethod
    def _read(conn, count):
        data = b""
        while len(data) < count:
            chunk = conn.recv(count - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _client(self, conn):
        conn.settimeout(5)
        try:
            while not self.stop.is_set():
                length = struct.unpack("!I", self._read(conn, 4))[0]
                parsed = ref_parse(self._read(conn, length))
                self.received.append(parsed)
                answers = self.handler(*parsed)
                if answers is None:
                    break
                for answer in answers:
                    if isinstance(answer, tuple):  # (packet, delay): send it in 3-byte pieces
                        raw, delay = answer
                        framed = struct.pack("!I", len(raw)) + raw
                        for i in range(0, len(framed), 3):
                            conn.sendall(framed[i:i + 3])
                            time.sleep(delay)
                    elif isinstance(answer, bytes) and answer.startswith(b"RAW:"):
                        conn.sendall(answer[4:])
                    else:
                        conn.sendall(struct.pack("!I", len(answer)) + answer)
        except (EOFError, OSError, socket.timeout):
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.server.close()
        self.thread.join(2)


@pytest.fixture
def sockdir():
    # a short directory: unix socket paths are limited to 107 bytes, pytest's tmp_path can be longer
    path = tempfile.mkdtemp(prefix="vici-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def charon(sockdir):
    servers = []

    def start(handler):
        server = FakeCharon(os.path.join(sockdir, "charon%d.vici" % len(servers)), handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def ok(message=None):
    return ref_packet(vici.CMD_RESPONSE, message=message if message is not None else {})


CONFIRM = ref_packet(vici.EVENT_CONFIRM)

SA_EVENT_1 = {"partner-acme_bank": {"uniqueid": "1", "state": "ESTABLISHED", "child-sas": {
    "partner-acme_bank-2": {"name": "partner-acme_bank", "state": "INSTALLED", "local-ts": ["0.0.0.0/0", "::/0"]}}}}
SA_EVENT_2 = {"partner-card_net": {"uniqueid": "3", "state": "CONNECTING", "child-sas": {}}}


def streaming_handler(event, command, events, response=None, extra=()):
    """charon's side of a streamed command: confirm (un)registration, stream events, answer."""

    def handler(ptype, name, message):
        if ptype in (vici.EVENT_REGISTER, vici.EVENT_UNREGISTER):
            return [CONFIRM] if name == event else [ref_packet(vici.EVENT_UNKNOWN)]
        if ptype == vici.CMD_REQUEST and name == command:
            out = [ref_packet(vici.EVENT, event, e) for e in events]
            out[1:1] = [ref_packet(vici.EVENT, other, {"msg": "unrelated"}) for other in extra]
            return out + [ok(response)]
        return [ref_packet(vici.CMD_UNKNOWN)]

    return handler


def test_request_returns_the_answer(charon):
    server = charon(lambda t, n, m: [ok({"daemon": "charon-systemd", "version": "5.9.8", "sysname": "Linux"})])
    with vici.ViciSession(server.path, timeout=2) as vs:
        assert vs.version() == {"daemon": "charon-systemd", "version": "5.9.8", "sysname": "Linux"}
    assert server.received == [(vici.CMD_REQUEST, "version", {})]


def test_request_sends_arguments_and_message_keys(charon):
    server = charon(lambda t, n, m: [ok({"success": "yes"})])
    with vici.ViciSession(server.path, timeout=2) as vs:
        assert vs.request("list-policies", {"ike-id": 7}, trap=True, child=None, drop="yes") == {"success": "yes"}
    assert server.received == [(vici.CMD_REQUEST, "list-policies", {"ike-id": "7", "trap": "yes", "drop": "yes"})]


def test_stats_and_plugins(charon):
    stats = {"uptime": {"running": "5 minutes", "since": "Nov 23 21:22:15 2026"}, "ikesas": {"total": "1", "half-open": "0"},
             "plugins": ["charon-systemd", "kernel-libipsec", "aes", "vici"]}
    server = charon(lambda t, n, m: [ok(stats)])
    with vici.ViciSession(server.path, timeout=2) as vs:
        assert vs.stats() == stats
        assert "kernel-libipsec" in vs.plugins()


def test_failure_raises_with_charons_errmsg(charon):
    server = charon(lambda t, n, m: [ok({"success": "no", "errmsg": "unload: connection 'x' not found"})])
    with vici.ViciSession(server.path, timeout=2) as vs:
        with pytest.raises(vici.ViciCommandError, match="unload: connection 'x' not found") as info:
            vs.request("unload-conn", name="x")
        assert info.value.errmsg == "unload: connection 'x' not found"
        assert info.value.command == "unload-conn"
        assert vs.unload_conn("x") is False  # missing_ok
        with pytest.raises(vici.ViciCommandError):
            vs.unload_conn("x", missing_ok=False)


def test_unload_conn_success(charon):
    server = charon(lambda t, n, m: [ok({"success": "yes"})])
    with vici.ViciSession(server.path, timeout=2) as vs:
        assert vs.unload_conn("partner-acme_bank") is True
    assert server.received == [(vici.CMD_REQUEST, "unload-conn", {"name": "partner-acme_bank"})]


def test_unknown_command(charon):
    server = charon(lambda t, n, m: [ref_packet(vici.CMD_UNKNOWN)])
    with vici.ViciSession(server.path, timeout=2) as vs:
        with pytest.raises(vici.ViciCommandError, match="does not know the VICI command 'frobnicate'"):
            vs.request("frobnicate")
        # the session is still usable after a clean error
        with pytest.raises(vici.ViciCommandError):
            vs.request("frobnicate")
    assert server.connections == 1


def test_streamed_registers_collects_and_unregisters(charon):
    server = charon(streaming_handler("list-sa", "list-sas", [SA_EVENT_1, SA_EVENT_2], extra=("log",)))
    with vici.ViciSession(server.path, timeout=2) as vs:
        assert vs.list_sas() == [SA_EVENT_1, SA_EVENT_2]
        assert vs.list_sas(ike="partner-acme_bank", noblock=True) == [SA_EVENT_1, SA_EVENT_2]
    assert server.received == [
        (vici.EVENT_REGISTER, "list-sa", {}), (vici.CMD_REQUEST, "list-sas", {}), (vici.EVENT_UNREGISTER, "list-sa", {}),
        (vici.EVENT_REGISTER, "list-sa", {}), (vici.CMD_REQUEST, "list-sas", {"ike": "partner-acme_bank", "noblock": "yes"}),
        (vici.EVENT_UNREGISTER, "list-sa", {}),
    ]


def test_list_conns_and_empty_streams(charon):
    conn = {"partner-acme_bank": {"local_addrs": ["198.18.200.1"], "remote_addrs": ["198.18.200.2"], "version": "IKEv2",
                                  "children": {"partner-acme_bank": {"mode": "TUNNEL", "local-ts": [], "remote-ts": []}}}}
    server = charon(streaming_handler("list-conn", "list-conns", [conn]))
    with vici.ViciSession(server.path, timeout=2) as vs:
        assert vs.list_conns() == [conn]
    empty = charon(streaming_handler("list-conn", "list-conns", []))
    with vici.ViciSession(empty.path, timeout=2) as vs:
        assert vs.list_conns(ike="nothing") == []


def test_list_certs_keeps_der_as_bytes(charon):
    der = b"\x30\x82\x01\x0a" + bytes(range(256))
    server = charon(streaming_handler("list-cert", "list-certs", [{"type": "X509", "flag": "CA", "data": der}]))
    with vici.ViciSession(server.path, timeout=2) as vs:
        certs = vs.list_certs(type="X509", flag="CA")
    assert certs == [{"type": "X509", "flag": "CA", "data": der}]


def test_streamed_unknown_event(charon):
    server = charon(streaming_handler("list-sa", "list-sas", []))
    with vici.ViciSession(server.path, timeout=2) as vs:
        with pytest.raises(vici.ViciCommandError, match="does not know the VICI event 'no-such-event'"):
            vs.streamed("list-sas", "no-such-event")


def test_streamed_failure_keeps_the_events(charon):
    server = charon(streaming_handler("list-sa", "list-sas", [SA_EVENT_1], response={"success": "no", "errmsg": "boom"}))
    with vici.ViciSession(server.path, timeout=2) as vs:
        with pytest.raises(vici.ViciCommandError, match="boom") as info:
            vs.list_sas()
    assert info.value.events == [SA_EVENT_1]


def control_log(msg, group="IKE", level="1", ike="partner-acme_bank"):
    return {"group": group, "level": level, "ikesa-name": ike, "ikesa-uniqueid": "1", "msg": msg}


def test_initiate_success_collects_the_log(charon):
    logs = [control_log("initiating IKE_SA partner-acme_bank[1] to 198.18.200.2"),
            control_log("sending packet: from 198.18.200.1[500] to 198.18.200.2[500] (464 bytes)", group="NET"),
            control_log("CHILD_SA partner-acme_bank{1} established with SPIs c4a1f2e3_i ce8b7d10_o", group="CHD")]
    server = charon(streaming_handler("control-log", "initiate", logs, response={"success": "yes"}))
    with vici.ViciSession(server.path, timeout=2) as vs:
        ok_, lines = vs.initiate(child="partner-acme_bank", ike="partner-acme_bank", timeout_ms=5000)
    assert ok_ is True
    assert lines == ["[IKE] initiating IKE_SA partner-acme_bank[1] to 198.18.200.2",
                     "[NET] sending packet: from 198.18.200.1[500] to 198.18.200.2[500] (464 bytes)",
                     "[CHD] CHILD_SA partner-acme_bank{1} established with SPIs c4a1f2e3_i ce8b7d10_o"]
    assert server.received[1] == (vici.CMD_REQUEST, "initiate", {
        "child": "partner-acme_bank", "ike": "partner-acme_bank", "timeout": "5000", "loglevel": "1"})


def test_initiate_failure_reports_why(charon):
    logs = [control_log("retransmit 1 of request with message ID 0", group="NET"),
            control_log("received AUTHENTICATION_FAILED notify error"),
            control_log("establishing connection 'partner-acme_bank' failed", group="CFG")]
    server = charon(streaming_handler("control-log", "initiate", logs, response={
        "success": "no", "errmsg": "establishing CHILD_SA 'partner-acme_bank' failed"}))
    with vici.ViciSession(server.path, timeout=2) as vs:
        ok_, lines = vs.initiate("partner-acme_bank", "partner-acme_bank", timeout_ms=1000, loglevel=2)
    assert ok_ is False
    assert "[IKE] received AUTHENTICATION_FAILED notify error" in lines
    assert lines[-1] == "[VICI] establishing CHILD_SA 'partner-acme_bank' failed"
    assert server.received[1][2]["loglevel"] == "2"


def test_terminate(charon):
    answers = iter([{"success": "yes", "matches": "1", "terminated": "1"},
                    {"success": "no", "matches": "0", "terminated": "0", "errmsg": "no matching SAs to terminate found"},
                    {"success": "no", "matches": "1", "terminated": "0", "errmsg": "terminating SA failed"}])
    logs = [control_log("deleting IKE_SA partner-acme_bank[1] between 198.18.200.1...198.18.200.2")]

    def handler(ptype, name, message):
        if ptype in (vici.EVENT_REGISTER, vici.EVENT_UNREGISTER):
            return [CONFIRM]
        return [ref_packet(vici.EVENT, "control-log", logs[0]), ok(next(answers))]

    server = charon(handler)
    with vici.ViciSession(server.path, timeout=2) as vs:
        assert vs.terminate(ike="partner-acme_bank", timeout_ms=2000) == (
            True, ["[IKE] deleting IKE_SA partner-acme_bank[1] between 198.18.200.1...198.18.200.2"])
        ok_, lines = vs.terminate(ike="gone")
        assert ok_ is True and lines[-1] == "[VICI] no matching SAs to terminate found"
        ok_, lines = vs.terminate(ike_id=4, force=False)
        assert ok_ is False and lines[-1] == "[VICI] terminating SA failed"
        with pytest.raises(ValueError, match="needs ike"):
            vs.terminate()
    requests = [m for t, n, m in server.received if t == vici.CMD_REQUEST]
    assert requests[0] == {"ike": "partner-acme_bank", "force": "yes", "timeout": "2000", "loglevel": "1"}
    assert requests[2] == {"ike-id": "4", "timeout": "5000", "loglevel": "1"}


def test_answer_dribbled_in_small_pieces(charon):
    server = charon(lambda t, n, m: [(ok({"daemon": "charon", "version": "5.9.8"}), 0.001)])
    with vici.ViciSession(server.path, timeout=2) as vs:
        assert vs.version() == {"daemon": "charon", "version": "5.9.8"}


def test_timeout_closes_and_the_next_command_reconnects(charon):
    calls = []

    def handler(ptype, name, message):
        calls.append(name)
        return [] if len(calls) == 1 else [ok({"daemon": "charon"})]

    server = charon(handler)
    vs = vici.ViciSession(server.path, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(vici.ViciTimeout, match="did not answer 'version' within 0.3s"):
        vs.version()
    assert time.monotonic() - started < 2
    assert not vs.connected
    assert vs.version() == {"daemon": "charon"}
    assert server.connections == 2
    vs.close()


def test_initiate_waits_for_its_own_timeout(charon):
    """A slow initiate (charon retransmitting) is not cut off by the session timeout."""

    def handler(ptype, name, message):
        if ptype != vici.CMD_REQUEST:
            return [CONFIRM]
        time.sleep(0.5)
        return [ref_packet(vici.EVENT, "control-log", control_log("giving up after 5 retransmits")),
                ok({"success": "no", "errmsg": "establishing CHILD_SA 'partner-acme_bank' failed"})]

    server = charon(handler)
    with vici.ViciSession(server.path, timeout=0.3) as vs:
        ok_, lines = vs.initiate("partner-acme_bank", timeout_ms=1000)
    assert ok_ is False
    assert lines == ["[IKE] giving up after 5 retransmits", "[VICI] establishing CHILD_SA 'partner-acme_bank' failed"]


def test_charon_hangs_up(charon):
    server = charon(lambda t, n, m: None)
    with vici.ViciSession(server.path, timeout=2) as vs:
        with pytest.raises(vici.ViciConnectError, match="charon closed the VICI connection during 'version'"):
            vs.version()
        assert not vs.connected


def test_oversized_segment_is_refused(charon):
    server = charon(lambda t, n, m: [b"RAW:" + struct.pack("!I", vici.MAX_SEGMENT + 1)])
    with vici.ViciSession(server.path, timeout=2) as vs:
        with pytest.raises(vici.ViciProtocolError, match="not a VICI socket"):
            vs.version()


def test_unexpected_packet_type(charon):
    server = charon(lambda t, n, m: [CONFIRM])
    with vici.ViciSession(server.path, timeout=2) as vs:
        with pytest.raises(vici.ViciProtocolError, match="answered EVENT_CONFIRM to the command 'version'"):
            vs.version()
        assert not vs.connected


def test_malformed_answer_closes_the_session(charon):
    server = charon(lambda t, n, m: [bytes([vici.CMD_RESPONSE, 2])])
    with vici.ViciSession(server.path, timeout=2) as vs:
        with pytest.raises(vici.ViciProtocolError, match="SECTION_END without a section"):
            vs.version()
        assert not vs.connected


def test_socket_missing(sockdir):
    path = os.path.join(sockdir, "charon.vici")
    with pytest.raises(vici.ViciConnectError, match="charon is not running or VICI is not enabled: socket .* does not exist"):
        with vici.ViciSession(path):
            pass
    assert vici.socket_present(path) is False


def test_socket_file_without_listener(sockdir):
    path = os.path.join(sockdir, "charon.vici")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)  # a socket file left behind by a dead charon: nobody listens
    stale.close()
    with pytest.raises(vici.ViciConnectError, match="charon is not running or VICI is not enabled: nothing listens"):
        vici.ViciSession(path).version()
    assert vici.socket_present(path) is True


def test_bad_arguments_fail_before_connecting(sockdir):
    vs = vici.ViciSession(os.path.join(sockdir, "charon.vici"))
    with pytest.raises(ValueError, match="65535"):
        vs.request("load-shared", data="x" * 70000)
    assert not vs.connected
