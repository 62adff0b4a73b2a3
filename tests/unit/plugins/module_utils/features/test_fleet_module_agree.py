"""The fleet validator and a module's own input check agree.

A module (bgp_peering, ipsec_tunnel) checks its ``config`` with core.fleet.check_device: the same
validator on a one-device view, with the same fleet policy (its ``fleet_policy`` option). These
tests build each device's module config from the intent with the filters' functions
(bgp/model.device_config_from_intent, ipsec/model.ipsec_device_config) and compare:

* the three disagreements the issue names (a bgp_policy allowing longer prefixes, a non-default
  inside pool, and the general case);
* every case of the bad-intent corpus: each fleet error on a device's partner, session or tunnel
  field is a module error on the corresponding config field, and each module error is a fleet one;
* good intents: both clean.
"""

from __future__ import annotations

import functools
import re
import typing as t

import pytest
from intent_corpus import CASES, TODAY, apply

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.fleet import PARTNER_NAME_RE
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.values import printable
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features import registry
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.model import device_config_from_intent
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.model import (
    DEFAULT_POOL,
    DEFAULT_PREFIXLEN,
    TIMER_KEYS,
    connection_name,
    ipsec_device_config,
    parse_duration,
    tunnel_name,
)

FEATURES = ("bgp", "ipsec")
LAB = {"netinfra_policy": {"environment": "lab"}}
MISSING = object()


# --- building each device's module config and checking it ----------------------------------------------

def fleet_policy(policy_vars: dict[str, t.Any], feature: str) -> dict[str, t.Any]:
    """The module's fleet_policy option as the action plugin fills it: the feature's policy variables."""
    return {name: policy_vars[name] for name in registry.policy_var_names([feature]) if policy_vars.get(name) is not None}


def module_configs(data: dict[str, t.Any]) -> dict[tuple[str, str], t.Any]:
    """{(host, feature): the module's config, or None where the filter refuses the intent (the module never
    gets it)} for every device the feature has something on."""
    partners, policy = data["partners"], data["policy"]
    pool = policy.get("ipsec_inside_pool") or DEFAULT_POOL
    prefixlen = policy.get("ipsec_inside_prefixlen") or DEFAULT_PREFIXLEN
    builders = {
        "bgp": lambda host, bgp: device_config_from_intent(partners, host, bgp, pool=pool, prefixlen=prefixlen),
        "ipsec": lambda host, bgp: ipsec_device_config(partners, host, bgp, pool, prefixlen, policy=policy.get("ipsec_policy")),
    }
    configs = {}
    for host, hostvars in data["devices"].items():
        if isinstance(hostvars.get("snmp"), dict):  # the snmp role passes the device's snmp variable as it is
            configs[(host, "snmp")] = hostvars["snmp"]
        bgp = hostvars.get("bgp")
        for feature, build in builders.items():
            if feature == "bgp" and not isinstance(bgp, dict):
                continue
            try:
                config = build(host, bgp if isinstance(bgp, dict) else None)
            except (ValueError, TypeError, KeyError, AttributeError):
                config = None
            if config is None or config.get("partners" if feature == "bgp" else "tunnels"):
                configs[(host, feature)] = config
    return configs


def fleet_errors(data: dict[str, t.Any]) -> list[registry.Finding]:
    findings = registry.validate_fleet(data["partners"], data["devices"], data["policy"], today=TODAY)
    return [f for f in findings if f.severity == registry.ERROR]


def module_errors(config: t.Any, feature: str, host: str, policy_vars: dict[str, t.Any]) -> list[str]:
    return registry.check_device(feature, config, fleet_policy(policy_vars, feature), host=host, today=TODAY)


def field_of(problem: str) -> str:
    """``config.partners[0].asn`` of ``"dc1-edge1: config.partners[0].asn: ... Fix: ..."``."""
    return problem.split(": ", 2)[1]


def lookup(data: t.Any, path: str) -> t.Any:
    """The value at a dotted path (``config.partners[0].sessions[1].password``), MISSING when there is none."""
    node = data
    for part in re.findall(r"\[\d+\]|[^.\[\]]+", path):
        key: t.Any = int(part[1:-1]) if part.startswith("[") else part
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return MISSING
    return node


# --- fleet finding -> the module config field it is about ----------------------------------------------

def _position(items: list[t.Any], wanted: t.Callable[[t.Any], bool]) -> int | None:
    return next((i for i, item in enumerate(items) if wanted(item)), None)


