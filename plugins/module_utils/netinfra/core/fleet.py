# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet validator: every registered feature's checks over the whole inventory, in one pass.

A feature registers a :class:`Feature`: the host variables and partner keys it owns (from its
schema), its policy variables, the platforms it runs on, and a ``validate(ctx)`` function. The
fleet validator runs the core checks (platforms, the partners container, partner names, keys no
feature owns, the ``netinfra_policy``), then each feature in dependency order (AVD's ordered
generators). Cross-feature facts (a tunnel's inside addresses for BGP, our announced space, later
the HSM subnet and VRRP addresses) are published on the shared :class:`FleetContext`.

A module checks its own input with :func:`check_device`: the same validator over a one-device view
of its config, with the same fleet policy. So the fleet and a module can never disagree.

Plain Python, no Ansible import, Python 3.9 compatible.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import re

from . import schema as sch
from . import values
from .findings import ERROR, Report, sentence, sort_key
from .policy import NETINFRA_POLICY
from .states import NEEDS_CONFIG, empty_intent_problem

PARTNER_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
PLANNED_PLATFORMS = ("eos",)
ONE_DEVICE = "this-device"


class Feature:
    """What a feature contributes to fleet validation.

    ``host_vars``: {var name: Field} it owns on a device (e.g. ``bgp``).
    ``partner_fields``: {key: Field} it owns on a partner (e.g. ``sessions``, ``tunnels``).
    ``policy_vars``: {var name: Field} of its fleet policy (e.g. ``bgp_policy``).
    ``platforms``: the ``netinfra_platform`` values it runs on.
    ``after``: features whose facts it reads (they validate first).
    ``validate(ctx)``: report findings, publish facts. ``count(ctx)``: {what: number} for the summary.
    ``device_view(config, device)``: (partners, host vars, {intent path: config path}) of a module's config as a
    fleet of one device named ``device``.
    """

    def __init__(self, name, validate, host_vars=None, partner_fields=None, policy_vars=None, platforms=(),
                 after=(), count=None, device_view=None):
        self.name = name
        self.validate = validate
        self.host_vars = dict(host_vars or {})
        self.partner_fields = dict(partner_fields or {})
        self.policy_vars = dict(policy_vars or {})
        self.platforms = tuple(platforms)
        self.after = tuple(after)
        self.count = count
        self.device_view = device_view


_REGISTRY = {}


def register(feature):
    """Add (or replace) a feature in the registry; returns it."""
    _REGISTRY[feature.name] = feature
    return feature


def registered(names=None):
    """The registered features (or the named ones) in dependency order."""
    wanted = list(_REGISTRY) if names is None else list(names)
    missing = [n for n in wanted if n not in _REGISTRY]
    if missing:
        raise ValueError("unknown feature(s): %s" % ", ".join(missing))
    ordered, seen = [], set()

    def visit(name, stack):
        if name in seen:
            return
        if name in stack:
            raise ValueError("feature dependency cycle: %s" % " -> ".join(stack + (name,)))
        for dep in _REGISTRY[name].after:
            if dep in _REGISTRY and (dep in wanted):
                visit(dep, stack + (name,))
        seen.add(name)
        ordered.append(_REGISTRY[name])

    for name in sorted(wanted):
        visit(name, ())
    return ordered


def host_var_names(features=None):
    """Every host variable a feature reads, plus ``netinfra_platform``."""
    names = ["netinfra_platform"]
    for feature in registered(features):
        names.extend(k for k in feature.host_vars if k not in names)
    return names


def secret_field_names(features=None):
    """The names of every secret field in the features' partner intent (password, psk, key, ...)."""
    names = set()

    def walk(fields):
        for key, field in fields.items():
            if field.secret:
                names.add(key)
            element = field.element_field()
            for sub in (field.fields, element.fields if element is not None else None):
                if sub:
                    walk(sub)

    for feature in registered(features):
        walk(feature.partner_fields)
    return frozenset(names)


