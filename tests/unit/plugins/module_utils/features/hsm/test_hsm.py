"""HSM network attachment (issue 10): the validator (fleet and the module's one-gateway check agree), the
nftables renderer and parser (outputs captured from the real nft 1.0.6: the lab's hgw1 after traffic, and a
table with IPv6, prefixes and a long comment), the plan's exact diff, no-op, nft -c refusal and rollback,
and the counters contract hsm_status returns."""

from __future__ import annotations

import copy
import datetime
import json
import pathlib
import sys

import pytest
import yaml

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import transaction
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features import registry
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import model, offline, validate
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.nftables import backend, parse, render

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from intent_corpus import CASES, TODAY, apply  # noqa: E402  # pylint: disable=wrong-import-position

REPO = pathlib.Path(__file__).resolve().parents[6]
if not (REPO / "inventories").is_dir():
    REPO = pathlib.Path(__file__).resolve().parents[5]
FIX = REPO / "tests" / "unit" / "fixtures" / "hsm"
LAB_HSM = yaml.safe_load((REPO / "inventories/lab/group_vars/all/hsm.yml").read_text())["hsm"]
LAB_VRRP = {h: yaml.safe_load((REPO / ("inventories/lab/host_vars/%s.yml" % h)).read_text())["vrrp"] for h in ("hgw1", "hgw2")}


def lab_text(hsm=None, host="hgw1"):
    hsm = LAB_HSM if hsm is None else hsm
    return render.table_text(model.device_model(hsm, host, LAB_VRRP[host]), model.address_sets(hsm))


def fixture(name):
    return (FIX / name).read_text()


# --- renderer and parser on what the real nft printed ---------------------------------------------------

def test_the_lab_table_read_back_from_nft_is_the_rendered_table():
    objects = parse.load(fixture("nft-hgw1-lab.json"))
    assert parse.table_text(objects, "paynet_hsm") == lab_text()


def test_sets_v6_prefixes_and_a_long_comment_round_trip():
    hsm = copy.deepcopy(LAB_HSM)
    hsm["address_sets"][0]["addresses"] += ["198.18.41.64/28", "198.18.41.65", "2001:db8:41::/64"]
    hsm["segments"][0]["rules"][0]["justification"] = 'Payment "auth" servers \\ use; # the HSM' * 3
    text = lab_text(hsm)
    assert parse.table_text(parse.load(fixture("nft-sets-v6-long-comment.json")), "paynet_hsm") == text
    assert "elements = { 198.18.41.10, 198.18.41.64/28 }" in text  # 198.18.41.65 collapsed into the /28
    assert "set payment_apps_v6 {" in text
    comment = [line for line in text.splitlines() if "apps-ntls" in line][0].split('comment "', 1)[1][:-1]
    assert len(comment) <= render.COMMENT_MAX and '"' not in comment and "\\" not in comment


def test_the_table_has_what_the_issue_asks():
    text = lab_text()
    assert text.startswith("table inet paynet_hsm {\n") and "flush" not in text
    assert "type filter hook forward priority filter; policy accept;" in text
    # by the VRRP interface AND its virtual-MAC macvlan (the hosts' traffic to the VIP arrives there), and by
    # the segment's subnet: no path to or from the HSMs bypasses the segment chains
    assert 'oifname { "eth1", "v4-eth1-40" } jump hsmseg_in' in text
    assert 'iifname { "eth1", "v4-eth1-40" } jump hsmseg_out' in text
    assert "ip daddr 198.18.40.0/24 jump hsmseg_in" in text and "ip saddr 198.18.40.0/24 jump hsmseg_out" in text
    rules = [line.strip() for line in text.splitlines() if "accept" in line or "drop" in line]
    assert all("counter" in r and 'comment "' in r for r in rules if not r.startswith(("type", "limit")))
    assert 'limit rate 10/minute log prefix "hsm hsmseg in drop: "' in text
    assert 'counter drop comment "segment hsmseg: default drop (in)"' in text


def test_an_absent_table_is_empty():
    assert parse.table_text([], "paynet_hsm") == ""
    assert parse.table_text(parse.load(fixture("nft-hgw1-lab.json")), "other") == ""


