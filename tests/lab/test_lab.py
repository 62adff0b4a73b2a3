"""End-to-end test of the namespace lab driver (labctl).

Builds a private copy of tests/topologies/smoke.clab.yml under a unique lab name and state dir
(so a developer's own `smoke` lab is never touched), then a second lab beside it, and checks
status, exec, ssh, idempotent up and a verified teardown.  Root only; ~15 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import yaml

HERE = Path(__file__).resolve().parent
LABCTL = HERE / "labctl"
SMOKE = HERE.parent / "topologies" / "smoke.clab.yml"
SSH_OPTS = [
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "ConnectTimeout=5",
]

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(os.geteuid() != 0, reason="the namespace lab needs root"),
]

sys.path.insert(0, str(HERE))
import nslab  # noqa: E402


def labctl(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LABCTL), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def make_topology(dst: Path, name: str) -> Path:
    data = yaml.safe_load(SMOKE.read_text())
    data["name"] = name
    path = dst / f"{name}.clab.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


class Labs:
    """Labs started by a test; all torn down at the end whatever happens."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.env = {**os.environ, "NSLAB_STATE": str(tmp / "state")}
        self.started: list[Path] = []

    def topology(self, suffix: str) -> Path:
        return make_topology(self.tmp, f"pt{uuid.uuid4().hex[:6]}-{suffix}")

    def up(self, topo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        self.started.append(topo)
        return labctl("up", str(topo), *extra, env=self.env)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return labctl(*args, env=self.env)

    def lab(self, topo: Path) -> nslab.Lab:
        old = os.environ.get("NSLAB_STATE")
        os.environ["NSLAB_STATE"] = self.env["NSLAB_STATE"]
        try:
            return nslab.Lab(nslab.load_topology(topo))
        finally:
            if old is None:
                del os.environ["NSLAB_STATE"]
            else:
                os.environ["NSLAB_STATE"] = old


@pytest.fixture
def labs(tmp_path: Path) -> Iterator[Labs]:
    labs = Labs(tmp_path)
    yield labs
    for topo in reversed(labs.started):
        labs.run("down", str(topo))


def ssh(lab: nslab.Lab, user: str, host: str, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ssh", *SSH_OPTS, "-i", str(lab.private_key), f"{user}@{host}", command],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def bgp_states(labs: Labs, topo: Path, node: str) -> dict[str, str]:
    out = labs.run("exec", str(topo), node, "--", "vtysh", "-c", "show bgp summary json")
    if out.returncode != 0 or not out.stdout.strip():
        return {}
    peers = json.loads(out.stdout).get("ipv4Unicast", {}).get("peers", {})
    return {peer: info.get("state", "?") for peer, info in peers.items()}


def test_lab_lifecycle(labs: Labs) -> None:
    topo_a = labs.topology("a")
    lab_a = labs.lab(topo_a)
    inventory = labs.tmp / "inv" / "hosts.yml"

    # up: every node ready, inventory written
    t0 = time.monotonic()
    res = labs.up(topo_a, "--inventory", str(inventory))
    assert res.returncode == 0, res.stdout + res.stderr
    assert time.monotonic() - t0 < 15
    inv = yaml.safe_load(inventory.read_text())
    group = inv["all"]["children"][f"lab_{lab_a.name.replace('-', '_')}"]
    r1 = group["hosts"]["r1"]
    assert r1["ansible_network_os"] == "paynet.netinfra.frr"
    assert r1["ansible_connection"] == "ansible.netcommon.network_cli"
    assert r1["netinfra_platform"] == "frr"
    assert "r1" in group["children"]["role_edge"]["hosts"]
    assert group["vars"]["ansible_user"] == "admin"
    assert Path(group["vars"]["ansible_ssh_private_key_file"]) == lab_a.private_key
    mgmt_a = {h: v["ansible_host"] for h, v in group["hosts"].items()}

    # status
    res = labs.run("status", str(topo_a))
    assert res.returncode == 0, res.stdout + res.stderr

    # exec talks to the node's own FRR, hostname and interfaces
    res = labs.run("exec", str(topo_a), "r1", "--", "vtysh", "-c", "show watchfrr")
    assert res.returncode == 0 and "bgpd" in res.stdout and "Up" in res.stdout, res.stdout
    res = labs.run("exec", str(topo_a), "r2", "--", "sh", "-c", "hostname; ip -br addr")
    assert res.stdout.splitlines()[0] == "r2"
    assert "203.0.113.130/30" in res.stdout and "198.18.1.2/32" in res.stdout

    # ssh as admin (vtysh) and as root
    res = ssh(lab_a, "admin", mgmt_a["r1"], 'vtysh -c "show version"')
    assert res.returncode == 0 and "FRRouting" in res.stdout, res.stderr
    res = ssh(lab_a, "root", mgmt_a["r2"], "hostname")
    assert res.returncode == 0 and res.stdout.strip() == "r2", res.stderr

    # data plane: eBGP over the point-to-point link and over the LAN bridge
    for node, asn, peer_asn, peers in (
        ("r1", 65001, 65002, ("203.0.113.130", "203.0.113.194")),
        ("r2", 65002, 65001, ("203.0.113.129", "203.0.113.193")),
    ):
        cmds = [
            "-c",
            "configure terminal",
            "-c",
            f"router bgp {asn}",
            "-c",
            "no bgp ebgp-requires-policy",
        ]
        for p in peers:
            cmds += [
                "-c",
                f"neighbor {p} remote-as {peer_asn}",
                "-c",
                f"neighbor {p} timers connect 1",
            ]
        res = labs.run("exec", str(topo_a), node, "--", "vtysh", *cmds, "-c", "end")
        assert res.returncode == 0, res.stdout + res.stderr
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        states = bgp_states(labs, topo_a, "r1")
        if len(states) == 2 and set(states.values()) == {"Established"}:
            break
        time.sleep(0.5)
    assert set(states.values()) == {"Established"}, states

    # idempotent up: fast, same lab
    t0 = time.monotonic()
    res = labs.up(topo_a)
    assert res.returncode == 0 and "already up" in res.stdout, res.stdout + res.stderr
    assert time.monotonic() - t0 < 3
    assert len(lab_a.existing_netns()) == 3

    # a second lab beside it
    topo_b = labs.topology("b")
    lab_b = labs.lab(topo_b)
    res = labs.up(topo_b)
    assert res.returncode == 0, res.stdout + res.stderr
    assert lab_b.prefix != lab_a.prefix
    st_a, st_b = lab_a.load_state(), lab_b.load_state()
    assert st_a is not None and st_b is not None and st_a.subnet != st_b.subnet
    for topo in (topo_a, topo_b):
        assert labs.run("status", str(topo)).returncode == 0

    # down, verified: nothing of either lab is left; lab a survives lab b's teardown
    pid1s = [s.pid1 for s in st_a.nodes.values()] + [s.pid1 for s in st_b.nodes.values()]
    res = labs.run("down", str(topo_b))
    assert res.returncode == 0, res.stdout + res.stderr
    assert labs.run("status", str(topo_a)).returncode == 0
    res = labs.run("down", str(topo_a))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.returncode == 0 and "verified clean" in res.stdout
    for lab in (lab_a, lab_b):
        assert lab.existing_netns() == []
        assert lab.existing_root_ifs() == []
        assert nslab.mounts_under(lab.dir) == []
        assert not lab.state_file.exists()
        assert lab.private_key.exists()  # keys survive for stable host keys
    for pid in pid1s:
        assert not Path(f"/proc/{pid}").exists() or nslab.pid_netns(pid) is None
    assert labs.run("status", str(topo_a)).returncode != 0


PARTNER_BIRD_CONF = """\
router id 198.18.73.1;
protocol device {
}
protocol static {
  ipv4;
  route 198.51.100.0/24 blackhole;
}
protocol bgp peer {
  local 198.18.73.1 as 64500;
  neighbor 198.18.73.2 as 64501;
  connect retry time 2;
  password "Pt-Md5-1";
  ipv4 { import all; export where source = RTS_STATIC; };
}
"""
PARTNER_GOBGP_CONF = """\
[global.config]
  as = 64501
  router-id = "198.18.73.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.18.73.1"
    peer-as = 64500
    auth-password = "Pt-Md5-1"
  [neighbors.timers.config]
    connect-retry = 2
"""


def test_bird_and_gobgp_images_peer_with_each_other(labs: Labs) -> None:
    """Images bird and gobgp: the node's init starts the daemon with the topology's config, the node is
    ready only once it answers on its socket, gobgp_routes are in GoBGP's RIB, and the two peer (MD5)."""
    name = f"pt{uuid.uuid4().hex[:6]}-x"
    (labs.tmp / "cfg").mkdir()
    (labs.tmp / "cfg" / "b.conf").write_text(PARTNER_BIRD_CONF)
    (labs.tmp / "cfg" / "g.toml").write_text(PARTNER_GOBGP_CONF)
    topo = labs.tmp / f"{name}.clab.yml"
    topo.write_text(yaml.safe_dump({"name": name, "topology": {"nodes": {
        "b1": {"kind": "linux", "image": "paynet/bird",
               "x-netinfra": {"addresses": {"eth1": ["198.18.73.1/30"]}, "bird_config": "cfg/b.conf"}},
        "g1": {"kind": "linux", "image": "paynet/gobgp",
               "x-netinfra": {"addresses": {"eth1": ["198.18.73.2/30"]}, "gobgp_config": "cfg/g.toml",
                              "gobgp_routes": ["203.0.113.0/24"]}}},
        "links": [{"endpoints": ["b1:eth1", "g1:eth1"]}]}}))
    res = labs.up(topo)
    assert res.returncode == 0, res.stdout + res.stderr
    status = labs.run("status", str(topo))
    assert status.returncode == 0 and "bird answers on /run/bird/bird.ctl" in status.stdout, status.stdout
    assert "gobgpd answers on /run/gobgpd.sock" in status.stdout, status.stdout
    gobgp = ["gobgp", "--target", nslab.GOBGP_TARGET, "-j"]
    rib = labs.run("exec", str(topo), "g1", "--", *gobgp, "global", "rib", "-a", "ipv4")
    assert "203.0.113.0/24" in json.loads(rib.stdout), rib.stdout
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        bird = labs.run("exec", str(topo), "b1", "--", "birdc", "show", "route", "protocol", "peer")
        learnt = labs.run("exec", str(topo), "g1", "--", *gobgp, "neighbor", "198.18.73.1", "adj-in", "-a", "ipv4")
        if "203.0.113.0/24" in bird.stdout and learnt.stdout.strip() and "198.51.100.0/24" in json.loads(learnt.stdout):
            break
        time.sleep(0.5)
    else:
        raise AssertionError("BIRD and GoBGP did not exchange routes: %s / %s" % (bird.stdout, learnt.stdout))
    down = labs.run("down", str(topo))
    assert down.returncode == 0 and "verified clean" in down.stdout, down.stdout + down.stderr