def policy_var_names(features=None):
    """Every fleet policy variable (``netinfra_policy`` and each feature's)."""
    names = ["netinfra_policy"]
    for feature in registered(features):
        names.extend(k for k in feature.policy_vars if k not in names)
    return names


class FleetContext:
    """What a validation run knows: the intent, the report, each feature's effective policy and the
    facts features publish for each other (``facts[name]``)."""

    def __init__(self, partners, devices, policy_vars, features, partner_files=None, today=None):
        self.report = Report()
        self.raw_partners = partners
        self.partners = {}  # name -> partner mapping, for partners with a usable name and shape
        self.devices = devices or {}
        self.policy_vars = policy_vars or {}
        self.features = features
        self.partner_files = partner_files or {}
        self.platforms = {}  # host -> supported netinfra_platform
        self.policy = {}  # var name -> effective (checked, defaults filled) value
        self.facts = {}
        self.today = today or datetime.date.today()
        self.environment = "production"
        self.secrets_must_be_vaulted = False
        self.one_device = False  # a module's check of its own config (core.fleet.check_device)
        self.supported_platforms = set()
        for feature in features:
            self.supported_platforms.update(feature.platforms)

    # convenience for features
    def error(self, host, field, message, fix=""):
        self.report.error(host, field, message, fix)

    def warning(self, host, field, message, fix=""):
        self.report.warning(host, field, message, fix)

    def partner_item(self, name, kind, index, item, example):
        """``(path, host)`` of ``partners.<name>.<kind>[index]``: the host is the item's device (the
        partner when it names none). Reports an item that is not a mapping and returns None for it."""
        path = "partners.%s.%s[%d]" % (name, kind, index)
        device = item.get("device") if isinstance(item, dict) else None
        host = values.clean_name(device) or "partner:%s" % name
        if not isinstance(item, dict):
            self.error(host, path, "%s is %s, expected a mapping" % (kind.rstrip("s"), values.type_name(item)),
                       "write %s" % example)
            return None
        return path, host

    def policy_mapping(self, name, fields):
        """The effective value of the fleet policy variable ``name`` (a mapping of ``fields``): its
        schema defaults with the checked values of the variable applied; problems are reported."""
        value = self.policy_vars.get(name)
        effective = sch.defaults(fields)
        if value is not None:
            if not isinstance(value, dict):
                self.error("policy", name, "%s is %s, expected a mapping" % (name, values.type_name(value)),
                           "make %s a mapping of the keys %s" % (name, ", ".join(sorted(fields))))
            else:
                effective.update(sch.check_object(value, fields, "policy", name, self.report))
        self.policy[name] = effective
        return effective

    def hostvars(self, host):
        value = self.devices.get(host)
        return value if isinstance(value, dict) else {}

    def is_production(self):
        return self.environment == "production"


def _check_netinfra_policy(ctx):
    effective = ctx.policy_mapping("netinfra_policy", NETINFRA_POLICY)
    ctx.environment = effective["environment"]
    ctx.secrets_must_be_vaulted = effective["secrets_must_be_vaulted"]


def _check_platforms(ctx):
    supported = ctx.supported_platforms
    owned = set()
    for feature in ctx.features:
        owned.update(feature.host_vars)
    for host in sorted(ctx.devices):
        hostvars = ctx.devices[host]
        if hostvars is None:
            ctx.devices[host] = hostvars = {}
        if not isinstance(hostvars, dict):
            ctx.error(host, "vars", "host vars are %s, expected a mapping" % values.type_name(hostvars),
                      "check host_vars/%s.yml" % host)
            continue
        platform = hostvars.get("netinfra_platform")
        uses = sorted(k for k in owned if hostvars.get(k) is not None)
        if platform is None:
            if uses:
                ctx.error(host, "netinfra_platform", "netinfra_platform is not set on a host with %s vars" % ", ".join(uses),
                          "set netinfra_platform (%s) in host_vars/%s.yml" % (" or ".join(sorted(supported)), host))
            continue
        if platform in supported:
            ctx.platforms[host] = platform
            continue
        if isinstance(platform, str) and platform.lower() in PLANNED_PLATFORMS:
            message = "platform '%s' is not supported yet" % platform
        else:
            message = "unknown platform %s" % values.show(platform)
        ctx.error(host, "netinfra_platform", message,
                  "use frr (BGP routers, also VPN gateways) or linux (strongSwan-only VPN gateways); Arista EOS is planned")


