# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which devices of a fleet run answer on their management address (issue 14).

One probe per device, all at once from the controller: a TCP connect to the address and port Ansible
would use (``ansible_host``, ``ansible_port``). A device that does not accept it in ``timeout`` seconds
is named with why (timed out, refused, no route, name unknown), so that a fleet run can leave it out
and let the others finish instead of stopping at the first stage. A TCP answer does not prove that ssh
logs in: a device that answers but then fails is a failed host of its stage, as before.

No Ansible import; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import socket
import time
from concurrent.futures import ThreadPoolExecutor


def _why(exc):
    if isinstance(exc, socket.timeout):
        return "no answer (timed out)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (nothing listens on the port)"
    if isinstance(exc, socket.gaierror):
        return "address unknown (%s)" % (exc.strerror or exc)
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip()


def probe_one(address, port, timeout, connect=socket.create_connection, clock=time.monotonic):
    """None when ``address:port`` accepts a TCP connection within ``timeout`` seconds, else why not;
    and the seconds it took."""
    started = clock()
    try:
        sock = connect((address, int(port)), timeout=timeout)
    except (OSError, ValueError) as exc:
        return _why(exc), clock() - started
    try:
        sock.close()
    except OSError:
        pass
    return None, clock() - started


def probe(targets, timeout=10.0, workers=64, connect=socket.create_connection):
    """``targets``: {host: (address, port)}. Returns {"reachable_hosts": [...], "unreachable_hosts": [...],
    "details": {host: {"address", "port", "seconds", "error"?}}}, hosts in the order given (not ``unreachable``:
    that result key is Ansible's own, a bool)."""
    hosts = list(targets)
    details = {}
    if hosts:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(hosts)))) as pool:
            answers = list(pool.map(lambda h: probe_one(targets[h][0], targets[h][1], timeout, connect), hosts))
        for host, (error, seconds) in zip(hosts, answers):
            address, port = targets[host]
            entry = {"address": address, "port": int(port), "seconds": round(seconds, 3)}
            if error:
                entry["error"] = error
            details[host] = entry
    return {"reachable_hosts": [h for h in hosts if "error" not in details[h]],
            "unreachable_hosts": [h for h in hosts if "error" in details[h]],
            "details": details}


def message(result):
    """One line for the run: who does not answer and what happens to them."""
    dead = result["unreachable_hosts"]
    if not dead:
        return "all %d devices answer on their management address" % len(result["reachable_hosts"])
    details = result["details"]
    named = ", ".join("%s (%s:%s: %s)" % (h, details[h]["address"], details[h]["port"], details[h]["error"])
                      for h in dead)
    return ("%d of %d devices UNREACHABLE, left out of this run (the others go on): %s. Fix: restore the "
            "management path (or the device), then re-run for them with --limit"
            % (len(dead), len(dead) + len(result["reachable_hosts"]), named))