def test_a_foreign_rule_shows_in_the_text():
    data = json.loads(fixture("nft-hgw1-lab.json"))
    data["nftables"].append({"rule": {"family": "inet", "table": "paynet_hsm", "chain": "hsmseg_in", "handle": 99,
                                      "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 7}},
                                               {"queue": {"num": 1}}]}})
    text = parse.table_text(parse.load(json.dumps(data)), "paynet_hsm")
    assert text != lab_text() and '"queue"' in text


def test_counters_contract_from_real_nft_output():
    objects = parse.load(fixture("nft-hgw1-lab.json"))
    counters = parse.counters(objects, "paynet_hsm")
    # captured after one segmentation proof (app1 connected once to NTLS, the NMS polled SNMP once, and the
    # unlisted, partner and internet probes were dropped, retransmissions included) and one outbound probe
    # from hsm1 to app2 (dropped)
    assert counters["hsmseg/apps-ntls"]["packets"] == 1
    assert counters["hsmseg/nms-snmp"]["packets"] == 1
    assert counters["hsmseg/drop"]["packets"] == 34
    assert set(counters) == set(render.counter_keys(model.device_model(LAB_HSM, "hgw1", LAB_VRRP["hgw1"])))
    assert all(set(v) == {"packets", "bytes"} and all(isinstance(n, int) for n in v.values()) for v in counters.values())


def test_counter_key_never_confuses_a_rule_with_the_segment_rules():
    assert parse.counter_key("seg_in", "drop: a rule named drop") == "seg/drop"
    assert parse.counter_key("seg_in", render.drop_comment("seg", "in")) == "seg/drop"
    assert parse.counter_key("seg_out", render.established_comment("seg")) == "seg/established"
    assert parse.counter_key("a_b_in", "r1: x") == "a_b/r1"


def test_the_renderer_enforces_what_allowed_by_expects():
    """Every probe the proof expects allowed has its rule in the table; nothing else is allowed."""
    text = lab_text()
    for probe in model.probe_plan(LAB_HSM):
        if probe["expect"] == "allow":
            rule_id = probe["rule"].split("/", 1)[1]
            assert '"%s: ' % rule_id in text
    allowed = {line.split('comment "', 1)[1].split(":", 1)[0] for line in text.splitlines()
               if " accept comment " in line and "ct state" not in line}
    assert allowed == {r["id"] for r in LAB_HSM["segments"][0]["rules"]}


# --- the transaction: exact diff, no-op, nft -c, rollback ------------------------------------------------

class FakeNft(backend.NftHost):
    """nft as seen by the backend: a table text per table name, loads recorded; ``refuse`` makes nft refuse."""

    def __init__(self, current_json, refuse=None, apply_json=None):
        super().__init__(self._run)
        self.json = current_json
        self.loads = []
        self.refuse = refuse
        self.apply_json = apply_json

    def _run(self, argv):
        if argv[:3] == ["nft", "-j", "list"]:
            return (0, self.json, "") if self.json else (1, "", "Error: No such file or directory")
        if argv[:2] == ["nft", "list"]:
            return (0, "table inet paynet_hsm { }\n", "") if self.json else (1, "", "Error: No such file or directory")
        raise AssertionError(argv)

    def load(self, text, check=False):
        self.loads.append(("check" if check else "apply", text))
        if self.refuse and self.refuse in text:
            return "Error: syntax error"
        if not check and self.apply_json is not None:
            self.json = self.apply_json
        return None


def test_no_op_never_reloads_so_counters_survive():
    host = FakeNft(fixture("nft-hgw1-lab.json"))
    result = backend.run(host, "paynet_hsm", lab_text())
    assert result["changed"] is False and host.loads == [] and result["commands"] == []


def test_check_mode_diff_is_exactly_the_changed_rule():
    hsm = copy.deepcopy(LAB_HSM)
    hsm["segments"][0]["rules"][1]["ports"] = [161, 162]
    hsm["segments"][0]["appliances"][0]["services"].append({"name": "trap", "protocol": "udp", "port": 162})
    host = FakeNft(fixture("nft-hgw1-lab.json"))
    result = backend.run(host, "paynet_hsm", lab_text(hsm), check_mode=True)
    assert result["changed"] is True
    assert [kind for kind, _text in host.loads] == ["check"]  # nft -c only, nothing applied
    assert result["lines"]["removed"] == [line for line in lab_text().splitlines() if "nms-snmp" in line
                                          for line in [line.strip()]]
    assert len(result["lines"]["added"]) == 1 and "udp dport { 161, 162 }" in result["lines"]["added"][0]
    assert result["diff"]["before"] == lab_text() and result["diff"]["after"] == lab_text(hsm)


