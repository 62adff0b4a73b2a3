"""VRRP (issue 8): validation (fleet and the module's one-gateway check agree), both renderers, the FRR
dialect's canonical diff, the parsers on outputs captured from the real daemons (keepalived 2.2.7's JSON
dump, FRR 8.4's running-config, show vrrp json and ip -j addr), and the fleet verdict (split brain)."""

from __future__ import annotations

import pathlib
import sys

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import transaction
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features import registry
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp import model, status
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.frr_vrrpd import backend as fv
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.frr_vrrpd import parse, render as frr_render
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.frr_vrrpd.dialect import DIALECT, send_form
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.keepalived import backend as ka
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.keepalived import render as ka_render
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.keepalived import status as ka_status

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from intent_corpus import CASES, apply  # noqa: E402  # pylint: disable=wrong-import-position

FIX = pathlib.Path(__file__).resolve().parents[5] / "unit" / "fixtures" / "vrrp"
if not FIX.is_dir():
    FIX = pathlib.Path(__file__).resolve().parents[4] / "fixtures" / "vrrp"

GROUP = {"segment": "apps", "vrid": 10, "interface": "eth1", "address": ["198.18.31.2/24", "2001:db8:31::2/64"],
         "virtual_ipv4": ["198.18.31.1"], "virtual_ipv6": ["2001:db8:31::1"], "priority": 150, "advert_interval": 10}


def groups(**changes):
    return model.normalise({"groups": [dict(GROUP, **changes)]}, "linux")[2]


# --- validation: the module's own check is the fleet validator's -------------------------------------

VRRP_CASES = [c for c in CASES if c["kind"] == "vrrp" and not c.get("fleet_only")]


@pytest.mark.parametrize("case", VRRP_CASES, ids=[c["id"] for c in VRRP_CASES])
def test_module_check_refuses_what_the_fleet_refuses(case):
    data = apply(case)
    hostvars = data["devices"][case["host"]]
    config = dict(hostvars["vrrp"], _platform=hostvars["netinfra_platform"])
    problems = registry.check_device("vrrp", config, data["policy"], host=case["host"])
    field = "config" + case["field"][len("vrrp"):]
    assert any(p.startswith("%s: %s:" % (case["host"], field)) for p in problems), problems
    assert all(w in " ".join(problems) for w in case["message"]), problems


def test_secret_of_refused_v2_auth_never_shown():
    data = apply(next(c for c in CASES if c["id"] == "vrrp-v2-auth"))
    text = "\n".join(str(f) for f in registry.validate_fleet(data["partners"], data["devices"], data["policy"]))
    assert "Vrrp-S3cret-pass" not in text and "authentication" in text


def test_drained_gateway_runs_priority_1():
    _backend, maintenance, (group,) = model.normalise({"maintenance": "drained", "groups": [GROUP]}, "frr")
    assert maintenance == "drained" and group["priority"] == 1 and group["intended_priority"] == 150


def test_backend_defaults_from_platform_and_intent_wins():
    assert model.backend_for({}, "linux") == "keepalived"
    assert model.backend_for({}, "frr") == "frr_vrrpd"
    assert model.backend_for({"backend": "keepalived"}, "frr") == "keepalived"
    with pytest.raises(model.ModelError):
        model.backend_for({}, None)


# --- keepalived renderer -----------------------------------------------------------------------------

def test_keepalived_group_file_v3_two_instances_one_sync_group_vmac():
    text = ka_render.render_group(groups(track_interfaces=[{"interface": "eth0", "decrement": 60}], preempt_delay=5)[0])
    assert "vrrp_sync_group apps_10 {" in text and "sync_group_tracking_weight" in text
    assert text.count("vrrp_instance ") == 2
    assert "use_vmac v4-eth1-10" in text and "use_vmac v6-eth1-10" in text and "vmac_xmit_base" in text
    assert "advert_int 0.1" in text and "priority 150" in text and "preempt_delay 5" in text
    assert "eth0 weight -60" in text and "198.18.31.1/24" in text and "2001:db8:31::1/64" in text
    assert "auth" not in text


def test_keepalived_main_file_vrrpv3_and_include():
    text = ka_render.render_main("kgw1", "/etc/keepalived/paynet.d")
    assert "vrrp_version 3" in text and "include /etc/keepalived/paynet.d/*.conf" in text


def test_keepalived_track_scripts_and_nopreempt():
    (group,) = groups(preempt=False, track_scripts=[{"name": "bgp_up", "kind": "bgp_sessions", "targets": ["198.51.100.1"]}])
    text = ka_render.render_group(group)
    assert 'script "/etc/keepalived/paynet-track.py bgp 198.51.100.1"' in text and "nopreempt" in text
    assert "preempt_delay" not in text and ka_render.needs_helper([group])


def test_keepalived_ipv4_only_has_no_sync_group():
    text = ka_render.render_group(groups(virtual_ipv6=[])[0])
    assert "vrrp_sync_group" not in text and text.count("vrrp_instance") == 1


