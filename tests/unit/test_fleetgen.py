"""tests/lab/fleetgen.py (a generated N-device fleet) through ansible-playbook playbooks/validate.yml, and the
grouping of repeated findings at fleet scale (core.findings.format_findings). Not timed: benchmarks/fleet_bench.py
measures the speed (docs/benchmarks.md)."""

from __future__ import annotations

import importlib.util
import ipaddress
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.findings import (
    ERROR,
    MAX_LINES,
    Finding,
    format_findings,
)

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK_BIN = Path(sys.executable).with_name("ansible-playbook")
LAB_SAFE = [ipaddress.ip_network(n) for n in ("198.18.0.0/15", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
                                              "2001:db8::/32", "169.254.0.0/16")]


@pytest.fixture(scope="module")
def fleetgen():
    spec = importlib.util.spec_from_file_location("fleetgen", REPO / "tests" / "lab" / "fleetgen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _validate(env, dest: Path, *extra: str) -> tuple[int, str]:
    proc = subprocess.run([str(PLAYBOOK_BIN), "-i", str(dest / "hosts.json"), "--vault-password-file",
                           str(dest / "vault-password.txt"), str(REPO / "playbooks" / "validate.yml"), *extra],
                          env=env, cwd=str(REPO), capture_output=True, text=True, timeout=600, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def _addresses(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _addresses(item)
    elif isinstance(value, list):
        for item in value:
            yield from _addresses(item)
    elif isinstance(value, str) and any(c.isdigit() for c in value) and ("." in value or ":" in value):
        try:
            yield ipaddress.ip_network(value, strict=False)
        except ValueError:
            pass


def test_address_plan_is_lab_safe_and_sized(fleetgen):
    inventory, partners, _vault = fleetgen.generate(5000)
    hosts = [h for child in inventory["all"]["children"].values() for h in child["hosts"]]
    assert len(hosts) == len(set(hosts)) == 5000 and len(partners) == 250
    nets = list(_addresses(inventory)) + list(_addresses(partners))
    assert nets and all(any(net.subnet_of(safe) for safe in LAB_SAFE if safe.version == net.version) for net in nets), \
        [str(n) for n in nets if not any(n.version == s.version and n.subnet_of(s) for s in LAB_SAFE)][:5]
    with pytest.raises(fleetgen.FleetError, match="5001 does not fit"):
        fleetgen.generate(5001)
    assert len([h for c in fleetgen.generate(37)[0]["all"]["children"].values() for h in c["hosts"]]) == 37


def test_generated_fleet_of_500_is_valid_through_the_playbook(fleetgen, ansible_env, tmp_path):
    inventory, partners, vault = fleetgen.generate(500)
    fleetgen.write(str(tmp_path), inventory, partners, vault)
    rc, out = _validate(ansible_env, tmp_path, "-v")
    assert rc == 0, out[-4000:]
    assert "intent is valid: 25 partners, 200 sessions, 100 tunnels, 200 BGP devices" in out, out[-4000:]
    assert "Gen-Md5-" not in out and "Gen-Psk-" not in out  # the vaulted secrets never show


def test_bad_intent_at_scale_names_host_field_and_fix_and_groups_repeats(fleetgen, ansible_env, tmp_path):
    inventory, partners, vault = fleetgen.generate(500)
    planted = fleetgen.plant_bad(inventory, partners, many=40)
    fleetgen.write(str(tmp_path), inventory, partners, vault)
    rc, out = _validate(ansible_env, tmp_path)
    assert rc == 2, out[-4000:]
    for host, line in ((planted[0].split()[0], "bgp.router_id: '198.18.7.300' is not an IPv4 address. Fix: "),
                       (planted[1].split()[0], "vrrp.groups[0].priority: priority 300 is out of range 1..255. Fix: "),
                       (planted[2].split()[0], "bgp.asn: required key 'asn' is missing. Fix: ")):
        assert "ERROR %s: %s" % (host, line) in out, (host, out[-4000:])
    assert "virtual address 198.18.1.1 is used by more than one group (s001_core_edge VRID 90, s002_core_edge VRID 90)" in out
    # 40 hosts with the same mistake: one line with the count, not 40
    assert "ERROR 40 hosts (" in out and " and 35 more): vrrp.groups[0].priority: priority 256 is out of range" in out
    assert out.count("priority 256 is out of range") <= 2  # the [ERROR] block and the fatal line's msg
    assert '"findings": [' not in out  # the whole list stays in the registered result, not on the screen


def test_format_findings_groups_and_caps():
    same = [Finding("r%03d" % i, "snmp.location", "location is empty", "set snmp.location", ERROR) for i in range(12)]
    alike = [Finding("g%03d" % i, "vrrp.groups[0].priority", "group g%d has 2 masters" % i, "give one the highest", ERROR)
             for i in range(5)]
    single = [Finding("x1", "bgp.asn", "required key 'asn' is missing", "set asn", ERROR)]
    text = format_findings(alike + same + single)
    assert ("ERROR 12 hosts (r000, r001, r002, r003, r004 and 7 more): snmp.location: location is empty. "
            "Fix: set snmp.location.") in text
    assert ("ERROR 5 hosts (g000, g001, g002, g003, g004): vrrp.groups[0].priority: group g0 has 2 masters "
            "(4 like it on the others). Fix: give one the highest.") in text
    assert "ERROR x1: bgp.asn: required key 'asn' is missing. Fix: set asn." in text
    assert text.splitlines()[-1].startswith("18 errors, 0 warnings")
    # three of a kind stay one line each (small fleets read as before)
    few = format_findings(same[:3])
    assert few.count("ERROR r00") == 3 and "hosts (" not in few
    many = [Finding("h%04d" % i, "f%d" % i, "m", "x", ERROR) for i in range(MAX_LINES + 20)]
    capped = format_findings(many).splitlines()
    assert len(capped) == MAX_LINES + 2 and capped[-2].startswith("... and 20 more lines of findings")
    assert capped[-1].startswith("%d errors" % (MAX_LINES + 20))
