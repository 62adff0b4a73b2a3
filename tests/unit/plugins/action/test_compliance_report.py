"""compliance_report action plugin: reads the registered results from hostvars, writes the four reports
(0600 in a 0700 directory, timestamped and latest.*), fails on a violation after writing, refuses a bad
grace before writing anything, and masks the hosts' vault values everywhere."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from types import SimpleNamespace

from ansible_collections.paynet.netinfra.plugins.action.compliance_report import ActionModule, audit_check

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "compliance"
VAULT = {"vault_bgp_passwords": {"acme_bank": "Unit-Vault-Md5-Q9z"}, "vault_other": "plain-vault-value-77"}


class Templar:
    def template(self, value):
        return value


def run(args, capture="results-drift.json", extra_vars=None):
    data = json.loads((FIXTURES / capture).read_text(encoding="utf-8"))
    hostvars = {}
    for host, results in data["hosts"].items():
        hostvars[host] = dict(results, compliance_policy=data["policy"], **VAULT)
    # a device message that happens to quote a vault value: it must be masked in every report
    hostvars["sgw1"]["compliance_snmp"] = dict(hostvars["sgw1"]["compliance_snmp"],
                                               commands=["write /etc/snmp/snmpd.conf", "note plain-vault-value-77"])
    task = SimpleNamespace(args=dict({"policy": data["policy"]}, **args), async_val=0, check_mode=True,
                           action="paynet.netinfra.compliance_report")
    plugin = ActionModule(task=task, connection=SimpleNamespace(_shell=SimpleNamespace(tmpdir="/never")),
                          play_context=SimpleNamespace(), loader=None, templar=Templar(), shared_loader_obj=None)
    task_vars = {"hostvars": hostvars, "ansible_play_hosts_all": sorted(hostvars)}
    task_vars.update(extra_vars or {})
    return plugin.run(task_vars=task_vars)


def test_reports_written_once_private_and_failing_on_drift(tmp_path):
    dest = tmp_path / "reports"
    result = run({"dest": str(dest)})
    assert result["failed"] and result["msg"].startswith("NOT COMPLIANT")
    assert result["failing"] == ["edge1.bgp.drift", "hgw1.hsm.drift", "hgw1.hsm.segmentation", "hgw1.vrrp.drift",
                                 "sgw1.snmp.agent", "sgw1.snmp.drift"]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o700
    names = sorted(os.listdir(dest))
    assert {"latest.json", "latest.xml", "latest.md", "latest.html", "compliance.schema.json"} <= set(names)
    assert len([n for n in names if n.startswith("compliance-") and n != "compliance.schema.json"]) == 4
    for name in names:
        assert stat.S_IMODE(os.stat(dest / name).st_mode) == 0o600, name
        text = (dest / name).read_text(encoding="utf-8")
        assert "Unit-Vault-Md5-Q9z" not in text and "plain-vault-value-77" not in text, name
    report = json.loads((dest / "latest.json").read_text(encoding="utf-8"))
    assert any("note ********" in c["remediation"] for c in report["checks"] if c["id"] == "sgw1.snmp.drift")


def test_clean_run_passes_and_history_carries_since(tmp_path):
    dest = tmp_path / "reports"
    first = run({"dest": str(dest)}, capture="results-clean.json")
    assert not first.get("failed") and first["msg"].startswith("COMPLIANT") and first["summary"]["fail"] == 0
    before = {c["id"]: c for c in json.loads((dest / "latest.json").read_text(encoding="utf-8"))["checks"]}
    run({"dest": str(dest)})
    after = {c["id"]: c for c in json.loads((dest / "latest.json").read_text(encoding="utf-8"))["checks"]}
    assert after["edge1.bgp.drift"]["previous_status"] == "pass"
    assert after["hgw2.vrrp.drift"]["since"] == before["hgw2.vrrp.drift"]["since"]


def test_grace_from_the_inventory_and_bad_grace_refused_before_writing(tmp_path):
    grace = [{"check": "*", "until": "2999-12-31", "reason": "lab", "approved_by": "CHG-1"}]
    result = run({"dest": str(tmp_path / "ok"), "fail_on_violation": True}, extra_vars={"compliance_grace": grace})
    assert not result.get("failed") and len(result["waived"]) == 6
    bad = run({"dest": str(tmp_path / "bad"), "grace": [{"check": "*", "until": "soon", "reason": "r", "approved_by": "c"}]})
    assert bad["failed"] and "compliance_grace[0].until" in bad["msg"]
    assert not (tmp_path / "bad").exists()


def test_audit_log_check(tmp_path):
    assert audit_check(None)["status"] == "skipped"
    log = tmp_path / "audit.jsonl"
    log.write_text('{"host": "r1"}\n', encoding="utf-8")
    os.chmod(log, 0o644)
    assert audit_check(str(log))["status"] == "fail"
    os.chmod(log, 0o600)
    check = audit_check(str(log))
    assert check["status"] == "pass" and check["pci"] == ["10.2"]
    log.write_text('{"host": "r1"}\nnot json\n', encoding="utf-8")
    assert "not JSON" in audit_check(str(log))["message"]


def test_unreachable_and_unchecked_hosts_are_named_and_fail_the_report(tmp_path):
    """A host that was unreachable (its tasks registered ``unreachable``) or that registered nothing (it left the
    play) is named in the result, the summary and every report, and the run is never "compliant" by omission."""
    dark = {"unreachable": True, "changed": False,
            "msg": "Failed to connect to the host via ssh: ssh: connect to host 198.18.62.2 port 22: Connection timed out"}
    data = json.loads((FIXTURES / "results-clean.json").read_text(encoding="utf-8"))
    hostvars = {host: dict(results, **VAULT) for host, results in data["hosts"].items()}
    hostvars["sgw1"] = {"compliance_snmp": dark, "compliance_snmp_status": dark, "compliance_bgp": {"skipped": True}}
    dest = tmp_path / "reports"
    task = SimpleNamespace(args={"policy": data["policy"], "dest": str(dest)}, async_val=0, check_mode=True,
                           action="paynet.netinfra.compliance_report")
    plugin = ActionModule(task=task, connection=SimpleNamespace(_shell=SimpleNamespace(tmpdir="/never")),
                          play_context=SimpleNamespace(), loader=None, templar=Templar(), shared_loader_obj=None)
    result = plugin.run(task_vars={"hostvars": hostvars, "ansible_play_hosts_all": sorted(hostvars) + ["gone1"]})
    assert result["failed"] and result["unreachable"] == ["gone1", "sgw1"], result
    assert "2 devices UNREACHABLE, not checked: gone1, sgw1" in result["msg"]
    assert {"sgw1.connection.reachable", "gone1.connection.reachable", "sgw1.snmp.drift"} <= set(result["failing"])
    report = json.loads((dest / "latest.json").read_text(encoding="utf-8"))
    assert not report["summary"]["compliant"] and report["summary"]["unreachable"] == ["gone1", "sgw1"]
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["sgw1.connection.reachable"]["message"].startswith("unreachable, so snmp not checked: Failed to connect")
    assert checks["gone1.connection.reachable"]["message"].startswith("not checked: the device registered no result")
    assert "**Unreachable, not checked (2):** gone1, sgw1" in (dest / "latest.md").read_text(encoding="utf-8")
    assert "Unreachable, not checked (2): gone1, sgw1" in (dest / "latest.html").read_text(encoding="utf-8")
    assert '<testcase classname="sgw1.connection" name="reachable"' in (dest / "latest.xml").read_text(encoding="utf-8")
    # the clean hosts are still checked and pass
    assert checks["edge1.bgp.drift"]["status"] == "pass" and checks["hgw2.vrrp.drift"]["status"] == "pass"
