# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one schema of SNMPv3 monitoring (docs/snmp.md).

Intent: a device's ``snmp`` variable (host_vars/group_vars) and the fleet's ``snmp_policy``. Device
config (the ``config`` option of the snmp module): the same ``snmp`` mapping with ``sys_name`` and
``listen`` filled in by the role. The validator, argspecs, role argument specs and docs' option
tables are all made from these definitions. Keys (``auth_key``, ``priv_key``) are secret fields.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ...core.confirm import confirm_timeout_field
from ...core.policy import NETINFRA_POLICY_VAR, WAIVER_FIELDS, fleet_policy_field
from ...core.schema import DEVICE, INTENT, Field
from ...core.states import RESOURCE_STATE, role_state_field

AUTH_CHOICES = ("SHA-256", "SHA-384", "SHA-512", "SHA-224", "SHA", "MD5")
PRIV_CHOICES = ("AES-128", "AES-192", "AES-256", "DES")
STRONG_AUTH = ("SHA-224", "SHA-256", "SHA-384", "SHA-512")
STRONG_PRIV = ("AES-128", "AES-192", "AES-256")
MIN_KEY_LEN = 8  # net-snmp and RFC 3414 refuse shorter pass phrases
POLICY_KEY_LEN = 20
MAX_KEY_LEN = 128
NAME_WHAT = "a name of letters, digits, '_', '-' or '.' (1..32), e.g. nms"

# BGP4-MIB (1.3.6.1.2.1.15) is served by bgpd through AgentX; its path attribute tables walk the whole
# RIB and hang (time out) with full tables, as do the IP route tables snmpd and zebra serve
ROUTE_TABLES = {
    ".1.3.6.1.2.1.15.5": "bgpRcvdPathAttrTable (BGP4-MIB, one row per received path)",
    ".1.3.6.1.2.1.15.6": "bgp4PathAttrTable (BGP4-MIB, one row per path)",
    ".1.3.6.1.2.1.4.21": "ipRouteTable (one row per route)",
    ".1.3.6.1.2.1.4.24": "ipForward (ipCidrRouteTable/inetCidrRouteTable, one row per route)",
}
DEFAULT_VIEW_INCLUDED = [".1.3.6.1.2.1.1", ".1.3.6.1.2.1.2", ".1.3.6.1.2.1.31", ".1.3.6.1.2.1.15"]
DEFAULT_VIEW_EXCLUDED = sorted(ROUTE_TABLES)

USER = {
    "name": Field("str", NAME_WHAT, required=True, text="name", max_len=32,
                  description="The USM user name (also its security name)."),
    "auth": Field("str", "SHA-256, SHA-384 or SHA-512", default="SHA-512", choices=AUTH_CHOICES, text="token",
                  description=["Authentication protocol. The policy allows SHA-2 only (SHA-224/256/384/512); MD5 "
                               "and SHA-1 are refused."]),
    "auth_key": Field("str", "a pass phrase of at least 20 characters from ansible-vault", required=True,
                      secret=True, max_len=MAX_KEY_LEN,
                      description=["Authentication pass phrase (secret: from ansible-vault). At least 8 characters "
                                   "(RFC 3414); the fleet policy asks for C(snmp_policy.min_key_length) (20)."]),
    "priv": Field("str", "AES-128 or AES-256", default="AES-256", choices=PRIV_CHOICES, text="token",
                  description=["Privacy protocol. The policy allows AES only. C(AES-256) is net-snmp's "
                               "C(AES-256) (draft-blumenthal-aes-usm, key extension when the hash is short)."]),
    "priv_key": Field("str", "a pass phrase of at least 20 characters from ansible-vault, not the auth_key",
                      required=True, secret=True, max_len=MAX_KEY_LEN,
                      description="Privacy pass phrase (secret: from ansible-vault). Never equal to I(auth_key)."),
    "group": Field("str", "the name of an entry of groups", text="token", max_len=32,
                   description="The access group the user belongs to. Omitted: a user of trap/inform targets only."),
}
VIEW = {
    "name": Field("str", NAME_WHAT, required=True, text="name", max_len=32, description="The view's name."),
    "included": Field("list", "a list of numeric OIDs, e.g. [.1.3.6.1.2.1.1]", required=True,
                      elements=Field("str", text="token"), description="Numeric OID subtrees the view includes."),
    "excluded": Field("list", "a list of numeric OIDs, e.g. [.1.3.6.1.2.1.15.6]", default=[],
                      elements=Field("str", text="token"),
                      description=["Numeric OID subtrees the view excludes. Route tables that hang with full tables "
                                   "(bgp4PathAttrTable, ipRouteTable, ipForward) must be excluded from any view "
                                   "that includes them."]),
}
GROUP = {
    "name": Field("str", NAME_WHAT, required=True, text="name", max_len=32, description="The group's name."),
    "read_view": Field("str", "the name of an entry of views", required=True, text="token",
                       description="The view the group's users may read."),
    "write_view": Field("str", "the name of an entry of views", text="token",
                        description="The view the group's users may write. Omitted (the default): read-only."),
}
TARGET = {
    "address": Field("str", "the NMS's IPv4 or IPv6 address, e.g. 198.18.62.10", required=True, text="token",
                     description="Where traps or informs go (an address, never a name)."),
    "port": Field("int", "a UDP port 1..65535", default=162, low=1, high=65535, description="UDP port."),
    "type": Field("str", "inform or trap", default="inform", choices=("inform", "trap"),
                  description="C(inform) (acknowledged, retried) or C(trap)."),
    "user": Field("str", "the name of an entry of users", required=True, text="token",
                  description="The SNMPv3 user (authPriv) notifications are sent as; its own user, not a polling one."),
}
COMMUNITY = {
    "community": Field("str", "a community string from ansible-vault", required=True, secret=True, max_len=64,
                       description="SNMPv2c community (secret). Refused in PCI scope; elsewhere only with v2c_exception."),
    "source": Field("str", "a network, e.g. 198.18.62.0/24", required=True, text="token",
                    description="The network allowed to use it."),
    "view": Field("str", "the name of an entry of views", required=True, text="token", description="The view it reads."),
}
V2C_EXCEPTION = dict(WAIVER_FIELDS, expires=WAIVER_FIELDS["expires"].replace(required=True))

