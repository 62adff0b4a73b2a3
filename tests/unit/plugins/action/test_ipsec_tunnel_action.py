"""ipsec_tunnel action plugin (plugins/action/ipsec_tunnel.py): the controller-side checks.

The ActionModule is instantiated directly with a stand-in task, connection and templar, and
``_execute_module`` (the only way to the gateway) is a mock: a refused config must never reach it.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from unittest import mock

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.paynet.netinfra.plugins.action.ipsec_tunnel import ActionModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK

PSK = "Acme-PSK-9f2Kd-8sLq1-Zx7Wm"
HOST = "dc1-vpn1"
MODULE_RESULT = {"changed": True, "commands": ["swanctl --load-all --noprompt"]}


def tunnel(**changes):
    t = {"name": "partner-acme_bank", "partner": "acme_bank", "peer_gateway": "198.18.200.2",
         "local_gateway": "198.18.200.1", "auth": {"method": "psk", "psk": PSK}, "inside": {"network": "169.254.10.0/30"}}
    t.update(changes)
    return t


class Templar:
    """Stands in for Ansible's templar: records what it was asked to template."""

    def __init__(self):
        self.calls = []

    def template(self, value):
        self.calls.append(value)
        return value


def action(args, check_mode=False):
    task = SimpleNamespace(args=args, async_val=0, check_mode=check_mode, action="paynet.netinfra.ipsec_tunnel")
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/never-used"))
    plugin = ActionModule(task=task, connection=connection, play_context=SimpleNamespace(), loader=None,
                          templar=Templar(), shared_loader_obj=None)
    plugin._execute_module = mock.Mock(return_value=dict(MODULE_RESULT))
    return plugin


def run(args, task_vars=None):
    plugin = action(args)
    result = plugin.run(task_vars=dict({"inventory_hostname": HOST}, **(task_vars or {})))
    return plugin, result


# -- refused before connecting ----------------------------------------------------------------------
def test_weak_proposal_is_refused_without_touching_the_gateway():
    plugin, result = run({"config": {"tunnels": [tunnel(esp_proposals=["aes256-sha1-ecp384"])]}, "state": "replaced"})
    plugin._execute_module.assert_not_called()
    assert result["failed"] is True
    msg = result["msg"]
    assert msg.startswith("invalid config, no gateway was touched:\n")
    assert ("%s: config.tunnels[0].esp_proposals[0]: ESP proposal 'aes256-sha1-ecp384': 'sha1': SHA-1 is deprecated"
            % HOST) in msg
    assert "Fix: use aes256-sha384-ecp384" in msg
    assert result["problems"] == msg.split("\n")[1:]
    assert PSK not in json.dumps(result)


@pytest.mark.parametrize("state", ["merged", "replaced", "overridden", "rendered"])
def test_every_writing_state_and_rendered_check_the_policy(state):
    plugin, result = run({"config": {"tunnels": [tunnel(ike_proposals=["3des-sha256-prfsha256-modp1024"])]},
                          "state": state})
    plugin._execute_module.assert_not_called()
    assert result["failed"] and "'3des'" in result["msg"] and "'modp1024'" in result["msg"]
    assert "rendered" not in result


@pytest.mark.parametrize("changes, fleet_vars, words", [
    ({"esp_proposals": ["aes256gcm16-modp2048"]}, {"ipsec_policy": {"dh_groups": ["ecp384", "modp2048"]}},
     "'modp2048' is not in ipsec_policy.dh_groups"),
    ({"inside": {"network": "10.255.0.4/31"}}, {"ipsec_inside_pool": "10.255.0.0/24", "ipsec_inside_prefixlen": 31},
     "config.tunnels[0].inside.network: 10.255.0.4/31 is not inside the pool 169.254.0.0/16"),
])
def test_fleet_policy_from_task_vars_is_applied_on_the_controller(changes, fleet_vars, words):
    args = {"config": {"tunnels": [tunnel(**changes)]}, "state": "merged"}
    plugin, result = run(dict(args))
    assert result["failed"] and words in result["msg"]
    plugin._execute_module.assert_not_called()
    plugin, result = run(dict(args), fleet_vars)
    assert "failed" not in result
    plugin._execute_module.assert_called_once()
    assert plugin._execute_module.call_args.kwargs["module_args"]["fleet_policy"] == fleet_vars


def test_short_psk_is_refused_and_never_shown():
    short = "short-psk-123"
    plugin, result = run({"config": {"tunnels": [tunnel(auth={"method": "psk", "psk": short})]}})
    plugin._execute_module.assert_not_called()
    assert "config.tunnels[0].auth.psk: psk is 13 characters long, at least 20" in result["msg"]
    assert short not in json.dumps(result)


def test_malformed_inside_is_refused_naming_host_and_tunnel():
    for state in ("merged", "deleted"):
        plugin, result = run({"config": {"tunnels": [tunnel(inside={"network": "169.254.10.1/30"})]}, "state": state})
        plugin._execute_module.assert_not_called()
        assert result["failed"] and result["msg"].startswith(
            "%s: invalid config, no gateway was touched: tunnel partner-acme_bank: inside.network: " % HOST)


