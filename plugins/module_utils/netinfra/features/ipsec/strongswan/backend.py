# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ipsec_tunnel's backend for strongSwan on core.transaction, run on the VPN gateway.

gather once (our swanctl files, interfaces, charon's conns and SAs) -> plan locally (files +
interface commands) -> check mode stops here -> write files, set interfaces, ``swanctl
--load-all``, (re)initiate the changed tunnels in parallel -> verify that their IKE and CHILD SAs
are up with the intended algorithms and that tunnels that were up still are (a definitive refusal
by the partner fails at once) -> done, or restore the files byte for byte and the interfaces,
reload, re-initiate what was dropped and fail with a per-tunnel reason.

The gateway is reached through :class:`Gateway` (a :class:`~...devices.linux.LinuxHost` with VICI
and the XFRM capability), so unit tests drive the transaction with a fake and the module with the
real host. No Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os
import time
from types import SimpleNamespace
from concurrent.futures import ThreadPoolExecutor

from ....core import transaction
from ....devices import linux, vici
from . import iface, swanctl
from . import offline as ipsec_offline
from . import status as ipsec_status

DATAPLANES = ("auto", "xfrm", "libipsec")
OWNED_GLOBS = ("conf.d/paynet-*.conf", "x509ca/paynet-*", "x509/paynet-*", "private/paynet-*")
LOAD_ALL = "swanctl --load-all --noprompt"
# charon log lines that explain a failed initiate, most specific first
FAILURE_HINTS = (
    ("AUTHENTICATION_FAILED", "authentication failed: the pre-shared key or certificate does not match the partner's"),
    ("NO_PROPOSAL_CHOSEN", "no proposal chosen: the partner accepts none of our IKE/ESP proposals"),
    ("TS_UNACCEPTABLE", "traffic selectors unacceptable to the partner: check traffic_selectors/inside on both sides"),
    ("INVALID_KE_PAYLOAD", "the partner wants a different DH group"),
    ("no shared key found", "no pre-shared key loaded for these identities"),
    ("no trusted", "the partner's certificate is not trusted by the configured CA, or its identity does not match remote_id"),
    ("constraint check failed", "the partner's identity does not match remote_id"),
    ("giving up after", "the partner gateway does not answer (IKE retransmits gave up): check UDP 500/4500 reachability"),
    ("peer not responding", "the partner gateway does not answer"),
    ("establishing CHILD_SA", None),
)
# answers after which waiting for the SA is pointless: the change fails (and rolls back) at once
DEFINITIVE = ("AUTHENTICATION_FAILED", "NO_PROPOSAL_CHOSEN", "TS_UNACCEPTABLE", "no shared key found", "no trusted",
              "constraint check failed")


class IpsecError(Exception):
    """A failure before anything was changed (bad environment, charon down, ...)."""


class CharonGone(IpsecError):
    """charon stopped answering (its VICI socket refuses connections or is gone): killed, crashed, restarting."""


class Gateway(linux.LinuxHost):
    """The real gateway: files under ``root``, ``ip`` and ``swanctl`` through ``run`` (argv ->
    (rc, stdout, stderr)), charon through VICI."""

    def __init__(self, run, root="/etc/swanctl", vici_path="/var/run/charon.vici"):
        super().__init__(run)
        self.root = root
        self.vici_path = vici_path

    def owned_files(self):
        return self.read_files(self.root, OWNED_GLOBS)

    def vici(self):
        return vici.ViciSession(self.vici_path)

    def xfrm_capable(self):
        """Can this kernel create XFRM interfaces? (never creates anything)"""
        if os.path.isdir("/sys/module/xfrm_interface"):
            return True
        rc, _out, _err = self.run(["modprobe", "-n", "-q", "xfrm_interface"])
        return rc == 0


