# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module's own input check: the fleet validator run over one device's config.

The fleet policy (passwords, max-prefix required) is enforced by validate_intent over the whole
inventory; a module call checks structure and values, so that bad input fails before the device is
touched even when the playbook skipped fleet validation.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ..validate_legacy import validate_fleet

DEVICE = "this-device"
MODULE_POLICY = {"password_required": False, "max_prefixes_required": False}


def check_device_config(config, policy=None):
    """Errors (as 'field: problem. Fix: ...' strings) in a bgp_peering ``config``."""
    partners = {}
    for partner in config.get("partners") or []:
        entry = {k: v for k, v in partner.items() if k != "name" and v is not None}
        entry["sessions"] = [dict({k: v for k, v in s.items() if v is not None}, device=DEVICE)
                             for s in partner.get("sessions") or []]
        partners[partner.get("name")] = entry
    bgp = {k: v for k, v in config.items() if k != "partners" and v is not None}
    devices = {DEVICE: {"netinfra_platform": "frr", "bgp": bgp}}
    findings = validate_fleet(partners, devices, dict(MODULE_POLICY, **(policy or {})))
    return [str(f).replace(DEVICE + ": ", "", 1) for f in findings if f.severity == "error"]
