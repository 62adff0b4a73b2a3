"""ipsec_tunnel's strongSwan backend on core.transaction, driven against a fake gateway.

``FakeGateway`` is the real :class:`backend.Gateway` (real files under ``tmp_path``, written and
read by the production code) with the outside world replaced:

* ``ip -d -j addr show`` answers from an interface table in iproute2's JSON format, starting from
  fixtures/ip_addr_gateway.json, and the mutating ``ip`` commands change that table like the kernel
  would (refusing what the kernel refuses);
* ``ip -j route get <peer>`` answers from a route table (peer -> device);
* ``swanctl --load-all`` makes the fake charon load the ``paynet-*`` conf files from disk (or fails
  when a test scripts it);
* VICI is a fake session over ``FakeCharon``: ``stats()`` (plugin list), ``list_conns()`` built like
  charon lists the loaded files, ``list_sas()``, ``initiate()`` (succeeds and an SA appears, modelled
  on the REAL lab capture fixtures/northbank_libipsec_real.json, or fails with charon's log lines,
  e.g. AUTHENTICATION_FAILED when the PSK differs from the partner's) and ``terminate()``.

The "current" gateway is always built from ``swanctl.render_files`` and the real interface planner,
so the tests exercise the real planner, renderer, parser and SA evaluation.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib

import pytest

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices import vici
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import iface, swanctl
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import ChangeFailed
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import backend as ipsec_backend
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import offline as ipsec_offline
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import status as ipsec_status
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
IP_GATEWAY = json.loads((FIXTURES / "ip_addr_gateway.json").read_text())
IP_LIBIPSEC = [e for e in IP_GATEWAY if not e["ifname"].startswith("xfrm")]  # no XFRM in a libipsec kernel
REAL = json.loads((FIXTURES / "northbank_libipsec_real.json").read_text())
REAL_SA = REAL["list_sas"][0]["partner-northbank"]
NORTHBANK_INTENT = json.loads((FIXTURES / "northbank_libipsec_intent.json").read_text())["tunnels"][0]

LIBIPSEC_PLUGINS = ["random", "nonce", "x509", "pem", "openssl", "kernel-libipsec", "kernel-netlink", "socket-default",
                    "vici", "updown"]
XFRM_PLUGINS = [p for p in LIBIPSEC_PLUGINS if p != "kernel-libipsec"]

PSK_ACME = "acme-psk-7Qx2-Lm9v-Zr4t-Hk8w"
PSK_ACME_NEW = "acme-NEW-psk-3Fd8-Jq1s-Wn6y"
PSK_OLD = "old-partner-psk-5Gh2-Tb7c-Pz"
PSK_CARD = "card-net-psk-9Ke4-Vs3m-Xa1q"
PSK_NB = "northbank-psk-2Ws5-Rd8f-Ly6u"
PSK_EB = "eastbank-psk-6Yt1-Cn4h-Mb9e"
SECRETS = (PSK_ACME, PSK_ACME_NEW, PSK_OLD, PSK_CARD, PSK_NB, PSK_EB)

CA = "-----BEGIN CERTIFICATE-----\nQUNNRSBURVNUIENBIChub3QgYSByZWFsIGNlcnQp\n-----END CERTIFICATE-----\n"
CERT = "-----BEGIN CERTIFICATE-----\nR1cxIFRFU1QgQ0VSVCAobm90IGEgcmVhbCBjZXJ0KQ==\n-----END CERTIFICATE-----\n"
KEY_BODY = "VEVTVC1PTkxZLU5PVC1BLVJFQUwtS0VZLWFhYWFhYWFh"
KEY = "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n" % KEY_BODY


def tunnel(name, network, peer, psk, **extra):
    """A module ``config`` tunnel completed by the real ipsec_offline.complete."""
    raw = {"name": name, "peer_gateway": peer, "local_gateway": "198.18.200.1", "local_id": "198.18.200.1",
           "auth": {"method": "psk", "psk": psk}, "inside": {"network": network}}
    raw.update(extra)
    return ipsec_offline.complete([raw])[0]


# xfrm: ACME and OLD match the paynet XFRM interfaces of fixtures/ip_addr_gateway.json (xfrm1281, xfrm1283)
ACME = tunnel("partner-acme_bank", "169.254.10.0/30", "198.18.200.2", PSK_ACME)
OLD = tunnel("partner-old_partner", "169.254.10.4/30", "198.18.200.5", PSK_OLD)
CARD = tunnel("partner-card_net", "169.254.10.12/30", "198.18.200.3", PSK_CARD)  # xfrm1287, not on the gateway yet
# libipsec: northbank is the lab tunnel of the real capture; eastbank a second one
NORTHBANK = dict(NORTHBANK_INTENT, auth={"method": "psk", "psk": PSK_NB})
EASTBANK = tunnel("partner-eastbank", "169.254.10.16/30", "198.18.200.6", PSK_EB)
ROUTES = {t["peer_gateway"]: "eth1" for t in (ACME, OLD, CARD, NORTHBANK, EASTBANK)}
ACME_N, OLD_N, CARD_N, NB_N, EB_N = (t["name"] for t in (ACME, OLD, CARD, NORTHBANK, EASTBANK))


def changed(t, **changes):
    out = copy.deepcopy(t)
    out.update(changes)
    return out


def initiate_cmd(name):
    return "swanctl --initiate --child %s --ike %s" % (name, name)


def terminate_cmd(name):
    return "swanctl --terminate --ike %s" % name


LOAD = "swanctl --load-all --noprompt"
# captured from swanctl 5.9.8 in the lab (charon SIGKILLed): stderr, rc 111
SWANCTL_NO_CHARON = """connecting to 'unix:///var/run/charon.vici' failed: Connection refused
Error: connecting to 'default' URI failed: Connection refused
strongSwan 5.9.8 swanctl
usage:
  swanctl --load-all [--raw|--pretty] [--clear] [--noprompt]
           --help            (-h)  show usage information
           --noprompt        (-n)  do not prompt for passwords
           --uri             (-u)  service URI to connect to
