"""devices.rollback_timer against a scratch state directory: arm snapshots and refuses a second arm,
confirm takes the token (and says "too late" after a fire), fire restores files (removing the ones the
change created) and records what it did, the real detached timer fires by itself and a confirmed one
does not; the recipes' commands (nft, frr-reload) are checked through a recording runner. Also the
transaction's commit-confirm wiring with this Timer, and the confirm_timeout check."""

from __future__ import annotations

import json
import os
import time

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import confirm as core_confirm
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import transaction
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices import rollback_timer as rt


def no_spawn(_timer, _feature, _token, _timeout):
    return None


def wait_for(path, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        assert time.monotonic() < deadline, "%s did not appear within %ss" % (path, timeout)
        time.sleep(0.05)


@pytest.fixture
def box(tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "a.conf").write_text("old a\n")
    os.chmod(etc / "a.conf", 0o640)
    return {"root": str(tmp_path / "state"), "etc": etc,
            "recipe": [{"kind": "files", "paths": [str(etc / "*.conf")]}]}


def test_arm_fire_restores_files_and_removes_created_ones(box):
    timer = rt.Timer(box["root"], spawn=no_spawn)
    armed = timer.arm("feat", box["recipe"], 30, what="two files")
    assert armed["timeout"] == 30 and armed["fires_at"] - armed["armed_at"] == 30 and "steps" not in armed
    assert armed["fired_before"] is None
    state = os.path.join(box["root"], "feat")
    assert oct(os.stat(state).st_mode & 0o777) == "0o700"
    assert oct(os.stat(os.path.join(state, rt.ARMED)).st_mode & 0o777) == "0o600"
    # the change: a.conf modified, b.conf created
    (box["etc"] / "a.conf").write_text("new a\n")
    (box["etc"] / "b.conf").write_text("new b\n")
    fired = timer.fire("feat", armed["id"])
    assert fired["ok"], fired
    assert (box["etc"] / "a.conf").read_text() == "old a\n"
    assert oct(os.stat(box["etc"] / "a.conf").st_mode & 0o777) == "0o640"
    assert not (box["etc"] / "b.conf").exists()
    status = timer.status("feat")
    assert status["pending"] is None and status["fired"]["what"] == "two files"
    assert "b.conf" in rt.summary(status["fired"]) and "fired at" in rt.fired_warning(status["fired"])
    # a confirm that comes after the fire is told so
    with pytest.raises(rt.TimerError, match="too late: the device-side timer fired"):
        timer.confirm("feat", armed["id"])
    # the next arm reports the fired rollback once, then forgets it
    again = timer.arm("feat", box["recipe"], 30)
    assert again["fired_before"]["id"] == armed["id"]
    assert timer.status("feat")["fired"] is None


def test_pending_timer_refuses_a_second_arm_and_confirm_wins(box):
    timer = rt.Timer(box["root"], spawn=no_spawn)
    armed = timer.arm("feat", box["recipe"], 30)
    # no timer process here (no_spawn): the message says it will never fire, and how to clear it
    with pytest.raises(rt.TimerError, match="timer is gone.*Nothing was changed.*remove .*armed.json"):
        timer.arm("feat", box["recipe"], 30)
    with pytest.raises(rt.TimerError, match="no armed commit-confirm timer"):
        timer.confirm("feat", "not-the-id")
    assert timer.confirm("feat", armed["id"])["confirmed"] is True
    (box["etc"] / "a.conf").write_text("new a\n")
    assert timer.fire("feat", armed["id"]) is None  # confirmed: the timer does nothing
    assert (box["etc"] / "a.conf").read_text() == "new a\n"
    assert timer.status("feat") == {"pending": None, "fired": None}


def test_bad_inputs(box):
    timer = rt.Timer(box["root"], spawn=no_spawn)
    with pytest.raises(rt.TimerError, match="positive"):
        timer.arm("feat", box["recipe"], 0)
    with pytest.raises(rt.TimerError, match="bad feature"):
        timer.arm("../x", box["recipe"], 5)
    with pytest.raises(rt.TimerError, match="unknown recipe step"):
        timer.arm("feat", [{"kind": "reboot"}], 5)


def test_detached_timer_fires_by_itself_and_a_confirmed_one_does_not(box):
    timer = rt.Timer(box["root"])
    armed = timer.arm("feat", box["recipe"], 1)
    assert armed["pid"] and armed["pid"] != os.getpid() and armed["cmdline"]
    (box["etc"] / "a.conf").write_text("new a\n")
    wait_for(os.path.join(box["root"], "feat", rt.FIRED))
    assert (box["etc"] / "a.conf").read_text() == "old a\n"
    fired = timer.status("feat")["fired"]
    assert fired["ok"] and fired["fired_at"] - fired["armed_at"] >= 1
    timer.clear_fired("feat")

    # long enough that a loaded machine cannot let it fire before the confirm below (it ends at the confirm)
    armed = timer.arm("feat", box["recipe"], 120)
    (box["etc"] / "a.conf").write_text("kept\n")
    assert timer.status("feat")["pending"]["timer_running"] is True
    with pytest.raises(rt.TimerError, match="awaiting its confirm.*restores the configuration from before it at "
                                            ".*Nothing was changed"):
        timer.arm("feat", box["recipe"], 2)
    timer.confirm("feat", armed["id"])
    deadline = time.monotonic() + 30
    while rt.proc_identity(armed["pid"]) and rt.proc_identity(armed["pid"])[0] == armed["starttime"]:
        assert time.monotonic() < deadline, "the confirmed timer process did not end"
        time.sleep(0.05)
    assert (box["etc"] / "a.conf").read_text() == "kept\n"
    assert timer.status("feat")["fired"] is None


class Recorder:
    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def __call__(self, argv, data=None):
        self.calls.append(list(argv))
        if argv[:2] == ["nft", "-f"]:
            with open(argv[2], encoding="utf-8") as fh:
                self.calls[-1].append(fh.read())
        for prefix, answer in self.answers:
            if argv[:len(prefix)] == prefix:
                return answer
        return 0, "", ""


def test_nft_recipe_restores_the_table_or_removes_it(tmp_path):
    table = "table inet paynet_hsm {\n\tchain forward {\n\t}\n}\n"
    runner = Recorder([(["nft", "list"], (0, table, ""))])
    steps = rt.snapshot([{"kind": "nft_table", "family": "inet", "table": "paynet_hsm"}], runner)
    report = rt.restore(steps, runner)
    assert report[0]["ok"] and "restored" in report[0]["what"]
    assert runner.calls[-1][-1] == ("table inet paynet_hsm {}\ndelete table inet paynet_hsm\n" + table)
    runner = Recorder([(["nft", "list"], (1, "", "Error: No such file or directory"))])
    steps = rt.snapshot([{"kind": "nft_table", "family": "inet", "table": "paynet_hsm"}], runner)
    assert rt.restore(steps, runner)[0]["what"].endswith("removed)")
    assert runner.calls[-1][-1] == "table inet paynet_hsm {}\ndelete table inet paynet_hsm\n"
    with pytest.raises(rt.TimerError, match="Operation not permitted"):
        rt.snapshot([{"kind": "nft_table", "table": "t"}], Recorder([(["nft"], (1, "", "Operation not permitted"))]))


def test_frr_recipe_uses_frr_reload_and_proves_the_result(tmp_path):
    running = "Building configuration...\n\nCurrent configuration:\n!\nrouter bgp 65010\nend\n"
    runner = Recorder([(["vtysh", "-c", "show running-config"], (0, running, ""))])
    steps = rt.snapshot([{"kind": "frr"}], runner)
    reload_bin = tmp_path / "frr-reload.py"
    reload_bin.write_text("")
    report = rt.restore(steps, runner, reload_paths=(str(reload_bin),))
    assert report[0]["ok"], report
    assert runner.calls[1][1:3] == [str(reload_bin), "--reload"]
    # without frr-reload: vtysh -f + write memory; a running config that still differs is a failure
    runner = Recorder([(["vtysh", "-c", "show running-config"], (0, "router bgp 65010\n neighbor x\n", ""))])
    report = rt.restore(steps, runner, reload_paths=(str(tmp_path / "absent"),))
    assert not report[0]["ok"] and "still differs" in report[0]["detail"]
    assert ["vtysh", "-c", "write memory"] in runner.calls


def test_remote_timer_runs_this_file_over_ssh(tmp_path):
    calls = []

    def runner(argv, data=None):
        calls.append(argv)
        # run the remote command locally, as the device would (no become here)
        import subprocess  # pylint: disable=import-outside-toplevel
        proc = subprocess.run(["/bin/sh", "-c", argv[-1]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, check=False,
                              env=dict(os.environ, PAYNET_NETINFRA_CONFIRM_ROOT=str(tmp_path)))
        return proc.returncode, proc.stdout, proc.stderr

    remote = rt.RemoteTimer(["ssh", "-l", "admin", "r1"], become=[], runner=runner)
    target = tmp_path / "x.conf"
    target.write_text("before\n")
    armed = remote.arm("bgp", [{"kind": "files", "paths": [str(target)]}], 60, "partners")
    assert calls[0][:4] == ["ssh", "-l", "admin", "r1"] and armed["id"]
    with pytest.raises(rt.TimerError, match="awaiting its confirm"):
        remote.arm("bgp", [{"kind": "files", "paths": [str(target)]}], 60)
    assert remote.confirm("bgp", armed["id"])["confirmed"] is True
    assert remote.status("bgp") == {"pending": None, "fired": None}


class Box(transaction.Backend):
    noun = "box"
    confirm_feature = "box"

    def __init__(self, verify_fails=False, rollback_fails=False):
        self.value, self.verify_fails, self.rollback_fails = "old", verify_fails, rollback_fails
        self.saved = None

    def gather(self):
        return self.value

    def plan(self, current):
        return transaction.Plan(current != "new", ["set new"], transaction.diff_of(current, "new", "a", "b"))

    def recipe(self, plan):
        return [{"kind": "command", "argv": ["true"]}]

    def apply(self, plan):
        self.value = "new"

    def verify(self, plan, result):
        return "the box is unwell" if self.verify_fails else None

    def rollback(self, plan, result):
        if self.rollback_fails:
            raise RuntimeError("the box is unreachable")
        self.value = "old"
        return True

    def confirm(self, plan, result):
        self.saved = self.value


class Direct(rt.Timer):
    """A Timer the transaction confirms itself (like RemoteTimer), without a process."""

    local = False
    deferred = False


def test_transaction_arms_confirms_and_saves_after_the_confirm(tmp_path):
    timer = Direct(str(tmp_path), spawn=no_spawn)
    box = Box()
    result = transaction.run(box, confirm_timeout=60, timer=timer)
    assert result["confirm"]["confirmed"] is True and result["confirm"]["armed"] is False
    assert box.saved == "new" and timer.status("box") == {"pending": None, "fired": None}
    # no-op and check mode never arm
    assert "confirm" not in transaction.run(Box(), check_mode=True, confirm_timeout=60, timer=timer)
    box.value = "new"
    assert "confirm" not in transaction.run(box, confirm_timeout=60, timer=timer)
    assert os.listdir(os.path.join(str(tmp_path), "box")) == ["lock"]


def test_deferred_timer_stays_armed_for_the_controller(tmp_path):
    timer = rt.Timer(str(tmp_path), spawn=no_spawn)
    result = transaction.run(Box(), confirm_timeout=60, timer=timer)
    assert result["confirm"]["armed"] is True and result["confirm"]["deferred"] is True
    # another run now finds the pending timer and fails before reading anything
    with pytest.raises(transaction.StepFailed, match="was never confirmed and its commit-confirm timer is gone"):
        transaction.run(Box(), check_mode=True, confirm_timeout=60, timer=timer)
    timer.confirm("box", result["confirm"]["id"])


def test_rollback_then_disarm_and_failed_rollback_keeps_the_timer(tmp_path):
    timer = Direct(str(tmp_path), spawn=no_spawn)
    with pytest.raises(transaction.ChangeFailed, match="unwell; rolled back") as info:
        transaction.run(Box(verify_fails=True), confirm_timeout=60, timer=timer)
    assert info.value.result["confirm"]["disarmed"] is True
    assert timer.status("box")["pending"] is None
    with pytest.raises(transaction.ChangeFailed, match="ROLLBACK FAILED.*timer stays armed.*by itself at") as info:
        transaction.run(Box(verify_fails=True, rollback_fails=True), confirm_timeout=60, timer=timer)
    assert info.value.result["confirm"]["armed"] is True
    assert timer.status("box")["pending"]["id"] == info.value.result["confirm"]["id"]
    # the fired rollback is reported on the next run (a local timer: read before gather)
    timer.fire("box", info.value.result["confirm"]["id"])
    local = rt.Timer(str(tmp_path), spawn=no_spawn)
    result = transaction.run(Box(), check_mode=True, confirm_timeout=60, timer=local)
    assert "restored itself" in result["warnings"][0]
    assert local.status("box")["fired"] is not None  # check mode leaves the record
    transaction.run(Box(), confirm_timeout=60, timer=local)
    assert local.status("box")["fired"] is None


@pytest.mark.parametrize("timeout,verify,ok", [(0, 60, True), (120, 60, True), (75, 60, True), (74, 60, False),
                                               (15, 0, True), (14, 0, False)])
def test_confirm_timeout_must_outlast_verify(timeout, verify, ok):
    finding = core_confirm.check_timeout("edge1", timeout, verify)
    assert (finding is None) is ok
    if not ok:
        text = str(finding)
        assert text.startswith("edge1: confirm_timeout: %ds is too short" % timeout) and "Fix: set confirm_timeout to" in text


def test_state_files_are_json(box):
    timer = rt.Timer(box["root"], spawn=no_spawn)
    timer.arm("feat", box["recipe"], 30)
    with open(os.path.join(box["root"], "feat", rt.ARMED), encoding="utf-8") as fh:
        record = json.load(fh)
    assert record["steps"][0]["saved"][str(box["etc"] / "a.conf")]["mode"] == 0o640
    with open(os.path.join(box["root"], "feat", rt.ARMED), "w", encoding="utf-8") as fh:
        fh.write("{broken")
    with pytest.raises(rt.TimerError, match="not readable JSON"):
        timer.status("feat")


class ShellChannel:
    """network_cli's ssh_type_conn as the frr cliconf uses it: exec_command runs the line in a POSIX shell (here
    locally, against the scratch state root; as root, so the helper runs without sudo), or answers as a router
    whose login shell is vtysh."""

    def __init__(self, root, vtysh=False):
        self.root, self.vtysh, self.lines = root, vtysh, []

    def exec_command(self, line, sudoable=True):
        import subprocess  # pylint: disable=import-outside-toplevel
        self.lines.append(line)
        if self.vtysh:
            return 1, b"% Unknown command: [ \"$(id -u)\" -eq 0 ]\n", b""
        proc = subprocess.run(["/bin/sh", "-c", line], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False,
                              env=dict(os.environ, PAYNET_NETINFRA_CONFIRM_ROOT=self.root))
        return proc.returncode, proc.stdout, proc.stderr


def _session(channel):
    from ansible_collections.paynet.netinfra.plugins.cliconf.frr import Cliconf  # pylint: disable=import-outside-toplevel
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.vtysh import (  # pylint: disable=import-outside-toplevel
        SessionTimers,
        VtyshDevice,
    )

    class NetworkCli:
        ssh_type_conn = channel

    return SessionTimers(VtyshDevice(Cliconf(NetworkCli())))


@pytest.mark.skipif(os.geteuid() != 0, reason="the channel's helper runs as root (the wrapper uses sudo -n otherwise)")
def test_a_run_that_changes_nothing_on_frr_reads_the_timer_over_its_session(tmp_path):
    """bgp_peering's no-op: another run's pending timer fails it, a fired rollback is reported once (and
    forgotten), both read over the network_cli session's exec channel; a vtysh login shell reports nothing."""
    root = str(tmp_path)
    device_side = rt.Timer(root, spawn=no_spawn)
    armed = device_side.arm("box", [{"kind": "command", "argv": ["true"]}], 60, "another run's change")
    channel = ShellChannel(root)
    timers = _session(channel)
    unchanged = Box()
    unchanged.value = "new"  # the intent is already on the device: nothing to change
    with pytest.raises(transaction.StepFailed, match="awaiting its confirm|never confirmed"):
        transaction.run(unchanged, confirm_timeout=60, timer=timers)
    assert channel.lines and channel.lines[0].startswith('[ "$(id -u)" -eq 0 ] || set -- sudo -n; exec "$@" python3 -c ')
    assert device_side.status("box")["pending"]["id"] == armed["id"]  # reading changed nothing
    fired = device_side.fire("box", armed["id"])
    assert fired["ok"], fired
    # check mode reports the fired rollback and keeps the record; a real run reports it and forgets it
    result = transaction.run(unchanged, check_mode=True, confirm_timeout=60, timer=timers)
    assert not result["changed"] and "restored itself" in result["warnings"][0]
    assert device_side.status("box")["fired"] is not None
    result = transaction.run(unchanged, confirm_timeout=0, timer=timers)
    assert not result["changed"] and "restored itself" in result["warnings"][0]
    assert device_side.status("box")["fired"] is None
    assert "warnings" not in transaction.run(unchanged, confirm_timeout=0, timer=timers)
    # a router whose login shell is vtysh cannot run the helper: nothing is known, nothing reported, no failure
    device_side.arm("box", [{"kind": "command", "argv": ["true"]}], 60)
    quiet = _session(ShellChannel(root, vtysh=True))
    assert quiet.status("box") == {"pending": None, "fired": None}
    assert "warnings" not in transaction.run(unchanged, confirm_timeout=0, timer=quiet)
    # commit-confirm off (no ssh timer): arming is refused loudly instead of silently skipped
    with pytest.raises(RuntimeError, match="commit-confirm is off"):
        quiet.arm("box", [], 60)
