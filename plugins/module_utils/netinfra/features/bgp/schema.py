# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one schema of BGP partner peering.

Intent (docs/intent.md): a device's ``bgp`` variable, a partner's BGP keys and sessions
(``partners/<name>.yml``) and the fleet's ``bgp_policy``. Device config (the ``config`` option of
bgp_peering and bgp_status): the same fields, with partners as a list named by ``name`` and the
sessions of this device only. Validator, module argspecs, role argument specs and the docs' option
tables are all made from these definitions (core/schema.py; scripts/generate.py).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ...core.confirm import confirm_timeout_field
from ...core.schema import DEVICE, INTENT, Field
from ...core.policy import NETINFRA_POLICY_VAR, WAIVER_FIELDS, fleet_policy_field
from ...core.states import RESOURCE_STATE, allow_empty_field, role_state_field

MAX_ASN = 4294967295
MAX_PASSWORD_LEN = 80  # FRR's TCP-MD5 key limit
MAX_DESCRIPTION_LEN = 80  # FRR's neighbor description limit
TRANSPORTS = ("direct", "ipsec")
DRAIN_MODES = ("community", "prepend")
MAX_DRAIN_PREPEND = 10

WAIVER = dict(WAIVER_FIELDS, prefix=Field(
    "str", "the accept_prefixes entry it allows, e.g. 10.20.0.0/16", required=True, text="token",
    description="The accept_prefixes entry (its prefix) the exception allows."))
WAIVER["expires"] = WAIVER["expires"].replace(required=True)

SESSION = {
    "device": Field("str", "the inventory hostname of our router, e.g. dc1-edge1", required=True, text="token",
                    scope=INTENT, description="Inventory hostname of our router that holds the session."),
    # required in the device config; in the intent unless transport: ipsec (checked by validate)
    "peer_address": Field("str", "the partner router's IPv4 or IPv6 address", text="token",
                          description="The partner router's address (IPv4 or IPv6)."),
    "local_address": Field("str", "our IPv4 or IPv6 address on the link", text="token",
                           description="Our address on the link, used as update-source."),
    "password": Field("str", "a vaulted string, e.g. \"{{ vault_<partner>_bgp }}\"", secret=True, text="cli",
                      description="TCP-MD5 password, at most 80 characters without blanks or '?'. Keep it in "
                                  "ansible-vault; it is never shown."),
    "description": Field("str", "a short text (at most 80 characters)", text="cli", max_len=MAX_DESCRIPTION_LEN,
                         description="Per-session description overriding the partner's."),
    "shutdown": Field("bool", "true or false", default=False, description="Administratively shut the session down."),
    "transport": Field("str", "direct or ipsec", choices=TRANSPORTS, scope=INTENT,
                       description=["C(direct) on the link (default), or C(ipsec) over the partner's tunnel on the "
                                    "same device: peer and local address then come from the tunnel's inside network."]),
    "tunnel": Field("str", "the name of the partner's tunnel on the same device, e.g. main", text="token",
                    scope=INTENT, description="With C(transport=ipsec): which of the partner's tunnels on the device."),
}
SESSION_DEVICE = dict(SESSION, peer_address=SESSION["peer_address"].replace(required=True))

TIMERS = {
    "keepalive": Field("int", "seconds 1..60", required=True, low=1, high=60, unit="seconds",
                       description="Keepalive interval, seconds (at most a third of hold)."),
    "hold": Field("int", "seconds 3..180", required=True, low=3, high=180, unit="seconds",
                  description=["Hold time, seconds. 0 (no hold timer: a dead partner is never noticed) and more than "
                               "180 (FRR's default) are refused."]),
}
MAX_PREFIXES = {
    "limit": Field("int", "an integer 1..4294967295", required=True, low=1, high=MAX_ASN,
                   description="Maximum prefixes accepted."),
    "threshold": Field("int", "a percentage 1..100", low=1, high=100, unit="percent",
                       description="Warn at this percentage of the limit (FRR default 75)."),
    "restart": Field("int", "minutes 1..65535", low=1, high=65535, unit="minutes",
                     description="Re-establish the session after this many minutes once the limit tripped."),
    "warning_only": Field("bool", "true or false", description="Only log when the limit is exceeded."),
}

