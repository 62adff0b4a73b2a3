"""bgp_peering's FRR backend on core.transaction, driven by a scripted device built from real FRR captures."""

from __future__ import annotations

import copy
import json
import pathlib

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import ChangeFailed
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import backend
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import status

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
RUNNING = (FIXTURES / "running_unmanaged_ibgp.txt").read_text()
SUMMARY = (FIXTURES / "summary_established.json").read_text()
ACME = json.loads((FIXTURES / "acme_v4_v6.json").read_text())


class ScriptedDevice:
    """Returns scripted running configs in turn and records every edit and save."""

    def __init__(self, configs, summary="{}", refuse=False):
        self.configs = list(configs)
        self.summary = summary
        self.refuse = refuse
        self.edits = []
        self.saved = False

    def running_config(self):
        return self.configs.pop(0) if len(self.configs) > 1 else self.configs[0]

    def edit(self, lines):
        self.edits.append([line.strip() for line in lines])
        if self.refuse and len(self.edits) == 1:
            raise RuntimeError("% Unknown command: neighbor 203.0.113.9 password ********")

    def show(self, command):
        assert command == status.SUMMARY_COMMAND
        return self.summary

    def save(self):
        self.saved = True


def changed_acme():
    cfg = copy.deepcopy(ACME)
    cfg["partners"][0]["accept_prefixes"] = ["198.51.100.0/24"]
    return cfg


def test_check_mode_never_edits_and_reports_the_diff():
    device = ScriptedDevice([RUNNING])
    result = backend.run(device, changed_acme(), "replaced", check_mode=True)
    assert result["changed"] and device.edits == [] and not device.saved
    assert "le 26" in result["diff"]["before"] and "le 26" not in result["diff"]["after"]
    assert "s3cr3t" not in json.dumps(result)


def test_noop_does_not_edit_or_save():
    device = ScriptedDevice([RUNNING])
    result = backend.run(device, ACME, "replaced")
    assert not result["changed"] and device.edits == [] and not device.saved


def test_refused_change_is_rolled_back_and_fails():
    # After the refused edit the router still holds the old config: nothing to undo, still a failure.
    device = ScriptedDevice([RUNNING, RUNNING, RUNNING], refuse=True)
    with pytest.raises(ChangeFailed, match="refused the change.*rolled back") as err:
        backend.run(device, changed_acme(), "replaced")
    assert err.value.result["rolled_back"] is True
    assert not device.saved


def test_unrealised_change_is_rolled_back():
    # The router accepted the lines but still shows the old entry: the prediction failed.
    device = ScriptedDevice([RUNNING, RUNNING, RUNNING, RUNNING])
    with pytest.raises(ChangeFailed, match="not what the plan predicted"):
        backend.run(device, changed_acme(), "replaced", verify="none")
    assert len(device.edits) == 1 and not device.saved


def test_session_down_after_change_is_rolled_back():
    changed = copy.deepcopy(ACME)
    changed["partners"][0]["sessions"][0]["password"] = "other"
    after = RUNNING.replace("password s3cr3t", "password other")
    up = json.dumps({"ipv4Unicast": {"peers": {"203.0.113.9": {"state": "Established"}}}})
    down = json.dumps({"ipv4Unicast": {"peers": {"203.0.113.9": {"state": "Active"}}}})

    class Device(ScriptedDevice):
        def show(self, command):
            return up if not self.edits else down

    device = Device([RUNNING, after, after, RUNNING])
    with pytest.raises(ChangeFailed, match="203.0.113.9: no TCP session.*rolled back") as err:
        backend.run(device, changed, "replaced", verify_timeout=0, sleep=lambda s: None)
    assert device.edits[1] == ["router bgp 65010", "neighbor 203.0.113.9 password s3cr3t", "exit"]
    assert err.value.result["rollback_commands"][1].strip() == "neighbor 203.0.113.9 password ********"
    assert err.value.result["rolled_back"] is True
    assert "other" not in json.dumps(err.value.result)
    assert not device.saved


def test_summary_parser_reads_real_frr_json():
    peers = status.parse_summary(SUMMARY)
    assert peers["203.0.113.2"]["established"] and peers["203.0.113.6"]["established"]
    assert peers["203.0.113.6"]["prefixes_received"]["ipv4Unicast"] == 2


def test_routes_outside_policy_are_reported():
    routes = status.parse_routes((FIXTURES / "routes_p1.json").read_text())
    assert routes == ["198.51.100.0/24"]
    assert status.outside_policy(routes + ["198.51.200.0/24"], [{"prefix": "198.51.100.0/24"}]) == ["198.51.200.0/24"]
    assert status.outside_policy(["203.0.113.128/26"], [{"prefix": "203.0.113.128/25", "le": 26}]) == []


def test_lost_connection_during_rollback_says_so():
    class Device(ScriptedDevice):
        def running_config(self):
            if self.edits:
                raise ConnectionError("socket closed")
            return RUNNING

    device = Device([RUNNING], refuse=True)
    with pytest.raises(ChangeFailed, match="ROLLBACK FAILED too: socket closed") as err:
        backend.run(device, changed_acme(), "replaced")
    assert err.value.result["rolled_back"] is False


def test_failed_save_is_reported_after_a_verified_change():
    class Device(ScriptedDevice):
        def save(self):
            raise RuntimeError("% Can't open configuration file /etc/frr/frr.conf")

    after = bgp_render_expected(changed_acme())
    device = Device([RUNNING, after])
    with pytest.raises(ChangeFailed, match="applied and verified but saving it failed"):
        backend.run(device, changed_acme(), "replaced", verify="none")


def bgp_render_expected(cfg):
    """The running config a router would show after the plan for ``cfg`` (owned scope only)."""
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.model import normalise_device
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import plan as frr_plan
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr.dialect import DIALECT

    plan = frr_plan.plan(RUNNING, normalise_device(cfg), "replaced")
    return DIALECT.render(plan.expected)
