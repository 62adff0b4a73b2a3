"""Compliance: drift from captured check-mode results, health, policy, PCI mapping, grace, history, the
reporters (JUnit against an XSD, JSON against its schema, Markdown, HTML) and secrets.

The results-*.json fixtures are the registered results of playbooks/compliance_check.yml on the lab
(tests/topologies/compliance.clab.yml), captured with tests/unit/fixtures/compliance/capture.yml: clean after
converge, and after the molecule scenario's hand-made drift (molecule/compliance/files/drift.sh).
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.compliance import checks as ck
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.compliance import grace as gr
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.compliance import history, pci
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.compliance import report as rp

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "compliance"
DOCS = Path(__file__).resolve().parents[5] / "docs" / "compliance.md"
TODAY = datetime.date(2026, 12, 2)
NOW = "2026-12-02T01:00:00+00:00"
FEATURES = ("bgp", "ipsec", "vrrp", "snmp", "hsm")


def load(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def checks_of(capture):
    """What the action plugin does with the registered results (without Ansible)."""
    out, vrrp = [], {}
    for host, results in sorted(capture["hosts"].items()):
        for feature in FEATURES:
            drift = results.get("compliance_%s" % feature)
            status = results.get("compliance_%s_status" % feature)
            if drift is not None:
                out.append(ck.drift(host, feature, drift))
            if status is not None:
                out.extend(ck.health(host, feature, status))
                if feature == "vrrp":
                    vrrp[host] = status
    out.extend(ck.vrrp_masters(vrrp))
    out.extend(ck.policy(capture["policy"].get("findings") or [], devices=sorted(capture["hosts"])))
    return ck.dedupe(out)


def by_id(checks):
    return {c["id"]: c for c in checks}


@pytest.fixture(name="clean")
def fixture_clean():
    return checks_of(load("results-clean.json"))


@pytest.fixture(name="drifted")
def fixture_drifted():
    return checks_of(load("results-drift.json"))


def build(checks, secrets=()):
    history.apply(checks, {}, NOW)
    return rp.build(checks, {"started": NOW, "finished": NOW, "duration_s": 12.5, "playbook": "compliance_check.yml"},
                    {"diagram_svg": "diagram.svg", "devices": {"hgw1": "devices/hgw1.md"}}, secrets=secrets)


# ------------------------------------------------------------------------------------------ drift

def test_clean_lab_has_no_failing_check(clean):
    failing = [(c["id"], c["message"]) for c in clean if c["status"] in ("fail", "error")]
    assert failing == []
    ids = set(by_id(clean))
    assert {"edge1.bgp.drift", "hgw1.vrrp.drift", "hgw2.hsm.drift", "sgw1.snmp.drift", "sgw1.snmp.agent",
            "hgw1.hsm.segmentation", "fleet.vrrp.one_master.hsmseg-40-ipv4", "edge1.bgp.session.203.0.113.2"} <= ids


def test_drift_from_captured_check_mode_results(drifted):
    checks = by_id(drifted)
    failing = sorted(i for i, c in checks.items() if c["status"] in ("fail", "error"))
    assert failing == ["edge1.bgp.drift", "hgw1.hsm.drift", "hgw1.hsm.segmentation", "hgw1.vrrp.drift",
                       "sgw1.snmp.agent", "sgw1.snmp.drift"]
    bgp = checks["edge1.bgp.drift"]
    assert bgp["extra"] == ["ip prefix-list PARTNER_ACME_BANK_V4_IN seq 100 permit 10.66.0.0/16"]
    assert bgp["missing"] == []
    assert "no ip prefix-list PARTNER_ACME_BANK_V4_IN seq 100 permit 10.66.0.0/16" in bgp["remediation"]
    vrrp = checks["hgw1.vrrp.drift"]
    assert [x.strip() for x in vrrp["missing"]] == ["priority 150"]
    assert [x.strip() for x in vrrp["extra"]] == ["priority 120"]
    assert any("hsmseg_40.conf" in c for c in vrrp["remediation"])
    hsm = checks["hgw1.hsm.drift"]
    assert [x.strip() for x in hsm["extra"]] == ["ip saddr 198.18.41.11 tcp dport 22 accept"]
    assert any(c.startswith("nft -f") for c in hsm["remediation"])
    snmp = checks["sgw1.snmp.drift"]
    assert snmp["extra"] == ["rocommunity ******** default"]
    assert checks["hgw2.vrrp.drift"]["status"] == "pass"


def test_missing_extra_from_a_diff():
    diff = {"before": "a\nb\nc\n", "after": "a\nc\nd\n"}
    assert ck.missing_extra(diff) == (["d"], ["b"])
    assert ck.missing_extra([diff, {"before": {"x": 1}, "after": {"x": 2}}])[0][-1].strip() == '"x": 2'
    assert ck.missing_extra(None) == ([], [])


def test_drift_of_failed_unreachable_and_skipped_results():
    assert ck.drift("r1", "bgp", {"failed": True, "msg": "boom"})["status"] == "error"
    assert "unreachable" in ck.drift("r1", "bgp", {"unreachable": True, "msg": "ssh"})["message"]
    assert ck.drift("r1", "bgp", None)["status"] == "error"
    assert ck.drift("r1", "bgp", {"skipped": True})["status"] == "skipped"
    assert ck.health("r1", "snmp", {"failed": True, "msg": "x"})[0]["status"] == "error"


def test_vrrp_one_master_per_group():
    group = {"segment": "lan", "vrid": 10, "family": "ipv4"}
    two = {"a": {"groups": [dict(group, state="Master", holds_vip=True)]},
           "b": {"groups": [dict(group, state="Master", holds_vip=True)]}}
    [check] = ck.vrrp_masters(two)
    assert check["status"] == "fail" and "2 Masters" in check["message"] and "split brain" in check["message"]
    two["b"]["groups"][0].update(state="Backup", holds_vip=False)
    assert ck.vrrp_masters(two)[0]["status"] == "pass"


# ------------------------------------------------------------------------------------------ policy

def test_policy_findings_fail_waive_and_warn():
    findings = [
        {"host": "sgw1", "field": "snmp.v2c_exception", "severity": "warning",
         "message": "SNMPv2c allowed by exception CHG-1 (legacy) until 2027-01-31", "fix": "migrate"},
        {"host": "sgw1", "field": "snmp.v2c_exception.expires", "severity": "error",
         "message": "v2c exception (CHG-2) expired on 2026-01-01", "fix": "renew"},
        {"host": "gw1", "field": "partners.acme.tunnels[0].ike_proposals", "severity": "error", "message": "weak"},
        {"host": "policy", "field": "bgp_policy.x", "severity": "warning", "message": "odd"},
        {"host": "other", "field": "bgp.asn", "severity": "error", "message": "not ours"},
    ]
    checks = by_id(ck.policy(findings, devices=["sgw1", "gw1", "edge1"]))
    assert checks["sgw1.snmp.policy.snmp.v2c_exception"]["status"] == "waived"
    assert checks["sgw1.snmp.policy.snmp.v2c_exception"]["evidence"]["expires"] == "2027-01-31"
    assert checks["sgw1.snmp.policy.snmp.v2c_exception.expires"]["status"] == "fail"
    assert checks["gw1.ipsec.policy.partners.acme.tunnels[0].ike_proposals"]["pci"] == ["4.2.1"]
    assert checks["fleet.bgp.policy.bgp_policy.x"]["status"] == "pass"
    assert checks["edge1.policy.intent"]["status"] == "pass"
    assert not any(c.startswith("other.") for c in checks)


# ------------------------------------------------------------------------------------------ PCI

def test_every_check_maps_to_known_requirements(drifted):
    assert set(pci.REQUIREMENTS) == {"1.2.1", "1.2.5", "1.2.7", "1.2.8", "2.2.7", "4.2.1", "10.2", "11.4.5"}
    for reqs in pci.MAPPING.values():
        assert set(reqs) <= set(pci.REQUIREMENTS)
    for check in drifted:
        assert check["pci"], check["id"]
    checks = by_id(drifted)
    assert "11.4.5" in checks["hgw1.hsm.segmentation"]["pci"]
    assert "2.2.7" in checks["sgw1.snmp.drift"]["pci"]
    assert pci.requirements_for("bgp", "drift") == ("1.2.1", "1.2.7", "1.2.8")
    assert pci.requirements_for("anything", "audit") == ("10.2",)


def test_docs_hold_the_mapping_table():
    assert pci.markdown_table() in DOCS.read_text(encoding="utf-8")


def test_pci_sections_verdicts(drifted):
    sections = build(drifted)["pci"]
    assert sections["11.4.5"]["status"] == "fail"
    assert sections["4.2.1"]["status"] == "no evidence"  # no IPsec in this lab
    assert "hgw1.hsm.segmentation" in sections["11.4.5"]["checks"]


# ------------------------------------------------------------------------------------------ grace

GRACE = [{"check": "hgw1.*", "until": "2027-01-31", "reason": "change in flight", "approved_by": "CHG-1"},
         {"check": "edge1.bgp.drift", "until": datetime.date(2026, 11, 30), "reason": "old", "approved_by": "CHG-2"}]


def test_grace_waives_until_its_date_and_expired_grace_fails(drifted):
    extra = gr.apply(drifted, gr.parse(GRACE), TODAY)
    checks = by_id(drifted + extra)
    assert checks["hgw1.vrrp.drift"]["status"] == "waived"
    assert checks["hgw1.vrrp.drift"]["grace"]["approved_by"] == "CHG-1"
    assert "until 2027-01-31" in checks["hgw1.vrrp.drift"]["message"]
    assert checks["edge1.bgp.drift"]["status"] == "fail"
    assert "expired on 2026-11-30" in checks["edge1.bgp.drift"]["message"]
    assert checks["fleet.compliance.grace[1]"]["status"] == "fail"
    assert checks["fleet.compliance.grace[0]"]["status"] == "pass"
    assert set(checks["fleet.compliance.grace[0]"]["evidence"]["covers"]) == {
        "hgw1.hsm.drift", "hgw1.hsm.segmentation", "hgw1.vrrp.drift"}
    # the last day still holds
    assert gr.apply([ck.make("r", "bgp", "drift", "drift", "fail", "x")],
                    gr.parse([dict(GRACE[0], check="r.*", until="2026-12-02")]), TODAY)[0]["status"] == "pass"


@pytest.mark.parametrize("entries, field", [
    ([{"check": "a", "until": "tomorrow", "reason": "r", "approved_by": "c"}], "compliance_grace[0].until"),
    ([{"check": "a", "until": "2027-01-01", "reason": " ", "approved_by": "c"}], "compliance_grace[0].reason"),
    ([{"check": "a", "until": "2027-01-01", "reason": "r"}], "compliance_grace[0].approved_by"),
    ([{"check": "a", "until": "2027-01-01", "reason": "r", "approved_by": "c", "owner": "x"}], "compliance_grace[0].owner"),
    ([{"until": "2027-01-01", "reason": "r", "approved_by": "c"}], "compliance_grace[0].check"),
    (["hgw1.*"], "compliance_grace[0]"),
    ({"check": "a"}, "compliance_grace"),
])
def test_bad_grace_names_the_field(entries, field):
    with pytest.raises(gr.GraceError) as err:
        gr.parse(entries)
    assert str(err.value).startswith(field + ":") or str(err.value).startswith(field + " ")
    assert "Fix" in str(err.value) or "expected" in str(err.value)


# ------------------------------------------------------------------------------------------ history

def test_history_since_and_previous_status(tmp_path, clean, drifted):
    first = build(clean)
    path = tmp_path / "latest.json"
    path.write_text(rp.to_json(first), encoding="utf-8")
    later = "2026-12-03T01:00:00+00:00"
    history.apply(drifted, history.load(str(path)), later)
    checks = by_id(drifted)
    assert checks["edge1.bgp.drift"]["since"] == later and checks["edge1.bgp.drift"]["previous_status"] == "pass"
    assert checks["hgw2.vrrp.drift"]["since"] == NOW and checks["hgw2.vrrp.drift"]["previous_status"] == "pass"
    assert history.load(str(tmp_path / "none.json")) == {}
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert history.load(str(tmp_path / "bad.json")) == {}


# ------------------------------------------------------------------------------------------ reporters

def test_json_report_matches_its_schema(drifted):
    report = json.loads(rp.to_json(build(drifted)))
    jsonschema.Draft202012Validator.check_schema(rp.SCHEMA)
    jsonschema.validate(report, rp.SCHEMA, cls=jsonschema.Draft202012Validator)
    assert report["summary"]["fail"] == 6 and not report["summary"]["compliant"]
    broken = json.loads(json.dumps(report))
    broken["checks"][0]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, rp.SCHEMA, cls=jsonschema.Draft202012Validator)


def test_junit_validates_against_the_xsd_and_has_one_testcase_per_check(drifted):
    report = build(drifted)
    xml = rp.to_junit(report).encode("utf-8")
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "junit.xsd")))
    doc = etree.fromstring(xml)
    schema.assertValid(doc)
    suites = doc.findall("testsuite")
    assert [s.get("name") for s in suites] == [d["name"] for d in report["devices"]]
    cases = doc.findall("testsuite/testcase")
    assert len(cases) == len(report["checks"])
    names = {(c.get("classname"), c.get("name")) for c in cases}
    assert len(names) == len(cases)  # unique and stable: classname <device>.<feature>, name the check
    case = doc.find("testsuite[@name='edge1']/testcase[@name='drift']")
    assert case.get("classname") == "edge1.bgp"
    assert "no ip prefix-list PARTNER_ACME_BANK_V4_IN seq 100" in case.find("failure").text
    assert int(doc.get("failures")) == 6
    assert doc.find("testsuite[@name='hgw2']/testcase[@name='drift']").find("failure") is None


def test_junit_rejected_by_the_xsd_when_broken(drifted):
    xml = rp.to_junit(build(drifted)).replace('<testcase classname=', '<testcase klass=', 1)
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "junit.xsd")))
    assert not schema.validate(etree.fromstring(xml.encode("utf-8")))


def test_waived_and_skipped_are_shown_not_hidden(drifted):
    gr.apply(drifted, gr.parse(GRACE[:1]), TODAY)
    report = build(drifted)
    xml = rp.to_junit(report)
    assert re.search(r'<testcase classname="hgw1.vrrp" name="drift" time="0">\s*<skipped message="waived: ', xml)
    md = rp.to_markdown(report)
    assert "## Waived (3)" in md and "`hgw1.vrrp.drift`" in md.split("## Waived")[1]
    assert 'class="waived"' in rp.to_html(report)


def test_markdown_order_summary_failures_evidence_pci(drifted):
    md = rp.to_markdown(build(drifted))
    order = [md.index(h) for h in ("## Summary", "## Failures (6)", "## Evidence", "## PCI DSS 4.0")]
    assert order == sorted(order)
    assert "- no ip prefix-list" not in md and "no ip prefix-list PARTNER_ACME_BANK_V4_IN seq 100" in md
    assert "[diagram.svg](diagram.svg)" in md and "[devices/hgw1.md](devices/hgw1.md)" in md
    assert "### 11.4.5 " in md


def test_html_is_self_contained(drifted):
    text = rp.to_html(build(drifted))
    doc = etree.fromstring(text.replace("<!DOCTYPE html>", "").encode("utf-8"), etree.XMLParser(recover=False))
    assert doc.tag == "html"
    for tag in ("script", "link", "img", "iframe"):
        assert not doc.findall(".//" + tag), tag
    assert not re.search(r"(src|href)=\"(https?:)?//", text)
    assert 'href="diagram.svg"' in text
    order = [text.index(h) for h in ("<h2>Summary", "<h2>Failures", "<h2>Evidence", "<h2>PCI DSS 4.0")]
    assert order == sorted(order)


# ------------------------------------------------------------------------------------------ secrets

SECRETS = ("Lab-Acme-Md5-7Q2x", "s3cret-snmp-auth-key-42", "v2c-community-xyz")


def test_no_secret_in_any_report():
    evidence = {"text": "neighbor 203.0.113.2 password Lab-Acme-Md5-7Q2x\nrocommunity v2c-community-xyz default",
                "key": "s3cret-snmp-auth-key-42"}
    check = ck.make("r1", "snmp", "drift", "drift", "fail", "saw s3cret-snmp-auth-key-42 in the agent", evidence,
                    ["createUser nms SHA-512 s3cret-snmp-auth-key-42 AES-256 s3cret-snmp-auth-key-42"],
                    ["rocommunity v2c-community-xyz default"], ["neighbor 203.0.113.2 password Lab-Acme-Md5-7Q2x"])
    report = build([check], secrets=SECRETS)
    for text in (rp.to_json(report), rp.to_junit(report), rp.to_markdown(report), rp.to_html(report)):
        for secret in SECRETS:
            assert secret not in text
            assert base64.b64encode(secret.encode()).decode()[:12] not in text
        assert "********" in text


def test_captured_fixtures_hold_no_secret_shape():
    for name in ("results-clean.json", "results-drift.json"):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        assert "Lab-Acme-Md5" not in text and "VALUE_SPECIFIED_IN_NO_LOG" not in text