def targets(finding: registry.Finding, data: dict[str, t.Any], configs: dict) -> list[tuple[str, str, str]] | None:
    """[(host, feature, config field)] a fleet error is about; None when no module config holds it."""
    field, partners = finding.field, data["partners"]
    if finding.host == "hsm":  # the fleet's hsm intent: features/hsm/test_hsm.py compares the gateways' module check
        return []
    if finding.host == "policy":
        features = FEATURES + ("snmp",) if field.startswith("netinfra_policy") else ("bgp",) if field.startswith("bgp_") \
            else ("snmp",) if field.startswith("snmp_") else ("ipsec",)
        return [(host, feature, field) for host, feature in configs if feature in features]
    if field == "bgp" or field.startswith("bgp."):
        return [(finding.host, "bgp", "config" + field[len("bgp"):])]
    if field == "snmp" or field.startswith("snmp."):
        return [(finding.host, "snmp", "config" + field[len("snmp"):])]
    # findings show a partner's name escaped
    name = next((n for n in partners if re.match(r"partners\.%s(?=$|\.)" % re.escape(printable(str(n))), field)), None)
    if name is None:
        return None
    kind, index, rest = re.match(r"(?:\.(sessions|tunnels)\[(\d+)\])?(.*)$", field[len("partners.%s" % printable(name)):]).groups()
    if kind is None:  # the partner's name: in every config holding the partner; its BGP keys: on its routers
        bad_name = rest == "" and not PARTNER_NAME_RE.match(name)
        out = []
        for (host, feature), config in configs.items():
            if feature == "bgp":
                at = _position((config or {}).get("partners") or [], lambda p: p.get("name") == name)
                if at is not None:
                    out.append((host, "bgp", "config.partners[%d]%s" % (at, ".name" if bad_name else rest)))
            elif bad_name:
                at = _position((config or {}).get("tunnels") or [], lambda c: c.get("partner") == name)
                if at is not None:
                    out.append((host, "ipsec", "config.tunnels[%d].partner" % at))
        return out
    items = partners[name][kind]
    item = items[int(index)]
    device = item.get("device")
    config = configs.get((device, "bgp" if kind == "sessions" else "ipsec"))
    if config is None:
        return []
    if rest == ".device":  # the device the module runs on: the session or tunnel itself
        rest = ""
    if kind == "sessions":
        at = _position(config["partners"], lambda p: p.get("name") == name)
        k = sum(1 for s in items[:int(index)] if s.get("device") == device)
        return [(device, "bgp", "config.partners[%d].sessions[%d]%s" % (at, k, rest))]
    k = _position(config["tunnels"], lambda c: c["name"] == connection_name(name, tunnel_name(item)))
    rest = {".inside": ".inside.network", ".local_inside": ".inside.local"}.get(rest, rest)
    return [(device, "ipsec", "config.tunnels[%d]%s" % (k, rest))]


def _same(intent: t.Any, config: t.Any, field: str) -> bool:
    """The module got the value the fleet refused (a duration the filter wrote in seconds is the same one)."""
    if intent == config:
        return True
    if field.rsplit(".", 1)[-1] in TIMER_KEYS:
        try:
            return parse_duration(intent) == parse_duration(config)
        except ValueError:
            return False
    return False


def _intent_value(finding, data):
    if finding.host == "policy":
        return lookup(data["policy"], finding.field)
    if finding.field.startswith(("bgp", "snmp")):
        return lookup(data["devices"][finding.host], finding.field)
    return lookup(data, finding.field)


@functools.lru_cache(maxsize=None)
def compare(case_id: str) -> tuple[list[str], int]:
    """(disagreements, how many fleet errors the module check saw the same value for)."""
    case = next(c for c in CASES if c["id"] == case_id)
    data = apply(case)
    fleet = fleet_errors(data)
    configs = module_configs(data)
    module = {key: module_errors(config, key[1], key[0], data["policy"]) for key, config in configs.items() if config}
    problems, compared, explained = [], 0, set()
    for finding in fleet:
        found = targets(finding, data, configs)
        if found is None:
            problems.append("no module config holds the field of %s (mark the case fleet_only)" % finding)
            continue
        for host, feature, field in found:
            config = configs.get((host, feature))
            explained.add((host, feature, field))
            if config is None or (finding.host != "policy"
                                  and not _same(_intent_value(finding, data), lookup({"config": config}, field), field)):
                continue  # the filter refuses the intent, or changes (normalises, drops) the value: not the same input
            compared += 1
            if field not in [field_of(p) for p in module[(host, feature)]]:
                problems.append("fleet: %s\n  module %s %s has no error at %s: %s" % (finding, host, feature, field,
                                                                                      module[(host, feature)]))
    for (host, feature), found in module.items():
        for problem in found:
            if (host, feature, field_of(problem)) not in explained:
                problems.append("module only: %s" % problem)
    return problems, compared


# --- the disagreements the issue names ---------------------------------------------------------------

def _message_and_fix(text: str) -> str:
    """What a finding says, without where: ``host: field: <this>``."""
    return text.split(": ", 2)[2]


def _router_config(data):
    return device_config_from_intent(data["partners"], "dc1-edge1", data["devices"]["dc1-edge1"]["bgp"])


def _gateway_config(data):
    """Built with the pool the inventory sets (the filter allocates from it); the policy then decides."""
    return ipsec_device_config(data["partners"], "dc1-edge1", data["devices"]["dc1-edge1"]["bgp"], "10.255.0.0/24", 31)


