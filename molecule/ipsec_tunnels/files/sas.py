"""Print charon's SAs and connections as JSON, read with the PyPI `vici` package.

Run on the controller by the tests with the path of a node's VICI socket as the host sees it
(`labctl root T NODE` + /run/charon.vici): an independent reader, so the modules under test never
grade themselves.
"""
import json
import socket
import sys

import vici


def plain(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(sys.argv[1])
session = vici.Session(sock)
sas = {}
counts = {}  # IKE SAs per connection: a duplicate would otherwise hide behind the last one
for event in session.list_sas():
    for name, sa in plain(event).items():
        sas[name] = sa
        counts[name] = counts.get(name, 0) + 1
conns = []
for event in session.list_conns():
    conns.extend(plain(event).keys())
print(json.dumps({"sas": sas, "ike_sa_counts": counts, "conns": sorted(conns)}))
