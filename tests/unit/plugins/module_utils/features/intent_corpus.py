"""The bad-intent corpus (tests/unit/fixtures/bad_intents/): a clean base fleet and cases, each one
mutation of it with the finding it must produce. Used by test_bad_intents.py (every case's finding)
and test_fleet_module_agree.py (the module check of each device's config agrees with the fleet).

A case (one YAML list item; its class is the file's name):

    id:       unique name
    set:      {path: value}   path like partners.acme_bank.sessions[0].password, devices.dc1-edge1.bgp.asn,
                              policy.netinfra_policy.environment; an index one past the end appends
    remove:   [path]
    rename:   {path: new key}  (a partner's name, a key)
    host, field, severity (default error): the finding expected
    message:  words its message holds;  fix: words its fix holds (at least one: a fix is specific)
    absent:   [[field, severity]] findings that must not be there
    fleet_only: why the module check of one device cannot see it (test_fleet_module_agree skips the case)
"""

from __future__ import annotations

import copy
import datetime
import re
import typing as t
from pathlib import Path

import yaml

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features import registry

DIR = Path(__file__).resolve().parents[3] / "fixtures" / "bad_intents"
TODAY = datetime.date(2026, 5, 10)  # the cases' waivers are dated relative to this day
SECRET_KEYS = ("password", "psk", "key", "auth_key", "priv_key", "community")

_BASE = yaml.safe_load((DIR / "base.yml").read_text(encoding="utf-8"))


def base() -> dict[str, t.Any]:
    """A fresh copy of the clean fleet: {"partners", "devices", "policy"}."""
    return copy.deepcopy(_BASE)


def load_cases() -> list[dict[str, t.Any]]:
    cases = []
    for path in sorted(DIR.glob("*.yml")):
        if path.name == "base.yml":
            continue
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(dict(case, kind=path.stem))
    ids = [c["id"] for c in cases]
    duplicates = sorted(i for i in set(ids) if ids.count(i) > 1)
    assert not duplicates, "duplicate case ids: %s" % duplicates
    return cases


def _parts(path: str) -> list[t.Any]:
    return [int(p[1:-1]) if p.startswith("[") else p for p in re.findall(r"\[\d+\]|[^.\[\]]+", path)]


def _parent(data: dict[str, t.Any], path: str) -> tuple[t.Any, t.Any]:
    parts = _parts(path)
    node = data
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def apply(case: dict[str, t.Any]) -> dict[str, t.Any]:
    """The base fleet with the case's mutation."""
    data = base()
    for path, value in (case.get("set") or {}).items():
        node, last = _parent(data, path)
        if isinstance(node, list) and last == len(node):
            node.append(value)
        else:
            node[last] = value
    for path in case.get("remove") or ():
        node, last = _parent(data, path)
        del node[last]
    for path, new in (case.get("rename") or {}).items():
        node, last = _parent(data, path)
        node[new] = node.pop(last)
    return data


def run(data: dict[str, t.Any]) -> list[registry.Finding]:
    """Every finding of the fleet validator for ``data``."""
    return registry.validate_fleet(data["partners"], data["devices"], data["policy"], today=TODAY)


def secrets(data: t.Any) -> set[str]:
    """Every secret in ``data`` (passwords, PSKs, private keys; PEM bodies line by line)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key in SECRET_KEYS and isinstance(value, str):
                found.update(p.strip() for p in [value] + value.splitlines() if len(p.strip()) >= 6
                             and not p.strip().startswith("-----"))
            else:
                found |= secrets(value)
    elif isinstance(data, list):
        for item in data:
            found |= secrets(item)
    return found


CASES = load_cases()
