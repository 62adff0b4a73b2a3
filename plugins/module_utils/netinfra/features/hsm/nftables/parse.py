# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``nft -j list table inet <table>`` read back: the table in render.py's canonical text (counter
values left out, set elements collapsed and sorted, anonymous sets sorted) and the per-rule counters.

An expression this feature never writes is shown as its JSON, so a rule someone added by hand shows
in the diff and never equals the intent. Plain Python, no Ansible import.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress
import json

from . import render

PRIORITIES = {0: "filter", -300: "raw", -150: "mangle", -200: "dstnat", 100: "srcnat", 50: "security"}


class ParseError(ValueError):
    """The text is not nft's JSON."""


def load(text):
    """The list of objects of nft's JSON output (metainfo dropped); [] for empty text."""
    if not text or not text.strip():
        return []
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ParseError("not nft JSON: %s" % exc) from None
    if not isinstance(data, dict) or not isinstance(data.get("nftables"), list):
        raise ParseError("not nft JSON: no nftables list")
    return [o for o in data["nftables"] if isinstance(o, dict) and "metainfo" not in o]


def _element_nets(elem):
    if isinstance(elem, dict) and "elem" in elem:
        elem = elem["elem"].get("val") if isinstance(elem["elem"], dict) else elem["elem"]
    if isinstance(elem, str):
        return [ipaddress.ip_network(elem)]
    if isinstance(elem, dict) and "prefix" in elem:
        return [ipaddress.ip_network("%s/%s" % (elem["prefix"]["addr"], elem["prefix"]["len"]), strict=False)]
    if isinstance(elem, dict) and "range" in elem:
        low, high = (ipaddress.ip_address(a) for a in elem["range"])
        return list(ipaddress.summarize_address_range(low, high))
    raise ValueError("element %s" % json.dumps(elem, sort_keys=True))


def _set_lines(obj):
    lines = ["\tset %s {" % obj.get("name"), "\t\ttype %s" % obj.get("type")]
    if obj.get("flags"):
        flags = obj["flags"] if isinstance(obj["flags"], list) else [obj["flags"]]
        lines.append("\t\tflags %s" % ",".join(flags))
    if obj.get("elem"):
        try:
            nets = [n for e in obj["elem"] for n in _element_nets(e)]
            lines.append("\t\telements = { %s }" % ", ".join(render.elements(nets)))
        except (ValueError, KeyError, TypeError):
            lines.append("\t\telements = %s" % json.dumps(obj["elem"], sort_keys=True))
    return lines + ["\t}"]


def _sort_key(value):
    if isinstance(value, int):
        return (0, value, "")
    try:
        addr = ipaddress.ip_address(value)
        return (1 + addr.version, int(addr), "")
    except ValueError:
        return (9, 0, str(value))


def _value(value, quoted=False):
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"%s"' % value if quoted else value
    if isinstance(value, list):
        return ",".join(_value(v) for v in value)
    if isinstance(value, dict):
        if "set" in value and isinstance(value["set"], list):
            items = sorted(value["set"], key=_sort_key) if all(isinstance(v, (int, str)) for v in value["set"]) \
                else value["set"]
            return "{ %s }" % ", ".join(_value(v, quoted) for v in items)
        if "prefix" in value:
            return "%s/%s" % (value["prefix"].get("addr"), value["prefix"].get("len"))
        if "range" in value:
            return "%s-%s" % tuple(_value(v) for v in value["range"])
    return json.dumps(value, sort_keys=True)


def _left(left):
    if "payload" in left:
        return "%s %s" % (left["payload"].get("protocol"), left["payload"].get("field")), False
    if "meta" in left:
        key = left["meta"].get("key")
        return (key if key in ("iifname", "oifname", "iif", "oif", "mark", "l4proto", "nfproto") else "meta %s" % key,
                key in ("iifname", "oifname"))
    if "ct" in left:
        return "ct %s" % left["ct"].get("key"), False
    return json.dumps(left, sort_keys=True), False


