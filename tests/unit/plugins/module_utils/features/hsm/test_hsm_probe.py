"""segmentation_probe's logic (features/hsm/probe.py) against real listeners on 127.0.0.1: a TLS
server with a certificate made by the openssl CLI, a plain TCP server, a closed port, a UDP socket
that never answers, a real snmpd (when installed) and a responder replaying a Report captured from
net-snmp 5.9.3."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import probe

FIXTURES = Path(__file__).parent / "fixtures"
CAPTURED_REPORT = bytes.fromhex((FIXTURES / "snmpd_5.9.3_report.hex").read_text().strip())


def free_port(kind=socket.SOCK_STREAM):
    sock = socket.socket(socket.AF_INET, kind)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class Server:
    """A listener on 127.0.0.1 in a thread; ``handler(conn)`` serves each connection."""

    def __init__(self, handler=None, kind=socket.SOCK_STREAM):
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.handler = handler
        self.kind = kind
        self.stop = threading.Event()
        if kind == socket.SOCK_STREAM:
            self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop.is_set():
            try:
                if self.kind == socket.SOCK_STREAM:
                    conn, _peer = self.sock.accept()
                    conn.settimeout(5)
                    threading.Thread(target=self._serve, args=(conn,), daemon=True).start()
                else:
                    data, peer = self.sock.recvfrom(65535)
                    if self.handler:
                        self.handler(self.sock, data, peer)
            except socket.timeout:
                continue
            except OSError:
                return

    def _serve(self, conn):
        try:
            if self.handler:
                self.handler(conn)
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl CLI not installed")
    folder = tmp_path_factory.mktemp("tls")
    key, crt = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", "/CN=hsm-test.standin/O=paynet lab", "-days", "2", "-keyout", str(key), "-out", str(crt)],
                   check=True, capture_output=True)
    der = ssl.PEM_cert_to_DER_cert(crt.read_text())
    return {"key": str(key), "cert": str(crt), "sha256": hashlib.sha256(der).hexdigest()}


@pytest.fixture()
def tls_server(cert):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert["cert"], cert["key"])

    def handler(conn):
        with context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1)

    server = Server(handler)
    yield server
    server.close()


@pytest.fixture()
def plain_server():
    server = Server(lambda conn: None)  # accept and close
    yield server
    server.close()


def target(port, protocol="tcp", tls=False, source="127.0.0.1"):
    return {"address": "127.0.0.1", "protocol": protocol, "port": port, "tls": tls, "source": source}


def test_tls_handshake_records_version_subject_and_fingerprint(tls_server, cert):
    result = probe.probe_one(target(tls_server.port, tls=True))
    assert result["outcome"] == "connected" and result["reached"], result
    tls = result["tls"]
    assert tls["completed"], tls
    assert tls["version"] in ("TLSv1.2", "TLSv1.3")
    assert tls["subject"] == "CN=hsm-test.standin,O=paynet lab"
    assert tls["sha256"] == cert["sha256"]
    assert result["source"] == "127.0.0.1"


def test_tls_expected_but_plain_tcp_answers(plain_server):
    result = probe.probe_one(target(plain_server.port, tls=True), timeout=2)
    assert result["outcome"] == "connected"
    assert result["tls"]["completed"] is False and result["tls"]["error"], result


def test_plain_tcp_connect_without_tls(plain_server):
    result = probe.probe_one(target(plain_server.port))
    assert result["outcome"] == "connected" and result["tls"] is None and result["elapsed_ms"] >= 0


def test_closed_port_is_refused():
    result = probe.probe_one(target(free_port()))
    assert result["outcome"] == "refused" and not result["reached"]


def test_source_not_on_this_host_is_an_error_not_a_pass():
    result = probe.probe_one(target(free_port(), source="198.18.99.99"))
    assert result["outcome"] == "error" and "cannot bind source 198.18.99.99" in result["detail"]
    result = probe.probe_one(target(free_port(socket.SOCK_DGRAM), protocol="udp", source="198.18.99.99"),
                             snmp_ports=(0,))
    assert result["outcome"] == "unverifiable"  # nothing is sent to an unverifiable port


def test_error_outcomes_map():
    assert probe._error_outcome(socket.timeout()) == "timeout"
    assert probe._error_outcome(OSError(113, "No route to host")) == "unreachable"
    assert probe._error_outcome(OSError(111, "refused")) == "refused"
    assert probe._error_outcome(OSError(1, "EPERM")) == "error"


def test_other_udp_ports_are_unverifiable():
    result = probe.probe_one(target(514, protocol="udp"))
    assert result["outcome"] == "unverifiable" and not result["reached"]
    assert "not probed" in result["detail"]


def test_captured_report_parses():
    report = probe.parse_snmpv3_report(CAPTURED_REPORT, 4242)
    assert report == {"engine_id": "80001f8880bbc89f44df370f6b00000000", "engine_boots": 1, "engine_time": 2,
                      "pdu": "report", "report_oid": "1.3.6.1.6.3.15.1.1.4.0"}  # usmStatsUnknownEngineIDs
    with pytest.raises(ValueError):
        probe.parse_snmpv3_report(CAPTURED_REPORT, 4243)
    with pytest.raises(ValueError):
        probe.parse_snmpv3_report(b"\x30\x03\x02\x01\x01")
    with pytest.raises(ValueError):
        probe.parse_snmpv3_report(CAPTURED_REPORT[:20])


def _replay(sock, data, peer):
    """Answer a discovery request with the captured Report, its msgID set to the request's."""
    _tag, body, _end = probe.ber_read(data)
    msg_id = int.from_bytes(probe.ber_items(probe.ber_items(body)[1][1])[0][1], "big", signed=True)
    _tag, rbody, _end = probe.ber_read(CAPTURED_REPORT)
    items = probe.ber_items(rbody)
    header = probe.ber_items(items[1][1])
    new_header = probe.ber_seq(probe.ber_int(msg_id), *[probe.tlv(t, v) for t, v in header[1:]])
    sock.sendto(probe.ber_seq(probe.tlv(*items[0]), new_header, *[probe.tlv(t, v) for t, v in items[2:]]), peer)