"""


# -- the fake charon --------------------------------------------------------------------------------
class FakeCharon:
    """charon as seen over VICI; ``events`` is shared with the gateway (the executed commands in order)."""

    def __init__(self, plugins, events):
        self.plugins = list(plugins)
        self.events = events
        self.loaded = {}          # conn name -> {"conn": parsed conf section, "psk": str or None}
        self.sas = {}             # conn name -> SA section as list-sas reports it
        self.partner_psk = {}     # conn name -> the PSK the partner has (missing: any PSK works)
        self.fail_initiate = {}   # conn name -> control-log lines of a failing initiate
        self.on_initiate = {}     # conn name -> callable(charon) run after a successful initiate
        self.load_results = []    # scripted (rc, stderr) of the next --load-all calls; then (0, "")
        self.raise_on = {}        # VICI command -> exception to raise (e.g. charon gone mid-run)
        self.down = None          # exception raised on connecting (charon not running)
        self.on_terminate = None  # callable(charon) run once after the next terminate
        self._uid = 100

    # swanctl --load-all
    def load_all(self, files, root):
        rc, err = self.load_results.pop(0) if self.load_results else (0, "")
        if rc:
            return rc, "loaded certificate from '%s/x509/ops.pem'\n" % root, err
        loaded = {}
        for path, text in files.items():
            owner = swanctl.owned_file(path, root)
            if not owner or owner[1] != "conf":
                continue
            tree = swanctl.parse_conf(text)
            for name, conn in tree["connections"].items():
                secret = ((tree.get("secrets") or {}).get("ike-%s" % name) or {}).get("secret")
                loaded[name] = {"conn": conn, "psk": swanctl.decode_secret(secret)}
        self.loaded = loaded
        return 0, "".join("loaded connection '%s'\n" % n for n in sorted(loaded)), ""

    # VICI
    def _call(self, command):
        if command in self.raise_on:
            raise self.raise_on[command]

    def stats(self):
        self._call("stats")
        return {"uptime": {"running": "5 minutes", "since": "May 10 09:00:00 2026"}, "plugins": list(self.plugins)}

    def list_conns(self):
        self._call("list-conns")
        return [{name: self._conn_view(name)} for name in sorted(self.loaded)]

    def list_sas(self):
        self._call("list-sas")
        return [{name: copy.deepcopy(sa)} for name, sa in sorted(self.sas.items())]

    def initiate(self, child, ike=None, timeout_ms=30000):
        self._call("initiate")
        self.events.append(initiate_cmd(child) if ike == child else "initiate %s %s" % (child, ike))
        if ike not in self.loaded:
            return False, ["[CFG] no config named '%s'" % ike, "[VICI] CHILD_SA config '%s' not found" % child]
        if ike in self.fail_initiate:
            return False, list(self.fail_initiate[ike])
        peer = swanctl._split(self.loaded[ike]["conn"]["remote_addrs"])[0]
        want = self.partner_psk.get(ike)
        if want is not None and self.loaded[ike]["psk"] != want:
            return False, ["[IKE] initiating IKE_SA %s[7] to %s" % (ike, peer),
                           "[ENC] parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]",
                           "[IKE] received AUTHENTICATION_FAILED notify error",
                           "[VICI] establishing CHILD_SA '%s' failed" % child]
        self.sas[ike] = self.make_sa(ike)
        if ike in self.on_initiate:
            self.on_initiate[ike](self)
        return True, ["[IKE] IKE_SA %s[7] established between 198.18.200.1[198.18.200.1]...%s[%s]" % (ike, peer, peer),
                      "[IKE] CHILD_SA %s{7} established with SPIs c1a2b3c4_i c5d6e7f8_o" % child]

    def terminate(self, ike=None, timeout_ms=5000, **_kw):
        self._call("terminate")
        self.events.append(terminate_cmd(ike))
        self.sas.pop(ike, None)
        hook, self.on_terminate = self.on_terminate, None
        if hook:
            hook(self)
        return True, ["[IKE] deleting IKE_SA %s[1]" % ike]

    # what charon reports
    def _conn_view(self, name):
        conn = self.loaded[name]["conn"]
        child = conn["children"][name]
        secs = swanctl.parse_seconds
        return {
            "local_addrs": swanctl._split(conn.get("local_addrs") or "%any"),
            "remote_addrs": swanctl._split(conn["remote_addrs"]),
            "version": "IKEv2", "reauth_time": str(secs(conn["reauth_time"])), "rekey_time": str(secs(conn["rekey_time"])),
            "unique": "UNIQUE_NO", "dpd_delay": str(secs(conn["dpd_delay"])),
            "local-1": {"id": conn["local"].get("id", "%any"), "class": "pre-shared key"},
            "remote-1": {"id": conn["remote"]["id"], "class": "pre-shared key"},
            "children": {name: {
                "mode": "TUNNEL", "rekey_time": str(secs(child["rekey_time"])), "rekey_bytes": "0", "rekey_packets": "0",
                "dpd_action": ipsec_status.ACTIONS[child["dpd_action"]],
                "close_action": ipsec_status.ACTIONS[child["close_action"]],
                "local-ts": swanctl._split(child["local_ts"]), "remote-ts": swanctl._split(child["remote_ts"])}},
        }

    def make_sa(self, name):
        """A freshly established SA for loaded conn ``name``, shaped like the real lab capture."""
        self._uid += 1
        conn = self.loaded[name]["conn"]
        child_conf = conn["children"][name]
        ike = ipsec_status.parse_proposal(swanctl._split(conn["proposals"])[0], "ike")
        esp = ipsec_status.parse_proposal(swanctl._split(child_conf["esp_proposals"])[0], "esp")
        sa = copy.deepcopy(REAL_SA)
        real_child = sa.pop("child-sas")["partner-northbank-1"]
        local = swanctl._split(conn.get("local_addrs") or "198.18.200.1")[0]
        remote = swanctl._split(conn["remote_addrs"])[0]
        sa.update({"uniqueid": str(self._uid), "local-host": local, "local-id": conn["local"].get("id", local),
                   "remote-host": remote, "remote-id": conn["remote"]["id"], "encr-alg": ike["encr"][0][0],
                   "encr-keysize": str(ike["encr"][0][1]), "prf-alg": ike["prf"][0], "dh-group": ike["dh"][0],
                   "established": "1"})
        sa.pop("integ-alg", None)
        if ike["integ"]:
            sa["integ-alg"] = ike["integ"][0]
        child = dict(real_child, name=name, uniqueid=str(self._uid), state="INSTALLED", **{
            "encr-alg": esp["encr"][0][0], "encr-keysize": str(esp["encr"][0][1]), "install-time": "1",
            "local-ts": swanctl._split(child_conf["local_ts"]), "remote-ts": swanctl._split(child_conf["remote_ts"])})
        child.pop("integ-alg", None)
        if esp["integ"]:
            child["integ-alg"] = esp["integ"][0]
        sa["child-sas"] = {"%s-%s" % (name, self._uid): child}
        return sa


class FakeSession:
    def __init__(self, charon):
        self.charon = charon

    def __enter__(self):
        if self.charon.down is not None:
            raise self.charon.down
        return self

    def __exit__(self, *exc):
        return False

    def stats(self):
        return self.charon.stats()

    def list_conns(self):
        return self.charon.list_conns()

    def list_sas(self):
        return self.charon.list_sas()

    def initiate(self, child, ike=None, timeout_ms=30000):
        return self.charon.initiate(child, ike=ike, timeout_ms=timeout_ms)

    def terminate(self, ike=None, timeout_ms=5000, **kw):
        return self.charon.terminate(ike=ike, timeout_ms=timeout_ms, **kw)


# -- the fake gateway -------------------------------------------------------------------------------
class FakeGateway(ipsec_backend.Gateway):
    """ipsec_backend.Gateway with real files under ``root`` and faked ``ip``, ``swanctl`` and VICI."""

    def __init__(self, root, interfaces, plugins, xfrm=True, routes=None):
        super().__init__(self._answer, root=str(root))
        self.interfaces = copy.deepcopy(interfaces)   # ``ip -d -j addr show`` entries
        self.events = []                              # executed changes, in the format of result["commands"]
        self.argv = []                                # every argv run
        self.file_ops = []                            # ("write"|"delete", path)
        self.ip_errors = {}                           # "link add ..." -> stderr of a failing ip command
        self.charon = FakeCharon(plugins, self.events)
        self.xfrm = xfrm
        self.routes = dict(ROUTES if routes is None else routes)
        self.sessions = 0

    def reset(self):
        del self.events[:]
        del self.argv[:]
        del self.file_ops[:]

    # adapter methods
    def vici(self):
        self.sessions += 1
        return FakeSession(self.charon)

    def xfrm_capable(self):
        return self.xfrm

    def write(self, path, content, mode):
        self.file_ops.append(("write", path))
        super().write(path, content, mode)

    def delete(self, path):
        self.file_ops.append(("delete", path))
        super().delete(path)

    # commands
    def _answer(self, argv):
        argv = list(argv)
        self.argv.append(argv)
        if argv == ["ip", "-d", "-j", "addr", "show"]:
            return 0, json.dumps(self.interfaces), ""
        if argv[:4] == ["ip", "-j", "route", "get"]:
            dev = self.routes.get(argv[4])
            if dev is None:
                return 2, "", "RTNETLINK answers: Network is unreachable\n"
            return 0, json.dumps([{"dst": argv[4], "gateway": "198.18.200.2", "dev": dev, "prefsrc": "198.18.200.1",
                                   "flags": [], "uid": 0, "cache": []}]), ""
        if argv[0] == "ip":
            self.events.append(" ".join(argv))
            if " ".join(argv[1:]) in self.ip_errors:
                return 2, "", self.ip_errors[" ".join(argv[1:])]
            return self.ip(argv[1:])
        if argv == ["swanctl", "--load-all", "--noprompt"]:
            self.events.append(LOAD)
            if self.charon.down is not None:  # what swanctl 5.9.8 answers when charon is gone (rc: the errno)
                return 111, "", SWANCTL_NO_CHARON
            return self.charon.load_all(self.owned_files(), self.root)
        raise AssertionError("unexpected command %r" % argv)

    def _dev(self, name):
        return next((e for e in self.interfaces if e["ifname"] == name), None)

    def ip(self, cmd):
        """Apply one ``ip`` command to the interface table like the kernel: (rc, stdout, stderr)."""
        if cmd[:2] == ["link", "add"]:
            name, lower, if_id = cmd[2], cmd[6], int(cmd[8])
            assert cmd[3:6] == ["type", "xfrm", "dev"] and cmd[7] == "if_id", cmd
            if self._dev(name):
                return 2, "", "RTNETLINK answers: File exists\n"
            if not self._dev(lower):
                return 1, "", 'Cannot find device "%s"\n' % lower
            self.interfaces.append({"ifindex": 100 + len(self.interfaces), "link": lower, "ifname": name,
                                    "flags": ["NOARP"], "mtu": 1500, "operstate": "DOWN",
                                    "linkinfo": {"info_kind": "xfrm", "info_data": {"if_id": hex(if_id)}},
                                    "addr_info": []})
            return 0, "", ""
        dev = self._dev(cmd[4] if cmd[0] == "addr" else cmd[2])
        if dev is None:
            return 1, "", 'Cannot find device "%s"\n' % (cmd[4] if cmd[0] == "addr" else cmd[2])
        if cmd[:2] == ["link", "del"]:
            self.interfaces.remove(dev)
        elif cmd[:2] == ["link", "set"] and cmd[3:] in (["up"], ["down"]):
            flags = [f for f in dev["flags"] if f not in ("UP", "LOWER_UP")]
            dev["flags"] = flags + (["UP", "LOWER_UP"] if cmd[3] == "up" else [])
        elif cmd[:2] == ["link", "set"] and cmd[3] == "alias":
            dev["ifalias"] = cmd[4]
        elif cmd[:2] == ["addr", "add"]:
            local, prefixlen = cmd[2].split("/")
            if any(a["local"] == local for a in dev.get("addr_info", [])):
                return 2, "", "RTNETLINK answers: File exists\n"
            dev.setdefault("addr_info", []).append({"family": "inet", "local": local, "prefixlen": int(prefixlen),
                                                    "scope": "global", "label": dev["ifname"]})
        elif cmd[:2] == ["addr", "del"]:
            local, prefixlen = cmd[2].split("/")
            kept = [a for a in dev.get("addr_info", []) if not (a["local"] == local and a["prefixlen"] == int(prefixlen))]
            if len(kept) == len(dev.get("addr_info", [])):
                return 2, "", "RTNETLINK answers: Cannot assign requested address\n"
            dev["addr_info"] = kept
        else:
            raise AssertionError("unexpected ip command %r" % cmd)
        return 0, "", ""

    def parsed_interfaces(self):
        return {n: dict(i, addresses=sorted(i["addresses"]))
                for n, i in iface.parse_ip_addr_json(json.dumps(self.interfaces)).items()}


def make_gateway(tmp_path, tunnels, plane, up=(), interfaces=None, plugins=None, xfrm=None, routes=None, extra_files=None):
    """A gateway converged on ``tunnels``: their rendered files on disk, their interfaces set by the
    real planner, the conns loaded and the SAs of ``up`` established."""
    root = tmp_path / "swanctl"
    if interfaces is None:
        interfaces = IP_GATEWAY if plane == "xfrm" else IP_LIBIPSEC
    if plugins is None:
        plugins = LIBIPSEC_PLUGINS if plane == "libipsec" else XFRM_PLUGINS
    gw = FakeGateway(root, interfaces, plugins, xfrm=(plane == "xfrm") if xfrm is None else xfrm, routes=routes)
    for path, (content, mode) in swanctl.render_files(tunnels, plane, root=gw.root).items():
        ipsec_backend.Gateway.write(gw, path, content, mode)
    for rel, content in (extra_files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for cmd in iface.plan_interfaces(iface.parse_ip_addr_json(json.dumps(gw.interfaces)), tunnels, plane, wan="eth1",
                                     state="merged", managed=tunnels):
        assert gw.ip(cmd)[0] == 0, cmd
    assert gw.charon.load_all(gw.owned_files(), gw.root)[0] == 0
    for name in up:
        gw.charon.sas[name] = gw.charon.make_sa(name) if name != NB_N else copy.deepcopy(REAL_SA)
    gw.reset()
    return gw


class Clock:
    def __init__(self):
        self.now = 0.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def apply(gw, tunnels, state, **kwargs):
    clock = Clock()
    kwargs.setdefault("verify_timeout", 5)
    return ipsec_backend.run(gw, tunnels, state, sleep=clock.sleep, clock=clock.time, **kwargs)


def tree(root):
    """{relative path: (bytes, mode)} of every file under ``root``."""
    root = pathlib.Path(root)
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mode & 0o777)
            for p in sorted(root.rglob("*")) if p.is_file()}


def conf(gw, name):
    return pathlib.Path(gw.root) / "conf.d" / ("paynet-%s.conf" % name)


def state_of(gw):
    return (tree(gw.root), gw.parsed_interfaces(), copy.deepcopy(gw.charon.loaded), copy.deepcopy(gw.charon.sas))


def assert_no_secret(*objects):
    text = json.dumps(objects, default=str)
    for secret in SECRETS + (KEY_BODY,):
        assert secret not in text


def healthy(gw, tunnels, plane):
    report = ipsec_status.evaluate(tunnels, gw.charon.list_sas(), gw.charon.list_conns(), data_plane=plane)
    return {t["name"]: t["healthy"] for t in report["tunnels"]}


# -- the fakes are faithful enough ------------------------------------------------------------------
def test_converged_fake_gateway_is_healthy_and_real_capture_fits(tmp_path):
    """The REAL lab SA evaluates healthy against charon's view of the rendered northbank conn, and so
    does an SA the fake makes on initiate."""
    gw = make_gateway(tmp_path, [NORTHBANK], "libipsec", up=[NB_N])
    assert gw.charon.sas[NB_N] == REAL_SA
    assert healthy(gw, [NORTHBANK], "libipsec") == {NB_N: True}
    gw.charon.sas[NB_N] = gw.charon.make_sa(NB_N)
    assert healthy(gw, [NORTHBANK], "libipsec") == {NB_N: True}
    # and the fake notices what charon would: a conn loaded from other files is stale
    gw.charon.loaded[NB_N]["conn"]["dpd_delay"] = "30s"
    assert healthy(gw, [NORTHBANK], "libipsec") == {NB_N: False}


# -- check mode ---------------------------------------------------------------------------------------
ACME_DPD30 = changed(ACME, dpd_delay=30)
SCENARIOS = {
    "libipsec merged adds eastbank": dict(plane="libipsec", before=[NORTHBANK], up=[NB_N], tunnels=[EASTBANK],
                                          state="merged", commands=[
                                              "ip addr add 169.254.10.17/30 dev ipsec0", LOAD, initiate_cmd(EB_N)]),
    "xfrm merged adds card": dict(plane="xfrm", before=[ACME, OLD], up=[ACME_N, OLD_N], tunnels=[CARD], state="merged",
                                  commands=["ip link add xfrm1287 type xfrm dev eth1 if_id 1287",
                                            "ip link set xfrm1287 alias paynet card_net main",
                                            "ip addr add 169.254.10.13/30 dev xfrm1287", "ip link set xfrm1287 up",
                                            LOAD, initiate_cmd(CARD_N)]),
    "xfrm replaced changes acme": dict(plane="xfrm", before=[ACME, OLD], up=[ACME_N, OLD_N], tunnels=[ACME_DPD30],
                                       state="replaced", commands=[terminate_cmd(ACME_N), LOAD, initiate_cmd(ACME_N)]),
    "xfrm overridden": dict(plane="xfrm", before=[ACME, OLD], up=[ACME_N, OLD_N], tunnels=[ACME, CARD],
                            state="overridden", commands=[
                                "ip link del xfrm1283", "ip link add xfrm1287 type xfrm dev eth1 if_id 1287",
                                "ip link set xfrm1287 alias paynet card_net main",
                                "ip addr add 169.254.10.13/30 dev xfrm1287", "ip link set xfrm1287 up",
                                terminate_cmd(OLD_N), LOAD, initiate_cmd(CARD_N)]),
    "xfrm deleted old": dict(plane="xfrm", before=[ACME, OLD], up=[ACME_N, OLD_N], tunnels=[OLD], state="deleted",
                             commands=["ip link del xfrm1283", terminate_cmd(OLD_N), LOAD]),
    "libipsec deleted all": dict(plane="libipsec", before=[NORTHBANK, EASTBANK], up=[NB_N], tunnels=[],
                                 state="deleted", commands=[
                                     "ip addr del 169.254.10.1/30 dev ipsec0", "ip addr del 169.254.10.17/30 dev ipsec0",
                                     terminate_cmd(NB_N), LOAD]),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_check_mode_changes_nothing_and_predicts_the_real_run(tmp_path, name):
    sc = SCENARIOS[name]
    gw = make_gateway(tmp_path / "check", sc["before"], sc["plane"], up=sc["up"])
    before = state_of(gw)
    predicted = apply(gw, sc["tunnels"], sc["state"], check_mode=True)
    assert predicted["changed"] is True
    assert predicted["commands"] == sc["commands"]
    assert state_of(gw) == before
    assert gw.events == [] and gw.file_ops == []
    assert all(argv[:3] in (["ip", "-d", "-j"], ["ip", "-j", "route"]) for argv in gw.argv)  # reads only
    assert "verification" not in predicted and "status" not in predicted

    real = make_gateway(tmp_path / "real", sc["before"], sc["plane"], up=sc["up"])
    result = apply(real, sc["tunnels"], sc["state"])
    assert real.events == predicted["commands"]  # exactly what check mode said, in that order
    for key in ("changed", "added", "removed", "modified", "dataplane"):
        assert result[key] == predicted[key], key
    assert json.loads(json.dumps(result["diff"]).replace(real.root, "ROOT")) == \
        json.loads(json.dumps(predicted["diff"]).replace(gw.root, "ROOT"))
    assert result["verification"]["down"] == []
    # the files now are exactly those the diff's "after" describes
    after = swanctl.plan(ipsec_backend.Gateway.owned_files(gw), sc["tunnels"], sc["state"], sc["plane"], root=gw.root)
    assert {os.path.relpath(p, gw.root): c for p, c in after.expected.items()} == \
        {os.path.relpath(p, real.root): c for p, c in real.owned_files().items()}
    assert_no_secret(predicted, result)


def test_check_mode_diff_masks_the_new_psk_and_marks_it_changed(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    result = apply(gw, [changed(ACME, auth={"method": "psk", "psk": PSK_ACME_NEW})], "replaced", check_mode=True)
    assert result["modified"] == [ACME_N] and result["commands"] == [terminate_cmd(ACME_N), LOAD, initiate_cmd(ACME_N)]
    assert "secret = %s (changed)" % MASK in result["diff"]["after"]
    assert "secret = %s\n" % MASK in result["diff"]["before"]
    assert_no_secret(result)
    assert conf(gw, ACME_N).read_text().count("secret = 0s") == 1 and gw.file_ops == []


# -- no-op ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("state", ["merged", "replaced", "overridden"])
@pytest.mark.parametrize("plane, tunnels, up", [("xfrm", [ACME, OLD], [ACME_N, OLD_N]),
                                                ("libipsec", [NORTHBANK, EASTBANK], [NB_N, EB_N])])
def test_noop_changes_nothing(tmp_path, plane, tunnels, up, state):
    gw = make_gateway(tmp_path, tunnels, plane, up=up)
    before = state_of(gw)
    result = apply(gw, tunnels, state)
    assert result["changed"] is False and result["commands"] == []
    assert result["added"] == result["removed"] == result["modified"] == []
    assert result["diff"]["before"] == result["diff"]["after"] == ""
    assert gw.events == [] and gw.file_ops == [] and state_of(gw) == before


def test_noop_check_mode_agrees(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N])
    assert apply(gw, [ACME], "merged", check_mode=True)["changed"] is False


# -- the states -----------------------------------------------------------------------------------------
def test_merged_adds_a_tunnel_and_leaves_the_others_up(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N, OLD_N])
    acme_sa = copy.deepcopy(gw.charon.sas[ACME_N])
    acme_file = conf(gw, ACME_N).read_bytes()
    result = apply(gw, [CARD], "merged")
    assert result["changed"] and result["added"] == [CARD_N] and result["removed"] == result["modified"] == []
    assert result["dataplane"] == "xfrm"
    assert gw.file_ops == [("write", str(conf(gw, CARD_N)))]
    assert oct(conf(gw, CARD_N).stat().st_mode & 0o777) == "0o600"
    assert conf(gw, ACME_N).read_bytes() == acme_file
    assert gw.charon.sas[ACME_N] == acme_sa  # never terminated or re-initiated
    card = gw.parsed_interfaces()["xfrm1287"]
    assert card == {"kind": "xfrm", "if_id": 1287, "link": "eth1", "alias": "paynet card_net main",
                    "addresses": ["169.254.10.13/30"], "up": True}
    assert set(gw.charon.loaded) == {ACME_N, OLD_N, CARD_N}
    assert result["verification"] == {"required_up": [ACME_N, CARD_N, OLD_N], "down": []}
    assert [t["name"] for t in result["status"]] == [ACME_N, CARD_N, OLD_N]
    assert all(t["healthy"] for t in result["status"])


def test_replaced_modifies_and_reestablishes_only_that_tunnel(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N, OLD_N])
    old_sa, acme_uid = copy.deepcopy(gw.charon.sas[OLD_N]), gw.charon.sas[ACME_N]["uniqueid"]
    result = apply(gw, [ACME_DPD30], "replaced")
    assert result["modified"] == [ACME_N] and result["added"] == result["removed"] == []
    assert gw.events == [terminate_cmd(ACME_N), LOAD, initiate_cmd(ACME_N)]
    assert gw.charon.sas[ACME_N]["uniqueid"] != acme_uid and gw.charon.sas[OLD_N] == old_sa
    assert gw.charon.list_conns()[0][ACME_N]["dpd_delay"] == "30"
    assert swanctl.tunnels_from_files(gw.owned_files(), gw.root)[0] == ACME_DPD30


def test_replaced_psk_to_new_psk_writes_it_base64(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    gw.charon.partner_psk[ACME_N] = PSK_ACME_NEW  # the partner changed first
    apply(gw, [changed(ACME, auth={"method": "psk", "psk": PSK_ACME_NEW})], "replaced")
    assert gw.charon.loaded[ACME_N]["psk"] == PSK_ACME_NEW and ACME_N in gw.charon.sas
    assert PSK_ACME_NEW not in conf(gw, ACME_N).read_text()  # 0s<base64>, never in clear


def test_overridden_removes_every_other_paynet_tunnel_and_nothing_else(tmp_path):
    extra = {"conf.d/ops.conf": "connections {\n}\n", "conf.d/paynet-x.conf.bak": "# old\n"}
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N, OLD_N], extra_files=extra)
    foreign = {n: i for n, i in gw.parsed_interfaces().items() if not iface.is_ours(n, i)}
    result = apply(gw, [ACME, CARD], "overridden")
    assert result["removed"] == [OLD_N] and result["added"] == [CARD_N] and result["modified"] == []
    assert not conf(gw, OLD_N).exists() and conf(gw, CARD_N).exists()
    files = tree(gw.root)
    assert files["conf.d/ops.conf"][0] == b"connections {\n}\n" and files["conf.d/paynet-x.conf.bak"][0] == b"# old\n"
    assert OLD_N not in gw.charon.sas and OLD_N not in gw.charon.loaded
    now = gw.parsed_interfaces()
    assert "xfrm1283" not in now and "xfrm1287" in now and "xfrm1281" in now
    assert {n: now[n] for n in foreign} == foreign  # xfrm7, xfrm99, eth*, ipsec0 untouched
    assert result["verification"]["required_up"] == [ACME_N, CARD_N]


def test_deleted_listed_tunnel_only(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N, OLD_N])
    acme_sa = copy.deepcopy(gw.charon.sas[ACME_N])
    result = apply(gw, [OLD], "deleted")
    assert result["removed"] == [OLD_N] and result["added"] == result["modified"] == []
    assert gw.file_ops == [("delete", str(conf(gw, OLD_N)))]
    assert not any(e.startswith("swanctl --initiate") for e in gw.events)
    assert gw.charon.sas == {ACME_N: acme_sa} and set(gw.charon.loaded) == {ACME_N}
    assert "xfrm1283" not in gw.parsed_interfaces()
    assert result["verification"] == {"required_up": [ACME_N], "down": []}


def test_deleted_empty_list_removes_all_paynet_tunnels(tmp_path):
    gw = make_gateway(tmp_path, [NORTHBANK, EASTBANK], "libipsec", up=[NB_N, EB_N])
    result = apply(gw, [], "deleted")
    assert result["removed"] == [EB_N, NB_N]
    assert gw.owned_files() == {} and gw.charon.loaded == {} and gw.charon.sas == {}
    # only the inside addresses of our tunnels go; 169.254.10.9/30 (no paynet file) and 10.99.0.1/24 stay
    assert gw.parsed_interfaces()["ipsec0"]["addresses"] == ["10.99.0.1/24", "169.254.10.9/30"]


def test_start_action_trap_is_loaded_but_not_initiated(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    trap = changed(CARD, start_action="trap")
    result = apply(gw, [trap], "merged")
    assert result["added"] == [CARD_N] and initiate_cmd(CARD_N) not in gw.events
    assert CARD_N in gw.charon.loaded and CARD_N not in gw.charon.sas
    assert result["verification"]["required_up"] == [ACME_N]


# -- charon lost the conn -------------------------------------------------------------------------------
def test_conn_not_loaded_although_files_equal_is_loaded_and_initiated(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[OLD_N])
    del gw.charon.loaded[ACME_N]  # e.g. charon restarted without --load-all
    files = tree(gw.root)
    predicted = apply(gw, [ACME], "merged", check_mode=True)
    assert predicted["changed"] is True and predicted["commands"] == [LOAD, initiate_cmd(ACME_N)]
    assert predicted["diff"]["before"] == predicted["diff"]["after"] == ""
    result = apply(gw, [ACME], "merged")
    assert gw.events == [LOAD, initiate_cmd(ACME_N)] and gw.file_ops == [] and tree(gw.root) == files
    assert result["changed"] and result["added"] == result["modified"] == []
    assert ACME_N in gw.charon.loaded and ACME_N in gw.charon.sas
    assert result["verification"] == {"required_up": [ACME_N, OLD_N], "down": []}


# -- failures and rollback ------------------------------------------------------------------------------
def test_failed_verification_restores_files_byte_for_byte_and_says_why(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N, OLD_N])
    gw.charon.partner_psk[ACME_N] = PSK_ACME  # the partner still has the old key
    files, interfaces = tree(gw.root), gw.parsed_interfaces()
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [changed(ACME, auth={"method": "psk", "psk": PSK_ACME_NEW})], "replaced")
    message, result = str(err.value), err.value.result
    assert "verification failed: partner-acme_bank: authentication failed" in message
    assert "rolled back to the previous configuration" in message and "still differ" not in message
    assert result["rolled_back"] is True and result["verification"]["down"] == [ACME_N]
    assert tree(gw.root) == files and gw.parsed_interfaces() == interfaces
    # the old key is loaded again and the tunnel re-established with it
    assert gw.charon.loaded[ACME_N]["psk"] == PSK_ACME and ACME_N in gw.charon.sas
    assert gw.events == [terminate_cmd(ACME_N), LOAD, initiate_cmd(ACME_N),     # the change
                         LOAD, terminate_cmd(ACME_N), initiate_cmd(ACME_N)]     # the rollback
    assert result["rollback_commands"] == [LOAD]
    assert_no_secret(message, result)


@pytest.mark.parametrize("lines, reason", [
    (["[IKE] received NO_PROPOSAL_CHOSEN notify error"], "no proposal chosen"),
    (["[IKE] retransmit 5 of request with message ID 0", "[IKE] giving up after 5 retransmits"],
     "the partner gateway does not answer"),
    (["[IKE] received TS_UNACCEPTABLE notify, no CHILD_SA built"], "traffic selectors unacceptable"),
    (["[VICI] establishing CHILD_SA 'partner-card_net' failed"], "IKE SA down"),  # no hint: evaluate's reason
])
def test_failed_initiate_names_the_reason_from_charons_log(tmp_path, lines, reason):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    gw.charon.fail_initiate[CARD_N] = lines
    with pytest.raises(ChangeFailed, match="partner-card_net: %s" % reason) as err:
        apply(gw, [CARD], "merged")
    assert err.value.result["rolled_back"] is True and not conf(gw, CARD_N).exists()
    assert "xfrm1287" not in gw.parsed_interfaces() and CARD_N not in gw.charon.loaded


def test_load_all_failure_rolls_back_files_and_interfaces(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N, OLD_N])
    gw.charon.load_results = [(1, "loading connection 'partner-card_net' failed: invalid value for proposals\n"
                                  "loaded 2 of 3 connections, 1 failed to load\n")]
    files, interfaces, sas = tree(gw.root), gw.parsed_interfaces(), copy.deepcopy(gw.charon.sas)
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [CARD], "merged")
    message = str(err.value)
    assert message.startswith("applying the change failed: swanctl --load-all failed: ")
    assert "loaded 2 of 3 connections, 1 failed to load" in message and "rolled back" in message
    assert err.value.result["rolled_back"] is True
    assert tree(gw.root) == files and gw.parsed_interfaces() == interfaces and gw.charon.sas == sas
    assert not any(e.startswith("swanctl --initiate") for e in gw.events)
    assert err.value.result["rollback_commands"][-1] == LOAD
    assert "ip link del xfrm1287" in err.value.result["rollback_commands"]


def kill_charon(gw, back_after=None):
    """charon dies (its VICI socket refuses); with ``back_after`` its service manager restarts it after that many
    failed connection attempts: a fresh charon, nothing loaded, no SA."""
    gw.charon.down = vici.ViciConnectError("charon is not running or VICI is not enabled: nothing listens on "
                                           "/var/run/charon.vici")
    gw.charon.sas.clear()
    gw.charon.loaded.clear()
    for entry in gw.interfaces:  # kernel-libipsec's TUN device goes with charon: a new ipsec0 has no address of ours
        if entry["ifname"] == "ipsec0":
            entry["addr_info"] = [a for a in entry.get("addr_info", []) if a.get("family") != "inet"]
    if back_after is None:
        return
    real_vici, tries = gw.vici, []

    def vici_then_back():
        if gw.charon.down is not None:
            tries.append(1)
            if len(tries) > back_after:
                gw.charon.down = None
        return real_vici()
    gw.vici = vici_then_back


def test_charon_killed_during_the_change_is_waited_for_and_gets_the_old_config(tmp_path):
    gw = make_gateway(tmp_path, [NORTHBANK], "libipsec", up=[NB_N])
    files, interfaces = tree(gw.root), gw.parsed_interfaces()
    # charon dies right after the old SA was terminated, before --load-all; it is restarted a moment later
    gw.charon.on_terminate = lambda charon: kill_charon(gw, back_after=3)
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [changed(NORTHBANK, dpd_delay=7)], "replaced")
    message, result = str(err.value), err.value.result
    assert message.startswith("charon stopped answering while the change was applied (swanctl --load-all: "
                              "connecting to 'unix:///var/run/charon.vici' failed: Connection refused)")
    assert "rolled back to the previous configuration" in message and "usage" not in message
    assert result["rolled_back"] is True and result["charon_restarted"].startswith("charon answered again")
    # the new charon has the old config loaded, its new ipsec0 our inside addresses (only those: 10.99.0.1/24 is
    # not ours), and the tunnel is up again
    assert tree(gw.root) == files
    now = gw.parsed_interfaces()
    assert now["ipsec0"]["addresses"] == [a for a in interfaces["ipsec0"]["addresses"] if a.startswith("169.254.")]
    assert {n: i for n, i in now.items() if n != "ipsec0"} == {n: i for n, i in interfaces.items() if n != "ipsec0"}
    assert result["rollback_commands"] == ["ip addr add 169.254.10.9/30 dev ipsec0", "ip addr add 169.254.10.1/30 dev ipsec0",
                                           LOAD]
    assert set(gw.charon.loaded) == {NB_N} and NB_N in gw.charon.sas
    assert_no_secret(message, result)


def test_charon_gone_before_the_terminate_is_named_without_the_start_advice(tmp_path):
    gw = make_gateway(tmp_path, [NORTHBANK], "libipsec", up=[NB_N])
    files = tree(gw.root)
    real_vici, calls = gw.vici, []

    def vici_dies_after_gather():  # charon SIGKILLed once the change is armed: the terminate cannot connect
        calls.append(1)
        if len(calls) == 2:
            kill_charon(gw, back_after=2)
        return real_vici()
    gw.vici = vici_dies_after_gather
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [changed(NORTHBANK, dpd_delay=7)], "replaced")
    message = str(err.value)
    assert message == ("charon stopped answering while the change was applied (charon is not running or VICI is not "
                       "enabled: nothing listens on /var/run/charon.vici); rolled back to the previous configuration")
    assert err.value.result["charon_restarted"] and tree(gw.root) == files and NB_N in gw.charon.sas


def test_charon_that_does_not_come_back_leaves_the_old_files_and_says_so(tmp_path):
    gw = make_gateway(tmp_path, [NORTHBANK], "libipsec", up=[NB_N])
    files = tree(gw.root)
    gw.charon.on_terminate = lambda charon: kill_charon(gw)
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [changed(NORTHBANK, dpd_delay=7)], "replaced")
    message = str(err.value)
    assert message.startswith("charon stopped answering while the change was applied")
    assert "ROLLBACK FAILED too: charon is not running and did not answer again within 5s: the paynet-* files are " \
           "restored byte-exact, so charon loads the previous configuration when it is started" in message
    assert tree(gw.root) == files and err.value.result["rolled_back"] is False


def test_load_all_failure_message_leaves_out_swanctls_usage_text(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    gw.charon.load_results = [(22, "loading connection 'partner-card_net' failed: invalid value for: proposals, config "
                                   "discarded\nloaded 1 of 2 connections, 1 failed to load, 0 unloaded\n"
                                   "strongSwan 5.9.8 swanctl\nusage:\n  swanctl --load-all [--raw|--pretty]\n"
                                   "           --uri             (-u)  service URI to connect to\n")]
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [CARD], "merged")
    assert str(err.value).startswith("applying the change failed: swanctl --load-all failed: loading connection "
                                     "'partner-card_net' failed: invalid value for: proposals, config discarded | "
                                     "loaded 1 of 2 connections, 1 failed to load, 0 unloaded; rolled back")


def test_failed_ip_command_rolls_back(tmp_path):
    gw = make_gateway(tmp_path, [NORTHBANK], "libipsec", up=[NB_N])
    gw.ip_errors["addr add 169.254.10.17/30 dev ipsec0"] = "RTNETLINK answers: Permission denied\n"
    files = tree(gw.root)
    with pytest.raises(ChangeFailed,
                       match=r"'ip addr add 169.254.10.17/30 dev ipsec0' failed: RTNETLINK answers: Permission denied"
                             r".*rolled back") as err:
        apply(gw, [EASTBANK], "merged")
    assert err.value.result["rolled_back"] is True and tree(gw.root) == files
    assert NB_N in gw.charon.sas and set(gw.charon.loaded) == {NB_N}


def test_rollback_disabled_keeps_the_partial_change_and_says_so(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    gw.charon.partner_psk[ACME_N] = PSK_ACME
    new = changed(ACME, auth={"method": "psk", "psk": PSK_ACME_NEW})
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [new], "replaced", rollback=False)
    message = str(err.value)
    assert "partner-acme_bank: authentication failed" in message
    assert "rollback disabled, the gateway keeps the partial change" in message
    assert err.value.result["rolled_back"] is False and "rollback_commands" not in err.value.result
    assert swanctl.tunnels_from_files(gw.owned_files(), gw.root) == [new]  # the new files stay
    assert gw.events == [terminate_cmd(ACME_N), LOAD, initiate_cmd(ACME_N)]  # no reload, no re-initiate
    assert_no_secret(message, err.value.result)


def test_a_change_that_drops_an_untouched_tunnel_is_rolled_back(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N, OLD_N])
    gw.charon.on_initiate[CARD_N] = lambda charon: charon.sas.pop(OLD_N)  # bringing up card_net kills old_partner
    files, interfaces = tree(gw.root), gw.parsed_interfaces()
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [CARD], "merged")
    result = err.value.result
    assert result["verification"] == {"required_up": [ACME_N, CARD_N, OLD_N], "down": [OLD_N]}
    assert "verification failed: partner-old_partner: IKE SA down" in str(err.value)
    assert "partner-card_net:" not in str(err.value)  # card_net itself came up
    assert result["rolled_back"] is True and tree(gw.root) == files and gw.parsed_interfaces() == interfaces
    assert CARD_N not in gw.charon.sas and CARD_N not in gw.charon.loaded
    # the rollback brings the dropped tunnel back (it was up before the change)
    assert OLD_N in gw.charon.sas and ACME_N in gw.charon.sas
    assert healthy(gw, [ACME, OLD], "xfrm") == {ACME_N: True, OLD_N: True}


def test_tunnel_down_before_the_change_does_not_fail_it(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N])  # old_partner was already down
    result = apply(gw, [CARD], "merged")
    assert result["verification"] == {"required_up": [ACME_N, CARD_N], "down": []}


def test_charon_failing_during_initiate_is_rolled_back(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    files = tree(gw.root)
    gw.charon.raise_on["initiate"] = vici.ViciTimeout("charon did not answer 'initiate' within 40s", "initiate")
    with pytest.raises(ChangeFailed, match="charon did not answer 'initiate'.*rolled back") as err:
        apply(gw, [CARD], "merged")
    assert err.value.result["rolled_back"] is True and tree(gw.root) == files
    assert "xfrm1287" not in gw.parsed_interfaces() and CARD_N not in gw.charon.loaded


def test_rollback_restores_a_crlf_file_byte_for_byte(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    path = conf(gw, ACME_N)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # edited on Windows: charon does not mind
    gw.charon.partner_psk[ACME_N] = PSK_ACME
    files = tree(gw.root)
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [changed(ACME, auth={"method": "psk", "psk": PSK_ACME_NEW})], "replaced")
    assert err.value.result["rolled_back"] is True
    assert tree(gw.root) == files


def test_xfrm_delete_all_rollback_recreates_the_interfaces(tmp_path):
    gw = make_gateway(tmp_path, [ACME, OLD], "xfrm", up=[ACME_N, OLD_N])
    gw.charon.load_results = [(22, "loading connection 'ops' failed: unable to resolve 'vpn.ops.example'\n")]
    files, interfaces = tree(gw.root), gw.parsed_interfaces()
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [], "deleted")  # no tunnels listed: no WAN device was looked up
    assert "ROLLBACK FAILED" not in str(err.value)
    assert err.value.result["rolled_back"] is True
    assert tree(gw.root) == files and gw.parsed_interfaces() == interfaces  # same lower device, if_id, alias, address
    assert ACME_N in gw.charon.sas and OLD_N in gw.charon.sas


def test_hand_written_paynet_file_without_meta_does_not_break_the_rollback(tmp_path):
    """Like the lab's hand-written paynet-test.conf: no '# paynet-meta' lines, so no inside network."""
    text = swanctl.render_conf(NORTHBANK, "libipsec")
    hand = "".join(line + "\n" for line in text.splitlines() if not line.startswith("#"))
    gw = make_gateway(tmp_path, [], "libipsec", extra_files={"conf.d/paynet-test.conf": hand})
    gw.ip(["addr", "add", "169.254.10.1/30", "dev", "ipsec0"])
    assert gw.charon.load_all(gw.owned_files(), gw.root)[0] == 0
    gw.charon.sas[NB_N] = copy.deepcopy(REAL_SA)
    gw.reset()
    gw.charon.load_results = [(1, "loading connection 'partner-eastbank' failed\n")]
    files, interfaces = tree(gw.root), gw.parsed_interfaces()
    with pytest.raises(ChangeFailed) as err:
        apply(gw, [EASTBANK], "merged")
    assert "ROLLBACK FAILED" not in str(err.value) and err.value.result["rolled_back"] is True
    assert tree(gw.root) == files and gw.parsed_interfaces() == interfaces


