"""module_utils/netinfra/ops/reachability.py: one parallel TCP probe per device, on real sockets."""

from __future__ import annotations

import socket

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.ops import reachability


def _listener():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


def _closed_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # bound then closed: nothing listens there
    return port


def test_a_listening_device_is_reachable_and_a_closed_port_is_named_refused():
    up = _listener()
    try:
        result = reachability.probe({"ste1": ("127.0.0.1", up.getsockname()[1]), "sth2": ("127.0.0.1", _closed_port())},
                                    timeout=5)
    finally:
        up.close()
    assert result["reachable_hosts"] == ["ste1"] and result["unreachable_hosts"] == ["sth2"]
    assert "error" not in result["details"]["ste1"]
    assert result["details"]["sth2"]["error"].startswith("connection refused")
    msg = reachability.message(result)
    assert msg.startswith("1 of 2 devices UNREACHABLE") and "sth2 (127.0.0.1:" in msg and "Fix:" in msg


def test_a_silent_device_times_out_and_an_unknown_name_says_so():
    def silent(address, timeout):  # what a dropped SYN looks like to the caller
        raise socket.timeout("timed out")

    result = reachability.probe({"stv2": ("198.18.99.14", 22)}, timeout=0.1, connect=silent)
    assert result["unreachable_hosts"] == ["stv2"] and result["details"]["stv2"]["error"] == "no answer (timed out)"
    result = reachability.probe({"nowhere": ("no-such-host.invalid", 22)}, timeout=2)
    assert result["details"]["nowhere"]["error"].startswith("address unknown")


def test_all_answer_and_nothing_to_probe():
    up = _listener()
    try:
        result = reachability.probe({"a": ("127.0.0.1", up.getsockname()[1])}, timeout=5)
    finally:
        up.close()
    assert reachability.message(result) == "all 1 devices answer on their management address"
    assert reachability.probe({}) == {"reachable_hosts": [], "unreachable_hosts": [], "details": {}}