# --- FRR vrrpd renderer, dialect and parsers ---------------------------------------------------------

def test_frr_lines_are_canonical_and_reparse_to_the_same_group():
    running = (FIX / "frr-running-config.txt").read_text()
    parsed = parse.groups(running)
    assert parsed == [{"interface": "eth1", "vrid": 20, "priority": 200, "advert_interval": 10, "preempt": False,
                       "version": 3, "virtual_ipv4": ["198.18.32.1"], "virtual_ipv6": ["2001:db8:32::1"]}]
    group = dict(GROUP, vrid=20, priority=200, preempt=False, virtual_ipv4=["198.18.32.1"], virtual_ipv6=["2001:db8:32::1"],
                 address=["198.18.32.2/24", "2001:db8:32::2/64"])
    wanted = frr_render.tree(model.normalise({"groups": [group]}, "frr")[2])
    assert DIALECT.diff(parse.owned_tree(running), wanted) == ([], [])  # "vrrp 20 version 3" prints as "vrrp 20"
    assert DIALECT.render(wanted) == DIALECT.render(parse.owned_tree(running))


def test_frr_diff_changes_priority_in_place_and_removes_a_group_with_one_line():
    running = (FIX / "frr-running-config.txt").read_text()
    group = dict(GROUP, vrid=20, priority=120, virtual_ipv4=["198.18.32.1"], virtual_ipv6=["2001:db8:32::1"],
                 address=["198.18.32.2/24", "2001:db8:32::2/64"])
    a, b = DIALECT.diff(parse.owned_tree(running), frr_render.tree(model.normalise({"groups": [group]}, "frr")[2]))
    assert a == ["interface eth1", " vrrp 20 preempt", " vrrp 20 priority 120", "exit"]
    assert b == []
    current = parse.owned_tree(running)
    a, b = DIALECT.diff(current, fv.with_headers([], current))
    assert a + b == ["interface eth1", " no vrrp 20", "exit"]
    assert send_form(" vrrp 20") == " vrrp 20 version 3"


def test_frr_macvlans_rfc5798_macs():
    mvs = frr_render.macvlans(groups())
    assert mvs == {"v4-eth1-10": {"parent": "eth1", "mac": "00:00:5e:00:01:0a", "addresses": ["198.18.31.1/24"]},
                   "v6-eth1-10": {"parent": "eth1", "mac": "00:00:5e:00:02:0a", "addresses": ["2001:db8:31::1/64"]}}
    cmds = [" ".join(c) for c in fv.macvlan_commands("v4-eth1-10", mvs["v4-eth1-10"])]
    assert cmds.index("ip link set dev v4-eth1-10 addrgenmode random") > cmds.index(
        "ip link add v4-eth1-10 link eth1 type macvlan mode bridge")


def test_parsers_on_captured_outputs():
    mvs = parse.macvlans((FIX / "frr-ip-addr.json").read_text())
    assert mvs["v4-eth1-20"]["mac"] == "00:00:5e:00:01:14" and mvs["v4-eth1-20"]["mode"] == "bridge"
    shown = parse.show_vrrp((FIX / "frr-show-vrrp-master.json").read_text())
    assert shown[("eth1", 20)]["v4"]["status"] == "Master" and shown[("eth1", 20)]["v6"]["vmac"] == "00:00:5e:00:02:14"
    dump = ka_status.parse_dump((FIX / "keepalived-master.json").read_text())
    assert dump["lan1_v4"]["state"] == "Master" and dump["lan1_v4"]["base_priority"] == 150
    backup = ka_status.parse_dump((FIX / "keepalived-backup.json").read_text())
    assert backup["lan1_v6"]["state"] == "Backup" and backup["lan1_v6"]["heard_master"]


# --- FRR backend on a fake router: check mode is exact and touches nothing ---------------------------

class FakeRouter:
    def __init__(self, running, links="[]"):
        self.running = running
        self.links_json = links
        self.calls = []

    def running_config(self):
        return self.running

    def links(self):
        return self.links_json

    def read_sysctl(self, iface, name):
        assert iface == "all"
        return "1" if name == "arp_ignore" else "2"

    def show(self, command):
        raise AssertionError("check mode must not read state it does not need: %s" % command)

    def configure(self, lines):
        self.calls.append(("configure", lines))

    def check(self, argv):
        self.calls.append(("check", argv))
        return ""


