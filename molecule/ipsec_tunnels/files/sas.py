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
for event in session.list_sas():
    sas.update(plain(event))
conns = []
for event in session.list_conns():
    conns.extend(plain(event).keys())
print(json.dumps({"sas": sas, "conns": sorted(conns)}))
