"""Each backend's commit-confirm recipe (what the device-side timer snapshots and restores) and its feature name,
and that the restore steps they use exist in devices/rollback_timer.py (snapshot accepts them)."""

from __future__ import annotations

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices import rollback_timer as rt
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr.backend import FrrBgp
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.nftables.backend import NftTable
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import backend as ss
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp.netsnmp.backend import NetSnmp
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.frr_vrrpd.backend import FrrVrrpd
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.keepalived import backend as ka


def never(argv):
    raise AssertionError("no command may run while building a recipe: %s" % argv)


def kinds(recipe):
    return [step["kind"] for step in recipe]


def test_feature_names_are_distinct_per_device_kind():
    assert (FrrBgp.confirm_feature, NftTable.confirm_feature, ss.Strongswan.confirm_feature, NetSnmp.confirm_feature,
            ka.Keepalived.confirm_feature, FrrVrrpd.confirm_feature) == ("bgp", "hsm", "ipsec", "snmp", "vrrp", "vrrp")


def test_recipes():
    assert FrrBgp(None, {"partners": []}, "merged").recipe(None) == [{"kind": "frr"}]
    assert NftTable(None, "paynet_hsm", "").recipe(None) == [{"kind": "nft_table", "family": "inet",
                                                              "table": "paynet_hsm"}]
    gateway = ss.Gateway(never, root="/etc/swanctl")
    recipe = ss.Strongswan(gateway, [], "merged").recipe(None)
    assert recipe[0]["paths"] == ["/etc/swanctl/" + g for g in ss.OWNED_GLOBS]
    assert recipe[1] == {"kind": "command", "argv": ["swanctl", "--load-all", "--noprompt"]}
    host = ka.KeepalivedHost(never, use_systemd=False)
    recipe = ka.Keepalived(host, [], "merged").recipe(None)
    assert recipe[0]["paths"][:2] == ["/etc/keepalived/keepalived.conf", "/etc/keepalived/paynet.d/*.conf"]
    assert recipe[1]["kind"] == "daemon" and recipe[1]["action"] == "reload" and recipe[1]["comm"] == "keepalived"
    assert recipe[1]["pidfile"] == "/run/keepalived.pid"
    snmp = NetSnmp(never, {"users": []}, "replaced")
    assert kinds(snmp.recipe(None)) == ["daemon", "files", "daemon"]
    assert [s.get("action") for s in snmp.recipe(None)] == ["stop", None, "start"]
    assert FrrVrrpd(None, [], "merged").recipe(None) == [{"kind": "frr"}]


def test_daemon_steps_restore(tmp_path):
    pidfile = tmp_path / "d.pid"
    step = {"kind": "daemon", "action": "reload", "comm": "nosuchdaemon", "pidfile": str(pidfile), "argv": ["false"]}
    saved = rt.snapshot([step])
    assert saved[0]["was_running"] is False
    # it did not run before and does not now: "stop" is a no-op that succeeds
    assert rt.restore(saved)[0] == {"what": "nosuchdaemon reload", "ok": True, "detail": "not running"}
    # it ran before but cannot be started again: the report says so (never raises)
    saved[0]["was_running"] = True
    report = rt.restore(saved)
    assert report[0]["ok"] is False and "starting nosuchdaemon failed" in report[0]["detail"]
