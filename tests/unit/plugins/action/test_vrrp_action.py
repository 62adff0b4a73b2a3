"""vrrp action plugin (plugins/action/vrrp.py): the controller-side checks.

The ActionModule is instantiated directly with a stand-in task, connection and templar, and
``_execute_module`` (the only way to the gateway) is a mock: a refused config must never reach it.
"""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest

from ansible_collections.paynet.netinfra.plugins.action.vrrp import ActionModule

HOST = "kgw1"
MODULE_RESULT = {"changed": True, "backend": "keepalived"}


def group(**changes):
    g = {"segment": "apps", "vrid": 10, "interface": "eth1", "address": ["198.18.31.2/24"],
         "virtual_ipv4": ["198.18.31.1"], "priority": 150}
    g.update(changes)
    return g


class Templar:
    def template(self, value):
        return value


def run(args, task_vars=None):
    task = SimpleNamespace(args=args, async_val=0, check_mode=False, action="paynet.netinfra.vrrp")
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/never-used"))
    plugin = ActionModule(task=task, connection=connection, play_context=SimpleNamespace(), loader=None,
                          templar=Templar(), shared_loader_obj=None)
    plugin._execute_module = mock.Mock(return_value=dict(MODULE_RESULT))
    result = plugin.run(task_vars=dict({"inventory_hostname": HOST}, **(task_vars or {})))
    return plugin, result


@pytest.mark.parametrize("state", ["merged", "replaced", "overridden", "rendered"])
def test_bad_intent_is_refused_before_the_gateway(state):
    plugin, result = run({"config": {"groups": [group(virtual_ipv4=["198.18.99.1"])]}, "platform": "linux",
                          "state": state})
    plugin._execute_module.assert_not_called()
    assert result["failed"] is True
    assert result["msg"].startswith("invalid config, no gateway was touched:\n")
    assert "%s: config.groups[0].virtual_ipv4[0]" % HOST in result["msg"]
    assert "198.18.99.1" in result["msg"] and "Fix:" in result["msg"]


def test_frr_vrrpd_capabilities_are_refused_before_the_gateway():
    plugin, result = run({"config": {"backend": "frr_vrrpd", "groups": [group(preempt_delay=5)]}, "platform": "frr"})
    plugin._execute_module.assert_not_called()
    assert result["failed"] and "FRR vrrpd has no preemption delay" in result["msg"]


def test_empty_intent_with_replaced_is_refused_without_allow_empty():
    plugin, result = run({"config": {"groups": []}, "platform": "linux", "state": "overridden"})
    plugin._execute_module.assert_not_called()
    assert result["failed"] and "allow_empty" in result["msg"]


def test_rendered_answers_on_the_controller():
    plugin, result = run({"config": {"groups": [group()]}, "platform": "linux", "state": "rendered"})
    plugin._execute_module.assert_not_called()
    assert not result.get("failed"), result
    conf = result["rendered"]["keepalived.conf"]
    assert "virtual_router_id 10" in conf and "198.18.31.1" in conf


def test_parsed_answers_on_the_controller():
    text = "interface eth1\n vrrp 10 version 3\n vrrp 10 priority 150\n vrrp 10 ip 198.18.31.1\n"
    plugin, result = run({"config": {"backend": "frr_vrrpd"}, "platform": "frr", "state": "parsed",
                          "running_config": text})
    plugin._execute_module.assert_not_called()
    assert not result.get("failed"), result
    assert result["parsed"][0]["vrid"] == 10 and "198.18.31.1" in result["parsed"][0]["virtual_ipv4"]


def test_good_intent_goes_to_the_gateway_with_the_fleet_policy():
    policy = {"environment": "lab"}
    plugin, result = run({"config": {"groups": [group()]}, "platform": "linux"}, {"netinfra_policy": policy})
    plugin._execute_module.assert_called_once()
    args = plugin._execute_module.call_args.kwargs["module_args"]
    assert args["fleet_policy"]["netinfra_policy"] == policy
    assert result["changed"] is True