def detect_dataplane(gateway, wanted="auto", session=None):
    """('libipsec'|'xfrm', why)."""
    plugins = []
    try:
        if session is not None:
            stats = session.stats()
        else:
            with gateway.vici() as vs:
                stats = vs.stats()
        plugins = list(stats.get("plugins") or [])
    except Exception as exc:  # pylint: disable=broad-except
        raise IpsecError(_no_charon(exc)) from exc
    libipsec = "kernel-libipsec" in plugins
    if wanted == "libipsec":
        if not libipsec:
            raise IpsecError("dataplane=libipsec but charon has not loaded the kernel-libipsec plugin: set "
                             "charon.plugins.kernel-libipsec.load (see docs/ipsec.md) or use dataplane=auto")
        return "libipsec", "requested"
    if wanted == "xfrm":
        if libipsec:
            raise IpsecError("dataplane=xfrm but charon runs the userspace kernel-libipsec data plane: XFRM "
                             "interfaces would never carry traffic; disable kernel-libipsec or use dataplane=auto")
        return "xfrm", "requested"
    if libipsec:
        return "libipsec", "charon has kernel-libipsec loaded"
    if gateway.xfrm_capable():
        return "xfrm", "the kernel supports XFRM interfaces"
    raise IpsecError("this gateway has neither XFRM interfaces in the kernel (xfrm_interface) nor charon's "
                     "kernel-libipsec plugin: load one of them (see docs/ipsec.md, 'Data plane')")


def _no_charon(exc):
    return "cannot talk to charon over VICI (%s): is strongSwan (charon) running with the vici plugin?" % exc


def _reason_from_log(lines):
    text = "\n".join(lines or [])
    for needle, why in FAILURE_HINTS:
        if why and needle in text:
            return why
    # charon's own answer, unless it is the generic "establishing CHILD_SA ... failed" (the SA state says more)
    vici_errors = [line[len("[VICI] "):] for line in lines or []
                   if line.startswith("[VICI] ") and "establishing CHILD_SA" not in line]
    return vici_errors[-1] if vici_errors else None


def _names(tunnels):
    return [t["name"] for t in tunnels]


