"""ansible-core's persistent connection message log (persistent_log_messages) writes raw device commands
and responses - BGP passwords included - to the Ansible log, out of the collection's reach: the network
actions refuse it in production and warn elsewhere, before any device is touched (plugin_utils/message_log.py)."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest

from ansible_collections.ansible.netcommon.plugins.action.network import ActionModule as NetworkAction
from ansible_collections.paynet.netinfra.plugins.action.bgp_peering import ActionModule
from ansible_collections.paynet.netinfra.plugins.plugin_utils import message_log


class Connection:
    def __init__(self, options):
        self.options = options

    def get_option(self, name):
        if name not in self.options:
            raise KeyError(name)
        return self.options[name]


class Templar:
    def template(self, value):
        return value


@pytest.mark.parametrize("connection, logs", [
    (Connection({"persistent_log_messages": True}), True),
    (Connection({"persistent_log_messages": False}), False),
    (Connection({}), False),            # a connection without the option (ssh, local)
    (SimpleNamespace(), False),         # no get_option at all
])
def test_logs_messages(connection, logs):
    assert message_log.logs_messages(connection) is logs


def test_refused_in_production_warned_elsewhere_silent_when_off():
    on = Connection({"persistent_log_messages": True})
    error, warning = message_log.check(on, "production", "ste1")
    assert warning is None and error.startswith("ste1: persistent_log_messages is on")
    assert "refused in production" in error and "Fix:" in error and "ANSIBLE_PERSISTENT_LOG_MESSAGES" in error
    error, warning = message_log.check(on, "lab", "ste1")
    assert error is None and "unmasked" in warning and "Fix:" in warning
    assert message_log.check(Connection({"persistent_log_messages": False}), "production", "ste1") == (None, None)


def _run(options, environment):
    task = SimpleNamespace(args={"config": {}, "confirm_timeout": 0,
                                 "fleet_policy": {"netinfra_policy": {"environment": environment}}},
                           async_val=0, check_mode=False, action="paynet.netinfra.bgp_peering")
    plugin = ActionModule(task=task, connection=Connection(options), play_context=SimpleNamespace(check_mode=False), loader=None,
                          templar=Templar(), shared_loader_obj=None)
    with mock.patch.object(NetworkAction, "run", return_value={"changed": False}) as network_run:
        result = plugin.run(task_vars={"inventory_hostname": "ste1"})
    return network_run, result


def test_bgp_peering_refuses_message_logging_in_production_before_the_device():
    network_run, result = _run({"persistent_log_messages": True}, "production")
    network_run.assert_not_called()
    assert result["failed"] is True and "persistent_log_messages" in result["msg"]


def test_bgp_peering_warns_in_the_lab_and_runs():
    network_run, result = _run({"persistent_log_messages": True}, "lab")
    network_run.assert_called_once()
    assert any("persistent_log_messages" in w for w in result["warnings"])
    network_run, result = _run({"persistent_log_messages": False}, "production")
    network_run.assert_called_once()
    assert "warnings" not in result
