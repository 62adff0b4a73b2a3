# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one schema of VRRP gateway redundancy (issue 8).

Intent (docs/vrrp.md): a gateway's ``vrrp`` host variable (backend, maintenance, its groups).
Device config (the ``config`` option of paynet.netinfra.vrrp and vrrp_status): the same mapping.
Validator, module argspecs, role argument specs, role defaults and the docs' option tables are all
made from these definitions (core/schema.py; scripts/generate.py).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ...core.confirm import confirm_timeout_field
from ...core.schema import Field
from ...core.policy import NETINFRA_POLICY_VAR, fleet_policy_field
from ...core.states import RESOURCE_STATE, allow_empty_field

BACKENDS = ("keepalived", "frr_vrrpd")
# the backend a platform gets when the intent names none
DEFAULT_BACKEND = {"linux": "keepalived", "frr": "frr_vrrpd"}
MAINTENANCE = ("active", "drained")
TRACK_KINDS = ("bgp_sessions", "ipsec_tunnels", "command")
MAX_ADVERT_CS = 4095  # VRRPv3 (RFC 5798): a 12-bit count of centiseconds
DRAINED_PRIORITY = 1

TRACK_INTERFACE = {
    "interface": Field("str", "an interface name, e.g. eth2", required=True, text="token", max_len=15,
                       description="Interface whose link state is tracked (an uplink, or another group's interface)."),
    "decrement": Field("int", "an integer 1..254", default=50, low=1, high=254,
                       description="Priority decrement while the interface is down."),
}
TRACK_SCRIPT = {
    "name": Field("str", "a short name, e.g. bgp_up", required=True, text="name", max_len=30,
                  description="Name of the check (a keepalived C(vrrp_script))."),
    "kind": Field("str", "bgp_sessions, ipsec_tunnels or command", required=True, choices=TRACK_KINDS,
                  description=["C(bgp_sessions): every BGP session in I(targets) (peer addresses) is Established "
                               "(FRR on the same box).",
                               "C(ipsec_tunnels): every IKE SA in I(targets) (swanctl connection names) is up.",
                               "C(command): I(command) exits 0."]),
    "targets": Field("list", "a list of peer addresses or connection names", elements="str",
                     description="What C(bgp_sessions) and C(ipsec_tunnels) check."),
    "command": Field("str", "an absolute path with arguments, e.g. /usr/local/bin/check-app", text="line",
                     description="The check of C(kind=command), run as root by keepalived."),
    "interval": Field("int", "seconds 1..60", default=2, low=1, high=60, unit="seconds",
                      description="Seconds between two runs of the check."),
    "decrement": Field("int", "an integer 1..254", default=50, low=1, high=254,
                       description="Priority decrement while the check fails."),
}
AUTH = {
    "type": Field("str", "pass or ah", text="token", description="VRRPv2 authentication type (refused)."),
    "password": Field("str", "a string", secret=True, text="token", description="VRRPv2 password (refused)."),
}

