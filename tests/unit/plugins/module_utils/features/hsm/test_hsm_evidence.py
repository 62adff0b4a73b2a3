"""Evidence of the segmentation proof (features/hsm/evidence.py): JSON keys, Markdown sections in
order, file and directory modes, the previous evidence's date, and no secret."""

from __future__ import annotations

import datetime
import json
import os
import stat
from pathlib import Path

import yaml

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import evidence, model, proof

REPO = Path(__file__).resolve().parents[6]
LAB_HSM = yaml.safe_load((REPO / "inventories" / "lab" / "group_vars" / "all" / "hsm.yml").read_text())["hsm"]
NOW = datetime.datetime(2026, 12, 1, 21, 30, 5, tzinfo=datetime.timezone.utc)
META = {"intent_revision": {"commit": "80f8a19" + "0" * 33, "dirty": True}, "playbook": "playbooks/hsm_segmentation_proof.yml",
        "controller_user": "netops", "inventory": "inventories/lab"}
FAKE_KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----"


def results(break_app2=False):
    out = {}
    for entry in model.probe_plan(LAB_HSM):
        allow = entry["expect"] == "allow"
        outcome = ("answered" if entry["protocol"] == "udp" else "connected") if allow else "timeout"
        if break_app2 and entry["host"] == "app2" and entry["port"] == 22:
            outcome = "connected"
        r = {"address": entry["address"], "protocol": entry["protocol"], "port": entry["port"], "source": entry["source"],
             "outcome": outcome, "reached": outcome in ("connected", "answered"), "elapsed_ms": 1.5, "detail": ""}
        if entry["tls"] and outcome == "connected":
            r["tls"] = {"completed": True, "version": "TLSv1.3", "subject": "CN=hsm1.standin", "sha256": "ab" * 32}
        out.setdefault(entry["host"], []).append(r)
    return out


def doc_for(judgement, **kwargs):
    return evidence.build(judgement, META, now=kwargs.pop("now", NOW), **kwargs)


def test_json_has_every_key():
    doc = doc_for(proof.judge(LAB_HSM, results()))
    for key in ("schema_version", "generated_at", "verdict", "intent_revision", "playbook", "controller_user", "probes",
                "rules", "pci_dss", "counts", "failures", "warnings"):
        assert key in doc, key
    assert doc["schema_version"] == 1 and doc["generated_at"] == "2026-12-01T21:30:05Z" and doc["verdict"] == "pass"
    probe_ = next(p for p in doc["probes"] if p["source"]["host"] == "app1" and p["target"]["port"] == 1792)
    assert probe_["source"] == {"host": "app1", "zone": "client", "address": "198.18.41.10"}
    assert probe_["target"]["appliance"] == "hsm1" and probe_["expectation"] == "allow" and probe_["verdict"] == "pass"
    assert probe_["rule"] == {"id": "hsmseg/apps-ntls", "owner": "crypto-team@paynet.example", "review_by": "2027-06-30",
                              "justification": "Payment authorisation servers use the HSM over NTLS for PIN and MAC operations"}
    assert probe_["result"]["tls"]["version"] == "TLSv1.3"
    assert probe_["counters"]["status"] == "counters not available"
    deny = next(p for p in doc["probes"] if p["source"]["host"] == "hpr1")
    assert deny["rule"]["id"] is None and deny["rule"]["justification"] == "no allow rule: default drop"
    pci = doc["pci_dss"]
    assert [a["id"] for a in pci["1.2.5"]["allowed"]] == ["hsmseg/apps-ntls", "hsmseg/hsm-logs", "hsmseg/hsm-ntp",
                                                          "hsmseg/nms-snmp"]
    assert pci["1.2.5"]["status"] == "pass"
    zones = {doc["probes"][i]["source"]["zone"] for i in pci["1.3.1"]["probes"]}
    assert zones == {"unlisted", "partner", "internet"} and pci["1.3.1"]["status"] == "pass"
    assert pci["11.4.6"]["tested_at"] == "2026-12-01" and pci["11.4.6"]["previous"] is None
    json.dumps(doc)


def test_overdue_review_and_failed_inbound_show_in_pci():
    judgement = proof.judge(LAB_HSM, results(break_app2=True))
    doc = doc_for(judgement, now=datetime.datetime(2027, 7, 1, tzinfo=datetime.timezone.utc))
    assert doc["pci_dss"]["1.2.5"]["status"] == "fail" and all(r["review_overdue"] for r in doc["rules"])
    assert doc["pci_dss"]["1.3.1"]["status"] == "fail"
    text = evidence.markdown(doc)
    assert "(OVERDUE)" in text