def test_a_candidate_nft_refuses_changes_nothing():
    host = FakeNft(fixture("nft-hgw1-lab.json"), refuse="paynet_no_such_key")
    table = backend.NftTable(host, "paynet_hsm", lab_text().replace("1792", "1793"), fault="nft-refuses")
    with pytest.raises(transaction.StepFailed, match="nothing was changed"):
        transaction.run(table)
    assert [kind for kind, _text in host.loads] == ["check"]


def test_verification_failure_restores_the_previous_table():
    before = fixture("nft-hgw1-lab.json")
    host = FakeNft(before, apply_json=before)
    table = backend.NftTable(host, "paynet_hsm", lab_text().replace("1792", "1793"))
    with pytest.raises(transaction.ChangeFailed) as failed:
        transaction.run(table)
    assert "differs from the intent" in str(failed.value) and "rolled back" in str(failed.value)
    kinds = [kind for kind, _text in host.loads]
    assert kinds == ["check", "apply", "apply"]
    assert host.loads[-1][1] == render.apply_file("paynet_hsm", "table inet paynet_hsm { }\n")
    assert failed.value.result["rolled_back"] is True


def test_first_apply_and_delete_files():
    host = FakeNft("")
    result = backend.run(host, "paynet_hsm", lab_text(), check_mode=True)
    assert result["diff"]["before"] == "" and result["lines"]["removed"] == []
    text = render.apply_file("paynet_hsm", lab_text())
    assert text.startswith("table inet paynet_hsm {}\ndelete table inet paynet_hsm\ntable inet paynet_hsm {\n")
    assert render.apply_file("paynet_hsm", "") == "table inet paynet_hsm {}\ndelete table inet paynet_hsm\n"
    gone = backend.run(FakeNft(fixture("nft-hgw1-lab.json")), "paynet_hsm", "", check_mode=True)
    assert gone["changed"] and gone["lines"]["added"] == [] and gone["diff"]["after"] == ""


def test_status_reports_every_counter_and_differences():
    dev = model.device_model(LAB_HSM, "hgw1", LAB_VRRP["hgw1"])
    healthy, report = backend.status(FakeNft(fixture("nft-hgw1-lab.json")), "paynet_hsm", lab_text(),
                                     render.counter_keys(dev))
    assert healthy and report["in_sync"] and report["present"] and report["problems"] == []
    assert set(report["counters"]) == {"hsmseg/apps-ntls", "hsmseg/nms-snmp", "hsmseg/hsm-ntp", "hsmseg/hsm-logs",
                                       "hsmseg/established", "hsmseg/drop"}
    healthy, report = backend.status(FakeNft(""), "paynet_hsm", lab_text(), render.counter_keys(dev))
    assert not healthy and "missing" in report["problems"][0]
    assert report["counters"]["hsmseg/apps-ntls"] == {"packets": 0, "bytes": 0}


# --- the validator ----------------------------------------------------------------------------------------

def _lab_fleet(hsm):
    devices = {h: {"netinfra_platform": "linux", "vrrp": v} for h, v in LAB_VRRP.items()}
    devices.update({h: {} for h in ("hsm1", "app1", "app2", "hnms1", "hpr1", "hinet1")})
    return registry.validate_fleet({}, devices, {"netinfra_policy": {"environment": "lab"}, "hsm": hsm},
                                   today=datetime.date(2026, 12, 1))


def test_the_lab_intent_is_clean():
    assert _lab_fleet(LAB_HSM) == []


def test_module_check_of_the_lab_gateway_is_clean_and_refuses_an_expired_review():
    params = {"state": "replaced", "config": LAB_HSM, "vrrp": LAB_VRRP["hgw1"], "gateway": "hgw1",
              "fleet_policy": {"netinfra_policy": {"environment": "lab"}}}
    assert offline.problems(params, today=datetime.date(2026, 12, 1)) == []
    bad = copy.deepcopy(LAB_HSM)
    bad["segments"][0]["rules"][0]["review_by"] = "2026-11-30"
    problems = offline.problems(dict(params, config=bad), today=datetime.date(2026, 12, 1))
    assert len(problems) == 1 and problems[0].startswith("hgw1: config.segments[0].rules[0].review_by:")
    assert "Fix: review the rule" in problems[0]


