"""nslab: build containerlab-format topologies out of Linux namespaces.

A *node* is a long-lived ``unshare --pid --fork --kill-child --mount-proc --mount --uts
--propagation private`` process (PID 1 of the node) that runs inside a named network
namespace ``<lab>.<node>``.  Its init script (one private copy per node) gives the node a
private ``/run``, a fresh sysfs and private bind mounts of per-node directories over the
paths the daemons use (``/etc/frr``, ``/etc/ssh``, ``/etc/passwd`` ...), starts sshd on the
management address and FRR (zebra, staticd, the listed daemons and watchfrr) and then
waits, reaping orphans.  Killing PID 1 kills the node.

A node of kind ``bridge`` is a Linux bridge in a network namespace of its own,
``<lab>.<bridge>``; it never lives in the root namespace.

The management network is a bridge in the root namespace, ``nl-<hash6>``, holding .1 of the
lab's management /24; every node has a veth ``mgmt0`` into it.  Every interface that the lab
puts in the root namespace starts with that prefix, so labs never collide and teardown can
prove that nothing is left.

This module is the whole driver; ``labctl`` only calls :func:`main`.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import grp
import hashlib
import ipaddress
import json
import logging
import os
import pwd
import re
import shlex
import shutil
import stat
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import yaml

LOG = logging.getLogger("nslab")

# --------------------------------------------------------------------------------------------
# constants
# --------------------------------------------------------------------------------------------

DEFAULT_STATE_ROOT = Path("/tmp/nslab")
MGMT_POOL = ipaddress.IPv4Network("198.18.128.0/17")
FORBIDDEN_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
IFNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$")
ALIAS_PREFIX = "nslab:"
GLOBAL_LOCK = Path("/tmp/.nslab-global.lock")
ADMIN_USER = "admin"
FRR_LIB = Path("/usr/lib/frr")
SSH_COMMON_ARGS = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"

# What an image name means: the services the node's init starts.  keepalived, snmpd and
# nftables images only need sshd from the driver: their daemons are configured and started by
# the collection under test.  strongSwan's charon is part of a gateway's base OS (as a systemd
# unit is on a real gateway), so "strongswan" and "gateway" (FRR + strongSwan) start it, with the
# lab's base strongswan.conf snippet (LAB_STRONGSWAN_CONF).  The private mounts exist on every node.
IMAGE_SERVICES: dict[str, tuple[str, ...]] = {
    "frr": ("sshd", "frr"),
    "gateway": ("sshd", "frr", "charon"),
    "linux": ("sshd",),
    "strongswan": ("sshd", "charon"),
    "keepalived": ("sshd",),
    "snmpd": ("sshd",),
    "nftables": ("sshd",),
    # partner routers of other BGP implementations (interop tests): the daemon is the image's
    # own, started by the node's init with the config file given in x-netinfra (bird_config,
    # gobgp_config); its control socket lives in the node's private /run
    "bird": ("sshd", "bird"),
    "gobgp": ("sshd", "gobgp"),
}
# BIRD 2 (Debian bird2) and GoBGP 3: control sockets inside a node, and the config a node gets
# when its topology gives none (BIRD needs at least the device protocol; GoBGP starts empty and
# waits for `gobgp global as ...`)
BIRD_SOCKET = "/run/bird/bird.ctl"
GOBGP_SOCKET = "/run/gobgpd.sock"
GOBGP_TARGET = "unix://" + GOBGP_SOCKET
GOBGP_READY = "/run/nslab-gobgp.ready"  # written by the init once gobgp_routes are in the RIB
GOBGP_CONFIG = "/run/nslab-node/fs/etc/gobgp/gobgpd.conf"  # the node dir, seen from inside
DEFAULT_BIRD_CONF = 'log "/var/log/bird.log" all;\nprotocol device {\n}\n'
DEFAULT_GOBGP_CONF = "# empty: configure with `gobgp global as ...`\n"
NODE_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "HOME": "/root",
}
ALWAYS_FRR_DAEMONS = ("zebra", "staticd")
KNOWN_FRR_DAEMONS = frozenset(
    "zebra bgpd ripd ripngd ospfd ospf6d isisd babeld pimd pim6d ldpd nhrpd eigrpd sharpd "
    "pbrd staticd bfdd fabricd vrrpd pathd".split()
)

# Paths a node gets its own copy of: (path, kind, seed-from-host).  Directories are seeded with a
# copy of the host's content (owner and mode kept) where the packaged defaults matter.
PRIVATE_DIRS: tuple[tuple[str, bool], ...] = (
    ("/etc/frr", False),
    ("/etc/ssh", False),
    ("/etc/swanctl", True),
    ("/etc/strongswan.d", True),
    ("/etc/keepalived", True),
    ("/etc/snmp", True),
    ("/etc/sudoers.d", True),
    ("/var/lib/snmp", True),
    ("/var/lib/frr", False),
    ("/var/lib/paynet-netinfra", False),  # the collection's commit-confirm state (issue 14): one per node
    ("/var/log", False),
    ("/home", False),
    ("/root", False),
)
PRIVATE_FILES: tuple[tuple[str, bool], ...] = (
    ("/etc/passwd", False),
    ("/etc/group", False),
    ("/etc/shadow", False),
    ("/etc/hosts", False),
    ("/etc/strongswan.conf", True),
)
# /tmp is mounted last: the state directory may live below it.

# The base strongSwan settings of a lab gateway (a gateway's "image"): this kernel has no XFRM/ESP,
# so the data plane is charon's userspace kernel-libipsec (TUN device ipsec0), loaded with a higher
# priority than kernel-netlink; kdf is needed for PRF_HMAC_SHA2_*; routes are not installed in
# table 220: main-table routes (connected inside networks, BGP) steer traffic into ipsec0.
# charon-systemd reads its own section first: install_routes is only honoured there.
LAB_STRONGSWAN_CONF = """\
# nslab: base settings of a lab gateway (generated)
charon {
    install_routes = no
    plugins {
        kernel-libipsec {
            load = 10
        }
        kdf {
            load = yes
        }
    }
    filelog {
        nslab {
            path = /var/log/charon.log
            time_format = %b %e %T
            default = 1
            ike = 1
            flush_line = yes
        }
    }
}
charon-systemd {
    install_routes = no
    # a dead partner is noticed in ~6 s instead of charon's default ~165 s of retransmits
    retransmit_tries = 3
    retransmit_timeout = 1.0
    retransmit_base = 1.4
    journal {
        default = -1
    }
}
"""


class LabError(Exception):
    """A user-facing failure: printed without a traceback."""


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def run(
    cmd: list[str],
    *,
    input_text: str | None = None,
    check: bool = True,
    timeout: float | None = 60,
    cwd: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command, log it at debug level, raise LabError on failure if ``check``."""
    LOG.debug("run: %s", shlex.join(cmd))
    if input_text is not None:
        LOG.debug("stdin:\n%s", input_text.rstrip())
    proc = subprocess.run(
        cmd,
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
    if check and proc.returncode != 0:
        raise LabError(
            f"command failed ({proc.returncode}): {shlex.join(cmd)}\n{proc.stderr.strip()}"
        )
    return proc


def ip_batch(lines: list[str], netns: str | None = None, force: bool = False) -> None:
    """Apply many ``ip`` commands in one process."""
    if not lines:
        return
    cmd = ["ip"]
    if netns:
        cmd += ["-n", netns]
    if force:
        cmd.append("-force")
    cmd += ["-batch", "-"]
    proc = run(cmd, input_text="\n".join(lines) + "\n", check=not force)
    if force and proc.returncode != 0:
        LOG.debug("ip -force batch reported: %s", proc.stderr.strip())


def short_hash(text: str, length: int = 6) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def write_file(path: Path, text: str, mode: int = 0o644, uid: int = 0, gid: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def make_dir(path: Path, mode: int = 0o755, uid: int = 0, gid: int = 0) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def ns_inode(path: str | Path) -> tuple[int, int] | None:
    """(dev, ino) identity of a namespace file, or None if it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def netns_path(name: str) -> Path:
    return Path("/run/netns") / name


def pid_netns(pid: int) -> tuple[int, int] | None:
    return ns_inode(f"/proc/{pid}/ns/net")


def all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def pids_in_netns(targets: set[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """All processes whose network namespace is one of ``targets``."""
    found: dict[int, tuple[int, int]] = {}
    for pid in all_pids():
        ino = pid_netns(pid)
        if ino is not None and ino in targets:
            found[pid] = ino
    return found


def kill_if_in_netns(pid: int, expected: set[tuple[int, int]]) -> bool:
    """SIGKILL ``pid`` only if it still lives in one of the expected network namespaces.

    A pidfd pins the process between the check and the signal, so a recycled PID is never hit.
    """
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return False
    try:
        ino = pid_netns(pid)
        if ino is None or ino not in expected:
            LOG.debug("pid %d is not in a lab netns (now %s): not killing", pid, ino)
            return False
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        LOG.debug("killed pid %d", pid)
        return True
    except ProcessLookupError:
        return False
    finally:
        os.close(pidfd)


def proc_children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return kids


def root_interfaces() -> list[str]:
    return sorted(os.listdir("/sys/class/net"))


def mounts_under(path: Path) -> list[str]:
    prefix = str(path).rstrip("/") + "/"
    found = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            target = line.split()[4].replace("\\040", " ")
            if target == str(path) or target.startswith(prefix):
                found.append(target)
    return found


@contextlib.contextmanager
def flock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------
# topology model
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Node:
    name: str
    kind: str  # "linux" or "bridge"
    image: str = ""
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    loopback: list[str] = dataclasses.field(default_factory=list)
    addresses: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    frr_config: Path | None = None
    bird_config: Path | None = None  # image bird: /etc/bird/bird.conf
    gobgp_config: Path | None = None  # image gobgp: GOBGP_CONFIG (toml, yaml or json)
    gobgp_routes: list[str] = dataclasses.field(default_factory=list)  # `gobgp global rib add` at start
    daemons: list[str] = dataclasses.field(default_factory=list)
    sysctls: dict[str, str] = dataclasses.field(default_factory=dict)
    routes: dict[str, str] = dataclasses.field(default_factory=dict)  # prefix or "default" -> gateway
    mgmt_ipv4: str | None = None  # containerlab's node key `mgmt-ipv4`
    interfaces: list[str] = dataclasses.field(default_factory=list)  # from links
    index: int = 0

    @property
    def services(self) -> tuple[str, ...]:
        base = self.image.rsplit("/", 1)[-1].split(":", 1)[0] if self.image else "linux"
        if base not in IMAGE_SERVICES:
            LOG.warning("node %s: unknown image %r, starting sshd only", self.name, self.image)
        return IMAGE_SERVICES.get(base, ("sshd",))

    @property
    def platform(self) -> str:
        if "netinfra.platform" in self.labels:
            return self.labels["netinfra.platform"]
        return "frr" if "frr" in self.services else "linux"

    @property
    def frr_daemons(self) -> list[str]:
        out = list(ALWAYS_FRR_DAEMONS)
        for d in self.daemons:
            if d not in out:
                out.append(d)
        return out


@dataclasses.dataclass
class Link:
    a: tuple[str, str]
    b: tuple[str, str]


@dataclasses.dataclass
class Topology:
    name: str
    path: Path
    digest: str
    nodes: dict[str, Node]
    links: list[Link]
    mgmt_subnet: ipaddress.IPv4Network | None

    @property
    def linux_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == "linux"]

    @property
    def bridges(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == "bridge"]


def load_topology(path: str | Path, name_override: str | None = None) -> Topology:
    """Read a topology; ``name_override`` runs the same topology as another, separate lab."""
    p = Path(path).resolve()
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise LabError(f"cannot read topology {path}: {exc}") from exc
    data = yaml.safe_load(raw) or {}
    name = str(name_override or data.get("name", ""))
    if not NAME_RE.match(name):
        raise LabError(f"{p}: lab name {name!r} must match {NAME_RE.pattern}")
    topo = data.get("topology") or {}
    kinds_defaults = topo.get("kinds") or {}
    defaults = topo.get("defaults") or {}
    nodes: dict[str, Node] = {}
    idx = 0
    for nname, spec in (topo.get("nodes") or {}).items():
        nname = str(nname)
        spec = spec or {}
        if not NAME_RE.match(nname):
            raise LabError(f"{p}: node name {nname!r} must match {NAME_RE.pattern}")
        kind = str(spec.get("kind") or defaults.get("kind") or "linux")
        merged = {**(defaults or {}), **(kinds_defaults.get(kind) or {}), **spec}
        if kind not in ("linux", "bridge"):
            raise LabError(f"{p}: node {nname}: kind {kind!r} is not supported (linux, bridge)")
        ext = merged.get("x-netinfra") or {}
        frr_cfg = ext.get("frr_config")
        frr_path = (p.parent / frr_cfg).resolve() if frr_cfg else None
        if frr_path is not None and not frr_path.is_file():
            raise LabError(f"{p}: node {nname}: frr_config {frr_path} does not exist")
        extra_cfg: dict[str, Path | None] = {}
        for key in ("bird_config", "gobgp_config"):
            value = ext.get(key)
            extra_cfg[key] = (p.parent / value).resolve() if value else None
            if extra_cfg[key] is not None and not extra_cfg[key].is_file():
                raise LabError(f"{p}: node {nname}: {key} {extra_cfg[key]} does not exist")
        daemons = [str(d) for d in ext.get("daemons") or []]
        bad = [d for d in daemons if d not in KNOWN_FRR_DAEMONS]
        if bad:
            raise LabError(f"{p}: node {nname}: unknown FRR daemons {bad}")
        node = Node(
            name=nname,
            kind=kind,
            image=str(merged.get("image") or ""),
            labels={str(k): str(v) for k, v in (merged.get("labels") or {}).items()},
            loopback=[str(a) for a in ext.get("loopback") or []],
            addresses={
                str(k): [str(a) for a in (v or [])] for k, v in (ext.get("addresses") or {}).items()
            },
            frr_config=frr_path,
            bird_config=extra_cfg["bird_config"],
            gobgp_config=extra_cfg["gobgp_config"],
            gobgp_routes=[str(r) for r in ext.get("gobgp_routes") or []],
            daemons=daemons,
            sysctls={str(k): str(v) for k, v in (ext.get("sysctls") or {}).items()},
            routes={str(k): str(v) for k, v in (ext.get("routes") or {}).items()},
            mgmt_ipv4=merged.get("mgmt-ipv4"),
        )
        if kind == "linux":
            idx += 1
            node.index = idx
        for addr in [*node.loopback, *(a for v in node.addresses.values() for a in v)]:
            try:
                ipaddress.ip_interface(addr)
            except ValueError as exc:
                raise LabError(f"{p}: node {nname}: bad address {addr!r}") from exc
        for prefix in node.gobgp_routes:
            try:
                ipaddress.ip_network(prefix)
            except ValueError as exc:
                raise LabError(f"{p}: node {nname}: bad gobgp_routes entry {prefix!r}") from exc
        for to, via in node.routes.items():
            try:
                if to != "default":
                    ipaddress.ip_network(to)
                ipaddress.ip_address(via)
            except ValueError as exc:
                raise LabError(f"{p}: node {nname}: bad route {to!r} via {via!r}") from exc
        nodes[nname] = node

    links: list[Link] = []
    used: set[tuple[str, str]] = set()
    for i, link in enumerate(topo.get("links") or []):
        eps = link.get("endpoints") or []
        if len(eps) != 2:
            raise LabError(f"{p}: link {i}: need exactly two endpoints, got {eps}")
        pair: list[tuple[str, str]] = []
        for ep in eps:
            node_name, _sep, ifname = str(ep).partition(":")
            if node_name not in nodes:
                raise LabError(f"{p}: link {i}: unknown node {node_name!r}")
            if not IFNAME_RE.match(ifname) or ifname in ("lo", "mgmt0"):
                raise LabError(f"{p}: link {i}: bad interface name {ifname!r}")
            if (node_name, ifname) in used:
                raise LabError(f"{p}: link {i}: {ep} is used twice")
            used.add((node_name, ifname))
            nodes[node_name].interfaces.append(ifname)
            pair.append((node_name, ifname))
        if nodes[pair[0][0]].kind == "bridge" and nodes[pair[1][0]].kind == "bridge":
            raise LabError(f"{p}: link {i}: bridge-to-bridge links are not supported")
        links.append(Link(pair[0], pair[1]))

    for node in nodes.values():
        for ifname in node.addresses:
            if ifname not in node.interfaces and ifname not in ("lo", "mgmt0"):
                raise LabError(f"{p}: node {node.name}: addresses for {ifname}, not in any link")

    mgmt = data.get("mgmt") or {}
    subnet = None
    if mgmt.get("ipv4-subnet") or mgmt.get("ipv4_subnet"):
        subnet = ipaddress.IPv4Network(mgmt.get("ipv4-subnet") or mgmt.get("ipv4_subnet"))
        check_allowed(subnet, f"{p}: mgmt ipv4-subnet")
    return Topology(
        name=name,
        path=p,
        digest=hashlib.sha256(raw).hexdigest(),
        nodes=nodes,
        links=links,
        mgmt_subnet=subnet,
    )


def check_allowed(net: ipaddress.IPv4Network, what: str) -> None:
    for bad in FORBIDDEN_NETS:
        if net.overlaps(bad):
            raise LabError(f"{what} {net} overlaps {bad}, which the lab must never use")


# --------------------------------------------------------------------------------------------
# lab state
# --------------------------------------------------------------------------------------------


def state_root() -> Path:
    return Path(os.environ.get("NSLAB_STATE") or DEFAULT_STATE_ROOT)


@dataclasses.dataclass
class NodeState:
    netns: str
    mgmt_ip: str
    host_if: str
    unshare_pid: int = 0
    pid1: int = 0


@dataclasses.dataclass
class LabState:
    name: str
    topology: str
    digest: str
    prefix: str
    bridge: str
    subnet: str
    nodes: dict[str, NodeState]
    bridges: dict[str, str]  # bridge node -> netns
    started: float = 0.0

    @classmethod
    def load(cls, path: Path) -> LabState | None:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        data["nodes"] = {k: NodeState(**v) for k, v in data["nodes"].items()}
        return cls(**data)

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(dataclasses.asdict(self), indent=2))
        tmp.replace(path)


class Lab:
    """One lab: a topology plus where its state lives on this machine."""

    def __init__(self, topo: Topology) -> None:
        self.topo = topo
        self.name = topo.name
        self.dir = state_root() / self.name
        self.keys = self.dir / "keys"
        self.state_file = self.dir / "lab.json"
        self.prefix = f"nl-{short_hash(self.name)}"  # 9 chars: root-ns names stay <= 15
        self.bridge = self.prefix
        # the root-ns interfaces carry the lab's name and state dir: a lab of the same name run
        # from another state root is refused instead of being torn down
        self.alias = f"{ALIAS_PREFIX}{self.name}@{self.dir}"

    # names ---------------------------------------------------------------------------------
    def netns(self, node: str) -> str:
        return f"{self.name}.{node}"

    def host_if(self, node: Node) -> str:
        return f"{self.prefix}-{node.index}"

    def node_dir(self, node: str) -> Path:
        return self.dir / "nodes" / node

    @property
    def private_key(self) -> Path:
        return self.keys / "id_ed25519"

    @property
    def inventory_path(self) -> Path:
        return self.dir / "inventory.yml"

    def load_state(self) -> LabState | None:
        return LabState.load(self.state_file)

    # what exists ---------------------------------------------------------------------------
    def existing_netns(self) -> list[str]:
        try:
            names = os.listdir("/run/netns")
        except FileNotFoundError:
            return []
        return sorted(n for n in names if n.startswith(self.name + "."))

    def existing_root_ifs(self) -> list[str]:
        return [i for i in root_interfaces() if i.startswith(self.prefix)]

    def foreign_owner(self) -> str | None:
        """The alias of our management bridge if it belongs to another state dir or lab."""
        try:
            alias = Path(f"/sys/class/net/{self.bridge}/ifalias").read_text().strip()
        except OSError:
            return None
        return alias if alias and alias != self.alias else None


# --------------------------------------------------------------------------------------------
# management addressing
# --------------------------------------------------------------------------------------------


def used_networks() -> list[tuple[ipaddress.IPv4Network, str]]:
    """IPv4 networks configured or routed in the root namespace, with who uses them."""
    used: list[tuple[ipaddress.IPv4Network, str]] = []
    addrs = json.loads(run(["ip", "-j", "-4", "addr", "show"]).stdout or "[]")
    for link in addrs:
        owner = link.get("ifalias") or link.get("ifname", "?")
        for a in link.get("addr_info", []):
            net = ipaddress.IPv4Interface(f"{a['local']}/{a['prefixlen']}").network
            used.append((net, f"{owner} ({link.get('ifname')})"))
    routes = json.loads(run(["ip", "-j", "-4", "route", "show"]).stdout or "[]")
    for r in routes:
        dst = r.get("dst", "")
        if dst and dst != "default":
            used.append((ipaddress.IPv4Network(dst if "/" in dst else dst + "/32"), "route"))
    return used


def allocate_subnet(lab: Lab, previous: str | None) -> ipaddress.IPv4Network:
    """Pick the lab's management /24 (deterministic from the name, skipping used ones)."""
    used = [(n, who) for n, who in used_networks() if lab.alias not in who]
    # the topology's own addresses (inside the nodes) must not meet the management network either
    for node in lab.topo.nodes.values():
        for addr in [*node.loopback, *(a for addrs in node.addresses.values() for a in addrs)]:
            iface = ipaddress.ip_interface(addr)
            if iface.version == 4:
                used.append((iface.network, f"node {node.name} of this topology"))
    want = lab.topo.mgmt_subnet or (ipaddress.IPv4Network(previous) if previous else None)
    if want is not None:
        clash = [who for n, who in used if n.overlaps(want)]
        if clash:
            raise LabError(f"mgmt subnet {want} is already used by {', '.join(clash)}")
        return want
    subnets = list(MGMT_POOL.subnets(new_prefix=24))
    start = int(short_hash(lab.name, 8), 16) % len(subnets)
    for i in range(len(subnets)):
        cand = subnets[(start + i) % len(subnets)]
        if not any(n.overlaps(cand) for n, _owner in used):
            return cand
    raise LabError(f"no free /24 left in {MGMT_POOL}")


def assign_mgmt(topo: Topology, subnet: ipaddress.IPv4Network) -> dict[str, str]:
    hosts = list(subnet.hosts())
    gateway = str(hosts[0])
    fixed = {n.name: n.mgmt_ipv4 for n in topo.linux_nodes if n.mgmt_ipv4}
    taken = {gateway, *fixed.values()}
    out: dict[str, str] = {}
    pool = (str(h) for h in hosts[1:] if str(h) not in taken)
    for node in topo.linux_nodes:
        if node.name in fixed:
            if ipaddress.IPv4Address(fixed[node.name]) not in subnet:
                raise LabError(f"node {node.name}: mgmt-ipv4 {fixed[node.name]} not in {subnet}")
            out[node.name] = str(fixed[node.name])
        else:
            out[node.name] = next(pool)
    return out


# --------------------------------------------------------------------------------------------
# per-node files
# --------------------------------------------------------------------------------------------


def ensure_keys(lab: Lab) -> None:
    """User key pair and per-node host keys, generated once and kept by ``down``."""
    make_dir(lab.keys, 0o700)
    if not lab.private_key.exists():
        run(
            [
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                f"nslab-{lab.name}",
                "-f",
                str(lab.private_key),
            ]
        )
    jobs = []
    for node in lab.topo.linux_nodes:
        d = lab.keys / "hosts" / node.name
        d.mkdir(parents=True, exist_ok=True)
        for kt, extra in (("ed25519", []), ("ecdsa", ["-b", "256"]), ("rsa", ["-b", "2048"])):
            f = d / f"ssh_host_{kt}_key"
            if not f.exists():
                jobs.append(
                    [
                        "ssh-keygen",
                        "-q",
                        "-t",
                        kt,
                        *extra,
                        "-N",
                        "",
                        "-C",
                        f"{node.name}@{lab.name}",
                        "-f",
                        str(f),
                    ]
                )
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(run, jobs))


def ensure_host_mountpoints() -> None:
    """Bind mounts need a target: create the few the host's packages did not."""
    for path, _mode in PRIVATE_DIRS:
        if not os.path.isdir(path):
            LOG.info("creating missing mount point %s on the host", path)
            os.makedirs(path, exist_ok=True)
    for path, _mode in PRIVATE_FILES:
        if not os.path.exists(path):
            LOG.info("creating missing mount point %s on the host", path)
            Path(path).touch()


def free_id(used: set[int], start: int = 2001) -> int:
    i = start
    while i in used:
        i += 1
    return i


def prepare_node(lab: Lab, node: Node, mgmt: dict[str, str], subnet: ipaddress.IPv4Network) -> None:
    """Write the node's private filesystem pieces and its own init script."""
    nd = lab.node_dir(node.name)
    if nd.exists():
        shutil.rmtree(nd)
    fs = nd / "fs"
    make_dir(fs)
    frr_pw = pwd.getpwnam("frr")
    frr_uid, frr_gid = frr_pw.pw_uid, frr_pw.pw_gid
    frrvty_gid = grp.getgrnam("frrvty").gr_gid

    # seed directories / files from the host where the packaged defaults matter: one `cp -a`
    seeds = [p for p, seed in (*PRIVATE_DIRS, *PRIVATE_FILES) if seed and os.path.exists(p)]
    if seeds:
        run(["cp", "-a", "--parents", *(s.lstrip("/") for s in seeds), str(fs)], cwd="/")
    for path, _mode in PRIVATE_DIRS:
        if not (fs / path.lstrip("/")).is_dir():
            make_dir(fs / path.lstrip("/"))
    for path, _mode in PRIVATE_FILES:
        (fs / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    make_dir(nd / "tmp", 0o1777)

    # users: host accounts + admin (bash, groups frr and frrvty); '*' not '!' (UsePAM no)
    passwd_lines = Path("/etc/passwd").read_text().splitlines()
    group_lines = Path("/etc/group").read_text().splitlines()
    shadow_lines = Path("/etc/shadow").read_text().splitlines()
    used_ids = {int(l.split(":")[2]) for l in passwd_lines + group_lines if l.count(":") >= 3}
    uid = free_id(used_ids)
    passwd_lines = [l for l in passwd_lines if not l.startswith(ADMIN_USER + ":")]
    passwd_lines.append(f"{ADMIN_USER}:x:{uid}:{uid}:lab admin:/home/{ADMIN_USER}:/bin/bash")
    new_groups = []
    for line in group_lines:
        f = line.split(":")
        if len(f) == 4 and f[0] == ADMIN_USER:
            continue
        if len(f) == 4 and f[0] in ("frr", "frrvty"):
            members = [m for m in f[3].split(",") if m]
            members.append(ADMIN_USER)
            f[3] = ",".join(members)
            line = ":".join(f)
        new_groups.append(line)
    new_groups.append(f"{ADMIN_USER}:x:{uid}:")
    new_shadow = []
    for line in shadow_lines:
        f = line.split(":")
        if f[0] == ADMIN_USER:
            continue
        if f[0] == "root" and f[1].startswith("!"):
            f[1] = "*"
        new_shadow.append(":".join(f))
    new_shadow.append(f"{ADMIN_USER}:*:20000:0:99999:7:::")
    shadow_gid = grp.getgrnam("shadow").gr_gid
    write_file(fs / "etc/passwd", "\n".join(passwd_lines) + "\n", 0o644)
    write_file(fs / "etc/group", "\n".join(new_groups) + "\n", 0o644)
    write_file(fs / "etc/shadow", "\n".join(new_shadow) + "\n", 0o640, 0, shadow_gid)

    hosts = [
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        f"{subnet.network_address + 1}\tmgmt-gw",
    ]
    hosts += [f"{ip}\t{name}" for name, ip in mgmt.items()]
    write_file(fs / "etc/hosts", "\n".join(hosts) + "\n")

    # ssh: host keys (stable), config, authorized keys for admin and root
    pub = (lab.private_key.with_suffix(".pub")).read_text()
    sshd = fs / "etc/ssh"
    for f in ("moduli", "ssh_config"):
        if os.path.exists(f"/etc/ssh/{f}"):
            shutil.copy2(f"/etc/ssh/{f}", sshd / f)
    for key in (lab.keys / "hosts" / node.name).iterdir():
        shutil.copy2(key, sshd / key.name)
        os.chmod(sshd / key.name, 0o600 if not key.name.endswith(".pub") else 0o644)
    write_file(sshd / "sshd_config", SSHD_CONFIG.format(mgmt=mgmt[node.name]))
    make_dir(sshd / "authorized_keys", 0o755)
    for user in (ADMIN_USER, "root"):
        write_file(sshd / "authorized_keys" / user, pub, 0o644)
    home = fs / "home" / ADMIN_USER
    make_dir(home, 0o755, uid, uid)
    make_dir(home / ".ssh", 0o700, uid, uid)
    write_file(home / ".ssh/authorized_keys", pub, 0o600, uid, uid)
    make_dir(fs / "root", 0o700)
    make_dir(fs / "root/.ssh", 0o700)
    write_file(fs / "root/.ssh/authorized_keys", pub, 0o600)

    # sudo for admin (Ansible's become on linux tasks), as on a real gateway
    write_file(fs / "etc/sudoers.d/nslab-admin", f"{ADMIN_USER} ALL=(ALL) NOPASSWD: ALL\n", 0o440)
    if "charon" in node.services:
        write_file(fs / "etc/strongswan.d/zz-nslab.conf", LAB_STRONGSWAN_CONF, 0o644)

    # BIRD / GoBGP partner routers: bird's /etc/bird is bind-mounted over the host's (birdc
    # configure re-reads it); gobgpd reads GOBGP_CONFIG (the node dir, no /etc/gobgp on the host)
    if "bird" in node.services:
        make_dir(fs / "etc/bird", 0o755)
        conf = node.bird_config.read_text() if node.bird_config else DEFAULT_BIRD_CONF
        write_file(fs / "etc/bird/bird.conf", conf, 0o640)
    if "gobgp" in node.services:
        make_dir(fs / "etc/gobgp", 0o755)
        conf = node.gobgp_config.read_text() if node.gobgp_config else DEFAULT_GOBGP_CONF
        write_file(fs / "etc/gobgp/gobgpd.conf", conf, 0o640)

    # FRR: daemons, vtysh.conf, frr.conf; group-writable so admin (group frr) can save
    if "frr" in node.services:
        etc_frr = fs / "etc/frr"
        make_dir(etc_frr, 0o775, frr_uid, frr_gid)
        write_file(etc_frr / "daemons", render_daemons(node), 0o640, frr_uid, frr_gid)
        write_file(
            etc_frr / "vtysh.conf", "service integrated-vtysh-config\n", 0o640, frr_uid, frrvty_gid
        )
        conf = node.frr_config.read_text() if node.frr_config else "!\n"
        write_file(etc_frr / "frr.conf", conf, 0o660, frr_uid, frr_gid)
        make_dir(fs / "var/lib/frr", 0o755, frr_uid, frr_gid)
        make_dir(fs / "var/log/frr", 0o775, frr_uid, frr_gid)

    # interfaces, applied by the node itself with one `ip -batch`
    lines = ["link set lo up"]
    lines += [f"addr add {a} dev lo" for a in node.loopback]
    lines += [f"addr add {mgmt[node.name]}/{subnet.prefixlen} dev mgmt0", "link set mgmt0 up"]
    for ifname in node.interfaces:
        for a in node.addresses.get(ifname, []):
            nodad = " nodad" if ipaddress.ip_interface(a).version == 6 else ""
            lines.append(f"addr add {a} dev {ifname}{nodad}")
        lines.append(f"link set {ifname} up")
    for to, via in node.routes.items():  # static routes through the lab (after the links are up)
        if to == "default" and ipaddress.ip_address(via).version == 6:
            to = "::/0"  # the family of a batch line comes from its addresses
        lines.append(f"route add {to} via {via}")
    write_file(nd / "ip.batch", "\n".join(lines) + "\n")

    sysctls = {"net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1", **node.sysctls}
    write_file(nd / "init.sh", render_init(node, nd, sysctls), 0o755)


def render_daemons(node: Node) -> str:
    """The host's /etc/frr/daemons with exactly this node's daemons enabled."""
    try:
        text = Path("/etc/frr/daemons").read_text()
    except OSError:
        text = "vtysh_enable=yes\n"
    wanted = set(node.frr_daemons)

    def repl(m: re.Match[str]) -> str:
        return f"{m.group(1)}={'yes' if m.group(1) in wanted else 'no'}"

    text = re.sub(r"^(\w+d)=(yes|no)\b", repl, text, flags=re.M)
    present = set(re.findall(r"^(\w+d)=", text, flags=re.M))
    for d in sorted(wanted - present):
        text += f"{d}=yes\n"
    return text


SSHD_CONFIG = """\
# generated by nslab
Port 22
ListenAddress {mgmt}
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_ecdsa_key
HostKey /etc/ssh/ssh_host_rsa_key
PidFile /run/sshd.pid
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/authorized_keys/%u
StrictModes yes
UseDNS no
X11Forwarding no
PrintMotd no
MaxSessions 64
MaxStartups 64:30:256
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
"""


def render_init(node: Node, nd: Path, sysctls: dict[str, str]) -> str:
    """The node's own init script: runs as PID 1 of the node."""
    binds = [p for p, _mode in PRIVATE_DIRS] + [p for p, _mode in PRIVATE_FILES]
    mount_lines = "\n".join(f'step mount --bind "$N/fs{p}" {p}' for p in binds)
    sysctl_args = " ".join(shlex.quote(f"{k}={v}") for k, v in sysctls.items())
    frr = ""
    if "frr" in node.services:
        frr = """\
install -d -o frr -g frrvty -m 0775 /run/frr
/usr/lib/frr/frrinit.sh start >/var/log/frr/frrinit.log 2>&1 &
"""
    sshd = ""
    if "sshd" in node.services:
        sshd = """\
install -d -m 0755 /run/sshd
/usr/sbin/sshd -E /var/log/sshd.log || echo "nslab: sshd failed" >&2
"""
    charon = ""
    if "charon" in node.services:
        charon = """\
/usr/sbin/charon-systemd >/var/log/charon.console 2>&1 &
for _ in $(seq 100); do [ -S /run/charon.vici ] && break; sleep 0.05; done
swanctl --load-all --noprompt >/var/log/swanctl-load.log 2>&1 || echo "nslab: swanctl --load-all failed" >&2
"""
    bird = ""
    if "bird" in node.services:
        bird = f"""\
step mount --bind "$N/fs/etc/bird" /etc/bird
install -d -m 0755 /run/bird
/usr/sbin/bird -c /etc/bird/bird.conf -s {BIRD_SOCKET} >/var/log/bird.console 2>&1 \\
  || {{ echo "nslab: bird failed:" >&2; cat /var/log/bird.console >&2; }}
for _ in $(seq 200); do birdc -s {BIRD_SOCKET} show status >/dev/null 2>&1 && break; sleep 0.05; done
"""
    gobgp = ""
    if "gobgp" in node.services:
        ctype = {".yml": "yaml", ".yaml": "yaml", ".json": "json"}.get(
            node.gobgp_config.suffix if node.gobgp_config else "", "toml")
        rib = "".join(
            f"gobgp --target {GOBGP_TARGET} global rib add -a ipv{ipaddress.ip_network(r).version} {r} "
            f'|| echo "nslab: gobgp rib add {r} failed" >&2\n' for r in node.gobgp_routes)
        gobgp = f"""\
/usr/bin/gobgpd -f {GOBGP_CONFIG} -t {ctype} --api-hosts {GOBGP_TARGET} --pprof-disable -p \\
  >/var/log/gobgpd.log 2>&1 &
GOBGPD=$!
for _ in $(seq 200); do
  gobgp --target {GOBGP_TARGET} neighbor >/dev/null 2>&1 && break
  kill -0 "$GOBGPD" 2>/dev/null || break
  sleep 0.05
done
gobgp --target {GOBGP_TARGET} neighbor >/dev/null 2>&1 \\
  || {{ echo "nslab: gobgpd not answering:" >&2; tail -n 5 /var/log/gobgpd.log >&2; }}
{rib}touch {GOBGP_READY}
"""
    return f"""#!/bin/bash
# nslab init for node {node.name}: PID 1 of the node. Generated; this copy belongs to this node only.
set -u
N={shlex.quote(str(nd))}
step() {{ "$@" || {{ echo "nslab: FAILED: $*" >&2; exit 1; }}; }}
umount -l /run/netns 2>/dev/null || true
step mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
step mkdir -p /run/nslab-node
step mount --bind "$N" /run/nslab-node
N=/run/nslab-node
umount -l /sys 2>/dev/null || true
step mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
{mount_lines}
step mount --bind "$N/tmp" /tmp
step hostname {shlex.quote(node.name)}
step ip -batch "$N/ip.batch"
sysctl -q -w {sysctl_args} >/dev/null || echo "nslab: sysctl failed" >&2
{sshd}{frr}{charon}{bird}{gobgp}echo "nslab: node {node.name} started"
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $! ; done
"""


# --------------------------------------------------------------------------------------------
# health
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Health:
    node: str
    running: bool = False
    sshd: bool = False
    frr: bool | None = None  # None: node runs no FRR
    charon: bool | None = None  # None: node runs no strongSwan
    bird: bool | None = None  # None: node runs no BIRD
    gobgp: bool | None = None  # None: node runs no GoBGP
    detail: str = ""

    @property
    def ready(self) -> bool:
        return (self.running and self.sshd and self.frr is not False and self.charon is not False
                and self.bird is not False and self.gobgp is not False)


def node_running(lab: Lab, ns: NodeState) -> bool:
    want = ns_inode(netns_path(ns.netns))
    return bool(ns.pid1) and want is not None and pid_netns(ns.pid1) == want


def sshd_listening(pid1: int, ip: str) -> bool:
    """Read the node's /proc/net/tcp (through its PID 1) for a LISTEN on ip:22."""
    want = "%08X:0016" % int.from_bytes(ipaddress.IPv4Address(ip).packed, "little")
    try:
        with open(f"/proc/{pid1}/net/tcp") as fh:
            for line in fh.readlines()[1:]:
                f = line.split()
                if f[3] == "0A" and f[1] in (want, "00000000:0016"):
                    return True
    except OSError:
        pass
    return False


def vtysh_b_running(pid1: int) -> bool:
    """Is a `vtysh -b` (config load at start-up) still running in the node's PID namespace?"""
    want = ns_inode(f"/proc/{pid1}/ns/pid")
    for pid in all_pids():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"vtysh") and b"-b" in argv:
            if ns_inode(f"/proc/{pid}/ns/pid") == want:
                return True
    return False


WATCHFRR_LINE = re.compile(r"^\s+(\w+)\s+(Up|Down|Init|Unresponsive|Startup|\S+)", re.M)


def frr_ready(node: Node, pid1: int) -> tuple[bool, str]:
    proc = subprocess.run(
        ["nsenter", "-t", str(pid1), "-m", "-u", "-n", "-p", "vtysh", "-c", "show watchfrr"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return False, lines[-1] if lines else f"vtysh exited {proc.returncode}"
    states = {m.group(1): m.group(2) for m in WATCHFRR_LINE.finditer(proc.stdout)}
    not_up = [d for d in node.frr_daemons if states.get(d) != "Up"]
    if not_up:
        return False, "not up: " + ",".join(f"{d}={states.get(d, '?')}" for d in not_up)
    if vtysh_b_running(pid1):
        return False, "vtysh -b still loading config"
    return True, "daemons up: " + ",".join(node.frr_daemons)


def daemon_answers(pid1: int, argv: list[str]) -> tuple[bool, str]:
    """Does a daemon answer on its control socket (a CLI run inside the node)?"""
    try:
        proc = subprocess.run(["nsenter", "-t", str(pid1), "-m", "-u", "-n", "-p", *argv],
                              capture_output=True, text=True, timeout=10, check=False)
    except subprocess.TimeoutExpired:
        return False, f"{argv[0]} timed out"
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return False, lines[-1] if lines else f"{argv[0]} exited {proc.returncode}"
    return True, ""


def node_health(lab: Lab, node: Node, ns: NodeState) -> Health:
    h = Health(node.name)
    h.running = node_running(lab, ns)
    if not h.running:
        h.detail = "not running"
        if "frr" in node.services:
            h.frr = False
        return h
    h.sshd = "sshd" not in node.services or sshd_listening(ns.pid1, ns.mgmt_ip)
    if "frr" in node.services:
        try:
            h.frr, h.detail = frr_ready(node, ns.pid1)
        except subprocess.TimeoutExpired:
            h.frr, h.detail = False, "vtysh timed out"
    if "charon" in node.services:
        # the VICI socket in the node's own /run (seen through its PID 1's root)
        h.charon = stat.S_ISSOCK(os.stat(f"/proc/{ns.pid1}/root/run/charon.vici").st_mode) \
            if os.path.exists(f"/proc/{ns.pid1}/root/run/charon.vici") else False
        if not h.charon:
            h.detail = ("charon not ready; " + h.detail).strip("; ")
    if "bird" in node.services:
        h.bird, why = daemon_answers(ns.pid1, ["birdc", "-s", BIRD_SOCKET, "show", "status"])
        if h.bird:
            h.detail = (h.detail + f"; bird answers on {BIRD_SOCKET}").strip("; ")
        else:
            h.detail = (f"bird not answering ({why}; see /var/log/bird.console in the node); "
                        + h.detail).strip("; ")
    if "gobgp" in node.services:
        h.gobgp, why = daemon_answers(ns.pid1, ["gobgp", "--target", GOBGP_TARGET, "neighbor"])
        if h.gobgp and not os.path.exists(f"/proc/{ns.pid1}/root{GOBGP_READY}"):
            h.gobgp, why = False, "gobgp_routes not added yet"
        if h.gobgp:
            h.detail = (h.detail + f"; gobgpd answers on {GOBGP_SOCKET}").strip("; ")
        else:
            h.detail = (f"gobgpd not answering ({why}; see /var/log/gobgpd.log in the node); "
                        + h.detail).strip("; ")
    if not h.sshd:
        h.detail = ("sshd not listening; " + h.detail).strip("; ")
    return h


def lab_health(lab: Lab, st: LabState) -> list[Health]:
    nodes = [n for n in lab.topo.linux_nodes if n.name in st.nodes]
    with ThreadPoolExecutor(max_workers=max(1, min(16, len(nodes)))) as pool:
        return list(pool.map(lambda n: node_health(lab, n, st.nodes[n.name]), nodes))


def wait_ready(lab: Lab, st: LabState, timeout: float) -> list[Health]:
    deadline = time.monotonic() + timeout
    pending = {n.name: n for n in lab.topo.linux_nodes}
    done: dict[str, Health] = {}
    t0 = time.monotonic()
    while True:
        with ThreadPoolExecutor(max_workers=max(1, min(16, len(pending)))) as pool:
            results = list(
                pool.map(lambda n: node_health(lab, n, st.nodes[n.name]), pending.values())
            )
        for h in results:
            if h.ready:
                LOG.info("node %s ready after %.2f s", h.node, time.monotonic() - t0)
                done[h.node] = h
                del pending[h.node]
            elif not h.running:
                done[h.node] = h  # dead: no point in waiting
                del pending[h.node]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for name in pending:
        done[name] = next(h for h in results if h.node == name)
    return [done[n.name] for n in lab.topo.linux_nodes]


# --------------------------------------------------------------------------------------------
# up / down
# --------------------------------------------------------------------------------------------


def start_node(lab: Lab, node: Node, ns: NodeState) -> None:
    nd = lab.node_dir(node.name)
    log = open(nd / "console.log", "ab")
    cmd = [
        "nsenter",
        f"--net={netns_path(ns.netns)}",
        "--",
        "unshare",
        "--pid",
        "--fork",
        "--kill-child",
        "--mount-proc",
        "--mount",
        "--uts",
        "--propagation",
        "private",
        "/bin/bash",
        str(nd / "init.sh"),
    ]
    LOG.debug("start %s: %s", node.name, shlex.join(cmd))
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
        close_fds=True,
        cwd="/",
        env=NODE_ENV,
    )
    log.close()
    ns.unshare_pid = proc.pid


def find_pid1(unshare_pid: int, timeout: float = 5.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = proc_children(unshare_pid)
        if kids:
            return kids[0]
        time.sleep(0.01)
    raise LabError(f"unshare pid {unshare_pid} did not fork the node's PID 1")


def up(lab: Lab, inventory: Path | None, timeout: float) -> int:
    t0 = time.monotonic()
    topo = lab.topo
    lab.dir.mkdir(parents=True, exist_ok=True)
    with flock(lab.dir / ".lock"):
        owner = lab.foreign_owner()
        if owner:
            raise LabError(
                f"{lab.bridge} belongs to {owner!r}: a lab of the same name (or a "
                "hash collision) runs from another state dir; refusing to touch it"
            )
        st = lab.load_state()
        if st is not None:
            alive = [n for n, s in st.nodes.items() if node_running(lab, s)]
            if len(alive) == len(st.nodes) and set(st.nodes) == {n.name for n in topo.linux_nodes}:
                if st.digest != topo.digest:
                    raise LabError(
                        f"lab {lab.name} is up with a different version of {topo.path}; "
                        "run `labctl down` first"
                    )
                health = wait_ready(lab, st, timeout)
                write_inventories(lab, st, inventory)
                report_health(health)
                ok = all(h.ready for h in health)
                print(
                    f"lab {lab.name}: already up ({'ready' if ok else 'NOT ready'}), "
                    f"checked in {time.monotonic() - t0:.2f} s"
                )
                return 0 if ok else 1
            LOG.warning(
                "lab %s is partly up (%d/%d nodes): rebuilding it",
                lab.name,
                len(alive),
                len(st.nodes),
            )
        if st is not None or lab.existing_netns() or lab.existing_root_ifs():
            teardown(lab, st, quiet=True)

        LOG.info("building lab %s from %s", lab.name, topo.path)
        ensure_host_mountpoints()
        ensure_keys(lab)
        with flock(GLOBAL_LOCK):
            # after the teardown above our bridge can only exist if another lab owns it
            for ifname in root_interfaces():
                if ifname == lab.bridge:
                    raise LabError(f"root interface {ifname} already exists")
            subnet = allocate_subnet(lab, None)
            mgmt = assign_mgmt(topo, subnet)
            LOG.info("mgmt subnet %s on bridge %s: %s", subnet, lab.bridge, mgmt)
            st = LabState(
                name=lab.name,
                topology=str(topo.path),
                digest=topo.digest,
                prefix=lab.prefix,
                bridge=lab.bridge,
                subnet=str(subnet),
                nodes={
                    n.name: NodeState(lab.netns(n.name), mgmt[n.name], lab.host_if(n))
                    for n in topo.linux_nodes
                },
                bridges={b.name: lab.netns(b.name) for b in topo.bridges},
                started=time.time(),
            )
            st.save(lab.state_file)
            build_network(lab, st, subnet)
        t_net = time.monotonic()

        def prepare_and_start(node: Node) -> None:
            prepare_node(lab, node, mgmt, subnet)
            start_node(lab, node, st.nodes[node.name])

        # each node starts as soon as its files are written: file writing overlaps start-up
        LOG.info("preparing and starting %d nodes", len(topo.linux_nodes))
        try:
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(prepare_and_start, topo.linux_nodes))
            for node in topo.linux_nodes:
                ns = st.nodes[node.name]
                ns.pid1 = find_pid1(ns.unshare_pid)
        except (LabError, OSError) as exc:
            raise LabError(f"{exc}\n(lab {lab.name} is half built: run `labctl down`)") from exc
        finally:
            st.save(lab.state_file)  # whatever started is recorded for `down`
        t_spawn = time.monotonic()
        health = wait_ready(lab, st, timeout)
        t_ready = time.monotonic()
        write_inventories(lab, st, inventory)
    report_health(health)
    ok = all(h.ready for h in health)
    print(
        f"lab {lab.name}: {'up' if ok else 'NOT READY'} — {len(topo.linux_nodes)} nodes, "
        f"{len(topo.bridges)} bridges, mgmt {subnet} on {lab.bridge}; "
        f"{t_ready - t0:.2f} s total (keys+network {t_net - t0:.2f}, files+spawn "
        f"{t_spawn - t_net:.2f}, until ready {t_ready - t_spawn:.2f})"
    )
    print(f"inventory: {inventory or lab.inventory_path}")
    if not ok:
        for h in health:
            if not h.ready:
                tail = (lab.node_dir(h.node) / "console.log").read_text(errors="replace")[-800:]
                print(f"--- {h.node} console.log (tail) ---\n{tail}", file=sys.stderr)
    return 0 if ok else 1


def build_network(lab: Lab, st: LabState, subnet: ipaddress.IPv4Network) -> None:
    """Namespaces, management bridge, veths and LAN bridges: one `ip -batch` in the root ns."""
    topo = lab.topo
    lines = [f"netns add {lab.netns(n)}" for n in topo.nodes]
    ip_batch(lines)
    gw = subnet.network_address + 1
    lines = [
        f"link add {lab.bridge} type bridge stp_state 0 forward_delay 0 mcast_snooping 0",
        f"link set {lab.bridge} alias {lab.alias}",
        f"addr add {gw}/{subnet.prefixlen} dev {lab.bridge}",
        f"link set {lab.bridge} up",
    ]
    for node in topo.linux_nodes:
        ns = st.nodes[node.name]
        lines += [
            f"link add {ns.host_if} type veth peer name mgmt0 netns {ns.netns}",
            f"link set {ns.host_if} alias {lab.alias}",
            f"link set {ns.host_if} master {lab.bridge} up",
        ]
    bridge_lines: dict[str, list[str]] = {
        b.name: [
            "link set lo up",
            "link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0",
            "link set br0 up",
        ]
        for b in topo.bridges
    }
    for link in topo.links:
        (na, ia), (nb, ib) = link.a, link.b
        lines.append(
            f"link add {ia} netns {lab.netns(na)} type veth peer name {ib} netns {lab.netns(nb)}"
        )
        for n, i in (link.a, link.b):
            if topo.nodes[n].kind == "bridge":
                bridge_lines[n].append(f"link set {i} master br0 up")
    ip_batch(lines)
    for b, blines in bridge_lines.items():
        ip_batch(blines, netns=lab.netns(b))


def teardown(lab: Lab, st: LabState | None, quiet: bool = False) -> list[str]:
    """Remove everything of the lab; return what could not be removed (empty = clean)."""
    names = set(lab.existing_netns())
    if st is not None:
        names |= {s.netns for s in st.nodes.values()} | set(st.bridges.values())
    names |= {lab.netns(n) for n in lab.topo.nodes}
    inodes = {i for i in (ns_inode(netns_path(n)) for n in names) if i is not None}

    LOG.info("teardown %s: netns %s", lab.name, sorted(names))
    # 1. node PID 1s (recorded), checked against their netns
    if st is not None:
        for ns in st.nodes.values():
            for pid in (ns.pid1, ns.unshare_pid):
                if pid:
                    kill_if_in_netns(pid, inodes)
    # 2. anything else still inside the lab's namespaces (exec shells, strays)
    leftovers: list[str] = []
    deadline = time.monotonic() + 5
    while inodes:
        procs = pids_in_netns(inodes)
        if not procs:
            break
        if time.monotonic() > deadline:
            leftovers += [f"process {p} ({_comm(p)}) in a lab netns" for p in sorted(procs)]
            break
        for pid in procs:
            kill_if_in_netns(pid, inodes)
        time.sleep(0.05)

    # 3. links and namespaces: one batch, errors tolerated, checked below
    lines = [f"link del {i}" for i in reversed(lab.existing_root_ifs())]
    lines += [f"netns del {n}" for n in sorted(names) if netns_path(n).exists()]
    ip_batch(lines, force=True)

    # 4. mounts and files under the state dir (keys are kept: stable host keys)
    for m in sorted(mounts_under(lab.dir), key=len, reverse=True):
        run(["umount", "-l", m], check=False)
    shutil.rmtree(lab.dir / "nodes", ignore_errors=True)
    for f in (lab.state_file, lab.inventory_path):
        with contextlib.suppress(FileNotFoundError):
            f.unlink()

    # 5. verify
    LOG.info("verifying that nothing of lab %s is left", lab.name)
    leftovers += [f"netns {n}" for n in lab.existing_netns()]
    leftovers += [f"root interface {i}" for i in lab.existing_root_ifs()]
    leftovers += [f"mount {m}" for m in mounts_under(lab.dir)]
    if not quiet and leftovers:
        LOG.error("leftovers: %s", leftovers)
    return leftovers


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def down(lab: Lab, force: bool = False) -> int:
    t0 = time.monotonic()
    lab.dir.mkdir(parents=True, exist_ok=True)
    with flock(lab.dir / ".lock"):
        owner = lab.foreign_owner()
        if owner and not force:
            raise LabError(
                f"{lab.bridge} belongs to {owner!r}, not to {lab.dir}: not touching "
                "it (use --force to tear it down anyway)"
            )
        st = lab.load_state()
        leftovers = teardown(lab, st)
    dt = time.monotonic() - t0
    if leftovers:
        print(f"lab {lab.name}: down in {dt:.2f} s but LEFTOVERS remain:", file=sys.stderr)
        for item in leftovers:
            print(f"  - {item}", file=sys.stderr)
        return 1
    print(
        f"lab {lab.name}: down in {dt:.2f} s, verified clean "
        f"(no netns {lab.name}.*, no {lab.prefix}* interfaces, no mounts, no processes)"
    )
    return 0


# --------------------------------------------------------------------------------------------
# status / exec / inventory
# --------------------------------------------------------------------------------------------


def report_health(health: list[Health]) -> None:
    for h in health:
        frr = "-" if h.frr is None else ("ready" if h.frr else "NOT READY")
        LOG.info("%-12s running=%s sshd=%s frr=%s %s", h.node, h.running, h.sshd, frr, h.detail)


def status(lab: Lab) -> int:
    st = lab.load_state()
    if st is None:
        print(f"lab {lab.name}: down")
        return 1
    health = {h.node: h for h in lab_health(lab, st)}
    print(f"lab {lab.name}: mgmt {st.subnet} on {st.bridge}, state {lab.dir}")
    print(f"{'node':<14} {'pid1':>8} {'mgmt':<16} {'run':<4} {'sshd':<5} {'frr':<10} detail")
    for node in lab.topo.linux_nodes:
        ns = st.nodes.get(node.name)
        h = health.get(node.name, Health(node.name, detail="not in lab state"))
        frr = "-" if h.frr is None else ("ready" if h.frr else "NOT-READY")
        print(
            f"{node.name:<14} {ns.pid1 if ns else 0:>8} {ns.mgmt_ip if ns else '-':<16} "
            f"{'yes' if h.running else 'NO':<4} {'yes' if h.sshd else 'NO':<5} {frr:<10} "
            f"{h.detail}"
        )
    for b, nsname in st.bridges.items():
        print(
            f"{b:<14} {'bridge':>8} netns {nsname} {'ok' if netns_path(nsname).exists() else 'MISSING'}"
        )
    ok = (
        len(health) == len(lab.topo.linux_nodes)
        and all(h.ready for h in health.values())
        and all(netns_path(n).exists() for n in st.bridges.values())
    )
    return 0 if ok else 1


def running_node(lab: Lab, node: str) -> NodeState:
    """The state of a node that is up, or a LabError saying why not."""
    st = lab.load_state()
    if st is None or node not in st.nodes:
        raise LabError(f"node {node} of lab {lab.name} is not up")
    ns = st.nodes[node]
    if not node_running(lab, ns):
        raise LabError(f"node {node}: PID 1 {ns.pid1} is not running in netns {ns.netns}")
    return ns


def exec_node(lab: Lab, node: str, cmd: list[str]) -> int:
    ns = running_node(lab, node)
    argv = ["nsenter", "-t", str(ns.pid1), "-m", "-u", "-n", "-p", "--", *(cmd or ["bash", "-l"])]
    LOG.debug("exec: %s", shlex.join(argv))
    sys.stdout.flush()
    os.execvp(argv[0], argv)
    return 127  # not reached


def root_cmd(lab: Lab, node: str) -> int:
    """Print ``/proc/<pid1>/root``: the node's own mounts (its /run, /etc/swanctl, ...) as the host
    sees them, e.g. to reach a daemon's unix socket from the host: <root>/run/charon.vici.  Files of
    the host under /tmp are NOT visible inside nodes (private /tmp), so feed them on stdin instead."""
    print(f"/proc/{running_node(lab, node).pid1}/root")
    return 0


def group_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def build_inventory(lab: Lab, st: LabState) -> dict[str, Any]:
    hosts: dict[str, dict[str, Any]] = {}
    roles: dict[str, dict[str, Any]] = {}
    platforms: dict[str, dict[str, Any]] = {}
    for node in lab.topo.linux_nodes:
        hv: dict[str, Any] = {"ansible_host": st.nodes[node.name].mgmt_ip}
        for k, v in node.labels.items():
            hv[group_name(k)] = v
        hv["netinfra_platform"] = node.platform
        hv["netinfra_lab_node"] = node.name
        if node.platform == "frr":
            hv["ansible_network_os"] = "paynet.netinfra.frr"
            hv["ansible_connection"] = "ansible.netcommon.network_cli"
        hosts[node.name] = hv
        if "netinfra.role" in node.labels:
            roles.setdefault(f"role_{group_name(node.labels['netinfra.role'])}", {"hosts": {}})[
                "hosts"
            ][node.name] = None
        platforms.setdefault(f"platform_{group_name(node.platform)}", {"hosts": {}})["hosts"][
            node.name
        ] = None
    return {
        "all": {
            "children": {
                f"lab_{group_name(lab.name)}": {
                    "hosts": hosts,
                    "children": {**roles, **platforms},
                    "vars": {
                        "ansible_user": ADMIN_USER,
                        "ansible_ssh_private_key_file": str(lab.private_key),
                        "ansible_ssh_common_args": SSH_COMMON_ARGS,
                        "ansible_python_interpreter": "/usr/bin/python3",
                        "netinfra_lab": lab.name,
                        "netinfra_lab_mgmt_subnet": st.subnet,
                    },
                }
            }
        }
    }


def inventory_text(lab: Lab, st: LabState) -> str:
    head = f"# generated by nslab for lab {lab.name} ({lab.topo.path}); do not edit\n"
    return head + yaml.safe_dump(
        build_inventory(lab, st), sort_keys=False, default_flow_style=False
    )


def write_inventories(lab: Lab, st: LabState, extra: Path | None) -> None:
    text = inventory_text(lab, st)
    for path in [lab.inventory_path] + ([extra] if extra else []):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        LOG.debug("wrote inventory %s", path)


def inventory_cmd(lab: Lab, path: Path | None) -> int:
    st = lab.load_state()
    if st is None:
        raise LabError(f"lab {lab.name} is not up (its management addresses are chosen by `up`)")
    if path:
        write_inventories(lab, st, path)
        print(f"wrote {path}")
    else:
        sys.stdout.write(inventory_text(lab, st))
    return 0


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="labctl",
        description="Build containerlab-format topologies from Linux namespaces "
        f"(state under $NSLAB_STATE or {DEFAULT_STATE_ROOT}).",
    )
    ap.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log every step and every command run (with its ip batch input)",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up", help="build the lab (idempotent)")
    p.add_argument("topology")
    p.add_argument("--name", help="lab name (default: the topology's name); one topology, several labs")
    p.add_argument("--inventory", type=Path, help="also write the Ansible inventory here")
    p.add_argument("--timeout", type=float, default=90, help="readiness timeout (s)")
    p = sub.add_parser("down", help="destroy the lab and verify nothing is left")
    p.add_argument("topology")
    p.add_argument("--name", help="lab name (default: the topology's name); one topology, several labs")
    p.add_argument(
        "--force",
        action="store_true",
        help="also tear down a lab of this name started from another state dir",
    )
    p = sub.add_parser("status", help="exit 0 only if every node is up and ready")
    p.add_argument("topology")
    p.add_argument("--name", help="lab name (default: the topology's name); one topology, several labs")
    p = sub.add_parser("exec", help="run a command inside a node (labctl exec T NODE -- CMD)")
    p.add_argument("topology")
    p.add_argument("--name", help="lab name (default: the topology's name); one topology, several labs")
    p.add_argument("node")
    p.add_argument("command", nargs=argparse.REMAINDER)
    p = sub.add_parser("root", help="print the path through which the host sees a node's filesystem")
    p.add_argument("topology")
    p.add_argument("--name", help="lab name (default: the topology's name); one topology, several labs")
    p.add_argument("node")
    p = sub.add_parser("inventory", help="print (or --inventory PATH: write) the inventory")
    p.add_argument("topology")
    p.add_argument("--name", help="lab name (default: the topology's name); one topology, several labs")
    p.add_argument("--inventory", type=Path)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    level = logging.DEBUG if args.verbose else logging.WARNING
    logging.basicConfig(
        level=level, format="%(asctime)s.%(msecs)03d %(levelname)s %(message)s", datefmt="%H:%M:%S"
    )
    if os.geteuid() != 0:
        print("labctl: must run as root", file=sys.stderr)
        return 2
    try:
        lab = Lab(load_topology(args.topology, args.name))
        if args.cmd == "up":
            return up(lab, args.inventory, args.timeout)
        if args.cmd == "down":
            return down(lab, args.force)
        if args.cmd == "status":
            return status(lab)
        if args.cmd == "exec":
            cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
            return exec_node(lab, args.node, cmd)
        if args.cmd == "root":
            return root_cmd(lab, args.node)
        if args.cmd == "inventory":
            return inventory_cmd(lab, args.inventory)
    except LabError as exc:
        print(f"labctl: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `labctl ... | head`
        sys.stderr.close()
        return 1
    return 2
