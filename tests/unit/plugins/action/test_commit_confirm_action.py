"""Controller side of the commit-confirm (plugin_utils/commit_confirm.py) through the real action plugins: a
confirm_timeout too short for the verification is refused before the device is contacted (host, field, fix);
an armed, deferred timer is confirmed with a NEW command after the module returned (and a confirm that cannot
reach the device fails the task saying when the device restores itself); bgp_peering gets its ssh argv from the
host's variables without any connection being opened."""

from __future__ import annotations

import json
import pathlib
from types import SimpleNamespace
from unittest import mock

import yaml

from ansible_collections.paynet.netinfra.plugins.action.hsm_attachment import ActionModule as Attachment
from ansible_collections.paynet.netinfra.plugins.plugin_utils import commit_confirm

REPO = pathlib.Path(__file__).resolve().parents[4]
HSM = yaml.safe_load((REPO / "inventories/lab/group_vars/all/hsm.yml").read_text())["hsm"]
VRRP = yaml.safe_load((REPO / "inventories/lab/host_vars/hgw1.yml").read_text())["vrrp"]
TASK_VARS = {"inventory_hostname": "hgw1", "hsm": HSM, "vrrp": VRRP, "netinfra_policy": {"environment": "lab"}}


class Templar:
    def template(self, value):
        return value


def run(cls, name, args):
    task = SimpleNamespace(args=args, async_val=0, check_mode=False, action="paynet.netinfra.%s" % name)
    plugin = cls(task=task, connection=SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/never-used")),
                 play_context=SimpleNamespace(), loader=None, templar=Templar(), shared_loader_obj=None)
    plugin._execute_module = mock.Mock(return_value={"changed": False})
    return plugin, plugin.run(task_vars=dict(TASK_VARS))


ARMED = {"changed": True, "confirm": {"timeout": 120, "armed": True, "confirmed": False, "id": "abc123",
                                      "feature": "hsm", "fires_at": "2026-12-02T05:00:00Z", "deferred": True}}


def plugin_with(module_result, low_level):
    task = SimpleNamespace(args={}, async_val=0, check_mode=False, action="paynet.netinfra.hsm_attachment")
    plugin = Attachment(task=task, connection=SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/never-used")),
                        play_context=SimpleNamespace(), loader=None, templar=Templar(), shared_loader_obj=None)
    plugin._execute_module = mock.Mock(return_value=json.loads(json.dumps(module_result)))
    plugin._low_level_execute_command = mock.Mock(side_effect=low_level)
    return plugin


def test_a_too_short_confirm_timeout_never_reaches_the_gateway():
    plugin, result = run(Attachment, "hsm_attachment", {"confirm_timeout": 5})
    plugin._execute_module.assert_not_called()
    assert result["failed"] is True
    assert result["msg"].startswith("invalid options, no device was touched: hgw1: confirm_timeout: 5s is too short")
    assert "Fix: set confirm_timeout to 15 or more (or 0 to turn commit-confirm off)" in result["msg"]


def test_zero_turns_it_off_and_the_default_passes():
    for args in ({"confirm_timeout": 0}, {}):
        plugin, result = run(Attachment, "hsm_attachment", args)
        plugin._execute_module.assert_called_once()
        assert not result.get("failed")


def test_the_armed_timer_is_confirmed_with_a_new_command_after_the_module():
    calls = []

    def low_level(cmd, sudoable=True):
        calls.append((cmd, sudoable))
        return {"rc": 0, "stdout": '{"confirmed": true, "confirmed_at": "2026-12-02T04:58:01Z"}\n', "stderr": ""}

    plugin = plugin_with(ARMED, low_level)
    result = plugin.run(task_vars=dict(TASK_VARS))
    assert not result.get("failed"), result
    assert result["confirm"]["confirmed"] is True and result["confirm"]["armed"] is False
    (cmd, sudoable), = calls
    assert sudoable is True and cmd.endswith(" confirm hsm abc123") and "python3 -c" in cmd


def test_a_confirm_that_cannot_reach_the_gateway_fails_and_says_when_it_restores():
    def low_level(cmd, sudoable=True):
        return {"rc": 255, "stdout": "", "stderr": "ssh: connect to host 198.18.1.2 port 22: Connection timed out"}

    plugin = plugin_with(ARMED, low_level)
    result = plugin.run(task_vars=dict(TASK_VARS))
    assert result["failed"] is True and result["confirm"]["confirmed"] is False
    assert "could not confirm it over a new connection (ssh: connect to host" in result["msg"]
    assert "restores the configuration from before the change by itself at 2026-12-02T05:00:00Z" in result["msg"]


def test_nothing_to_confirm_means_no_command():
    for module_result in ({"changed": False}, dict(ARMED, failed=True, msg="verification failed"),
                          {"changed": True, "confirm": {"armed": False, "confirmed": False, "timeout": 0}}):
        plugin = plugin_with(module_result, lambda *a, **k: None)
        plugin.run(task_vars=dict(TASK_VARS))
        plugin._low_level_execute_command.assert_not_called()


def test_ssh_argv_from_the_host_variables():
    action = SimpleNamespace(_templar=Templar())
    argv = commit_confirm.ssh_timer(action, {"inventory_hostname": "edge1", "ansible_host": "198.18.1.2",
                                             "ansible_user": "admin", "ansible_port": 2222,
                                             "ansible_ssh_private_key_file": "/keys/id",
                                             "ansible_ssh_common_args": "-o StrictHostKeyChecking=no"})
    assert argv[0] == "ssh" and argv[-1] == "198.18.1.2"
    assert argv[argv.index("-p") + 1] == "2222" and argv[argv.index("-i") + 1] == "/keys/id"
    assert argv[argv.index("-l") + 1] == "admin" and "BatchMode=yes" in argv


def test_check_params_uses_the_verify_timeout():
    assert commit_confirm.check_params({"confirm_timeout": 40, "verify": True, "verify_timeout": 30}, "gw1")["msg"] \
        .startswith("invalid options, no device was touched: gw1: confirm_timeout: 40s is too short")
    assert commit_confirm.check_params({"confirm_timeout": 40, "verify": False, "verify_timeout": 30}, "gw1") is None
    assert commit_confirm.check_params({"confirm_timeout": 45, "verify": True, "verify_timeout": 30}, "gw1") is None