GROUP = {
    "segment": Field("str", "the segment's name, e.g. payment_apps", required=True, text="name", max_len=24,
                     description=["The server segment (LAN) this group serves. Every gateway of a group names the same "
                                  "segment and VRID; the fleet validator checks that they agree."]),
    "vrid": Field("int", "an integer 1..255", required=True, low=1, high=255,
                  description="Virtual router ID, unique per segment."),
    "interface": Field("str", "the gateway's interface on the segment, e.g. eth1", required=True, text="token",
                       max_len=12, description="The gateway's interface on the segment."),
    "address": Field("list", "the gateway's own addresses on the interface, e.g. [198.18.31.2/24]", required=True,
                     elements="str",
                     description=["The gateway's own addresses on I(interface), with prefix length (one per family at "
                                  "least for each family of virtual addresses). The virtual addresses must lie in "
                                  "these subnets. They are intent the validator checks against; the module does not set them."]),
    "virtual_ipv4": Field("list", "a list of IPv4 addresses, e.g. [198.18.31.1]", elements="str", default=[],
                          description="Virtual IPv4 addresses (one keepalived instance / one vrrpd v4 router)."),
    "virtual_ipv6": Field("list", "a list of IPv6 addresses, e.g. [2001:db8:31::1]", elements="str", default=[],
                          description="Virtual IPv6 addresses (a separate instance kept in one sync group with the IPv4 one)."),
    "priority": Field("int", "an integer 1..254 (255 only for the address owner)", default=100, low=1, high=255,
                      description=["This gateway's priority in the group. The gateway with the highest priority is the "
                                   "intended master; exactly one per group. 255 only when a virtual address is this "
                                   "gateway's own address (the address owner)."]),
    "advert_interval": Field("int", "centiseconds 1..4095, e.g. 100 (1 s) or 10 (0.1 s)", default=100, low=1,
                             high=MAX_ADVERT_CS, unit="centiseconds",
                             description="VRRPv3 advertisement interval in centiseconds; equal on every gateway of the group."),
    "preempt": Field("bool", "true or false", default=True,
                     description="A higher-priority backup takes over from a lower-priority master."),
    "preempt_delay": Field("int", "seconds 0..1000", default=0, low=0, high=1000, unit="seconds",
                           description=["Seconds a gateway waits after start-up before preempting (keepalived only; "
                                        "FRR vrrpd has none)."]),
    "accept_mode": Field("bool", "true or false",
                         description=["Whether a non-owner master accepts packets addressed to the virtual addresses "
                                      "(RFC 5798 Accept_Mode). keepalived only: FRR vrrpd has no such setting."]),
    "version": Field("int", "3", default=3, choices=(2, 3),
                     description="VRRP version. Only 3 is accepted (VRRPv2 with IPv6 does not exist, and VRRPv2 "
                                 "authentication protects nothing)."),
    "authentication": Field("dict", "nothing: remove it", fields=AUTH,
                            description="VRRPv2 authentication. Refused: it protects nothing (the password travels in "
                                        "clear, RFC 5798 section 9)."),
    "track_interfaces": Field("list", "a list of {interface, decrement}", default=[],
                              elements=Field("dict", "{interface: eth2, decrement: 50}", fields=TRACK_INTERFACE),
                              description="Interfaces whose loss lowers the priority (keepalived C(track_interface))."),
    "track_scripts": Field("list", "a list of {name, kind, targets, decrement}", default=[],
                           elements=Field("dict", "{name: bgp_up, kind: bgp_sessions, targets: [...]}", fields=TRACK_SCRIPT),
                           description="Health checks whose failure lowers the priority (keepalived C(track_script))."),
    "unicast_peers": Field("list", "a list of the other gateways' addresses", elements=Field("str", text="token"), default=[],
                           description="Send advertisements by unicast to these addresses where multicast is not "
                                       "allowed (keepalived only)."),
    "extra_options": Field("list", "a list of keepalived lines, e.g. ['garp_master_delay 1']", elements=Field("str", text="line"), default=[],
                           description=["Extra keepalived lines for this group's instances, checked by keepalived's own "
                                        "config test before anything is loaded (keepalived only)."]),
}

HOST = {
    "backend": Field("str", "keepalived or frr_vrrpd", choices=BACKENDS,
                     description=["Which VRRP implementation runs the groups on this gateway. Default: C(keepalived) "
                                  "on C(netinfra_platform=linux), C(frr_vrrpd) on C(frr)."]),
    "maintenance": Field("str", "active or drained", default="active", choices=MAINTENANCE,
                         description=["C(drained) demotes the gateway: every group runs at priority 1, so the peer "
                                      "takes Master (planned, no lost packets). C(active) restores the intended priority."]),
    "interfaces": Field("list", "a list of interface names, e.g. [eth0]", elements="str", default=[],
                        description="The gateway's other interfaces (uplinks) that a group may track."),
    "groups": Field("list", "a list of VRRP groups", required=True,
                    elements=Field("dict", "a group", fields=GROUP),
                    description="The VRRP groups on this gateway, one per segment and VRID."),
}
HOST_VAR = Field("dict", "a mapping with backend, maintenance and groups", fields=HOST,
                 description="This gateway's VRRP groups (host_vars or group_vars).")