def test_refused_rollback_ip_command_does_not_stop_the_rollback(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    gw.charon.load_results = [(1, "loading connection 'partner-card_net' failed\n")]
    gw.ip_errors["link del xfrm1287"] = "RTNETLINK answers: Operation not permitted\n"
    files = tree(gw.root)
    with pytest.raises(ChangeFailed, match="ROLLBACK FAILED too: 'ip link del xfrm1287' failed: "
                                           "RTNETLINK answers: Operation not permitted") as err:
        apply(gw, [CARD], "merged")
    assert err.value.result["rolled_back"] is False
    assert tree(gw.root) == files  # files restored and reloaded all the same
    assert gw.events[-3:] == ["ip link del xfrm1287", LOAD, terminate_cmd(CARD_N)]


def test_rollback_that_fails_says_so(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    gw.charon.load_results = [(1, "loading connection 'partner-card_net' failed\n"), (1, "charon is gone\n")]
    with pytest.raises(ChangeFailed, match="ROLLBACK FAILED too: swanctl --load-all failed: charon is gone"
                                           ".*needs a look now") as err:
        apply(gw, [CARD], "merged")
    assert err.value.result["rolled_back"] is False


# -- data plane ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("plugins, xfrm, wanted, plane, why", [
    (LIBIPSEC_PLUGINS, True, "auto", "libipsec", "charon has kernel-libipsec loaded"),
    (LIBIPSEC_PLUGINS, False, "auto", "libipsec", "charon has kernel-libipsec loaded"),
    (XFRM_PLUGINS, True, "auto", "xfrm", "the kernel supports XFRM interfaces"),
    (XFRM_PLUGINS, True, "xfrm", "xfrm", "requested"),
    (LIBIPSEC_PLUGINS, True, "libipsec", "libipsec", "requested"),
])
def test_dataplane_detection(tmp_path, plugins, xfrm, wanted, plane, why):
    gw = FakeGateway(tmp_path, IP_GATEWAY, plugins, xfrm=xfrm)
    assert ipsec_backend.detect_dataplane(gw, wanted) == (plane, why)
    with gw.vici() as session:
        assert ipsec_backend.detect_dataplane(gw, wanted, session) == (plane, why)