PARTNER = {
    "name": Field("str", "the partner name", required=True, scope=DEVICE, text="token",
                  description="Partner name, C(^[a-z][a-z0-9_]{0,30}$). FRR object names use its upper-cased form."),
    "asn": Field("int", "the partner's ASN as an integer, e.g. 64496", required=True,
                 description="The partner's ASN (asplain)."),
    "description": Field("str", "a short text (at most 80 characters)", text="cli", max_len=MAX_DESCRIPTION_LEN,
                         description="Neighbor description."),
    "accept_prefixes": Field("list", "a list of prefixes they may announce, e.g. [198.51.100.0/24]", required=True,
                             elements="raw", doc_type="list of prefixes or {prefix, ge, le}",
                             description=["What the partner may announce to us: a prefix, or a mapping with C(prefix), "
                                          "C(ge) and C(le). Bogons (RFC 1918, loopback, multicast, ...) need an "
                                          "C(accept_exceptions) entry."]),
    "accept_exceptions": Field("list", "a list of {prefix, reason, approved_by, expires}",
                               elements=Field("dict", "{prefix, reason, approved_by, expires}", fields=WAIVER),
                               description="Approved, dated exceptions for accept_prefixes entries that are bogons."),
    "announce": Field("list", "a list of our prefixes to announce to them", elements="str",
                      description="What we announce to this partner (default: the device's C(bgp.announce))."),
    "max_prefixes": Field(("int", "dict"), "an integer or {limit: N, threshold: 80, restart: 5}", fields=MAX_PREFIXES,
                          doc_type="int or mapping",
                          description="Maximum prefixes accepted: an int, or a mapping with C(limit), C(threshold), "
                                      "C(restart), C(warning_only)."),
    "ttl_security": Field("int", "an integer 1..254", low=1, high=254, unit="hops",
                          description="GTSM (RFC 5082) hop count. Both ends must agree."),
    "ebgp_multihop": Field("int", "an integer 1..255", low=1, high=255,
                           description="eBGP multihop TTL. Cannot be combined with C(ttl_security)."),
    "timers": Field("dict", "{keepalive: 10, hold: 30}", fields=TIMERS, description="Keepalive and hold time."),
    "connect_retry": Field("int", "seconds 1..120, e.g. 10 for sessions over IPsec tunnels", low=1, high=120,
                           unit="seconds",
                           description=["BGP connect-retry interval in seconds (FRR's default is 120). Set it, e.g. to "
                                        "10, for sessions over IPsec tunnels, so that BGP returns within seconds after "
                                        "a long tunnel outage."]),
    "bfd": Field("bool", "true or false", default=False, description="Enable BFD for the partner's sessions."),
    "drain": Field("str", "community or prepend", choices=DRAIN_MODES, default="community",
                   description=["How a maintenance drain moves the partner's traffic away from a router.",
                                "C(community) (default): RFC 8326 graceful shutdown, our routes carry the GRACEFUL_SHUTDOWN "
                                "community and the partner lowers their preference.",
                                "C(prepend): for partners whose routers ignore that community, our routes to them are "
                                "also sent with our ASN prepended I(drain_prepend) times while the router is drained."]),
    "drain_prepend": Field("int", "an integer 1..10", low=1, high=MAX_DRAIN_PREPEND,
                           description="How many times our ASN is prepended while drained (only with C(drain=prepend); "
                                       "3 when not set)."),
    "sessions": Field("list", "a list of sessions ({device, peer_address, local_address, password})", required=True,
                      elements=Field("dict", "a session", fields=SESSION),
                      description="The partner's sessions, one per router and address family."),
}
PARTNER_DEVICE = dict(PARTNER, accept_prefixes=PARTNER["accept_prefixes"].replace(required=False, default=[]),
                      graceful_shutdown=Field(
                          "bool", "true or false", default=False, scope=DEVICE,
                          description=["Drain this partner only (partner offboarding): our routes to it carry the "
                                       "GRACEFUL_SHUTDOWN community (or the prepend of C(drain=prepend)) and its routes "
                                       "get local preference 0, through the partner's own route-maps."]),
                      sessions=PARTNER["sessions"].replace(elements=Field("dict", "a session", fields=SESSION_DEVICE),
                                                           description="The partner's sessions on this router."))
