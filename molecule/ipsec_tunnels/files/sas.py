"""Print charon's SAs and connections as JSON, read with the PyPI `vici` package.

Run inside a lab node by the tests (labctl exec NODE -- <venv python> sas.py): an independent
reader, so the modules under test never grade themselves.
"""
import json

import vici


def plain(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


session = vici.Session()
sas = {}
for event in session.list_sas():
    sas.update(plain(event))
conns = []
for event in session.list_conns():
    conns.extend(plain(event).keys())
print(json.dumps({"sas": sas, "conns": sorted(conns)}))