CONFIG = dict(HOST, groups=HOST["groups"].replace(required=False, default=[]))

# ---------------------------------------------------------------------------------------------------
# module options (vrrp; vrrp_status shares config and platform)

PLATFORM = Field("str", "linux or frr", choices=("linux", "frr"),
                 description="The gateway's C(netinfra_platform); picks the backend when I(config.backend) is not set.")
MODULE = {
    "config": Field("dict", "the gateway's VRRP groups", fields=CONFIG,
                    description="The gateway's VRRP intent, the C(vrrp) host variable (docs/vrrp.md)."),
    "platform": PLATFORM,
    "state": RESOURCE_STATE,
    "running_config": Field("str", "keepalived.conf text or FRR running-config", text="free",
                            description="Configuration text for I(state=parsed) (keepalived.conf or FRR running-config, "
                                        "after I(config.backend))."),
    "keepalived_conf": Field("str", "a path", default="/etc/keepalived/keepalived.conf", text="token", doc_type="path",
                             description="keepalived's configuration file (owned whole by this module)."),
    "verify": Field("bool", "true or false", default=True,
                    description="After a change, wait until every group is Master or Backup, or roll back."),
    "verify_timeout": Field("int", "seconds", default=30, low=1, high=3600,
                            description="Seconds the change's verification waits."),
    "rollback": Field("bool", "true or false", default=True,
                      description="Restore the previous configuration when the change fails or does not verify."),
    "confirm_timeout": confirm_timeout_field(verify_timeout=True),
    "allow_empty": allow_empty_field("groups"),
    "fleet_policy": fleet_policy_field(("netinfra_policy",)),
}

STATUS = {
    "config": MODULE["config"],
    "platform": PLATFORM,
    "wait": Field("int", "seconds", default=0, low=0, high=3600,
                  description="Seconds to wait for every group to settle (Master or Backup) before judging."),
    "fail_on_error": Field("bool", "true or false", default=True,
                           description="Fail the task when a group is not as intended. With C(false), only report."),
}

# ---------------------------------------------------------------------------------------------------
# role options (roles/vrrp: defaults/main.yml and meta/argument_specs.yml are generated)

ROLE_NAME = "vrrp"
ROLE_DOC = {
    "short_description": "VRRP gateway redundancy with keepalived or FRR vrrpd",
    "description": [
        "Applies this gateway's C(vrrp) intent in one C(paynet.netinfra.vrrp) call (one transaction: "
        "keepalived's config test, reload without restart, or macvlans plus vrrpd lines; verified, rolled back "
        "when it fails).",
        "Then reads every gateway's group states with C(paynet.netinfra.vrrp_status) and checks, once for the "
        "play, that each group has exactly one Master and no virtual address is held by two gateways.",
        "In check mode it shows the exact change and skips verification.",
    ],
}
ROLE = {
    "vrrp": HOST_VAR.replace(required=True),
    "netinfra_platform": Field("str", "linux or frr", required=True, choices=("linux", "frr"),
                               description="The gateway's platform (picks the default backend)."),
    "netinfra_policy": NETINFRA_POLICY_VAR,
    "vrrp_state": RESOURCE_STATE.replace(
        default="replaced", choices=("merged", "replaced", "overridden", "deleted"),
        description=["Resource-module state passed to C(paynet.netinfra.vrrp).",
                     "C(replaced): the listed groups exactly as intended, others untouched. C(overridden): also "
                     "remove the groups the gateway has that the intent does not."]),
    "vrrp_allow_empty": MODULE["allow_empty"],
    "vrrp_verify_timeout": MODULE["verify_timeout"],
    "vrrp_confirm_timeout": MODULE["confirm_timeout"],
    "vrrp_verify": Field("bool", "true or false", default=True,
                         description="After the change, check every group's state on every gateway of the play."),
    "vrrp_verify_wait": Field("int", "seconds", default=30, low=0, high=3600,
                              description="Seconds the verify step waits for the groups to settle."),
    "vrrp_become": Field("bool", "true or false", default=True,
                         description="Become root on the gateway (files, interfaces, daemons need it)."),
}
