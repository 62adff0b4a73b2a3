# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of the BGP peering ``config`` option, shared by bgp_peering and bgp_status."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

SESSION_SPEC = {
    "peer_address": {"type": "str", "required": True},
    "local_address": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "description": {"type": "str"},
    "shutdown": {"type": "bool", "default": False},
}
PARTNER_SPEC = {
    "name": {"type": "str", "required": True},
    "asn": {"type": "int", "required": True},
    "description": {"type": "str"},
    "accept_prefixes": {"type": "list", "elements": "raw", "default": []},
    "announce": {"type": "list", "elements": "str"},
    "max_prefixes": {"type": "raw"},
    "ttl_security": {"type": "int"},
    "ebgp_multihop": {"type": "int"},
    "timers": {"type": "dict", "options": {"keepalive": {"type": "int", "required": True},
                                           "hold": {"type": "int", "required": True}}},
    "connect_retry": {"type": "int"},
    "bfd": {"type": "bool", "default": False},
    "sessions": {"type": "list", "elements": "dict", "required": True, "options": SESSION_SPEC},
}
# The network resource-module states and what each needs, shared by bgp_peering and ipsec_tunnel.
STATE_SPEC = {"type": "str", "default": "merged",
              "choices": ["merged", "replaced", "overridden", "deleted", "rendered", "parsed", "gathered"]}
STATE_REQUIRED_IF = [("state", "merged", ("config",)), ("state", "replaced", ("config",)),
                     ("state", "overridden", ("config",)), ("state", "rendered", ("config",)),
                     ("state", "parsed", ("running_config",))]

CONFIG_SPEC = {
    "asn": {"type": "int"},
    "router_id": {"type": "str"},
    "announce": {"type": "list", "elements": "str"},
    "graceful_shutdown": {"type": "bool", "default": False},
    "partners": {"type": "list", "elements": "dict", "options": PARTNER_SPEC},
}