def test_snmp_discovery_against_captured_report():
    server = Server(_replay, kind=socket.SOCK_DGRAM)
    try:
        result = probe.probe_one(target(server.port, protocol="udp"), snmp_ports=(server.port,))
    finally:
        server.close()
    assert result["outcome"] == "answered" and result["reached"], result
    assert result["snmp"]["engine_id"] == "80001f8880bbc89f44df370f6b00000000"


def test_snmp_no_answer_and_refused():
    silent = Server(lambda sock, data, peer: None, kind=socket.SOCK_DGRAM)
    try:
        result = probe.probe_one(target(silent.port, protocol="udp"), timeout=0.3, snmp_ports=(silent.port,))
    finally:
        silent.close()
    assert result["outcome"] == "no_answer" and not result["reached"]
    port = free_port(socket.SOCK_DGRAM)
    result = probe.probe_one(target(port, protocol="udp"), timeout=2, snmp_ports=(port,))
    assert result["outcome"] == "refused", result  # ICMP port unreachable on loopback


def test_snmp_discovery_against_real_snmpd(tmp_path):
    snmpd = shutil.which("snmpd") or ("/usr/sbin/snmpd" if os.path.exists("/usr/sbin/snmpd") else None)
    if not snmpd:
        pytest.skip("snmpd not installed")
    port = free_port(socket.SOCK_DGRAM)
    (tmp_path / "snmpd.conf").write_text("rouser probeuser authpriv\n")
    env = dict(os.environ, MIBS="", SNMP_PERSISTENT_DIR=str(tmp_path))
    proc = subprocess.Popen([snmpd, "-f", "-Lf", str(tmp_path / "log"), "-C", "-c", str(tmp_path / "snmpd.conf"),
                             "udp:127.0.0.1:%d" % port], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        result = None
        for _attempt in range(40):  # snmpd takes a moment to open its port (a refused or silent answer until then)
            result = probe.probe_one(target(port, protocol="udp"), timeout=0.5, snmp_ports=(port,))
            if result["outcome"] == "answered" or proc.poll() is not None:
                break
            threading.Event().wait(0.25)
        assert result["outcome"] == "answered", (result, (tmp_path / "log").read_text() if (tmp_path / "log").exists() else "")
        assert result["snmp"]["pdu"] == "report" and result["snmp"]["engine_id"].startswith("80001f88")
    finally:
        proc.terminate()
        proc.wait(10)


def test_probes_run_concurrently_and_keep_order():
    """The responder answers only once all 8 requests have arrived: probes run one after another would
    each get no answer."""
    count = 8
    seen = []
    lock = threading.Lock()

    def barrier(sock, data, peer):
        with lock:
            seen.append((data, peer))
            if len(seen) == count:
                for d, p in seen:
                    _replay(sock, d, p)

    server = Server(barrier, kind=socket.SOCK_DGRAM)
    closed = free_port()
    try:
        targets = [target(server.port, protocol="udp") for _index in range(count)] + [target(closed)]
        results = probe.run_probes(targets, timeout=8, snmp_ports=(server.port,))
    finally:
        server.close()
    assert [r["outcome"] for r in results] == ["answered"] * count + ["refused"]
    assert probe.run_probes([]) == []


def test_check_targets_names_field_and_fix():
    problems = probe.check_targets([{"address": "hsm1", "port": 70000, "protocol": "icmp", "source": "x"}, "nope"])
    assert any(p.startswith("targets[0].address: 'hsm1' is not an IP address") for p in problems)
    assert any(p.startswith("targets[0].port: 70000") for p in problems)
    assert any(p.startswith("targets[0].protocol: 'icmp'") for p in problems)
    assert any(p.startswith("targets[0].source: 'x'") for p in problems)
    assert any(p.startswith("targets[1]: must be a mapping") for p in problems)
    assert probe.check_targets([target(1792, tls=True)]) == []


def test_cert_subject_of_a_real_certificate(cert):
    der = ssl.PEM_cert_to_DER_cert(Path(cert["cert"]).read_text())
    assert probe.cert_subject(der) == "CN=hsm-test.standin,O=paynet lab"
