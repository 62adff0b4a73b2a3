# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One schema per feature: the fields of its intent, written once.

A feature's ``schema.py`` describes every field with a :class:`Field`: its types, whether it is
required, its default, allowed values and range, whether it is secret or reaches a device as text,
what to write (the hint that fixes quote) and its documentation. From that one description come:

* the intent checks (:func:`check_object`: unknown keys with "did you mean", required keys, types,
  choices, ranges, device-text safety, lengths), used by the fleet validator and therefore by every
  module's own input check;
* the module argument specs (:func:`argspec`);
* the documentation: module doc fragments, role ``meta/argument_specs.yml`` and the option tables
  in docs/intent.md (:func:`doc_options`, :func:`markdown_table`), written by
  ``scripts/generate.py`` and compared with the files by a unit test.

A field can exist in the inventory intent only (``scope="intent"``, e.g. a session's ``device``),
in the normalised device config a module takes only (``scope="device"``, e.g. a partner's
``name``), or in both (the default). Where the two shapes differ, a schema builds two dicts that
share the common :class:`Field` objects.

Plain Python, no Ansible import, Python 3.9 compatible.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import re

from . import values

INTENT = "intent"
DEVICE = "device"
BOTH = "both"

# our type names -> Python types; "date" is a YAML date or a YYYY-MM-DD string
_PY = {"str": (str,), "int": (int,), "bool": (bool,), "list": (list, tuple), "dict": (dict,),
       "date": (str, datetime.date), "raw": (object,)}
_ANSIBLE = {"str": "str", "int": "int", "bool": "bool", "list": "list", "dict": "dict", "raw": "raw"}
# text kinds of string fields (see core.values.check_text)
TEXT_KINDS = ("line", "cli", "token", "name", "pem", "free")


class Field:
    """One field of a feature's intent or device config.

    ``types``: one type name or a tuple of them (str, int, bool, list, dict, date, raw).
    ``what``: what to write, e.g. "an integer 1..254" (the hint in "set X to <what>").
    ``description``: documentation (a string or a list of sentences).
    ``fields``: sub-fields of a dict. ``elements``: element type of a list (a type name or a Field).
    ``choices``, ``low``/``high`` (integers; ``zero_ok`` allows 0 outside the range), ``max_len``.
    ``secret``: never shown in a finding, ``no_log`` in argspecs.
    ``text``: for strings that reach a device: ``line`` (one line, no control or bidi characters),
    ``cli`` (also no ``?``: vtysh's help key), ``token`` (no whitespace at all: names, addresses),
    ``pem`` (multi-line PEM text), ``free`` (not checked).
    ``scope``: ``intent``, ``device`` or ``both``.
    ``argspec_default``: the default a module applies (documented); the validator never fills it in.
    """

    __slots__ = ("types", "what", "description", "required", "default", "choices", "low", "high", "zero_ok",
                 "fields", "elements", "secret", "text", "max_len", "scope", "unit", "doc_type",
                 "_py", "_element")
    _ARGS = ("types", "what", "description", "required", "default", "choices", "low", "high", "zero_ok",
             "fields", "elements", "secret", "text", "max_len", "scope", "unit", "doc_type")

    def __init__(self, types, what="", description="", required=False, default=None, choices=None, low=None,
                 high=None, zero_ok=False, fields=None, elements=None, secret=False, text=None, max_len=None,
                 scope=BOTH, unit="", doc_type=None):
        self.types = (types,) if isinstance(types, str) else tuple(types)
        for name in self.types:
            if name not in _PY:
                raise ValueError("unknown field type %r" % name)
        self.what = what
        self.description = description
        self.required = required
        self.default = default
        self.choices = tuple(choices) if choices else None
        self.low = low
        self.high = high
        self.zero_ok = zero_ok
        self.fields = fields
        self.elements = elements
        self.secret = secret
        if text is None and self.types == ("str",):
            text = "line"
        if text is not None and text not in TEXT_KINDS:
            raise ValueError("unknown text kind %r" % text)
        self.text = text
        self.max_len = max_len
        self.scope = scope
        self.unit = unit
        self.doc_type = doc_type
        py = ()
        for name in self.types:
            py += _PY[name]
        self._py = py  # precomputed: the validator checks every field of every session
        if isinstance(elements, Field):
            self._element = elements
        else:
            self._element = Field(elements) if elements else None

    def replace(self, **changes):
        """A copy with some attributes changed (a role option derived from a module option, ...)."""
        kwargs = {name: getattr(self, name) for name in self._ARGS}
        kwargs.update(changes)
        return Field(**kwargs)

    def in_scope(self, scope):
        return scope is None or self.scope == BOTH or self.scope == scope

    @property
    def argtype(self):
        if self.doc_type == "path":
            return "path"
        if len(self.types) == 1 and self.types[0] in _ANSIBLE:
            return _ANSIBLE[self.types[0]]
        return "raw"

    def element_field(self):
        return self._element

    def description_lines(self):
        if isinstance(self.description, (list, tuple)):
            return list(self.description)
        return [self.description] if self.description else []


_SCOPED = {}  # (id(schema), scope) -> (schema, fields in scope): schemas are module-level constants


def in_scope(schema, scope):
    """The fields of ``schema`` that exist in ``scope``."""
    key = (id(schema), scope)
    cached = _SCOPED.get(key)
    if cached is None or cached[0] is not schema:
        cached = (schema, {name: field for name, field in schema.items() if field.in_scope(scope)})
        _SCOPED[key] = cached
    return cached[1]


# ---------------------------------------------------------------------------------------------------
# checks


def unknown_key_fix(key, fields):
    """"did you mean" the closest valid key, else the list of valid keys."""
    hint = values.suggest(key, fields)
    return ("did you mean '%s'?" % hint) if hint else "remove it; valid keys are %s" % ", ".join(sorted(fields))


def has_type(value, field):
    kind = type(value)
    if kind is str:  # the common case first
        return "str" in field.types or "date" in field.types or "raw" in field.types
    if "raw" in field.types:
        return True
    if kind is bool:
        return "bool" in field.types  # YAML true/false is never an integer here
    if isinstance(value, datetime.date):
        return "date" in field.types
    return isinstance(value, field._py)


def check_value(value, field, host, name, path, report):
    """Choices, range, text safety, length and list elements of a well-typed ``value``.

    Returns False when the value must not be used (an error was reported).
    """
    if isinstance(value, str) and field.choices is None and field.max_len is None:  # the common case, fast
        return not field.text or field.text == "free" or \
            values.check_text(value, field.text, host, path, report, name, field.secret)
    ok = True
    if field.choices is not None and not isinstance(value, (list, dict)) and value not in field.choices:
        report.error(host, path, "%s %s is not one of %s" % (name, values.show(value, field.secret),
                                                             ", ".join(str(c) for c in field.choices)),
                     "use one of %s" % ", ".join(str(c) for c in field.choices))
        return False
    if isinstance(value, int) and not isinstance(value, bool) and (field.low is not None or field.high is not None):
        if not (field.zero_ok and value == 0):
            ok = values.check_range(value, field.low, field.high, host, path, report, name, field.unit,
                                    zero_ok=field.zero_ok) and ok
    if isinstance(value, str):
        if field.text and field.text != "free":
            ok = values.check_text(value, field.text, host, path, report, name, field.secret) and ok
        if field.max_len is not None and len(value) > field.max_len:
            report.error(host, path, "%s is %d characters long, at most %d are allowed"
                         % (name if not field.secret else "the " + name, len(value), field.max_len),
                         "shorten it to %d characters or fewer" % field.max_len)
            ok = False
    if isinstance(value, (list, tuple)):
        element = field.element_field()
        if element is not None and element.fields is None:
            for index, item in enumerate(value):
                where = "%s[%d]" % (path, index)
                if item is None or not has_type(item, element):
                    report.error(host, where, "%s is %s, expected %s" % (values.show(item, element.secret),
                                                                         values.type_name(item),
                                                                         element.what or " or ".join(element.types)),
                                 "write %s" % (element.what or "a %s" % " or ".join(element.types)))
                    ok = False
                elif not check_value(item, element, host, "%s[%d]" % (name, index), where, report):
                    ok = False
    return ok


def check_object(obj, schema, host, path, report, scope=INTENT, unknown=True):
    """Report unknown keys, missing required keys, wrong types and bad values of ``obj``; return the
    usable values.

    ``None`` counts as "not set". The result holds only keys whose value is of a right type and
    passed :func:`check_value`; nested dicts are returned as given (check them with their own
    call, where the feature needs their values). ``unknown=False``: keys outside ``schema`` are
    left to the caller (a partner's keys belong to several features).
    """
    fields = in_scope(schema, scope)
    good = {}
    # walk the keys the object has (usually fewer than the schema's), then the required ones it lacks:
    # the fleet validator runs this for every session of every partner
    for key, value in obj.items():
        field = fields.get(key)
        if field is None:
            if unknown:
                report.error(host, "%s.%s" % (path, values.printable(str(key))), "unknown key %s" % values.show(str(key)),
                             unknown_key_fix(key, fields))
            continue
        if value is None:
            continue  # not set: a missing required key is reported below
        where = "%s.%s" % (path, key)
        if field.required and isinstance(value, str) and not value.strip():
            report.error(host, where, "%s is empty" % key, "set %s to %s" % (key, field.what))
            continue
        if not has_type(value, field):
            fix = "set %s to %s" % (key, field.what)
            if "int" in field.types and isinstance(value, str) and value.strip().isdigit():
                fix = "write %s without quotes" % value.strip()
            report.error(host, where, "%s is %s, expected %s" % (values.show(value, field.secret, key),
                                                                 values.type_name(value), field.what), fix)
            continue
        if not check_value(value, field, host, key, where, report):
            continue
        good[key] = value
    for key in _required(schema, scope):
        if obj.get(key) is None:
            report.error(host, "%s.%s" % (path, key), "required key '%s' is missing" % key,
                         "set %s to %s" % (key, fields[key].what))
    return good


_REQUIRED = {}  # (id(schema), scope) -> (schema, required keys)


def _required(schema, scope):
    key = (id(schema), scope)
    cached = _REQUIRED.get(key)
    if cached is None or cached[0] is not schema:
        cached = (schema, tuple(k for k, f in in_scope(schema, scope).items() if f.required))
        _REQUIRED[key] = cached
    return cached[1]

# ---------------------------------------------------------------------------------------------------
# generated artefacts: argspecs, documentation, role argument specs, markdown tables


def _shape(field):
    """``(entry, sub-schema)``: a field's type, required, default, choices and list elements as both an
    argspec and a documentation entry state them, and the fields nested in it (or None)."""
    entry = {"type": field.argtype}
    if field.required:
        entry["required"] = True
    if field.default is not None:
        entry["default"] = field.default
    if field.choices is not None and field.argtype != "list":
        entry["choices"] = list(field.choices)
    sub = None
    if field.argtype == "list":
        element = field.element_field()
        entry["elements"] = element.argtype if element is not None else "raw"
        if element is not None and element.fields is not None:
            sub = element.fields
        if element is not None and element.choices is not None:
            entry["choices"] = list(element.choices)
    elif field.argtype == "dict" and field.fields is not None:
        sub = field.fields
    return entry, sub


def argspec(schema, scope=DEVICE):
    """An Ansible argument spec for the fields of ``schema`` in ``scope``."""
    spec = {}
    for key, field in in_scope(schema, scope).items():
        entry, sub = _shape(field)
        if field.secret:
            entry["no_log"] = True
        elif _looks_secret(key):
            entry["no_log"] = False
        if sub is not None:
            entry["options"] = argspec(sub, scope)
        spec[key] = entry
    return spec


# AnsibleModule warns about options whose names look secret but are not no_log: say explicitly
_SECRET_NAME_RE = re.compile(r"(?:pass(?!ive)|secret|token|key)", re.I)


def _looks_secret(key):
    return bool(_SECRET_NAME_RE.search(key))


def _describe(field):
    lines = field.description_lines() or [field.what]
    informative = field.what and ("e.g." in field.what or ".." in field.what)
    if informative and field.description and field.what not in " ".join(lines):
        lines = lines + ["Write %s." % field.what]
    return lines


def doc_options(schema, scope=DEVICE, role=False):
    """The ``options`` of an Ansible DOCUMENTATION block (``role=True``: a role's argument_specs)."""
    out = {}
    for key, field in in_scope(schema, scope).items():
        entry, sub = _shape(field)
        entry = dict({"description": _describe(field)}, **entry)
        if sub is not None:
            entry["options" if role else "suboptions"] = doc_options(sub, scope, role)
        out[key] = entry
    return out


def _type_text(field):
    if field.doc_type:
        return field.doc_type
    names = []
    for name in field.types:
        if name == "list" and field.element_field() is not None:
            element = field.element_field()
            names.append("list of %s" % ("mappings" if element.fields is not None else " or ".join(element.types)))
        else:
            names.append(name)
    return " or ".join(names)


def markdown_rows(schema, scope=INTENT, prefix=""):
    """(key path, type, required, default, what) rows of ``schema`` in ``scope``, nested fields included."""
    rows = []
    for key, field in in_scope(schema, scope).items():
        name = prefix + key
        default = "" if field.default is None else _md_value(field.default)
        text = " ".join(field.description_lines()) or field.what
        if field.choices:
            text += " One of: %s." % ", ".join("`%s`" % c for c in field.choices)
        if field.secret:
            text += " Secret: keep it in ansible-vault."
        rows.append((name, _type_text(field), "yes" if field.required else "", default, text))
        sub = field.fields
        if sub is None and field.element_field() is not None:
            sub = field.element_field().fields
            name += "[]"
        if sub is not None:
            rows.extend(markdown_rows(sub, scope, name + "."))
    return rows


def _md_value(value):
    if isinstance(value, bool):
        return "`%s`" % str(value).lower()
    if value == []:
        return "`[]`"
    return "`%s`" % (value,)


_DOC_MARKUP = re.compile(r"\b([CI])\(([^()]*)\)")


def _markdown_text(text):
    """Ansible doc markup as Markdown: C(code) -> `code`, I(option) -> *option*."""
    return _DOC_MARKUP.sub(lambda m: ("`%s`" if m.group(1) == "C" else "*%s*") % m.group(2), text).replace("|", "\\|")


def markdown_table(schema, scope=INTENT, prefix=""):
    lines = ["| key | type | required | default | meaning |", "| --- | --- | --- | --- | --- |"]
    for name, kind, required, default, text in markdown_rows(schema, scope, prefix):
        lines.append("| `%s` | %s | %s | %s | %s |" % (name, kind, required, default, _markdown_text(text)))
    return "\n".join(lines)


def defaults(schema):
    """``{key: default}`` of the fields that have one (a role's defaults/main.yml)."""
    return {key: field.default for key, field in schema.items() if field.default is not None}
