"""devices.linux: files read byte-exact and written atomically with their mode, ``ip`` JSON and routes."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.linux import HostError, LinuxHost


def answers(table):
    calls = []

    def run(argv):
        calls.append(list(argv))
        return table.get(" ".join(argv), (1, "", "unexpected\n"))
    return run, calls


def test_write_is_atomic_with_the_mode_and_creates_the_directory(tmp_path):
    host = LinuxHost(answers({})[0])
    path = tmp_path / "private" / "paynet-a.key"
    host.write(str(path), "secret\n", 0o600)
    assert path.read_text() == "secret\n" and path.stat().st_mode & 0o777 == 0o600
    assert oct((tmp_path / "private").stat().st_mode & 0o777) == "0o755"
    path.chmod(0o644)
    host.write(str(path), "new\n", 0o600)  # a too open file is tightened on the next write
    assert path.read_text() == "new\n" and path.stat().st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path / "private") == ["paynet-a.key"]  # no temporary file left
    host.delete(str(path))
    host.delete(str(path))  # deleting what is gone is fine
    assert not path.exists()


def test_read_files_is_byte_exact_and_only_matches_the_patterns(tmp_path):
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "paynet-a.conf").write_bytes(b"a {\r\n}\r\n")
    (tmp_path / "conf.d" / "ops.conf").write_bytes(b"ops\n")
    (tmp_path / "conf.d" / "paynet-dir.conf").mkdir()
    files = LinuxHost.read_files(str(tmp_path), ("conf.d/paynet-*.conf",))
    assert files == {str(tmp_path / "conf.d" / "paynet-a.conf"): "a {\r\n}\r\n"}


def test_ip_json_and_its_failure_names_the_command():
    run, calls = answers({"ip -d -j addr show": (0, "[]", "")})
    host = LinuxHost(run)
    assert json.loads(host.ip_json("addr", "show")) == [] and calls == [["ip", "-d", "-j", "addr", "show"]]
    with pytest.raises(HostError, match=r"^'ip -d -j link show' failed: unexpected$"):
        host.ip_json("link", "show")


@pytest.mark.parametrize("answer, dev", [
    ((0, json.dumps([{"dst": "198.18.200.2", "dev": "eth1"}]), ""), "eth1"),
    ((2, "", "RTNETLINK answers: Network is unreachable\n"), None),
    ((0, "not json", ""), None),
    ((0, "[]", ""), None),
])
def test_route_interface(answer, dev):
    host = LinuxHost(answers({"ip -j route get 198.18.200.2": answer})[0])
    assert host.route_interface("198.18.200.2") == dev