HOST = {
    "pci_scope": Field("bool", "true or false", default=True,
                       description=["The device is in PCI scope: SNMPv3 authPriv with SHA-2 and AES only, no v1/v2c "
                                    "and no community (no exception possible)."]),
    "sys_name": Field("str", "the device's name", max_len=255, description="sysName. Defaults to the inventory name."),
    "location": Field("str", "e.g. DC1 hall 2 rack 14", max_len=255, description="sysLocation."),
    "contact": Field("str", "e.g. noc@paynet.example", max_len=255, description="sysContact."),
    "listen": Field("list", "a list of management addresses, e.g. [198.18.62.1]", elements=Field("str", text="token"),
                    description=["Addresses the agent listens on (UDP 161). Defaults to the management address "
                                 "(C(ansible_host)). Never a partner-facing or internet-facing address, never a wildcard."]),
    "users": Field("list", "a list of users", default=[], elements=Field("dict", fields=USER),
                   description="SNMPv3 users (authPriv)."),
    "views": Field("list", "a list of views", default=[], elements=Field("dict", fields=VIEW),
                   description="MIB views."),
    "groups": Field("list", "a list of access groups", default=[], elements=Field("dict", fields=GROUP),
                    description="Access groups binding users to views (read-only unless write_view is set)."),
    "targets": Field("list", "a list of trap/inform targets", default=[], elements=Field("dict", fields=TARGET),
                     description="Trap/inform targets (the NMS)."),
    "communities": Field("list", "a list of v2c communities", default=[], elements=Field("dict", fields=COMMUNITY),
                         description="SNMPv2c read-only communities: refused in PCI scope, elsewhere only with "
                                     "I(v2c_exception)."),
    "v2c_exception": Field("dict", "a mapping with reason, approved_by and expires", fields=V2C_EXCEPTION,
                           description="The approved, dated exception that allows v2c outside PCI scope (shown on every run)."),
    "agentx": Field("bool", "true or false", default=False,
                    description=["Serve FRR's MIBs (BGP4-MIB bgpPeerTable) through snmpd: C(master agentx) on "
                                 "tcp:127.0.0.1:705, the C(agentx) line in FRR and bgpd and zebra started with "
                                 "C(-M snmp) (a daemon restart, see I(frr_restart))."]),
    "auth_traps": Field("bool", "true or false", default=True,
                        description="Send authenticationFailure notifications (wrong key, unknown community)."),
}
HOST_VAR = Field("dict", "a mapping of the snmp keys", fields=HOST, scope=INTENT,
                 description="The device's SNMP agent (docs/snmp.md).")