def expression(expr):
    """One expression of a rule in nft's words (the subset render.py writes; JSON for any other)."""
    if not isinstance(expr, dict) or len(expr) != 1:
        return json.dumps(expr, sort_keys=True)
    (kind, arg), = expr.items()
    if kind == "match" and isinstance(arg, dict):
        left, quoted = _left(arg.get("left") or {})
        op = arg.get("op")
        op_text = "" if op in ("==", "in") else "%s " % op
        return "%s %s%s" % (left, op_text, _value(arg.get("right"), quoted))
    if kind in ("accept", "drop", "return", "continue") and arg is None:
        return kind
    if kind == "counter" and isinstance(arg, dict) and set(arg) <= {"packets", "bytes"}:
        return "counter"
    if kind in ("jump", "goto") and isinstance(arg, dict) and set(arg) == {"target"}:
        return "%s %s" % (kind, arg["target"])
    if kind == "log" and isinstance(arg, dict) and set(arg) <= {"prefix"}:
        return 'log prefix "%s"' % arg.get("prefix", "") if "prefix" in arg else "log"
    if kind == "limit" and isinstance(arg, dict) and set(arg) <= {"rate", "per", "burst"}:
        text = "limit rate %s/%s" % (arg.get("rate"), arg.get("per"))
        if arg.get("burst", render.LOG_BURST) != render.LOG_BURST:
            text += " burst %s packets" % arg.get("burst")
        return text
    return json.dumps(expr, sort_keys=True)


def rule_text(rule):
    text = " ".join(expression(e) for e in rule.get("expr") or [])
    if rule.get("comment") is not None:
        text += ' comment "%s"' % rule["comment"]
    return text


def _chain_head(chain):
    if not chain.get("hook"):
        return []
    prio = chain.get("prio")
    prio = PRIORITIES.get(prio, prio) if isinstance(prio, int) else prio
    head = "type %s hook %s priority %s;" % (chain.get("type"), chain.get("hook"), prio)
    if chain.get("policy"):
        head += " policy %s;" % chain["policy"]
    return ["\t\t" + head]


def table_text(objects, table):
    """The canonical text of ``inet <table>`` in ``objects`` (parsed nft JSON); "" when it is absent."""
    mine = [o for o in objects if (next(iter(o.values())) or {}).get("family", "inet") == "inet"]
    tables = [o["table"] for o in mine if "table" in o and o["table"].get("name") == table]
    if not tables:
        return ""
    sets, chains, rules = [], [], {}
    for obj in mine:
        (kind, body), = obj.items()
        if not isinstance(body, dict) or body.get("table") != table:
            continue
        if kind == "set":
            sets.append(body)
        elif kind == "chain":
            chains.append(body)
        elif kind == "rule":
            rules.setdefault(body.get("chain"), []).append(body)
        elif kind != "table":
            sets.append({"name": "%s %s" % (kind, body.get("name")), "type": json.dumps(body, sort_keys=True)})
    lines = ["table inet %s {" % table]
    for body in sorted(sets, key=lambda s: str(s.get("name"))):
        lines += _set_lines(body)
    order = sorted(chains, key=lambda c: (not c.get("hook"), c.get("name") != render.BASE_CHAIN, str(c.get("name"))))
    for chain in order:
        lines.append("\tchain %s {" % chain.get("name"))
        lines += _chain_head(chain)
        lines += ["\t\t" + rule_text(r) for r in rules.get(chain.get("name"), [])]
        lines.append("\t}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def counters(objects, table):
    """{"<segment>/<rule id>" | "<segment>/established" | "<segment>/drop": {"packets", "bytes"}} summed over
    the rules of ``inet <table>`` by their comments (a rule rendered for two families or two sets, and the two
    directions of the established and drop rules, add up)."""
    out = {}
    for obj in objects:
        body = obj.get("rule")
        if not isinstance(body, dict) or body.get("table") != table or body.get("family") != "inet":
            continue
        comment = body.get("comment")
        chain = str(body.get("chain") or "")
        if not comment or chain == render.BASE_CHAIN or "_" not in chain:
            continue
        counter = next((e["counter"] for e in body.get("expr") or []
                        if isinstance(e, dict) and isinstance(e.get("counter"), dict)), None)
        if counter is None:
            continue
        key = counter_key(chain, comment)
        if key is None:
            continue
        entry = out.setdefault(key, {"packets": 0, "bytes": 0})
        entry["packets"] += int(counter.get("packets") or 0)
        entry["bytes"] += int(counter.get("bytes") or 0)
    return out


def counter_key(chain, comment):
    """The counter key of a rule of segment chain ``chain`` with ``comment``."""
    segment = chain.rsplit("_", 1)[0]
    head = comment.split(":", 1)[0]
    if head == "segment %s" % segment:
        if comment.startswith(render.established_comment(segment).split("(")[0].rstrip()):
            return "%s/established" % segment
        if "default drop" in comment:
            return "%s/drop" % segment
        return None
    if " " in head or ":" not in comment:
        return None
    return "%s/%s" % (segment, head)