@pytest.mark.parametrize("plugins, xfrm, wanted, needles", [
    (XFRM_PLUGINS, False, "auto", ["neither XFRM interfaces in the kernel (xfrm_interface) nor charon's "
                                   "kernel-libipsec plugin", "docs/ipsec.md"]),
    (LIBIPSEC_PLUGINS, True, "xfrm", ["dataplane=xfrm but charon runs the userspace kernel-libipsec data plane",
                                      "XFRM interfaces would never carry traffic"]),
    (XFRM_PLUGINS, True, "libipsec", ["dataplane=libipsec but charon has not loaded the kernel-libipsec plugin"]),
])
def test_dataplane_errors_change_nothing(tmp_path, plugins, xfrm, wanted, needles):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N], plugins=plugins, xfrm=xfrm)
    before = state_of(gw)
    with pytest.raises(ipsec_backend.IpsecError) as err:
        apply(gw, [CARD], "merged", dataplane=wanted)
    for needle in needles:
        assert needle in str(err.value)
    assert state_of(gw) == before and gw.events == [] and gw.file_ops == []


def test_charon_not_running_is_a_clear_error(tmp_path):
    gw = FakeGateway(tmp_path, IP_GATEWAY, XFRM_PLUGINS)
    # what ViciSession.connect raises when the socket is missing (the module reports IpsecError only)
    gw.charon.down = vici.ViciConnectError("charon is not running or VICI is not enabled: socket "
                                           "/var/run/charon.vici does not exist")
    for call in (lambda: apply(gw, [CARD], "merged"), lambda: ipsec_backend.gather(gw)):
        with pytest.raises(ipsec_backend.IpsecError, match=r"cannot talk to charon over VICI \(charon is not running.*"
                                                           r"does not exist\): is strongSwan \(charon\) running"):
            call()
    gw.charon.down = None
    gw.charon.raise_on["list-sas"] = vici.ViciTimeout("charon did not answer 'list-sas' within 10s")
    with pytest.raises(ipsec_backend.IpsecError, match="charon did not answer 'list-sas'"):
        apply(gw, [CARD], "merged")
    del gw.charon.raise_on["list-sas"]
    gw.charon.raise_on["stats"] = vici.ViciError("stats failed")
    with pytest.raises(ipsec_backend.IpsecError, match=r"cannot talk to charon over VICI \(stats failed\): is strongSwan"):
        apply(gw, [CARD], "merged")
    assert gw.file_ops == []