class Strongswan(transaction.Backend):
    """Partner tunnels on one strongSwan gateway (``tunnels``: normalised, ``state``: merged,
    replaced, overridden or deleted)."""

    noun = "gateway"
    confirm_feature = "ipsec"
    confirm_what = "swanctl files (paynet-*)"
    refused = "applying the change failed"
    not_restored = "the paynet-* files still differ"

    def __init__(self, gateway, tunnels, state, dataplane="auto", wan=None, verify=True, verify_timeout=30,
                 sleep=time.sleep, clock=time.monotonic):
        self.gateway = gateway
        self.tunnels = tunnels
        self.state = state
        self.dataplane = dataplane
        self.wan = wan
        self.verify_up = verify
        self.verify_timeout = verify_timeout
        self.sleep = sleep
        self.clock = clock
        self.logs = {}

    def recipe(self, plan):
        """Commit-confirm: our swanctl files (created ones removed), then ``swanctl --load-all``."""
        return [{"kind": "files", "paths": [os.path.join(self.gateway.root, g) for g in OWNED_GLOBS]},
                {"kind": "command", "argv": LOAD_ALL.split()}]

    def _charon_answers(self):
        try:
            with self.gateway.vici() as session:
                session.stats()
            return True
        except Exception:  # pylint: disable=broad-except
            return False

    def gather(self):
        gateway = self.gateway
        try:
            with gateway.vici() as session:
                plane, why = detect_dataplane(gateway, self.dataplane, session)
                return SimpleNamespace(plane=plane, why=why, files=gateway.owned_files(),
                                       ifaces=iface.parse_ip_addr_json(gateway.ip_json("addr", "show")),
                                       loaded=set(_conn_names(session.list_conns())), sas=session.list_sas())
        except vici.ViciError as exc:  # e.g. charon not running: the socket cannot be opened
            raise IpsecError(_no_charon(exc)) from exc
        except linux.HostError as exc:
            raise IpsecError(str(exc)) from exc

    def plan(self, current):
        gateway, tunnels, state, plane = self.gateway, self.tunnels, self.state, current.plane
        wan = self.wan
        if plane == "xfrm" and tunnels and wan is None and state != "deleted":
            wans = {gateway.route_interface(t["peer_gateway"]) for t in tunnels}
            wans.discard(None)
            if len(wans) != 1:
                raise IpsecError("cannot tell the WAN interface for the XFRM interfaces (routes to the peer "
                                 "gateways leave by %s): set wan_interface" % (", ".join(sorted(wans)) or "no interface"))
            wan = wans.pop()
        try:
            fplan = swanctl.plan(current.files, tunnels, state, plane, root=gateway.root)
            managed_before = swanctl.tunnels_from_files(current.files, gateway.root)
            ip_cmds = iface.plan_interfaces(current.ifaces, tunnels, plane, wan=wan, state=state, managed=managed_before)
        except ValueError as exc:  # SwanctlError, ConfParseError, InterfacePlanError: the message names the fix
            raise IpsecError(str(exc)) from exc
        intended_names = _intended_names(managed_before, tunnels, state)
        # every tunnel by name: as given, else as our files describe it (parsed once, above)
        known = {t["name"]: t for t in managed_before}
        known.update((t["name"], t) for t in tunnels)
        # files equal but charon lost the conn (restart without --load-all): loading is the change
        not_loaded = sorted(n for n in intended_names if n not in current.loaded)
        to_initiate = sorted(set(fplan.changed_tunnels) | set(fplan.added) | set(not_loaded))
        to_initiate = [n for n in to_initiate if n in intended_names and _start_action(known, n) == "start"]
        to_terminate = sorted((set(fplan.changed_tunnels) - set(fplan.added)) | set(fplan.removed))

        # the old SAs of modified/removed tunnels go first, so that charon's own start on --load-all (a
        # replaced connection with start_action start) and our initiate do not negotiate twice
        commands = [" ".join(["ip"] + c) for c in ip_cmds]
        commands += ["swanctl --terminate --ike %s" % n for n in to_terminate if _has_sa(current.sas, n)]
        load_needed = bool(fplan.changed or not_loaded)
        if load_needed:
            commands.append(LOAD_ALL)
        commands += ["swanctl --initiate --child %s --ike %s" % (n, n) for n in to_initiate]
        extra = {
            "dataplane": plane,
            "dataplane_reason": current.why,
            "added": sorted(fplan.added),
            "removed": sorted(fplan.removed),
            "modified": sorted(set(fplan.changed_tunnels) - set(fplan.added) - set(fplan.removed)),
        }
        up_before = {n for n in _established(current.sas) if n in intended_names and n not in to_terminate}
        change = SimpleNamespace(current=current, fplan=fplan, ip_cmds=ip_cmds, managed_before=managed_before,
                                 known=known, to_initiate=to_initiate, to_terminate=to_terminate, up_before=up_before,
                                 load_needed=load_needed)
        diff = transaction.diff_of(fplan.diff["before"], fplan.diff["after"], "gateway (paynet-* files)",
                                   "after %s" % state)
        return transaction.Plan(fplan.changed or ip_cmds or not_loaded, commands, diff, extra=extra, payload=change)

    def apply(self, plan):
        try:
            self._apply(plan)
        except (CharonGone, vici.ViciConnectError) as exc:
            # the cause without the advice to start strongSwan: the rollback waits for charon and says what it found
            cause = str(exc).split(" (start strongSwan", 1)[0]
            raise transaction.StepFailed("charon stopped answering while the change was applied (%s)" % cause) from exc

    def _apply(self, plan):
        change, gateway = plan.payload, self.gateway
        for path in change.fplan.deletes:
            gateway.delete(path)
        for path, (content, mode) in sorted(change.fplan.writes.items()):
            gateway.write(path, content, mode)
        for cmd in change.ip_cmds:
            gateway.check(["ip"] + cmd)
        with gateway.vici() as vs:
            for name in change.to_terminate:
                if _has_sa(change.current.sas, name):
                    try:
                        vs.terminate(ike=name, timeout_ms=5000)
                    except Exception:  # pylint: disable=broad-except
                        pass
        if change.load_needed:  # exactly what the plan (and so check mode) says: no hidden reload
            _load_all(gateway)
        try:
            self.logs = initiate_all(gateway, change.to_initiate, int(self.verify_timeout * 1000))
        except Exception as exc:  # pylint: disable=broad-except
            raise transaction.StepFailed("(re)initiating the tunnels failed: %s" % exc) from exc

    def verify(self, plan, result):
        change = plan.payload
        # the partner refused (wrong key, proposals, selectors): no point waiting for verify_timeout
        refused = {name: _reason_from_log(lines) for name, (ok, lines) in self.logs.items()
                   if not ok and any(needle in "\n".join(lines) for needle in DEFINITIVE)}
        if not self.verify_up:
            return None
        if refused:
            result["verification"] = {"required_up": sorted(change.to_initiate), "down": sorted(refused)}
            return "verification failed: %s" % "; ".join("%s: %s" % (n, refused[n]) for n in sorted(refused))
        must_be_up = sorted(set(change.to_initiate) | change.up_before)
        try:
            report = wait_up(self.gateway, [change.known[n] for n in must_be_up if n in change.known],
                             change.current.plane, self.verify_timeout, sleep=self.sleep, clock=self.clock)
        except Exception as exc:  # pylint: disable=broad-except
            return "verifying the tunnels failed: %s" % exc
        down = [t for t in report["tunnels"] if t["name"] in must_be_up and not t["healthy"]]
        result["verification"] = {"required_up": must_be_up, "down": [t["name"] for t in down]}
        if down:
            parts = []
            for t in down:
                why_down = _reason_from_log((self.logs.get(t["name"]) or (True, []))[1]) or "; ".join(t["reasons"]) or "not up"
                parts.append("%s: %s" % (t["name"], why_down))
            return "verification failed: %s" % "; ".join(parts)
        result["status"] = report["tunnels"]
        return None

    def rollback(self, plan, result):
        change, gateway = plan.payload, self.gateway
        snapshot = change.current.files
        now = gateway.owned_files()
        for path in sorted(now):
            if path not in snapshot:
                gateway.delete(path)
        for path, content in sorted(snapshot.items()):
            if now.get(path) != content:
                gateway.write(path, content, swanctl.default_mode(path, gateway.root) or 0o600)
        # charon killed or crashed during the change: its service manager restarts it (systemd's strongswan.service:
        # Restart=on-abnormal); wait for it, bounded, so that the previous configuration is loaded into it
        # (and, with kernel-libipsec, its new ipsec0 gets our addresses back)
        if not self._charon_answers():
            started = self.clock()
            back = transaction.wait_until(self._charon_answers, bool, self.verify_timeout, interval=0.5,
                                          sleep=self.sleep, clock=self.clock)
            if not back:
                raise CharonGone("charon is not running and did not answer again within %ss: the paynet-* files are "
                                 "restored byte-exact, so charon loads the previous configuration when it is started "
                                 "with 'swanctl --load-all' (as strongswan.service does); start strongSwan"
                                 % self.verify_timeout)
            result["charon_restarted"] = "charon answered again %.1fs into the rollback; the previous configuration " \
                                         "was loaded into it" % (self.clock() - started)
        # our interfaces/ipsec0 addresses exactly as read before the change (lower device, if_id,
        # alias, addresses, up state from that snapshot: needs neither the WAN nor the tunnels' intent)
        undo = iface.rollback_interfaces(change.current.ifaces, iface.parse_ip_addr_json(gateway.ip_json("addr", "show")))
        undo_failed = []
        for cmd in undo:  # on: one refused command must not stop the rest of the rollback
            try:
                gateway.check(["ip"] + cmd)
            except linux.HostError as exc:
                undo_failed.append(str(exc))
        _load_all(gateway)
        with gateway.vici() as vs:
            for name in sorted(set(change.to_initiate) | set(change.to_terminate)):
                try:
                    vs.terminate(ike=name, timeout_ms=2000)
                except Exception:  # pylint: disable=broad-except
                    pass
            # the tunnels we took down, and those that were up before and are not now
            dropped = change.up_before - _established(vs.list_sas())
            before = {t["name"]: t for t in change.managed_before}
            restart = sorted(n for n in (set(change.to_terminate) | dropped) & set(before)
                             if _start_action(before, n) == "start")
        initiate_all(gateway, restart, int(self.verify_timeout * 1000))
        result["rollback_commands"] = [" ".join(["ip"] + c) for c in undo] + [LOAD_ALL]
        restored = gateway.owned_files() == snapshot
        if undo_failed:
            raise IpsecError("; ".join(undo_failed))
        return restored