LONGER = {"partners.acme_bank.accept_prefixes[0]": "198.51.100.0/26"}
OTHER_POOL = {"partners.card_net.tunnels[0].inside": "10.255.0.4/31"}


@pytest.mark.parametrize("changes, feature, build, refused", [
    pytest.param(dict(LONGER, **{"policy.bgp_policy": {"max_accept_prefix_len_v4": 28}}), "bgp", _router_config, None,
                 id="bgp-policy-allowing-a-26"),
    pytest.param(LONGER, "bgp", _router_config,
                 ("partner:acme_bank", "partners.acme_bank.accept_prefixes[0]", "config.partners[0].accept_prefixes[0]",
                  "198.51.100.0/26 accepts prefixes up to /26, longer than bgp_policy.max_accept_prefix_len_v4 (/24)"),
                 id="default-bgp-policy-refusing-a-26"),
    pytest.param(dict(OTHER_POOL, **{"policy.ipsec_inside_pool": "10.255.0.0/24", "policy.ipsec_inside_prefixlen": 31}),
                 "ipsec", _gateway_config, None, id="inside-pool-10.255.0.0/24-prefixlen-31"),
    pytest.param(OTHER_POOL, "ipsec", _gateway_config,
                 ("dc1-edge1", "partners.card_net.tunnels[0].inside", "config.tunnels[0].inside.network",
                  "10.255.0.4/31 is not inside the pool 169.254.0.0/16"),
                 id="default-pool-refusing-it"),
])
def test_the_fleet_policy_is_applied_by_both(changes, feature, build, refused):
    data = apply({"set": changes})
    fleet = fleet_errors(data)
    module = module_errors(build(data), feature, "dc1-edge1", data["policy"])
    if refused is None:
        assert fleet == [] and module == []
        return
    host, intent_field, config_field, words = refused
    assert [(f.host, f.field) for f in fleet] == [(host, intent_field)] and words in fleet[0].message
    assert [field_of(p) for p in module] == [config_field]
    assert _message_and_fix(module[0]) == _message_and_fix(str(fleet[0]))  # the same problem and the same fix


# --- every bad intent, and good ones ------------------------------------------------------------------

AGREED = [c for c in CASES if not c.get("fleet_only")
          and c["kind"] not in ("vrrp", "hsm")]  # vrrp: features/vrrp/test_vrrp.py (module check of each case)
# hsm: features/hsm/test_hsm.py (module check of each case)


@pytest.mark.parametrize("case_id", [c["id"] for c in AGREED])
def test_fleet_and_module_agree_on_bad_intent(case_id):
    problems, _compared = compare(case_id)
    assert not problems, "\n".join(problems)


def test_the_comparison_is_not_vacuous():
    # most bad intents reach a module unchanged (the rest the filter refuses or normalises first)
    compared = [case["id"] for case in AGREED if compare(case["id"])[1]]
    assert len(compared) >= 0.6 * len(AGREED), sorted(set(c["id"] for c in AGREED) - set(compared))


GOOD = {
    "base": {},
    "link-local-accepted-over-its-tunnel": {"partners.card_net.accept_prefixes[1]": "169.254.20.0/24"},
    "longer-prefixes-the-policy-allows": {"partners.acme_bank.accept_prefixes[0]": "198.51.100.0/26",
                                          "policy.bgp_policy": {"max_accept_prefix_len_v4": 28}},
    "inside-from-another-pool": {"partners.card_net.tunnels[0].inside": "10.255.0.4/31",
                                 "policy.ipsec_inside_pool": "10.255.0.0/24", "policy.ipsec_inside_prefixlen": 31},
    "allocated-inside": {"partners.card_net.tunnels[0].inside": None},
    "waived-bogon": {"partners.acme_bank.accept_prefixes[3]": "10.20.0.0/16",
                     "partners.acme_bank.accept_exceptions": [{"prefix": "10.20.0.0/16", "reason": "legacy",
                                                               "approved_by": "CHG-9", "expires": "2099-01-01"}]},
    "crypto-exception": {"partners.acme_bank.tunnels[0].esp_proposals": ["aes256-sha256-modp2048"],
                         "partners.acme_bank.tunnels[0].crypto_exception": {"reason": "partner HSM", "approved_by": "CHG-1"}},
    "staging-policy-and-timers": {"policy.netinfra_policy.environment": "staging",
                                  "partners.acme_bank.timers": {"keepalive": 60, "hold": 180},
                                  "partners.acme_bank.tunnels[0].dpd_delay": 300},
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_intent_is_clean_for_both(name):
    data = apply({"set": {k: v for k, v in GOOD[name].items() if v is not None},
                  "remove": [k for k, v in GOOD[name].items() if v is None]})
    assert fleet_errors(data) == []
    configs = module_configs(data)
    assert set(configs) == {("dc1-edge1", "bgp"), ("dc1-edge2", "bgp"), ("dc1-edge1", "ipsec"), ("dc1-gw1", "ipsec")}
    for (host, feature), config in configs.items():
        assert config is not None and module_errors(config, feature, host, data["policy"]) == []