# the keys a partner file's partner has for BGP (fleet intent)
PARTNER_INTENT = {k: f for k, f in PARTNER.items() if f.in_scope(INTENT)}

HOST = {
    "asn": Field("int", "our ASN as an integer, e.g. 65010", required=True,
                 description="Our ASN on this router."),
    "router_id": Field("str", "an IPv4 address, e.g. 198.18.0.1", required=True, text="token",
                       description="BGP router-id (IPv4 address, unique within our ASN)."),
    "announce": Field("list", "a list of prefixes, e.g. [198.18.10.0/24]", elements="str",
                      description=["Prefixes this router originates. Each gets a C(network) statement and a blackhole "
                                   "anchor route. They are also the default outbound list for partners without their "
                                   "own C(announce)."]),
    "graceful_shutdown": Field("bool", "true or false", default=False,
                               description="RFC 8326 graceful shutdown of every session on the router (maintenance drain)."),
}
CONFIG = dict(HOST, asn=HOST["asn"].replace(required=False, description="Our ASN on this router. When omitted, the "
                                            "ASN the router runs is used."),
              router_id=HOST["router_id"].replace(required=False),
              partners=Field("list", "the partners with a session on this router",
                             elements=Field("dict", "a partner", fields=PARTNER_DEVICE),
                             description="Partners with at least one session on this router."))

POLICY = {
    "password_required": Field("bool", "true or false", default=True,
                               description="Every partner session must have a TCP-MD5 password."),
    "max_prefixes_required": Field("bool", "true or false", default=True,
                                   description="Every partner must set max_prefixes."),
    "max_accept_prefix_len_v4": Field("int", "an integer 0..32", default=24, low=0, high=32,
                                      description="Longest IPv4 prefix (counting C(le)) a partner may send us."),
    "max_accept_prefix_len_v6": Field("int", "an integer 0..128", default=48, low=0, high=128,
                                      description="Longest IPv6 prefix (counting C(le)) a partner may send us."),
}

# host and policy variables of the fleet
HOST_VAR = Field("dict", "a mapping with asn, router_id and announce", fields=HOST,
                 description="This router's BGP settings (host_vars).")
POLICY_VAR = Field("dict", "a mapping of the bgp_policy keys", fields=POLICY,
                   description="The fleet's BGP policy (group_vars/all).")

# ---------------------------------------------------------------------------------------------------
# module options (bgp_peering; bgp_status shares config and fleet_policy)

VERIFY_CHOICES = ("none", "established_before", "all")
MODULE = {
    "config": Field("dict", "the device's BGP partner peering", fields=CONFIG, scope=DEVICE,
                    description="The device's BGP partner peering, in the shape docs/intent.md describes. Build it "
                                "from the inventory with the C(paynet.netinfra.bgp_device_config) filter."),
    "state": RESOURCE_STATE,
    "running_config": Field("str", "FRR running configuration text", text="free",
                            description="FRR running configuration text for I(state=parsed)."),
    "verify": Field("str", "none, established_before or all", choices=VERIFY_CHOICES, default="established_before",
                    description=["Which sessions must be Established after a change, or it is rolled back.",
                                 "C(established_before) means the sessions that were up before the change and stay "
                                 "in the intent.",
                                 "C(all) means every session in the intent that is not shut down."]),
    "verify_timeout": Field("int", "seconds", default=60, low=1, high=3600,
                            description="Seconds to wait for sessions to reach Established."),
    "rollback": Field("bool", "true or false", default=True,
                      description="Restore the previous configuration when the change fails or does not verify."),
    "save": Field("bool", "true or false", default=True,
                  description="Save the configuration (C(write memory)) after a verified change."),
    "allow_empty": allow_empty_field("partners"),
    "fleet_policy": fleet_policy_field(("netinfra_policy", "bgp_policy", "ipsec_inside_pool")),
    "confirm_timeout": confirm_timeout_field(verify_timeout=True),
    "confirm_ssh": Field("list", "the ssh argv up to the destination", elements="str",
                         description=["How the commit-confirm timer reaches a root shell on the router (C(ssh) argv "
                                      "ending with the destination; the timer runs as root through C(sudo -n) unless "
                                      "the login is root). The action plugin fills it from the host's "
                                      "C(ansible_host), C(ansible_user), C(ansible_port), "
                                      "C(ansible_ssh_private_key_file) and C(ansible_ssh_common_args) for a real run "
                                      "with I(confirm_timeout) > 0; it is used only when there is a change."]),
}