POLICY = {
    "min_key_length": Field("int", "an integer 8..128", default=POLICY_KEY_LEN, low=MIN_KEY_LEN, high=MAX_KEY_LEN,
                            description="Shortest auth/priv pass phrase allowed."),
    "management_networks": Field("list", "a list of networks, e.g. [198.18.62.0/24]", default=[],
                                 elements=Field("str", text="token"),
                                 description=["Networks agents may listen on and trap targets must be in. Empty: any "
                                              "address that is not partner-facing or internet-facing."]),
}
POLICY_VAR = Field("dict", "a mapping of the snmp_policy keys", fields=POLICY,
                   description="The SNMP policy (group_vars/all; docs/snmp.md).")
POLICY_VARS = {"snmp_policy": POLICY_VAR}

CONFIG = dict(HOST, listen=HOST["listen"].replace(required=True))

# --- module options (snmp; snmp_status shares config) ---------------------------------------------------
MODULE = {
    "config": Field("dict", "the device's snmp intent", fields=CONFIG, scope=DEVICE,
                    description=["The device's SNMP agent: its C(snmp) variable with C(sys_name) and C(listen) "
                                 "filled in (the role does it)."]),
    "state": RESOURCE_STATE,
    "running_config": Field("str", "an snmpd.conf text", text="free",
                            description="Text of an snmpd.conf written by this module, for I(state=parsed)."),
    "frr_restart": Field("bool", "true or false", default=False,
                         description=["Allow restarting FRR's bgpd and zebra when I(config.agentx) needs their "
                                      "C(-M snmp) module loaded and it is not. BGP sessions re-establish. Without it "
                                      "such a run fails before any change and says so."]),
    "verify": Field("bool", "true or false", default=True,
                    description="After a change, query the agent (authPriv get of sysName as each user) and check the "
                                "AgentX subagents connected."),
    "verify_timeout": Field("int", "seconds", default=30, low=1, high=600,
                            description="Seconds to wait for the agent (and FRR after a restart)."),
    "rollback": Field("bool", "true or false", default=True,
                      description="Restore the previous files and daemon state when the change fails or does not verify."),
    "confirm_timeout": confirm_timeout_field(verify_timeout=True),
    "allow_empty": Field("bool", "true or false", default=False,
                         description=["Allow C(replaced)/C(overridden) with no users in I(config) (an agent nobody "
                                      "can query usually means intent that did not load)."]),
    "fleet_policy": fleet_policy_field(("netinfra_policy", "snmp_policy")),
}
STATUS = {
    "config": MODULE["config"],
    "fail_on_unhealthy": Field("bool", "true or false", default=True,
                               description="Fail when snmpd does not run, a user's key differs or AgentX is not connected."),
}

# --- role options (roles/snmp) -------------------------------------------------------------------------------
ROLE_NAME = "snmp"
ROLE_DOC = {
    "short_description": "SNMPv3 agent (net-snmp) with BGP4-MIB through AgentX",
    "description": [
        "Configures this device's snmpd from its C(snmp) variable in one C(paynet.netinfra.snmp) call: snmpd.conf, "
        "the USM users (keys compared as localized keys, never shown), trap/inform targets and, with "
        "C(snmp.agentx), FRR's AgentX subagents serving BGP4-MIB.",
        "The module checks its config with the fleet validator and C(snmp_policy)/C(netinfra_policy) before "
        "touching the device. In check mode it shows the exact change, keys masked.",
    ],
}
ROLE = {
    "snmp": HOST_VAR.replace(required=True, scope=DEVICE),
    "snmp_policy": POLICY_VAR,
    "netinfra_policy": NETINFRA_POLICY_VAR,
    "snmp_state": role_state_field("snmp", "SNMP users, views, groups and targets").replace(
        description=["Resource-module state passed to C(paynet.netinfra.snmp).",
                     "C(replaced) and C(overridden): the agent holds exactly the intent (C(overridden) also removes "
                     "users snmpd has that the intent does not)."]),
    "snmp_allow_empty": MODULE["allow_empty"],
    "snmp_frr_restart": MODULE["frr_restart"],
    "snmp_verify_timeout": MODULE["verify_timeout"],
    "snmp_confirm_timeout": MODULE["confirm_timeout"],
    "snmp_become": Field("bool", "true or false", default=True,
                         description="Root is needed on the device (/etc/snmp, /var/lib/snmp, /etc/frr)."),
}
