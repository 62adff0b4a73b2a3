# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one schema of HSM network attachment (issue 10).

Intent (docs/hsm.md): the fleet-wide ``hsm`` variable: named address sets, HSM segments (subnets,
the VRRP segment their gateways serve, the gateways, the appliances and their service ports, the
allow rules each with a justification, an owner and a review date) and the probe sources of the
segmentation proof. A segment gateway's interface and virtual addresses come from its ``vrrp``
intent (the group whose ``segment`` is the HSM segment's ``vrrp_segment``).

Validator, module argspecs, role argument specs and defaults, and the docs' option tables are made
from these definitions (core/schema.py; scripts/generate.py).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ...core.schema import Field
from ...core.confirm import confirm_timeout_field
from ...core.policy import NETINFRA_POLICY_VAR, fleet_policy_field
from ...core.states import RESOURCE_STATE, allow_empty_field

DIRECTIONS = ("inbound", "outbound")
PROTOCOLS = ("tcp", "udp")
VENDORS = ("thales_luna", "entrust_nshield", "utimaco", "marvell_liquidsecurity", "other")
ZONES = ("client", "management", "unlisted", "partner", "internet")
DEFAULT_TABLE = "paynet_hsm"
# a source set holding a prefix this short or shorter is "any" (no HSM port is open to the world)
MIN_SOURCE_PREFIXLEN = {4: 16, 6: 48}
NAME_WHAT = "a name of letters, digits, '_', '-' or '.', e.g. payment_apps"

ADDRESS_SET = {
    "name": Field("str", NAME_WHAT, required=True, text="name", max_len=24,
                  description="The set's name; rules name it in I(sources) or I(destinations)."),
    "addresses": Field("list", "a list of addresses or prefixes, e.g. [198.18.41.10, 198.18.41.64/28]",
                       required=True, elements=Field("str", text="token"),
                       description=["IPv4/IPv6 host addresses or prefixes (an nftables named set with intervals). "
                                    "Never C(0.0.0.0/0), C(::/0) or anything as wide as a /16 (IPv4) or /48 (IPv6)."]),
    "description": Field("str", "one line, e.g. Payment authorisation servers", default="",
                         description="What the set holds (shown in the evidence)."),
}
SERVICE = {
    "name": Field("str", NAME_WHAT, required=True, text="name", max_len=24,
                  description="The service's name, e.g. C(ntls)."),
    "protocol": Field("str", "tcp or udp", default="tcp", choices=PROTOCOLS, text="token",
                      description="Transport protocol."),
    "port": Field("int", "a port 1..65535", required=True, low=1, high=65535,
                  description="The port the appliance listens on (Thales Luna NTLS 1792, Entrust nShield 9004/9005)."),
    "tls": Field("bool", "true or false", default=False,
                 description="The appliance speaks TLS on this port: the segmentation proof also completes a TLS handshake."),
}
APPLIANCE = {
    "name": Field("str", NAME_WHAT, required=True, text="name", max_len=24, description="The appliance's name."),
    "address": Field("str", "an IPv4 or IPv6 address inside a subnet of the segment", required=True, text="token",
                     description="The appliance's address."),
    "vendor": Field("str", "thales_luna, entrust_nshield, utimaco, marvell_liquidsecurity or other", default="other",
                    choices=VENDORS, text="token", description="The HSM's make (shown in the evidence)."),
    "services": Field("list", "a list of {name, protocol, port, tls}", required=True,
                      elements=Field("dict", "{name: ntls, protocol: tcp, port: 1792, tls: true}", fields=SERVICE),
                      description="The ports the appliance serves. Only the rules decide who reaches them."),
}
RULE = {
    "id": Field("str", NAME_WHAT, required=True, text="name", max_len=32,
                description="The rule's id, unique in the segment (in the nftables comment, counters and evidence)."),
    "direction": Field("str", "inbound or outbound", required=True, choices=DIRECTIONS, text="token",
                       description=["C(inbound): from address sets to appliances. C(outbound): from appliances to "
                                    "address sets (NTP, syslog, SNMP traps)."]),
    "sources": Field("list", "inbound: address set names; outbound: appliance names", required=True,
                     elements=Field("str", text="name"),
                     description="Who may open the connection: address sets (inbound) or appliances (outbound)."),
    "destinations": Field("list", "inbound: appliance names; outbound: address set names", required=True,
                          elements=Field("str", text="name"),
                          description="What it may reach: appliances (inbound) or address sets (outbound)."),
    "protocol": Field("str", "tcp or udp", default="tcp", choices=PROTOCOLS, text="token",
                      description="Transport protocol."),
    "ports": Field("list", "a list of ports 1..65535, e.g. [1792]", required=True, elements="int",
                   description=["Destination ports. Inbound ports must be services of every destination appliance "
                                "(no rule opens a port the appliance does not serve)."]),
    "justification": Field("str", "one line: why the business needs it", required=True, max_len=200,
                           description="The business justification (PCI DSS 1.2.5); in the nftables comment and the evidence."),
    "owner": Field("str", "who answers for the rule, e.g. crypto-team@paynet.example", required=True, max_len=64,
                   description="The rule's owner (a team or a person)."),
    "review_by": Field("date", "a date in the future, YYYY-MM-DD", required=True,
                       description="The rule is refused from this date on until it is reviewed (PCI DSS 1.2.7)."),
}
PROBE = {
    "host": Field("str", "an inventory host name", required=True, text="token",
                  description="The inventory host the probes run from."),
    "address": Field("str", "the host's source address, e.g. 198.18.41.10", required=True, text="token",
                     description="The source address the probes use (bound before connecting)."),
    "zone": Field("str", "client, management, unlisted, partner or internet", required=True, choices=ZONES,
                  text="token", description="Where the source sits (shown in the evidence; partner and internet "
                                            "sources must never be allowed)."),
}
SEGMENT = {
    "name": Field("str", NAME_WHAT, required=True, text="name", max_len=16,
                  description="The segment's name (in the nftables chain names, at most 16 characters)."),
    "subnets": Field("list", "a list of prefixes, e.g. [198.18.40.0/24, 2001:db8:40::/64]", required=True,
                     elements=Field("str", text="token"), description="The segment's subnets."),
    "vrrp_segment": Field("str", "the segment name of the gateways' VRRP group", text="name", max_len=24,
                          description=["The C(segment) of the VRRP group the gateways run on this segment (default: "
                                       "I(name)). Its C(interface) is the segment interface the policy filters."]),
    "gateways": Field("list", "a list of inventory host names, e.g. [hgw1, hgw2]", required=True,
                      elements=Field("str", text="token"),
                      description="The segment's gateways; every one carries the whole policy (a failover keeps it)."),
    "appliances": Field("list", "a list of {name, address, vendor, services}", required=True,
                        elements=Field("dict", "an appliance", fields=APPLIANCE), description="The HSMs on the segment."),
    "rules": Field("list", "a list of allow rules", default=[],
                   elements=Field("dict", "a rule", fields=RULE),
                   description="The allow rules; everything else to or from the segment is dropped, counted and logged."),
    "log_rate": Field("int", "log lines per minute 1..600", default=10, low=1, high=600, unit="per minute",
                      description="Rate limit of the default-drop log (every drop is counted regardless)."),
}
HSM = {
    "table": Field("str", "an nftables table name", default=DEFAULT_TABLE, text="name", max_len=32,
                   description="The nftables table (family inet) this feature owns on every segment gateway."),
    "address_sets": Field("list", "a list of {name, addresses, description}", default=[],
                          elements=Field("dict", "an address set", fields=ADDRESS_SET),
                          description="Named address sets: client groups, management sources, outbound servers."),
    "segments": Field("list", "a list of HSM segments", required=True,
                      elements=Field("dict", "a segment", fields=SEGMENT), description="The HSM segments."),
    "probes": Field("list", "a list of {host, address, zone}", default=[],
                    elements=Field("dict", "a probe source", fields=PROBE),
                    description="Where the segmentation proof probes from (listed and unlisted clients, partner, internet)."),
}
HSM_VAR = Field("dict", "a mapping with address_sets, segments and probes", fields=HSM,
                description="The HSM segments and their policy (group_vars, fleet-wide).")

# ---------------------------------------------------------------------------------------------------
# module options (hsm_attachment; hsm_status shares config, vrrp and gateway)

CONFIG = dict(HSM, segments=HSM["segments"].replace(required=False, default=[]))
VRRP = Field("dict", "the gateway's vrrp variable, e.g. {groups: [{segment: hsmseg, interface: eth1, ...}]}",
             description=["The gateway's VRRP intent, the C(vrrp) host variable (docs/vrrp.md). The segment interface "
                          "the policy filters is the C(interface) of the group whose C(segment) is the HSM segment's "
                          "I(vrrp_segment)."])
GATEWAY = Field("str", "an inventory host name", text="token",
                description=["The gateway this runs on, as named in the segments' I(gateways): only the segments it "
                             "serves are enforced. The action plugin fills in C(inventory_hostname)."])
MODULE = {
    "config": Field("dict", "the hsm intent", fields=CONFIG,
                    description="The HSM intent, the fleet-wide C(hsm) variable (docs/hsm.md)."),
    "vrrp": VRRP,
    "gateway": GATEWAY,
    "state": RESOURCE_STATE,
    "running_config": Field("str", "the output of nft -j list table inet <table>", text="free",
                            description="JSON of C(nft -j list table inet <table>) for I(state=parsed)."),
    "verify": Field("bool", "true or false", default=True,
                    description="After a change, read the table back and compare it with the intent, or roll back."),
    "rollback": Field("bool", "true or false", default=True,
                      description="Restore the previous table (or remove it when there was none) when the change fails "
                                  "or does not verify."),
    "allow_empty": allow_empty_field("segments"),
    "fleet_policy": fleet_policy_field(("netinfra_policy",)),
    "confirm_timeout": confirm_timeout_field(),
}

STATUS = {
    "config": MODULE["config"],
    "vrrp": VRRP,
    "gateway": GATEWAY,
    "fail_on_error": Field("bool", "true or false", default=True,
                           description="Fail the task when the table is missing or differs from the intent. With "
                                       "C(false), only report."),
}

# ---------------------------------------------------------------------------------------------------
# role options (roles/hsm_attachment: defaults/main.yml and meta/argument_specs.yml are generated)

ROLE_NAME = "hsm_attachment"
ROLE_DOC = {
    "short_description": "HSM segment policy (nftables) on the segment gateways",
    "description": [
        "Applies the fleet's C(hsm) intent on this segment gateway in one C(paynet.netinfra.hsm_attachment) call: "
        "one nftables table owned by the collection, checked with C(nft -c), replaced atomically, read back and "
        "rolled back when it differs from the intent. Other tables are never touched.",
        "The segment interface comes from the gateway's C(vrrp) group of the HSM segment, so both gateways of the "
        "pair carry the same policy and a failover keeps it.",
        "In check mode it shows the exact change of the table and touches nothing.",
    ],
}
ROLE = {
    "hsm": HSM_VAR.replace(required=True),
    "vrrp": VRRP.replace(required=True),
    "netinfra_policy": NETINFRA_POLICY_VAR,
    "hsm_attachment_state": RESOURCE_STATE.replace(
        default="replaced", choices=("merged", "replaced", "overridden", "deleted"),
        description=["Resource-module state passed to C(paynet.netinfra.hsm_attachment).",
                     "The table is owned whole: C(merged), C(replaced) and C(overridden) all make it exactly the "
                     "intent; C(deleted) removes it."]),
    "hsm_attachment_allow_empty": MODULE["allow_empty"],
    "hsm_attachment_verify": MODULE["verify"],
    "hsm_attachment_confirm_timeout": MODULE["confirm_timeout"],
    "hsm_attachment_become": Field("bool", "true or false", default=True,
                                   description="Become root on the gateway (nftables needs it)."),
}
