# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of the IPsec ``config`` option (normalised tunnels, docs/ipsec.md), shared by
ipsec_tunnel and ipsec_status and their action plugins."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

ACTIONS = ["none", "trap", "start"]
SELECTORS_SPEC = {
    "local": {"type": "list", "elements": "str", "required": True},
    "remote": {"type": "list", "elements": "str", "required": True},
}
TUNNEL_SPEC = {
    "name": {"type": "str", "required": True},
    "partner": {"type": "str"},
    "tunnel": {"type": "str", "default": "main"},
    "description": {"type": "str"},
    "local_gateway": {"type": "str"},
    "peer_gateway": {"type": "str", "required": True},
    "local_id": {"type": "str"},
    "remote_id": {"type": "str"},
    "auth": {"type": "dict", "required": True, "options": {
        "method": {"type": "str", "required": True, "choices": ["psk", "pubkey"]},
        "psk": {"type": "str", "no_log": True},
        "ca_cert": {"type": "str"},
        "cert": {"type": "str"},
        "key": {"type": "str", "no_log": True},
    }},
    "ike_proposals": {"type": "list", "elements": "str", "default": ["aes256gcm16-prfsha384-ecp384"]},
    "esp_proposals": {"type": "list", "elements": "str", "default": ["aes256gcm16-ecp384"]},
    "dpd_delay": {"type": "int", "default": 10},
    "dpd_action": {"type": "str", "default": "restart", "choices": ["clear", "trap", "restart"]},
    "start_action": {"type": "str", "default": "start", "choices": ACTIONS},
    "close_action": {"type": "str", "default": "start", "choices": ACTIONS},
    "rekey_time": {"type": "int", "default": 14400, "no_log": False},
    "reauth_time": {"type": "int", "default": 0},
    "child_rekey_time": {"type": "int", "default": 3600, "no_log": False},
    "inside": {"type": "dict", "required": True, "options": {
        "network": {"type": "str", "required": True},
        "local": {"type": "str"},
        "peer": {"type": "str"},
        "prefixlen": {"type": "int"},
    }},
    "if_id": {"type": "int"},
    "interface": {"type": "str"},
    "traffic_selectors": {"type": "dict", "options": SELECTORS_SPEC},
    "libipsec_selectors": {"type": "dict", "options": SELECTORS_SPEC},
    "crypto_exception": {"type": "dict", "options": {
        "reason": {"type": "str", "required": True},
        "approved_by": {"type": "str", "required": True},
        "expires": {"type": "str"},
    }},
}
CONFIG_SPEC = {
    "tunnels": {"type": "list", "elements": "dict", "default": [], "options": TUNNEL_SPEC},
}