def run(gateway, tunnels, state, check_mode=False, dataplane="auto", wan=None, verify=True,
        verify_timeout=30, rollback=True, sleep=time.sleep, clock=time.monotonic, confirm_timeout=0, timer=None):
    """Plan and, unless ``check_mode``, apply ``state`` for the normalised ``tunnels``."""
    backend = Strongswan(gateway, tunnels, state, dataplane=dataplane, wan=wan, verify=verify,
                         verify_timeout=verify_timeout, sleep=sleep, clock=clock)
    return transaction.run(backend, check_mode=check_mode, rollback=rollback, confirm_timeout=confirm_timeout,
                           timer=timer)


def initiate_all(gateway, names, timeout_ms, workers=16):
    """Initiate the tunnels in parallel, one VICI session each, so that N partners that do not answer
    cost one ``timeout_ms``, not N of them. Returns {name: (ok, log lines)}."""
    if not names:
        return {}

    def one(name):
        try:
            with gateway.vici() as session:
                return name, session.initiate(child=name, ike=name, timeout_ms=timeout_ms)
        except Exception as exc:  # pylint: disable=broad-except
            return name, (False, ["[VICI] %s" % exc])

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(names)))) as pool:
        return dict(pool.map(one, sorted(names)))


def wait_up(gateway, tunnels, plane, timeout, interval=0.5, sleep=time.sleep, clock=time.monotonic):
    """Poll charon until every tunnel in ``tunnels`` is healthy or ``timeout`` runs out."""
    if not tunnels:
        return {"tunnels": [], "healthy": 0, "unhealthy": 0}

    def poll():
        with gateway.vici() as vs:
            return ipsec_status.evaluate(tunnels, vs.list_sas(), vs.list_conns(), data_plane=plane)
    return transaction.wait_until(poll, lambda report: all(t["healthy"] for t in report["tunnels"]), timeout,
                                  interval=interval, sleep=sleep, clock=clock)