def test_frr_check_mode_predicts_and_touches_nothing():
    router = FakeRouter((FIX / "frr-running-config.txt").read_text())
    group = dict(GROUP, vrid=20, priority=120, virtual_ipv4=["198.18.32.1"], virtual_ipv6=["2001:db8:32::1"],
                 address=["198.18.32.2/24", "2001:db8:32::2/64"])
    result = fv.run(router, model.normalise({"groups": [group]}, "frr")[2], "replaced", check_mode=True)
    assert result["changed"] and router.calls == []
    assert "vtysh:  vrrp 20 priority 120" in result["commands"] and "vtysh:  no vrrp 20" not in result["commands"]
    assert "vrrp 20 priority 120" in result["diff"]["after"] and "vrrp 20 priority 200" in result["diff"]["before"]
    assert any(c.startswith("ip link add v4-eth1-20") for c in result["commands"])  # macvlans missing in this capture


# --- fleet verdict ------------------------------------------------------------------------------------

def _entry(state, holds, prio=100):
    return {"segment": "apps", "vrid": 10, "family": "ipv4", "state": state, "holds_vip": holds, "intended_priority": prio}


def test_verdict_one_master_is_clean():
    assert status.fleet_verdict({"a": [_entry("Master", True, 150)], "b": [_entry("Backup", False)]}) == []


def test_verdict_split_brain_after_killed_keepalived():
    held = status.held_addresses('[{"ifname": "v4-eth1-10", "flags": ["UP"], "addr_info": '
                                 '[{"local": "198.18.31.1", "prefixlen": 24, "scope": "global"}]}]')
    (dead,) = status.device_states(groups(virtual_ipv6=[]), "keepalived", {}, held, daemon_running=False)
    assert dead["holds_vip"] and "split-brain" in dead["problem"]
    problems = status.fleet_verdict({"a": [dead], "b": [_entry("Master", True)]})
    assert any("split brain" in p and "a and b" in p for p in problems)


def test_verdict_no_master_and_wrong_master():
    assert any("0 Masters" in p for p in status.fleet_verdict({"a": [_entry("Backup", False, 150)], "b": [_entry("Backup", False)]}))
    assert any("intended a" in p for p in status.fleet_verdict({"a": [_entry("Backup", False, 150)], "b": [_entry("Master", True)]}))


def test_transaction_is_the_core_one():
    assert issubclass(fv.FrrVrrpd, transaction.Backend)


# --- keepalived backend on a scratch directory: check mode exact, a refused config test writes nothing ---


def _keepalived_host(tmp_path, answers):
    proc = tmp_path / "proc"
    (proc / "sys/net/ipv4/conf/all").mkdir(parents=True)
    (proc / "sys/net/ipv4/conf/all/arp_ignore").write_text("0\n")
    (proc / "sys/net/ipv4/conf/all/arp_announce").write_text("0\n")
    (proc / "sys/kernel").mkdir(parents=True)
    (proc / "sys/kernel/hostname").write_text("kgw1\n")
    calls = []

    def run(argv):
        calls.append(argv)
        return answers(argv)

    host = ka.KeepalivedHost(run, conf=str(tmp_path / "keepalived" / "keepalived.conf"), proc=str(proc), use_systemd=False)
    host.daemon.pidfile = str(tmp_path / "keepalived.pid")  # no daemon runs here
    return host, calls


def test_keepalived_check_mode_is_exact_and_touches_nothing(tmp_path):
    leftover = '[{"ifname": "v4-eth1-10", "linkinfo": {"info_kind": "macvlan"}}, {"ifname": "eth1"}]'
    host, calls = _keepalived_host(tmp_path, lambda argv: (0, leftover if argv[:3] == ["ip", "-d", "-j"] else "", ""))
    result = ka.run(host, groups(), "replaced", check_mode=True)
    assert result["changed"] and not (tmp_path / "keepalived").exists()
    assert calls == [["ip", "-d", "-j", "link", "show"]]  # reads only
    assert any(c.startswith("ip link del v4-eth1-10 (left with its VIP") for c in result["commands"])
    assert result["commands"][0].startswith("keepalived -t -f")
    assert "start keepalived" in result["commands"]
    assert "sysctl -w net.ipv4.conf.all.arp_ignore=1" in result["commands"]
    assert "vrrp_instance apps_10_v4 {" in result["diff"]["after"] and result["diff"]["before"].count("vrrp_instance") == 0


def test_keepalived_config_test_refusal_changes_nothing(tmp_path):
    def answers(argv):
        if argv[:3] == ["ip", "-d", "-j"]:
            return 0, "[]", ""
        if argv[:2] == ["keepalived", "-t"]:
            return 5, "", "(Line 21) Unknown keyword 'bogus_keyword'"
        raise AssertionError("nothing may run after a refused config test: %s" % argv)

    host, _calls = _keepalived_host(tmp_path, answers)
    with pytest.raises(transaction.ChangeFailed) as info:
        ka.run(host, groups(extra_options=["bogus_keyword 1"]), "replaced")
    assert "config test" in str(info.value) and "bogus_keyword" in str(info.value)
    assert info.value.result["changed"] is False
    assert not list((tmp_path / "keepalived").rglob("*.conf"))
    assert (tmp_path / "proc/sys/net/ipv4/conf/all/arp_ignore").read_text().strip() == "0"