@pytest.mark.parametrize("isdir, rc, capable", [(True, None, True), (False, 0, True), (False, 1, False)])
def test_real_gateway_xfrm_capable_never_loads_a_module(monkeypatch, isdir, rc, capable):
    calls = []

    def run(argv):
        calls.append(argv)
        return rc, "", ""

    monkeypatch.setattr(ipsec_backend.os.path, "isdir", lambda path: isdir and path == "/sys/module/xfrm_interface")
    assert ipsec_backend.Gateway(run).xfrm_capable() is capable
    assert calls == ([] if isdir else [["modprobe", "-n", "-q", "xfrm_interface"]])  # -n: dry run


# -- WAN interface for XFRM ----------------------------------------------------------------------------
def test_xfrm_without_a_single_wan_interface_is_an_error_naming_wan_interface(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N], routes=dict(ROUTES, **{CARD["peer_gateway"]: "eth0"}))
    before = state_of(gw)
    with pytest.raises(ipsec_backend.IpsecError, match=r"routes to the peer gateways leave by eth0, eth1\): set wan_interface"):
        apply(gw, [ACME, CARD], "merged")
    gw.routes = {}
    with pytest.raises(ipsec_backend.IpsecError, match=r"leave by no interface\): set wan_interface"):
        apply(gw, [ACME, CARD], "merged")
    assert state_of(gw) == before and gw.file_ops == []