def _load_all(gateway):
    rc, out, err = gateway.run(["swanctl", "--load-all", "--noprompt"])
    if rc != 0:
        text = "%s\n%s" % (err or "", out or "")
        gone = [line.strip() for line in text.splitlines() if line.startswith("connecting to '") and "failed" in line]
        if gone:  # swanctl could not reach charon over VICI (rc: the errno, e.g. 111 refused, 2 no socket)
            raise CharonGone("swanctl --load-all: %s" % gone[0])
        raise IpsecError("swanctl --load-all failed: %s" % _last_lines(err or out))


def _last_lines(text, n=3):
    """The last ``n`` lines that say something: not plugin load noise, not swanctl's usage text."""
    lines = [line for line in (text or "").strip().splitlines()
             if line.strip() and not line.startswith(("plugin '", " ", "\t", "usage:", "strongSwan "))]
    return " | ".join(lines[-n:])


def _conn_names(list_conns):
    names = []
    for event in list_conns or []:
        names.extend(event.keys())
    return names


def _established(list_sas):
    out = set()
    for event in list_sas or []:
        for name, sa in event.items():
            if sa.get("state") == "ESTABLISHED" and any(
                    c.get("state") == "INSTALLED" for c in (sa.get("child-sas") or {}).values()):
                out.add(name)
    return out


def _has_sa(list_sas, name):
    return any(name in event for event in list_sas or [])


def _intended_names(managed_before, tunnels, state):
    before = set(_names(managed_before))
    listed = set(_names(tunnels))
    if state == "deleted":
        return before - (listed or before)
    if state == "overridden":
        return listed
    return before | listed


def _start_action(known, name):
    return (known.get(name) or {}).get("start_action") or "start"


def gather(gateway, dataplane="auto"):
    """The paynet-* tunnels on the gateway, secrets masked, and the data plane in use."""
    try:
        with gateway.vici() as session:
            plane, why = detect_dataplane(gateway, dataplane, session)
    except vici.ViciError as exc:
        raise IpsecError(_no_charon(exc)) from exc
    tunnels = [ipsec_offline.masked_tunnel(t) for t in swanctl.tunnels_from_files(gateway.owned_files(), gateway.root)]
    return {"gathered": {"tunnels": tunnels}, "dataplane": plane, "dataplane_reason": why}
