#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the paynet.netinfra.network_diagram action plugin
# (plugins/action/network_diagram.py), which does the work on the controller.

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: network_diagram
short_description: Draw partner connectivity and the CDE boundary as SVG (PCI DSS 1.2.3) and write per-device docs
version_added: 0.6.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Reads the fleet's intent from the inventory, the same way C(paynet.netinfra.validate_intent) does (the
    C(partners) variable, each host's C(netinfra_platform), C(bgp), C(vrrp) and C(snmp), the fleet's C(hsm)), and
    overlays the gathered state given in I(state) (sessions and tunnels up or down, VRRP Master or Backup,
    SNMP and HSM health).
  - Writes C(diagram.svg) into I(dest) - a deterministic layered drawing without graphviz - partners on top,
    then our edge and VPN devices with their BGP sessions (solid) and IPsec tunnels (dashed) coloured by
    state (C(up), C(down), C(admin-down), C(unknown)), then the gateways with VRRP pairs in a dashed box,
    then the HSM segments and appliances inside the marked CDE boundary, linked to their gateways.
  - Writes C(diagram.png) too when a converter is found at run time (C(rsvg-convert), the C(cairosvg) Python
    package, or C(inkscape)); none is required.
  - Writes C(devices/<host>.md) per device - what it runs, its partners with their sessions and tunnels, its
    VRRP groups, SNMP (users and protocols, never keys) and the HSM policy it enforces.
  - I(dest) and I(dest)/devices are created with mode 0700, files are written 0600. Device pages of hosts
    no longer drawn are removed.
  - No secret is read into the drawing; every text is also masked with the collection's secret masking and
    with the secret values of the inventory (C(vault_*) variables and secret-named fields).
  - This is an action plugin. It never connects to a host; run it once (C(run_once)) after the status tasks.
options:
  dest:
    description: Directory for C(diagram.svg), C(diagram.png) and C(devices/).
    type: path
    required: true
  state:
    description:
      - Gathered state per host and feature, a mapping of host name to C({bgp, ipsec, vrrp, snmp, hsm}), each the
        registered result of C(paynet.netinfra.bgp_status), C(ipsec_status), C(vrrp_status), C(snmp_status) or
        C(hsm_status) on that host. Missing entries are drawn as C(unknown).
    type: dict
  registered:
    description:
      - Complete I(state) from registered variables - a mapping of feature (C(bgp), C(ipsec), C(vrrp), C(snmp), C(hsm))
        to the name of the variable each host registered that feature's status result in. Skipped and unreachable
        results are left out. I(state) entries win.
    type: dict
  hosts:
    description:
      - Draw only these devices (and the partners, VRRP peers and HSM segments they connect to). Default is
        every host of the inventory.
    type: list
    elements: str
  title:
    description: The diagram's title.
    type: str
    default: Partner connectivity and CDE boundary
  png:
    description: Convert to PNG when a converter is present.
    type: bool
    default: true
notes:
  - Supports check mode; the files are written in check mode too (they are evidence, not device changes).
"""

EXAMPLES = r"""
- name: Read BGP session state on the edge routers
  paynet.netinfra.bgp_status:
    config: "{{ partners | paynet.netinfra.bgp_device_config(inventory_hostname, bgp) }}"
  register: diagram_bgp
  when: bgp is defined

- name: Draw the diagram with the live state
  paynet.netinfra.network_diagram:
    dest: /var/lib/paynet/evidence/diagram
    state: >-
      {{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'diagram_bgp')
         | map('community.general.dict_kv', 'bgp'))) }}
  run_once: true
"""

RETURN = r"""
svg:
  description: Path of the SVG.
  returned: always
  type: str
png:
  description: Path of the PNG, or null when no converter was found.
  returned: always
  type: str
devices:
  description: Paths of the per-device Markdown pages.
  returned: always
  type: list
  elements: str
nodes:
  description: The drawn nodes (C(id), C(label), C(kind) partner/device/segment/appliance, C(lines), C(cde), C(state)).
  returned: always
  type: list
  elements: dict
edges:
  description: The drawn edges (C(id), C(source), C(target), C(kind) bgp/ipsec/hsm, C(label), C(state)).
  returned: always
  type: list
  elements: dict
vrrp_groups:
  description: VRRP groups drawn as boxes (C(id), C(label), C(members), C(states)).
  returned: always
  type: list
  elements: dict
"""