def _check_partner_name(ctx, name):
    if isinstance(name, str) and PARTNER_NAME_RE.match(name):
        return True
    fixed = re.sub(r"[^a-z0-9_]", "_", str(name).lower()).strip("_")
    if not fixed or not fixed[0].isalpha():
        fixed = "p_" + fixed
    shown = values.printable(str(name))
    ctx.error("partner:%s" % shown, "partners.%s" % shown,
              "partner name '%s' must match ^[a-z][a-z0-9_]{0,30}$ (it becomes FRR object names)" % shown,
              "rename it, e.g. '%s'" % fixed[:31])
    return False


def _check_partners(ctx):
    partners = ctx.raw_partners
    if partners is None:
        partners = {}
    if not isinstance(partners, dict):
        ctx.error("partners", "partners", "partners is %s, expected a mapping of name -> partner" % values.type_name(partners),
                  "write partners: {acme_bank: {asn: ..., sessions: [...]}}")
        return
    fields = {}
    for feature in ctx.features:
        fields.update(feature.partner_fields)
    for name in sorted(partners, key=str):
        if not _check_partner_name(ctx, name):
            continue
        partner = partners[name]
        if not isinstance(partner, dict):
            ctx.error("partner:%s" % name, "partners.%s" % name,
                      "partner '%s' is %s, expected a mapping" % (name, values.type_name(partner)),
                      "give the partner its asn, accept_prefixes, max_prefixes and sessions")
            continue
        for key in partner:
            if key not in fields:
                ctx.error("partner:%s" % name, "partners.%s.%s" % (name, values.printable(str(key))),
                          "unknown key %s" % values.show(str(key)), sch.unknown_key_fix(key, fields))
        ctx.partners[name] = partner


# The addresses a partner's intent puts on our devices and theirs: BGP sessions and IPsec tunnels.
PARTNER_ADDRESS_KEYS = (("sessions", ("local_address", "peer_address")), ("tunnels", ("local_gateway", "peer_gateway")))


def partner_addresses(ctx):
    """``[(device or None, address, key, path)]`` of every well-formed address in the partners intent
    (:data:`PARTNER_ADDRESS_KEYS`), for the features that must not reuse one (a VRRP virtual address) or
    must not expose a service on one (an SNMP agent). Walked once per run and kept in ``ctx.facts``."""
    found = ctx.facts.get("partners.addresses")
    if found is not None:
        return found
    found = []
    for name in sorted(ctx.partners):
        partner = ctx.partners[name]
        if not isinstance(partner, dict):
            continue
        for kind, keys in PARTNER_ADDRESS_KEYS:
            items = partner.get(kind)
            if not isinstance(items, (list, tuple)):
                continue
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    continue
                device = item.get("device") if isinstance(item.get("device"), str) else None
                for key in keys:
                    address = values.parse_ip(item.get(key))
                    if address is not None:
                        found.append((device, address, key, "partners.%s.%s[%d].%s" % (name, kind, index, key)))
    ctx.facts["partners.addresses"] = found
    return found