def test_xfrm_wan_from_the_route_or_given(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N], routes=dict(ROUTES, **{CARD["peer_gateway"]: "eth1"}))
    result = apply(gw, [CARD], "merged", check_mode=True)
    assert "ip link add xfrm1287 type xfrm dev eth1 if_id 1287" in result["commands"]
    assert ["ip", "-j", "route", "get", CARD["peer_gateway"]] in gw.argv
    gw.reset()
    gw.routes = {}
    result = apply(gw, [CARD], "merged", check_mode=True, wan="eth0")
    assert "ip link add xfrm1287 type xfrm dev eth0 if_id 1287" in result["commands"]
    assert not any(argv[:3] == ["ip", "-j", "route"] for argv in gw.argv)


def test_libipsec_needs_no_wan(tmp_path):
    gw = make_gateway(tmp_path, [NORTHBANK], "libipsec", up=[NB_N], routes={})
    assert apply(gw, [EASTBANK], "merged")["verification"]["down"] == []


def test_planning_conflict_is_an_ipsec_error_and_changes_nothing(tmp_path):
    foreign = copy.deepcopy(IP_GATEWAY) + [{"ifindex": 50, "link": "eth1", "ifname": "xfrm1287", "flags": ["NOARP", "UP"],
                                            "ifalias": "ops test", "linkinfo": {"info_kind": "xfrm",
                                                                                "info_data": {"if_id": "0x507"}},
                                            "addr_info": []}]
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N], interfaces=foreign)
    before = state_of(gw)
    with pytest.raises(ipsec_backend.IpsecError, match="interface xfrm1287 exists and is not managed by paynet"):
        apply(gw, [CARD], "merged")
    assert state_of(gw) == before and gw.events == []


