# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transaction behind ipsec_tunnel, run on the VPN gateway.

fetch once (our swanctl files, interfaces, charon's conns and SAs) -> plan locally (files +
interface commands) -> check mode stops here -> snapshot -> write files, set interfaces,
``swanctl --load-all``, (re)initiate the changed tunnels -> verify that their IKE and CHILD SAs
are up with the intended algorithms and that tunnels that were up still are -> done, or restore
the snapshot, reload, re-initiate and fail with a per-tunnel reason.

The gateway is reached through a small adapter (:class:`Gateway`), so unit tests drive the
transaction with a fake and the module with the real host. No Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import glob
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from ....devices import vici
from . import iface, swanctl
from . import offline as ipsec_offline
from . import status as ipsec_status

DATAPLANES = ("auto", "xfrm", "libipsec")
OWNED_GLOBS = ("conf.d/paynet-*.conf", "x509ca/paynet-*", "x509/paynet-*", "private/paynet-*")
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


class ChangeFailed(Exception):
    """The change was applied and then rolled back (or the rollback itself failed)."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class Gateway:
    """The real gateway: files under ``root``, ``ip`` and ``swanctl`` through ``run`` (argv ->
    (rc, stdout, stderr)), charon through VICI."""

    def __init__(self, run, root="/etc/swanctl", vici_path="/var/run/charon.vici"):
        self._run = run
        self.root = root
        self.vici_path = vici_path

    def run(self, argv):
        return self._run(argv)

    def owned_files(self):
        files = {}
        for pattern in OWNED_GLOBS:
            for path in sorted(glob.glob(os.path.join(self.root, pattern))):
                if os.path.isfile(path):
                    # newline="": no newline translation, so a CRLF file is seen (and restored) as it is
                    with open(path, "r", encoding="utf-8", newline="") as fh:
                        files[path] = fh.read()
        return files

    def write(self, path, content, mode):
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        tmp = "%s.paynet-tmp" % path
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            os.write(fd, content.encode("utf-8"))
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, path)

    def delete(self, path):
        if os.path.exists(path):
            os.unlink(path)

    def vici(self):
        return vici.ViciSession(self.vici_path)

    def ip_json(self):
        rc, out, err = self.run(["ip", "-d", "-j", "addr", "show"])
        if rc != 0:
            raise IpsecError("'ip -d -j addr show' failed: %s" % (err or out).strip())
        return out

    def xfrm_capable(self):
        """Can this kernel create XFRM interfaces? (never creates anything)"""
        if os.path.isdir("/sys/module/xfrm_interface"):
            return True
        rc, _out, _err = self.run(["modprobe", "-n", "-q", "xfrm_interface"])
        return rc == 0

    def wan_for(self, address):
        rc, out, _err = self.run(["ip", "-j", "route", "get", address])
        if rc != 0:
            return None
        try:
            routes = json.loads(out)
        except ValueError:
            return None
        return routes[0].get("dev") if routes else None


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


def run(gateway, tunnels, state, check_mode=False, dataplane="auto", wan=None, verify=True,
        verify_timeout=30, rollback=True, sleep=time.sleep, clock=time.monotonic):
    """Plan and, unless ``check_mode``, apply ``state`` for the normalised ``tunnels``."""
    try:
        with gateway.vici() as session:
            plane, why = detect_dataplane(gateway, dataplane, session)
            current_files = gateway.owned_files()
            current_ifaces = iface.parse_ip_addr_json(gateway.ip_json())
            loaded_before = set(_conn_names(session.list_conns()))
            sas_before = session.list_sas()
    except vici.ViciError as exc:  # e.g. charon not running: the socket cannot be opened
        raise IpsecError(_no_charon(exc)) from exc

    if plane == "xfrm" and tunnels and wan is None and state != "deleted":
        wans = {gateway.wan_for(t["peer_gateway"]) for t in tunnels}
        wans.discard(None)
        if len(wans) != 1:
            raise IpsecError("cannot tell the WAN interface for the XFRM interfaces (routes to the peer "
                             "gateways leave by %s): set wan_interface" % (", ".join(sorted(wans)) or "no interface"))
        wan = wans.pop()

    try:
        fplan = swanctl.plan(current_files, tunnels, state, plane, root=gateway.root)
        managed_before = _tunnels_in(current_files, gateway.root)
        ip_cmds = iface.plan_interfaces(current_ifaces, tunnels, plane, wan=wan, state=state, managed=managed_before)
    except ValueError as exc:  # SwanctlError, ConfParseError, InterfacePlanError: the message names the fix
        raise IpsecError(str(exc)) from exc
    intended_names = _intended_names(managed_before, tunnels, state)
    # every tunnel by name: as given, else as our files describe it (parsed once, above)
    known = {t["name"]: t for t in managed_before}
    known.update((t["name"], t) for t in tunnels)
    # files equal but charon lost the conn (restart without --load-all): loading is the change
    not_loaded = sorted(n for n in intended_names if n not in loaded_before)
    load_needed = fplan.changed or bool(not_loaded)
    to_initiate = sorted(set(fplan.changed_tunnels) | set(fplan.added) | set(not_loaded))
    to_initiate = [n for n in to_initiate if n in intended_names and _start_action(known, n) == "start"]
    to_terminate = sorted((set(fplan.changed_tunnels) - set(fplan.added)) | set(fplan.removed))

    # the old SAs of modified/removed tunnels go first, so that charon's own start on --load-all (a
    # replaced connection with start_action start) and our initiate do not negotiate twice
    commands = [" ".join(["ip"] + c) for c in ip_cmds]
    commands += ["swanctl --terminate --ike %s" % n for n in to_terminate if _has_sa(sas_before, n)]
    if load_needed:
        commands.append("swanctl --load-all --noprompt")
    commands += ["swanctl --initiate --child %s --ike %s" % (n, n) for n in to_initiate]
    result = {
        "changed": bool(fplan.changed or ip_cmds or not_loaded),
        "dataplane": plane,
        "dataplane_reason": why,
        "commands": commands,
        "diff": dict(fplan.diff, before_header="gateway (paynet-* files)", after_header="after %s" % state),
        "added": sorted(fplan.added),
        "removed": sorted(fplan.removed),
        "modified": sorted(set(fplan.changed_tunnels) - set(fplan.added) - set(fplan.removed)),
    }
    if not result["changed"] or check_mode:
        return result

    up_before = {n for n in _established(sas_before) if n in intended_names and n not in to_terminate}
    snapshot = dict(current_files)

    def restore(why_failed):
        if not rollback:
            result["rolled_back"] = False
            raise ChangeFailed("%s; rollback disabled, the gateway keeps the partial change" % why_failed, result)
        try:
            now = gateway.owned_files()
            for path in sorted(now):
                if path not in snapshot:
                    gateway.delete(path)
            for path, content in sorted(snapshot.items()):
                if now.get(path) != content:
                    gateway.write(path, content, swanctl.default_mode(path, gateway.root) or 0o600)
            # our interfaces/ipsec0 addresses exactly as read before the change (lower device, if_id,
            # alias, addresses, up state from that snapshot: needs neither the WAN nor the tunnels' intent)
            undo = iface.rollback_interfaces(current_ifaces, iface.parse_ip_addr_json(gateway.ip_json()))
            undo_failed = []
            for cmd in undo:  # on: one refused command must not stop the rest of the rollback
                rc, out, err = gateway.run(["ip"] + cmd)
                if rc != 0:
                    undo_failed.append("'ip %s' failed: %s" % (" ".join(cmd), (err or out).strip()))
            _load_all(gateway)
            with gateway.vici() as vs:
                for name in sorted(set(to_initiate) | set(to_terminate)):
                    try:
                        vs.terminate(ike=name, timeout_ms=2000)
                    except Exception:  # pylint: disable=broad-except
                        pass
                # the tunnels we took down, and those that were up before and are not now
                dropped = up_before - _established(vs.list_sas())
                before = {t["name"]: t for t in managed_before}
                restart = sorted(n for n in (set(to_terminate) | dropped) & set(before) if _start_action(before, n) == "start")
            initiate_all(gateway, restart, int(verify_timeout * 1000))
            result["rollback_commands"] = [" ".join(["ip"] + c) for c in undo] + ["swanctl --load-all --noprompt"]
            result["rolled_back"] = gateway.owned_files() == snapshot
            if undo_failed:
                raise IpsecError("; ".join(undo_failed))
        except Exception as exc:  # pylint: disable=broad-except
            result["rolled_back"] = False
            raise ChangeFailed("%s; ROLLBACK FAILED too: %s. The gateway needs a look now." % (why_failed, exc), result) from exc
        raise ChangeFailed("%s; rolled back to the previous configuration%s" % (
            why_failed, "" if result["rolled_back"] else " (but the paynet-* files still differ: check the gateway)"), result)

    try:
        for path in fplan.deletes:
            gateway.delete(path)
        for path, (content, mode) in sorted(fplan.writes.items()):
            gateway.write(path, content, mode)
        for cmd in ip_cmds:
            rc, out, err = gateway.run(["ip"] + cmd)
            if rc != 0:
                raise IpsecError("'ip %s' failed: %s" % (" ".join(cmd), (err or out).strip()))
        with gateway.vici() as vs:
            for name in to_terminate:
                if _has_sa(sas_before, name):
                    try:
                        vs.terminate(ike=name, timeout_ms=5000)
                    except Exception:  # pylint: disable=broad-except
                        pass
        _load_all(gateway)
    except Exception as exc:  # pylint: disable=broad-except
        restore("applying the change failed: %s" % exc)

    logs = {}
    try:
        logs = initiate_all(gateway, to_initiate, int(verify_timeout * 1000))
    except Exception as exc:  # pylint: disable=broad-except
        restore("(re)initiating the tunnels failed: %s" % exc)
    # the partner refused (wrong key, proposals, selectors): no point waiting for verify_timeout
    refused = {name: _reason_from_log(lines) for name, (ok, lines) in logs.items()
               if not ok and any(needle in "\n".join(lines) for needle in DEFINITIVE)}
    if refused and verify:
        result["verification"] = {"required_up": sorted(to_initiate), "down": sorted(refused)}
        restore("verification failed: %s" % "; ".join("%s: %s" % (n, refused[n]) for n in sorted(refused)))

    if not verify:
        return result
    must_be_up = sorted(set(to_initiate) | up_before)
    try:
        report = wait_up(gateway, [known[n] for n in must_be_up if n in known], plane, verify_timeout,
                         sleep=sleep, clock=clock)
    except Exception as exc:  # pylint: disable=broad-except
        restore("verifying the tunnels failed: %s" % exc)
    down = [t for t in report["tunnels"] if t["name"] in must_be_up and not t["healthy"]]
    result["verification"] = {"required_up": must_be_up, "down": [t["name"] for t in down]}
    if down:
        parts = []
        for t in down:
            why_down = _reason_from_log((logs.get(t["name"]) or (True, []))[1]) or "; ".join(t["reasons"]) or "not up"
            parts.append("%s: %s" % (t["name"], why_down))
        restore("verification failed: %s" % "; ".join(parts))
    result["status"] = report["tunnels"]
    return result


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
    deadline = clock() + timeout
    if not tunnels:
        return {"tunnels": [], "healthy": 0, "unhealthy": 0}
    while True:
        with gateway.vici() as vs:
            report = ipsec_status.evaluate(tunnels, vs.list_sas(), vs.list_conns(), data_plane=plane)
        if all(t["healthy"] for t in report["tunnels"]) or clock() >= deadline:
            return report
        sleep(interval)


def _load_all(gateway):
    rc, out, err = gateway.run(["swanctl", "--load-all", "--noprompt"])
    if rc != 0:
        raise IpsecError("swanctl --load-all failed: %s" % _last_lines(err or out))


def _last_lines(text, n=3):
    lines = [l for l in (text or "").strip().splitlines() if l.strip() and not l.startswith("plugin '")]
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


def _tunnels_in(files, root):
    """The tunnels our files on the gateway describe (PSK values as written)."""
    return swanctl.tunnels_from_files(files, root)


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
    tunnels = [ipsec_offline.masked_tunnel(t) for t in _tunnels_in(gateway.owned_files(), gateway.root)]
    return {"gathered": {"tunnels": tunnels}, "dataplane": plane, "dataplane_reason": why}