def test_a_gateway_serving_no_segment_needs_allow_empty():
    params = {"state": "replaced", "config": LAB_HSM, "vrrp": LAB_VRRP["hgw1"], "gateway": "hgw9", "fleet_policy": {}}
    assert any("allow_empty" in p for p in offline.problems(params, today=datetime.date(2026, 12, 1)))


HSM_CASES = [c for c in CASES if c["kind"] == "hsm" and not c.get("fleet_only")]


@pytest.mark.parametrize("case", HSM_CASES, ids=[c["id"] for c in HSM_CASES])
def test_module_check_refuses_what_the_fleet_refuses(case):
    """Each gateway's module check (hsm intent + its vrrp) has the fleet's error, at the config's field."""
    data = apply(case)
    fleet = [f for f in registry.validate_fleet(data["partners"], data["devices"], data["policy"], today=TODAY)
             if f.severity == registry.ERROR and (f.host, f.field) == (case["host"], case["field"])]
    assert fleet
    hosts = ["dc3-hgw1", "dc3-hgw2"] if case["host"] == "hsm" else [case["host"]]
    field = ("config" + case["field"][3:]) if case["field"].startswith("hsm") else case["field"]
    for host in hosts:
        problems = validate.module_check(data["policy"]["hsm"], data["devices"][host].get("vrrp"), host,
                                         {"netinfra_policy": data["policy"]["netinfra_policy"]}, today=TODAY)
        assert any(p.split(": ", 2)[1] == field for p in problems), (host, field, problems)


def test_the_base_gateways_module_check_is_clean():
    data = apply({})
    for host in ("dc3-hgw1", "dc3-hgw2"):
        assert validate.module_check(data["policy"]["hsm"], data["devices"][host]["vrrp"], host,
                                     {"netinfra_policy": {"environment": "lab"}}, today=TODAY) == []


def test_published_segments():
    ctx_facts = {}
    data = apply({})
    registry.validate_fleet(data["partners"], data["devices"], data["policy"], today=TODAY)
    # the fact is published on the context; recompute through a run that keeps the context
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import fleet
    ctx = fleet.FleetContext(data["partners"], data["devices"], data["policy"], fleet.registered(), today=TODAY)
    for feature in ctx.features:
        feature.validate(ctx)
    ctx_facts.update(ctx.facts)
    assert [str(n) for n in ctx_facts["hsm.segments"]["hsm"]] == ["198.18.40.0/24"]


def test_state_parsed_reads_nft_json():
    parsed = offline.parsed({"config": {}, "running_config": fixture("nft-hgw1-lab.json")})
    assert parsed["table"] == "paynet_hsm" and parsed["text"] == lab_text()
    assert parsed["counters"]["hsmseg/apps-ntls"]["packets"] == 1
    with pytest.raises(parse.ParseError):
        offline.parsed({"config": {}, "running_config": "table inet x {}"})


def test_segment_interfaces_include_the_vrrp_virtual_mac_macvlans():
    """The hosts send to the VIP's virtual MAC, which the gateway receives on the group's macvlan (keepalived
    use_vmac and FRR vrrpd alike): filtering on the base interface alone let the HSM's outbound traffic
    through (found on the lab: hsm1 -> app2:22 answered by app2 before this)."""
    segment = {"name": "hsmseg", "vrrp_segment": "hsmseg"}
    vrrp = {"groups": [{"segment": "hsmseg", "vrid": 40, "interface": "eth1", "virtual_ipv4": ["198.18.40.1"],
                        "virtual_ipv6": ["2001:db8:40::1"]},
                       {"segment": "other", "vrid": 41, "interface": "eth2", "virtual_ipv4": ["198.18.41.1"]}]}
    assert model.segment_interfaces(segment, vrrp) == ["eth1", "v4-eth1-40", "v6-eth1-40"]
    hsm = copy.deepcopy(LAB_HSM)
    hsm["segments"][0]["subnets"] = ["198.18.40.0/24", "2001:db8:40::/64"]
    text = render.table_text(model.device_model(hsm, "hgw1", vrrp), model.address_sets(hsm))
    assert 'oifname { "eth1", "v4-eth1-40", "v6-eth1-40" } jump hsmseg_in' in text
    assert "ip6 daddr 2001:db8:40::/64 jump hsmseg_in" in text and "ip6 saddr 2001:db8:40::/64 jump hsmseg_out" in text