# -- gathered -------------------------------------------------------------------------------------------
def test_gather_masks_the_psk_and_never_returns_the_key(tmp_path):
    pubkey = tunnel("partner-paycloud", "169.254.10.20/30", "198.18.200.9", None,
                    auth={"method": "pubkey", "ca_cert": CA, "cert": CERT, "key": KEY}, remote_id="CN=vpn.paycloud.example")
    gw = make_gateway(tmp_path, [NORTHBANK, pubkey], "libipsec")
    result = ipsec_backend.gather(gw)
    assert result["dataplane"] == "libipsec" and result["dataplane_reason"] == "charon has kernel-libipsec loaded"
    got = {t["name"]: t for t in result["gathered"]["tunnels"]}
    assert got[NB_N]["auth"] == {"method": "psk", "psk": MASK}
    assert got["partner-paycloud"]["auth"] == {"method": "pubkey", "ca_cert": CA, "cert": CERT, "key": MASK}
    assert got[NB_N] == dict(NORTHBANK, auth={"method": "psk", "psk": MASK})
    assert_no_secret(result)
    assert "PRIVATE KEY" not in json.dumps(result)
    assert gw.events == [] and gw.file_ops == []


def test_a_refusal_by_the_partner_rolls_back_at_once_without_waiting_for_verify_timeout(tmp_path):
    """AUTHENTICATION_FAILED is final: polling for verify_timeout would only keep BGP down longer."""
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    gw.charon.fail_initiate[CARD_N] = ["[IKE] received AUTHENTICATION_FAILED notify error"]

    def no_sleep(_seconds):
        raise AssertionError("the module waited although the partner had refused")

    with pytest.raises(ChangeFailed, match="partner-card_net: authentication failed") as err:
        ipsec_backend.run(gw, [CARD], "merged", verify_timeout=30, sleep=no_sleep)
    assert err.value.result["rolled_back"] is True and not conf(gw, CARD_N).exists()
    assert err.value.result["verification"]["down"] == [CARD_N]


