#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the paynet.netinfra.maintenance_gates action plugin
# (plugins/action/maintenance_gates.py), which does the work on the controller.

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: maintenance_gates
short_description: Health gates of a maintenance drain or restore (playbooks/maintenance.yml)
version_added: 0.6.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Judges, on the controller, whether a device may be drained or restored, from the status the play read
    with C(paynet.netinfra.bgp_status), C(paynet.netinfra.vrrp_status) and C(paynet.netinfra.ipsec_status)
    (registered on each host) and the fleet intent (C(partners), each gateway's C(vrrp)).
  - Before a drain, C(pair_not_drained) (never drain the last healthy device of a pair),
    C(bgp_sessions_elsewhere) (each partner with a session on the device has an Established session on another
    device), C(partner_routes_elsewhere) (the partner's accepted prefixes are reachable through the redundant
    device), C(vrrp_master_elsewhere) (each group has a healthy member on another gateway to take Master) and
    C(ipsec_elsewhere) (each IPsec partner is up on another gateway).
  - After a drain, the same gates, and C(vrrp_master_elsewhere) then requires the Master on the other gateway.
  - Before a restore, C(device_healthy) (the device's own sessions, tunnels and groups are up); after it,
    C(partner_routes_here) and C(vrrp_as_intended) (one Master per group, the intended one).
  - Each gate returns its name, whether it passed, the evidence and a message naming the device, the gate and the fix.
  - With I(phase=scope) it returns the device and its redundant peers (the devices sharing a partner's sessions or
    tunnels, or a VRRP group, with it) and judges nothing.
  - A host in maintenance has C(netinfra_maintenance=drained) (docs/operations.md).
  - This is an action plugin. It never connects to a host; run it once on the controller.
options:
  device:
    description: The inventory hostname of the device to drain or restore.
    type: str
    required: true
  phase:
    description: Which gates to judge, or C(scope).
    type: str
    required: true
    choices: [scope, before_drain, after_drain, before_restore, after_restore]
  hosts:
    description: Hosts whose registered status is read (default the device and its peers).
    type: list
    elements: str
  bgp_var:
    description: Variable each host registered its C(bgp_status) result in.
    type: str
    default: maintenance_bgp
  vrrp_var:
    description: Variable each host registered its C(vrrp_status) result in.
    type: str
    default: maintenance_vrrp
  ipsec_var:
    description: Variable each host registered its C(ipsec_status) result in.
    type: str
    default: maintenance_ipsec
  fail_on_gate:
    description: Fail the task when a gate fails. With C(false) (check mode), only report.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: It only reads registered variables.
  diff_mode:
    support: none
    description: It changes nothing.
  platform:
    support: full
    platforms: all
    description: Runs on the controller.
"""

EXAMPLES = r"""
- name: Gates before draining the edge router
  paynet.netinfra.maintenance_gates:
    device: "{{ device }}"
    phase: before_drain
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
gates:
  description: The gates judged, in order.
  returned: unless phase is scope
  type: list
  elements: dict
  sample: [{"name": "bgp_sessions_elsewhere", "passed": true, "evidence": {"stpart": ["ste2 198.18.61.2"]},
            "message": "ste1: every partner has an Established session elsewhere"}]
failed_gates:
  description: The names of the gates that failed.
  returned: unless phase is scope
  type: list
  elements: str
passed:
  description: Whether every gate passed.
  returned: unless phase is scope
  type: bool
peers:
  description: The device's redundant peers.
  returned: always
  type: list
  elements: str
drained_peers:
  description: The peers that are in maintenance themselves.
  returned: always
  type: list
  elements: str
hosts:
  description: The device followed by its peers (with I(phase=scope)).
  returned: when phase is scope
  type: list
  elements: str
msg:
  description: One line per phase, naming each failed gate and its fix.
  returned: unless phase is scope
  type: str
"""