def test_markdown_sections_in_order():
    doc = doc_for(proof.judge(LAB_HSM, results(break_app2=True)))
    text = evidence.markdown(doc)
    assert text.startswith("# HSM segmentation proof: FAIL\n")
    order = ["**Verdict: FAIL**", "## Failures", "app2/unlisted -> hsm1:22/tcp expected deny got connected", "## Probes",
             "## Allow rules", "## PCI DSS 4.0 mapping", "### 1.2.5", "### 1.3.1", "### 11.4.5 / 11.4.6"]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)
    assert "- Intent revision: 80f8a19" in text and "(uncommitted changes)" in text
    assert "- Run by: netops on the controller" in text
    assert text.count("\n| ") >= 15 + 4  # a row per probe and per rule
    assert "crypto-team@paynet.example" in text and "2027-06-30" in text


def test_files_modes_latest_and_previous(tmp_path):
    folder = tmp_path / "evidence"
    judgement = proof.judge(LAB_HSM, results())
    first = evidence.write(doc_for(judgement, now=NOW - datetime.timedelta(days=200)), str(folder))
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    previous = evidence.previous_evidence(str(folder), before=NOW.strftime(evidence.STAMP))
    assert previous == ("2026-05-15T21:30:05Z", "hsm-proof-20260515T213005Z.json")
    paths = evidence.write(doc_for(judgement, previous=previous), str(folder))
    assert Path(paths["json"]).name == "hsm-proof-20261201T213005Z.json"
    for path in list(paths.values()) + list(first.values()):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert Path(paths["latest_json"]).read_text() == Path(paths["json"]).read_text()
    assert Path(paths["latest_markdown"]).read_text() == Path(paths["markdown"]).read_text()
    latest = json.loads(Path(paths["latest_json"]).read_text())
    assert latest["pci_dss"]["11.4.6"]["days_since_previous"] == 200
    assert latest["pci_dss"]["11.4.6"]["within_six_months"] is False
    md = Path(paths["latest_markdown"]).read_text()
    assert "Previous evidence: 2026-05-15T21:30:05Z (hsm-proof-20260515T213005Z.json, 200 days earlier)" in md
    assert "exceeds six months" in md
    assert sorted(os.listdir(folder)) == sorted(["latest.json", "latest.md", "hsm-proof-20260515T213005Z.json",
                                                 "hsm-proof-20260515T213005Z.md", "hsm-proof-20261201T213005Z.json",
                                                 "hsm-proof-20261201T213005Z.md"])


def test_two_runs_in_one_second_keep_both(tmp_path):
    judgement = proof.judge(LAB_HSM, results())
    first = evidence.write(doc_for(judgement), str(tmp_path))
    second = evidence.write(doc_for(judgement), str(tmp_path))
    assert Path(first["json"]).name == "hsm-proof-20261201T213005Z.json"
    assert Path(second["json"]).name == "hsm-proof-20261201T213005Z-2.json" and Path(second["markdown"]).exists()
    later = NOW.replace(second=59).strftime(evidence.STAMP)
    assert evidence.previous_evidence(str(tmp_path), before=later)[1] == "hsm-proof-20261201T213005Z-2.json"


def test_existing_loose_directory_is_tightened(tmp_path):
    folder = tmp_path / "loose"
    folder.mkdir(mode=0o755)
    evidence.write(doc_for(proof.judge(LAB_HSM, results())), str(folder))
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_no_secret_in_evidence(tmp_path):
    res = results()
    res["app2"][0]["detail"] = "peer said " + FAKE_KEY
    res["app2"][1]["detail"] = "token s3cr3t-Value-42 seen"
    judgement = proof.judge(LAB_HSM, res)
    doc = evidence.build(judgement, META, now=NOW, secrets=("s3cr3t-Value-42",))
    paths = evidence.write(doc, str(tmp_path / "ev"), secrets=("s3cr3t-Value-42",))
    for path in paths.values():
        text = Path(path).read_text()
        assert "s3cr3t-Value-42" not in text and "MIGHAgEAMBMGByqGSM49" not in text, path
        if path.endswith(".json"):  # the Markdown does not quote probe details
            assert "********" in text