def test_old_sas_are_terminated_before_the_reload_so_nothing_is_negotiated_twice(tmp_path):
    gw = make_gateway(tmp_path, [ACME], "xfrm", up=[ACME_N])
    result = apply(gw, [changed(ACME, dpd_delay=7)], "replaced")
    assert result["commands"] == [terminate_cmd(ACME_N), LOAD, initiate_cmd(ACME_N)]
    assert gw.events == result["commands"]


def test_interface_only_change_runs_exactly_the_predicted_commands(tmp_path):
    # files and SAs as intended, only the inside address is gone (e.g. after a reboot): the real run
    # re-adds it and does nothing else - no hidden `swanctl --load-all` that check mode did not show
    runs = {}
    for mode in ("check", "real"):
        gw = make_gateway(tmp_path / mode, [NORTHBANK], "libipsec", up=[NB_N])
        assert gw.ip(["addr", "del", "169.254.10.1/30", "dev", "ipsec0"])[0] == 0
        gw.reset()
        runs[mode] = (gw, apply(gw, [NORTHBANK], "merged", check_mode=(mode == "check")))
    predicted = runs["check"][1]
    assert predicted["changed"] is True and predicted["commands"] == ["ip addr add 169.254.10.1/30 dev ipsec0"]
    real_gw, real = runs["real"]
    assert real_gw.events == predicted["commands"] == real["commands"]