def validate_fleet(partners, devices, policy_vars=None, partner_files=None, features=None, today=None, one_device=False):
    """Every finding for the fleet's intent, sorted by host then field.

    ``partners``: the ``partners`` var. ``devices``: inventory hostname -> that host's variables (the
    ones :func:`host_var_names` lists). ``policy_vars``: {var name: value} of the fleet policy
    variables (:func:`policy_var_names`; missing ones take their defaults). ``partner_files``
    (name -> file) adds the file to findings. ``features``: names to run (default: all registered).
    """
    ctx = FleetContext(partners, dict(devices or {}), policy_vars, registered(features), partner_files, today)
    ctx.one_device = one_device
    _check_netinfra_policy(ctx)
    _check_platforms(ctx)
    _check_partners(ctx)
    for feature in ctx.features:
        feature.validate(ctx)
    findings = ctx.report.findings
    if ctx.partner_files:
        findings = [_with_file(f, ctx.partner_files) for f in findings]
    return sorted(findings, key=sort_key)


def _with_file(finding, partner_files):
    if not finding.field.startswith("partners."):
        return finding
    name = re.split(r"[.\[]", finding.field[len("partners."):], maxsplit=1)[0]
    path = partner_files.get(name)
    if not isinstance(path, str) or not path:
        return finding
    return finding.relabel(file=path)


def count_intent(partners, devices, features=None):
    """``{"partners": N, ...}`` with each feature's counts (sessions, tunnels, devices, ...)."""
    ctx = FleetContext(partners, devices, None, registered(features))
    if isinstance(partners, dict):
        ctx.partners = {name: p for name, p in partners.items() if isinstance(p, dict)}
    counts = {"partners": len(partners) if isinstance(partners, dict) else 0}
    for feature in ctx.features:
        if feature.count is not None:
            counts.update(feature.count(ctx))
    return counts


def check_device(feature_name, config, policy_vars=None, host=None, today=None):
    """A module's own input check: the feature's validator over a one-device view of ``config``
    with the fleet policy ``policy_vars``. Returns the errors as strings naming the field of
    ``config`` (``config.partners[0].sessions[1].password``) and the fix, prefixed with ``host``
    when given. The same checks, messages and fixes as the fleet validator's."""
    feature = _REGISTRY[feature_name]
    # the device is named as in the inventory, so what depends on its name (the inside network an IPsec
    # fix suggests is allocated from partner/device/tunnel) is what the fleet validator says
    device = host or ONE_DEVICE
    partners, hostvars, paths = feature.device_view(config, device)
    findings = validate_fleet(partners, {device: hostvars}, dict(policy_vars or {}), features=[feature_name],
                              today=today, one_device=True)
    out = []
    for finding in findings:
        if finding.severity != ERROR:
            continue
        field = _device_path(finding.field, paths)
        text = "%s: %s" % (field, _device_text(sentence(finding.message), paths, host))
        if finding.fix:
            text += " Fix: %s" % _device_text(sentence(finding.fix), paths, host)
        out.append("%s: %s" % (host, text) if host else text)
    return out


def check_module_input(feature_name, config, items, params, what, host=None, today=None):
    """Every reason a feature module must refuse its input before touching the device: the feature's
    validator over the one-device view (with ``params["fleet_policy"]``) and, for replaced/overridden,
    empty intent without ``allow_empty``. ``items``: the config's list of partners/tunnels."""
    state = params["state"]
    if state not in NEEDS_CONFIG:
        return []
    problems = check_device(feature_name, config, params.get("fleet_policy"), host=host, today=today)
    empty = empty_intent_problem(state, items, params.get("allow_empty"), what, host=host)
    return problems + ([empty] if empty else [])


def _device_text(text, paths, host):
    """A message of the one-device view in the module's terms (config paths, the host's name)."""
    for prefix in sorted(paths, key=len, reverse=True):
        text = re.sub(r"(?<![\w.\[])%s(?=[.\[\s,;)]|$)" % re.escape(prefix), lambda m, p=prefix: paths[p], text)
    return text.replace(ONE_DEVICE, host or "this device")


def _device_path(field, paths):
    """The intent path of a one-device view translated back to the module's ``config`` path."""
    best = ""
    for prefix in paths:
        if (field == prefix or field.startswith(prefix + ".") or field.startswith(prefix + "[")) and len(prefix) > len(best):
            best = prefix
    return paths[best] + field[len(best):] if best else field