# bgp_status (it shares config)
STATUS = {
    "config": MODULE["config"],
    "check_routes": Field("bool", "true or false", default=True,
                          description="Also read each session's accepted routes and check them against C(accept_prefixes)."),
    "wait": Field("int", "seconds", default=0, low=0, high=3600,
                  description="Seconds to wait for every session to be Established before judging."),
    "fail_on_error": Field("bool", "true or false", default=True,
                           description="Fail the task when a session is not as intended. With C(false), only report."),
}

# ---------------------------------------------------------------------------------------------------
# role options (roles/bgp_peering: defaults/main.yml and meta/argument_specs.yml are generated)

ROLE_NAME = "bgp_peering"
ROLE_DOC = {
    "short_description": "BGP partner peering on FRR routers",
    "description": [
        "Builds this device's BGP peering from the C(partners) intent and the host's C(bgp) variable. It applies "
        "the peering in one C(paynet.netinfra.bgp_peering) call (one transaction, rolled back when it fails), then "
        "verifies the sessions with C(paynet.netinfra.bgp_status).",
        "Connects to C(vtysh) over C(ansible.netcommon.network_cli) with C(paynet.netinfra.frr), whatever "
        "connection the inventory sets for the host.",
        "The module checks its config with the fleet validator and the fleet policy (C(bgp_policy), "
        "C(netinfra_policy)), exactly as C(paynet.netinfra.validate_intent) does.",
        "In check mode it shows the exact change and skips verification.",
    ],
}
ROLE = {
    "partners": Field("dict", "the partners intent", required=True,
                      description="The fleet's partner intent (docs/intent.md), loaded by the C(paynet.netinfra.partners) "
                                  "vars plugin from C(partners/*.yml) next to the inventory."),
    "bgp": HOST_VAR.replace(required=True),
    "bgp_policy": POLICY_VAR,
    "netinfra_policy": NETINFRA_POLICY_VAR,
    "ipsec_inside_pool": Field("str", "an IPv4 network", default="169.254.0.0/16", text="token",
                               description="Pool of tunnel inside networks; sessions with C(transport=ipsec) peer over "
                                           "their tunnel's inside addresses."),
    "ipsec_inside_prefixlen": Field("int", "30 or 31", default=30, choices=(30, 31),
                                    description="Prefix length of allocated inside networks."),
    "bgp_peering_partners": Field("list", "a list of partner names", default=[], elements="str",
                                  description="Partners to configure. Empty means every partner with a session on this device."),
    "bgp_peering_state": role_state_field("bgp_peering", "sessions and policy objects"),
    "bgp_peering_allow_empty": MODULE["allow_empty"],
    "bgp_peering_verify_change": MODULE["verify"],
    "bgp_peering_verify_timeout": MODULE["verify_timeout"].replace(description="Seconds the change's verification waits for sessions."),
    "bgp_peering_confirm_timeout": MODULE["confirm_timeout"],
    "bgp_peering_verify": Field("bool", "true or false", default=True,
                                description="After the change, verify every session's state and accepted prefixes "
                                            "with C(paynet.netinfra.bgp_status)."),
    "bgp_peering_verify_wait": Field("int", "seconds", default=60, low=0, high=3600,
                                     description="Seconds to wait for sessions to be Established in the verify step."),
}
