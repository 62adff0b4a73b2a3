"""The HSM segmentation proof (playbooks/hsm_segmentation_proof.yml) on a copy of the hsm-basic lab
(lab name ``hsmP-it``, override with NETINFRA_HSM_PROOF_LAB).

The test plays the gateways' part itself, independently of the collection's renderer (which is
another branch's work): the VIPs are added to hgw1 with ``ip addr add`` (no keepalived), and a
hand-written nftables table ``inet prooftest`` on hgw1 and hgw2 implements the lab intent
(inventories/lab/group_vars/all/hsm.yml) with a counter and a ``segment/rule`` comment on every rule.
hsm1 runs the stand-in (tests/lab/hsm_standin.py: TLS on 1792, plain TCP on 22, snmpd on 161).

- With the table: the proof passes (check mode too, which writes evidence as well), the TLS
  handshake saw the stand-in's certificate, the NMS got an SNMPv3 Report, and the judgement fed with
  the table's real counters (read with ``nft -j`` before and after, in the shape hsm_status returns)
  confirms every allowed rule and the drop counter.
- Without it: the proof fails the run and names the unlisted, partner and internet probes that got
  through; the Markdown names the previous evidence's date.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO / ".collections") not in sys.path:  # the collection's own code, as tests/unit/conftest.py does
    sys.path.insert(0, str(REPO / ".collections"))
BIN = Path(sys.executable).parent
LABCTL = [sys.executable, str(REPO / "tests" / "lab" / "labctl")]
LAB_NAME = os.environ.get("NETINFRA_HSM_PROOF_LAB", "hsmP-it")
STANDIN = REPO / "tests" / "lab" / "hsm_standin.py"
INTENT = REPO / "inventories" / "lab" / "group_vars" / "all" / "hsm.yml"
VAULT_PASSWORD_FILE = REPO / "inventories" / "lab" / "vault-password.txt"
PLAYBOOK = REPO / "playbooks" / "hsm_segmentation_proof.yml"
VIPS = (("198.18.40.1/24", "eth1"), ("198.18.41.1/24", "eth2"), ("198.18.42.1/24", "eth3"))

# The lab intent by hand (established replies, the inbound and outbound rules, default drop), counted
PROOF_TABLE = (REPO / "tests" / "lab" / "hsm_prooftest.nft").read_text()

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(os.geteuid() != 0, reason="the namespace lab needs root"),
]


def run(command, check=True, **kwargs):
    kwargs.setdefault("timeout", 300)
    proc = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if check:
        assert proc.returncode == 0, "%s failed (%s):\n%s%s" % (command, proc.returncode, proc.stdout, proc.stderr)
    return proc


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hsm-proof-lab")
    topology = yaml.safe_load((REPO / "tests" / "topologies" / "hsm-basic.clab.yml").read_text())
    topology["name"] = LAB_NAME
    path = folder / ("%s.clab.yml" % LAB_NAME)
    path.write_text(yaml.safe_dump(topology, sort_keys=False))
    inventory = folder / "inventory.yml"
    run(LABCTL + ["up", str(path), "--inventory", str(inventory), "--timeout", "120"])
    try:
        exec_ = LABCTL + ["exec", str(path)]
        # the node has a private /tmp (the checkout may live there): the script on stdin, the appliance as JSON
        appliance = yaml.safe_load(INTENT.read_text())["hsm"]["segments"][0]["appliances"][0]
        out = run(exec_ + ["hsm1", "--", "python3", "-", "start", "--appliance-json", json.dumps(appliance)],
                  input=STANDIN.read_text())
        assert "ready" in out.stdout, out.stdout + out.stderr
        for address, dev in VIPS:  # hgw1 holds every VIP: the Master, without keepalived
            run(exec_ + ["hgw1", "--", "ip", "addr", "add", address, "dev", dev])
        yield {"topology": path, "inventory": inventory, "exec": exec_, "folder": folder}
    finally:
        down = run(LABCTL + ["down", str(path)], check=False)
        assert down.returncode == 0 and "verified clean" in down.stdout, down.stdout + down.stderr


def nft(lab, gateway, *args, stdin=None):
    return run(lab["exec"] + [gateway, "--", "nft", *args], input=stdin)


def put_table(lab):
    for gateway in ("hgw1", "hgw2"):
        nft(lab, gateway, "-f", "-", stdin=PROOF_TABLE)


def remove_table(lab):
    for gateway in ("hgw1", "hgw2"):
        nft(lab, gateway, "-f", "-", stdin="table inet prooftest\ndelete table inet prooftest\n")


def counters(lab):
    """{gateway: {"<segment>/<rule>": {packets, bytes}}} from the table's rule comments (hsm_status's shape)."""
    out = {}
    for gateway in ("hgw1", "hgw2"):
        data = json.loads(nft(lab, gateway, "-j", "list", "table", "inet", "prooftest").stdout)
        seen = {}
        for item in data["nftables"]:
            rule = item.get("rule")
            if not rule or "comment" not in rule:
                continue
            for expr in rule["expr"]:
                if "counter" in expr:
                    entry = seen.setdefault(rule["comment"], {"packets": 0, "bytes": 0})
                    entry["packets"] += expr["counter"]["packets"]
                    entry["bytes"] += expr["counter"]["bytes"]
        out[gateway] = seen
    return out


def playbook(lab, evidence_dir, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    home = lab["folder"] / "ansible-home"
    env.update({"ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".collections"),
                "ANSIBLE_HOME": str(home), "ANSIBLE_LOCAL_TEMP": str(home / "tmp"), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_HOST_KEY_CHECKING": "False", "PATH": "%s:%s" % (BIN, env.get("PATH", "/usr/bin:/bin"))})
    return run([str(BIN / "ansible-playbook"), "-i", str(REPO / "inventories" / "lab" / "hosts.yml"),
                "-i", str(lab["inventory"]), "--vault-password-file", str(VAULT_PASSWORD_FILE), str(PLAYBOOK),
                "-e", "hsm_proof_counters=false", "-e", "hsm_evidence_dir=%s" % evidence_dir, *extra],
               check=False, env=env, cwd=str(REPO), timeout=600)


def results_from(doc):
    """The probe results per host, back out of the evidence (to judge them again with real counters)."""
    out = {}
    for probe in doc["probes"]:
        result = dict(probe["result"], address=probe["target"]["address"], protocol=probe["target"]["protocol"],
                      port=probe["target"]["port"], source=probe["source"]["address"])
        out.setdefault(probe["source"]["host"], []).append(result)
    return out


def test_proof_passes_with_the_policy_and_fails_without(lab):
    from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import proof

    evidence_dir = lab["folder"] / "evidence"
    hsm = yaml.safe_load(INTENT.read_text())["hsm"]
    put_table(lab)

    before = counters(lab)
    proc = playbook(lab, evidence_dir)
    after = counters(lab)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    doc = json.loads((evidence_dir / "latest.json").read_text())
    assert doc["verdict"] == "pass" and doc["counts"] == {"pass": 15, "fail": 0, "unverifiable": 0, "total": 15}, doc["failures"]
    by = {(p["source"]["host"], p["target"]["port"]): p for p in doc["probes"]}
    ntls = by[("app1", 1792)]["result"]
    assert ntls["outcome"] == "connected" and ntls["tls"]["completed"], ntls
    assert ntls["tls"]["subject"].startswith("CN=hsm1.standin") and len(ntls["tls"]["sha256"]) == 64
    assert by[("hnms1", 161)]["result"]["outcome"] == "answered" and by[("hnms1", 161)]["result"]["snmp"]["engine_id"]
    assert by[("hpr1", 1792)]["result"]["outcome"] == "timeout"  # dropped by the gateway, not refused by hsm1
    assert by[("app2", 22)]["result"]["outcome"] == "timeout"

    # the same results judged against the table's real counters: every allowed rule and the drop counter moved
    judgement = proof.judge(hsm, results_from(doc), before, after)
    assert judgement["verdict"] == "pass" and judgement["warnings"] == [], judgement["failures"] + judgement["warnings"]
    assert {p["counters"]["key"] for p in judgement["probes"]} == {"hsmseg/apps-ntls", "hsmseg/nms-snmp", "hsmseg/drop"}
    assert all(p["counters"]["per_gateway"]["hgw2"] == 0 for p in judgement["probes"])  # hgw1 holds the VIPs

    # check mode: the same proof, evidence written too
    proc = playbook(lab, evidence_dir, "--check")
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert json.loads((evidence_dir / "latest.json").read_text())["check_mode"] is True

    # without the policy every probe gets through: the run fails and names them
    remove_table(lab)
    proc = playbook(lab, evidence_dir)
    assert proc.returncode != 0, proc.stdout[-6000:]
    for line in ("app2/unlisted -> hsm1:22/tcp expected deny got connected",
                 "app2/unlisted -> hsm1:1792/tcp expected deny got connected, TLS TLSv1.3",
                 "hpr1/partner -> hsm1:1792/tcp expected deny got connected, TLS TLSv1.3",
                 "hpr1/partner -> hsm1:161/udp expected deny got answered",
                 "hinet1/internet -> hsm1:22/tcp expected deny got connected",
                 "hnms1/management -> hsm1:1792/tcp expected deny got connected, TLS TLSv1.3"):
        assert line in proc.stdout, line + "\n" + proc.stdout[-6000:]
    doc = json.loads((evidence_dir / "latest.json").read_text())
    assert doc["verdict"] == "fail" and doc["counts"]["fail"] == 13 and doc["pci_dss"]["1.3.1"]["status"] == "fail"
    assert doc["pci_dss"]["11.4.6"]["previous"] is not None
    markdown = (evidence_dir / "latest.md").read_text()
    assert markdown.startswith("# HSM segmentation proof: FAIL") and "Previous evidence: 20" in markdown
    assert oct(evidence_dir.stat().st_mode & 0o777) == "0o700"