def test_argument_spec_errors_fail_before_connecting():
    plugin = action({"config": {"tunnels": [tunnel(dpd_action="hold")]}})
    with pytest.raises(AnsibleActionFail, match="dpd_action"):
        plugin.run(task_vars={"inventory_hostname": HOST})
    plugin._execute_module.assert_not_called()


def test_writing_state_without_config_fails():
    plugin, result = run({"state": "replaced"})
    assert result == {"failed": True, "msg": "state=replaced needs config"}
    plugin._execute_module.assert_not_called()


# -- offline answers ---------------------------------------------------------------------------------
def test_rendered_answers_on_the_controller_with_secrets_masked():
    plugin, result = run({"config": {"tunnels": [tunnel()]}, "state": "rendered", "dataplane": "libipsec",
                          "swanctl_dir": "/srv/swanctl"})
    plugin._execute_module.assert_not_called()
    assert result["changed"] is False and "failed" not in result
    text = result["rendered"]["/srv/swanctl/conf.d/paynet-partner-acme_bank.conf"]
    assert "secret = %s" % MASK in text and "local_ts = 169.254.10.0/30" in text and "if_id_in" not in text
    assert PSK not in json.dumps(result)


def test_parsed_answers_on_the_controller_with_secrets_masked():
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import offline as ipsec_offline, swanctl
    text = swanctl.render_conf(ipsec_offline.complete([tunnel()])[0], "xfrm")
    plugin, result = run({"state": "parsed", "running_config": text})
    plugin._execute_module.assert_not_called()
    assert result["changed"] is False
    [parsed] = result["parsed"]["tunnels"]
    assert parsed["name"] == "partner-acme_bank" and parsed["auth"] == {"method": "psk", "psk": MASK}
    assert PSK not in json.dumps(result)


def test_parsed_broken_text_fails_cleanly():
    plugin, result = run({"state": "parsed", "running_config": "connections {\n  x {\n"})
    plugin._execute_module.assert_not_called()
    assert result["failed"] and result["msg"].startswith("running_config is not a swanctl file: line ")
    plugin, result = run({"state": "parsed"})
    assert result["failed"] and "needs running_config" in result["msg"]


# -- good config reaches the module --------------------------------------------------------------------
FLEET_VARS = {"ipsec_policy": {"dh_groups": ["ecp384", "ecp521"]}, "ipsec_inside_pool": "169.254.0.0/16",
              "ipsec_inside_prefixlen": 30, "netinfra_policy": {"environment": "lab"}}


def test_good_config_runs_the_module_with_the_fleet_policy_from_task_vars():
    args = {"config": {"tunnels": [tunnel()]}, "state": "replaced"}
    plugin = action(dict(args))
    result = plugin.run(task_vars=dict(FLEET_VARS, inventory_hostname=HOST, bgp_policy={"password_required": False}))
    assert result == MODULE_RESULT
    plugin._execute_module.assert_called_once()
    kwargs = plugin._execute_module.call_args.kwargs
    assert kwargs["module_name"] == "paynet.netinfra.ipsec_tunnel"
    # the task's own args, plus the four IPsec policy variables (not another feature's, like bgp_policy)
    assert kwargs["module_args"] == dict(args, fleet_policy=FLEET_VARS)
    assert kwargs["task_vars"]["ipsec_policy"] == FLEET_VARS["ipsec_policy"]
    assert sorted(plugin._templar.calls, key=repr) == sorted(FLEET_VARS.values(), key=repr)


def test_fleet_policy_in_the_task_wins_over_the_variable():
    task_policy = {"dh_groups": ["ecp521"]}
    plugin = action({"config": {"tunnels": [tunnel(ike_proposals=["aes256gcm16-prfsha384-ecp521"],
                                                   esp_proposals=["aes256gcm16-ecp521"])]},
                     "fleet_policy": {"ipsec_policy": task_policy}})
    plugin.run(task_vars={"inventory_hostname": HOST, "ipsec_policy": {"dh_groups": ["ecp384"]}, "ipsec_inside_prefixlen": 30})
    # the task's ipsec_policy wins; what the task leaves out still comes from the variables
    assert plugin._execute_module.call_args.kwargs["module_args"]["fleet_policy"] == {
        "ipsec_policy": task_policy, "ipsec_inside_prefixlen": 30}
    assert plugin._templar.calls == [30]


def test_without_policy_variables_the_module_gets_an_empty_fleet_policy():
    args = {"config": {"tunnels": [tunnel()]}}
    plugin, _result = run(dict(args))
    assert plugin._execute_module.call_args.kwargs["module_args"] == dict(args, fleet_policy={})


@pytest.mark.parametrize("args", [{"state": "gathered"}, {"state": "deleted"},
                                  {"state": "deleted", "config": {"tunnels": [tunnel(esp_proposals=["3des-md5"])]}}])
def test_gathered_and_deleted_go_to_the_gateway(args):
    # deleting a tunnel with weak crypto must stay possible: its proposals are not checked
    plugin, result = run(args)
    assert result == MODULE_RESULT
    plugin._execute_module.assert_called_once()
