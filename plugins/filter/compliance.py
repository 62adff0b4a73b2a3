# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance_status filter: each host's status module results, by feature (for the network diagram)."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

FEATURES = ("bgp", "ipsec", "vrrp", "snmp", "hsm")


def compliance_status(hosts, hostvars, prefix="compliance_"):
    """``hosts`` -> {host: {feature: the status result registered as <prefix><feature>_status}}; features a
    host did not run (skipped, undefined) are left out."""
    out = {}
    for host in hosts or []:
        view = hostvars[host] if host in hostvars else {}
        features = {}
        for feature in FEATURES:
            result = view.get("%s%s_status" % (prefix, feature)) if hasattr(view, "get") else None
            if isinstance(result, dict) and not result.get("skipped"):
                features[feature] = result
        out[host] = features
    return out


class FilterModule:
    def filters(self):
        return {"compliance_status": compliance_status}
