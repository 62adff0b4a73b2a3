# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run inside a router node (python3 - PEER [TIMEOUT] on stdin): print "ready", then watch the BGP session
to PEER every 0.05 s and print how long it was not Established ("outage 3.41"), from the first poll that
saw it down to the first that saw it Established again; "no outage" or "still down" at TIMEOUT."""
import json
import subprocess
import sys
import time

PEER = sys.argv[1]
TIMEOUT = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0


def state():
    out = subprocess.run(["vtysh", "-c", "show bgp vrf default neighbors %s json" % PEER],
                         capture_output=True, text=True, check=False).stdout
    try:
        return json.loads(out).get(PEER, {}).get("bgpState")
    except ValueError:
        return None


print("ready", flush=True)
deadline = time.monotonic() + TIMEOUT
down_at = None
while time.monotonic() < deadline:
    now, current = time.monotonic(), state()
    if current != "Established" and down_at is None:
        down_at = now
    elif current == "Established" and down_at is not None:
        print("outage %.2f" % (now - down_at), flush=True)
        sys.exit(0)
    time.sleep(0.05)
print("still down" if down_at is not None else "no outage", flush=True)
sys.exit(1 if down_at is not None else 0)
