"""devices/service.Daemon against a real process (a backgrounded ``sleep``) and its pidfile."""

import os
import subprocess

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.linux import HostError, LinuxHost
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.service import Daemon, wait_for_file


def run(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def daemon(tmp_path):
    pidfile = tmp_path / "sleep.pid"
    argv = ["sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $! > %s" % pidfile]
    d = Daemon(LinuxHost(run), "sleep", argv, str(pidfile), use_systemd=False, timeout=30)
    yield d
    pid = d.pid()
    if pid:
        os.kill(pid, 15)


def test_start_stop_roundtrip(daemon):
    assert daemon.pid() is None
    assert daemon.start() is True
    pid = daemon.pid()
    assert pid and os.path.exists("/proc/%d" % pid)
    assert daemon.start() is False, "a running daemon must not be started twice"
    assert daemon.stop() is True
    assert daemon.pid() is None
    assert daemon.stop() is False


def test_stale_pidfile_of_another_process_is_not_trusted(daemon, tmp_path):
    # our own pid: a live process whose comm is not "sleep"
    (tmp_path / "sleep.pid").write_text("%d\n" % os.getpid())
    assert daemon.pid() is None
    with pytest.raises(HostError, match="not running"):
        daemon.signal(15)


def test_garbage_pidfile(daemon, tmp_path):
    (tmp_path / "sleep.pid").write_text("not-a-pid\n")
    assert daemon.pid() is None


def test_start_failure_names_the_daemon(tmp_path):
    d = Daemon(LinuxHost(run), "sleep", ["true"], str(tmp_path / "none.pid"), use_systemd=False, timeout=0.2)
    with pytest.raises(HostError, match="sleep did not start"):
        d.start()


def test_wait_for_file(tmp_path):
    path = tmp_path / "dump.json"
    assert wait_for_file(str(path), 0, timeout=0.1) is False
    path.write_text("{}")
    assert wait_for_file(str(path), 0, timeout=0.1) is True


def test_start_failure_quotes_what_the_daemon_logged_since(tmp_path):
    # A daemon that cannot bind logs why and exits (snmpd: 'Error opening specified endpoint'); the
    # failure quotes those lines, not what the log held before this start.
    log = tmp_path / "d.log"
    log.write_text("an old line from yesterday\n")
    argv = ["sh", "-c", "printf 'Error opening specified endpoint \"udp:198.18.90.99:161\"\\n"
            "Server Exiting with code 1\\n' >> %s; exit 1" % log]
    d = Daemon(LinuxHost(run), "nosuchd", argv, str(tmp_path / "none.pid"), use_systemd=False, timeout=1,
               logfile=str(log))
    with pytest.raises(HostError) as err:
        d.start()
    assert "its log says: Error opening specified endpoint \"udp:198.18.90.99:161\" | Server Exiting with code 1" in str(err.value)
    assert "yesterday" not in str(err.value)
    # a daemon that exits 0 but never writes its pidfile: the timeout message quotes the log too
    ok = Daemon(LinuxHost(run), "nosuchd", ["sh", "-c", "echo 'bind failed' >> %s" % log], str(tmp_path / "none.pid"),
                use_systemd=False, timeout=0.2, logfile=str(log))
    with pytest.raises(HostError, match="did not start within 0.2s.*its log says: bind failed$"):
        ok.start()
    assert Daemon(LinuxHost(run), "x", ["true"], "/nonexistent").log_since(0) == ""


def test_a_log_the_daemon_rewrote_at_start_is_read_whole(tmp_path):
    # snmpd truncates its -Lf log when it starts: the new text may be shorter or longer than the old
    log = tmp_path / "d.log"
    log.write_text("NET-SNMP version 5.9.3\nan older and much longer line from the previous start\n")
    argv = ["sh", "-c", "printf 'NET-SNMP version 5.9.3\\nError opening specified endpoint\\n"
            "Server Exiting with code 1\\n' > %s; exit 1" % log]
    d = Daemon(LinuxHost(run), "nosuchd", argv, str(tmp_path / "none.pid"), use_systemd=False, timeout=1,
               logfile=str(log))
    with pytest.raises(HostError, match=r"its log says: NET-SNMP version 5\.9\.3 \| Error opening specified endpoint \| "
                                        r"Server Exiting with code 1$"):
        d.start()
