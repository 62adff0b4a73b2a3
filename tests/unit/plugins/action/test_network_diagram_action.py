"""playbooks/network_diagram.yml with diagram_live=false on inventories/example (no device contacted): the
action gathers the fleet's intent like validate_intent (partners vars plugin, host_vars, hsm), writes the
SVG and one page per device, and no value of the example vault appears in any file (also base64)."""

from __future__ import annotations

import base64
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[4]
EXAMPLE = REPO / "inventories" / "example"


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield str(value)


def test_example_fleet_diagram(tmp_path, ansible_env):
    dest = tmp_path / "diagram"
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(EXAMPLE / "hosts.yml"), "--vault-password-file",
                           str(EXAMPLE / "vault-password.txt"), str(REPO / "playbooks" / "network_diagram.yml"),
                           "-e", "diagram_live=false", "-e", "diagram_dest=%s" % dest, "-e", "diagram_png=false"],
                          capture_output=True, text=True, env=ansible_env, timeout=600, check=False, cwd=str(REPO))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    svg = (dest / "diagram.svg").read_text()
    root = ET.fromstring(svg.encode())
    ids = set(el.get("id") for el in root.iter("{http://www.w3.org/2000/svg}g"))
    for node in ("node-partner-acme_bank", "node-partner-globex_pay", "node-device-dc1-edge1", "node-device-dc2-vpn1",
                 "node-segment-dc1_hsm", "cde-boundary"):
        assert node in ids, sorted(i for i in ids if i)
    assert any(i and i.startswith("edge-ipsec-globex_pay-") for i in ids)
    pages = sorted(p.name for p in (dest / "devices").iterdir())
    assert pages == sorted(p.stem + ".md" for p in (EXAMPLE / "host_vars").glob("*.yml"))
    view = subprocess.run([str(BIN / "ansible-vault"), "view", "--vault-password-file", str(EXAMPLE / "vault-password.txt"),
                           str(EXAMPLE / "group_vars" / "all" / "vault.yml")], capture_output=True, text=True,
                          env=ansible_env, timeout=120, check=True)
    secrets = [v for v in _leaves(yaml.safe_load(view.stdout)) if len(v) >= 6]
    assert len(secrets) >= 4
    everything = svg + "".join(p.read_text() for p in (dest / "devices").iterdir())
    leaked = [s for s in secrets if s in everything or base64.b64encode(s.encode()).decode() in everything]
    assert not leaked, "%d vault value(s) in the diagram or the device pages" % len(leaked)
