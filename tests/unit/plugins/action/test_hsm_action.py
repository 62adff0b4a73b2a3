"""hsm_attachment and hsm_status action plugins (plugins/plugin_utils/hsm_action.py): the controller fills config,
vrrp, gateway and fleet_policy from the host's variables and refuses bad intent before the gateway is contacted.

The ActionModule is instantiated directly with a stand-in task, connection and templar, and ``_execute_module``
(the only way to the gateway) is a mock: a refused config must never reach it.
"""

from __future__ import annotations

import copy
import pathlib
from types import SimpleNamespace
from unittest import mock

import yaml

from ansible_collections.paynet.netinfra.plugins.action.hsm_attachment import ActionModule as Attachment
from ansible_collections.paynet.netinfra.plugins.action.hsm_status import ActionModule as Status

REPO = pathlib.Path(__file__).resolve().parents[4]
HSM = yaml.safe_load((REPO / "inventories/lab/group_vars/all/hsm.yml").read_text())["hsm"]
VRRP = yaml.safe_load((REPO / "inventories/lab/host_vars/hgw1.yml").read_text())["vrrp"]
TASK_VARS = {"inventory_hostname": "hgw1", "hsm": HSM, "vrrp": VRRP, "netinfra_policy": {"environment": "lab"}}


class Templar:
    def template(self, value):
        return value


def run(cls, name, args, task_vars=None):
    task = SimpleNamespace(args=args, async_val=0, check_mode=False, action="paynet.netinfra.%s" % name)
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/never-used"))
    plugin = cls(task=task, connection=connection, play_context=SimpleNamespace(), loader=None, templar=Templar(),
                 shared_loader_obj=None)
    plugin._execute_module = mock.Mock(return_value={"changed": False})
    result = plugin.run(task_vars=dict(TASK_VARS, **(task_vars or {})))
    return plugin, result


def expired():
    hsm = copy.deepcopy(HSM)
    hsm["segments"][0]["rules"][0]["review_by"] = "2020-01-31"
    return hsm


def test_an_expired_review_never_reaches_the_gateway():
    plugin, result = run(Attachment, "hsm_attachment", {"config": expired()})
    plugin._execute_module.assert_not_called()
    assert result["failed"] is True and result["msg"].startswith("invalid config, no device was touched:\n")
    assert "hgw1: config.segments[0].rules[0].review_by: rule apps-ntls was due for review on 2020-01-31" in result["msg"]
    assert "Fix: review the rule and set review_by" in result["msg"]


def test_the_hsm_variable_is_checked_when_config_is_left_out():
    plugin, result = run(Attachment, "hsm_attachment", {}, {"hsm": expired()})
    plugin._execute_module.assert_not_called()
    assert result["failed"] and "review_by" in result["msg"]


def test_a_good_intent_runs_the_module_with_everything_filled_in():
    plugin, result = run(Attachment, "hsm_attachment", {})
    assert not result.get("failed"), result
    args = plugin._execute_module.call_args.kwargs["module_args"]
    assert args["gateway"] == "hgw1" and args["vrrp"] == VRRP and args["config"] == HSM
    assert args["fleet_policy"] == {"netinfra_policy": {"environment": "lab"}}  # hsm is the config, not policy


def test_rendered_on_the_controller():
    plugin, result = run(Attachment, "hsm_attachment", {"state": "rendered"})
    plugin._execute_module.assert_not_called()
    assert result["rendered"].startswith("table inet paynet_hsm {\n") and 'oifname { "eth1", "v4-eth1-40" } jump hsmseg_in' in result["rendered"]


def test_status_takes_the_same_defaults_and_no_fleet_policy():
    plugin, result = run(Status, "hsm_status", {})
    assert not result.get("failed"), result
    args = plugin._execute_module.call_args.kwargs["module_args"]
    assert "fleet_policy" not in args and args["gateway"] == "hgw1"


def test_a_gateway_without_the_segments_vrrp_group_is_refused():
    vrrp = {"groups": [g for g in VRRP["groups"] if g["segment"] != "hsmseg"]}
    plugin, result = run(Attachment, "hsm_attachment", {}, {"vrrp": vrrp})
    plugin._execute_module.assert_not_called()
    assert "hgw1: vrrp.groups: hgw1 is a gateway of HSM segment hsmseg but has no VRRP group" in result["msg"]
