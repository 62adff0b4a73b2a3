# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vrrp_verdict filter: fleet checks over every gateway's vrrp_status result."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.status import fleet_verdict


def vrrp_verdict(results):
    """``{host: vrrp_status result}`` -> problems (exactly one Master per group, no VIP on two gateways)."""
    by_host = {}
    for host, result in (results or {}).items():
        if isinstance(result, dict) and isinstance(result.get("groups"), list):
            by_host[host] = result["groups"]
    return fleet_verdict(by_host)


class FilterModule:
    def filters(self):
        return {"vrrp_verdict": vrrp_verdict}
