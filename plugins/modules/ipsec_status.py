#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ipsec_status
short_description: Operational state of IPsec partner tunnels on strongSwan gateways
version_added: 0.2.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Reads charon's connections and SAs over VICI (one socket, no text parsing) and reports, per
    tunnel, the IKE and CHILD SA states, the algorithms in use, rekey times and byte/packet counters.
  - A tunnel is healthy when its connection is loaded, one IKE SA is ESTABLISHED, its CHILD SA is
    INSTALLED, the algorithms in use are among the intended proposals and the traffic selectors are the
    intended ones. Otherwise the module fails (unless I(fail_on_unhealthy=false)) and says why, per tunnel,
    for example the partner gateway does not answer (DPD or retransmits), authentication failed, an
    unexpected algorithm, one-way traffic.
  - Read-only. It never changes the gateway, also outside check mode.
extends_documentation_fragment:
  - paynet.netinfra.ipsec
  - paynet.netinfra.ipsec.status
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
notes:
  - Without I(config) (or with an empty tunnel list) every loaded C(partner-*) connection is reported.
  - Needs root on the gateway (C(become)) to reach the VICI socket.
"""

EXAMPLES = r"""
- name: Verify this gateway's partner tunnels (wait up to 20 s for them to come up)
  paynet.netinfra.ipsec_status:
    config: "{{ partners | paynet.netinfra.ipsec_device_config(inventory_hostname) }}"
    wait: 20
  become: true

- name: Report every partner tunnel without failing
  paynet.netinfra.ipsec_status:
    fail_on_unhealthy: false
  become: true
  register: tunnels
"""

RETURN = r"""
tunnels:
  description: One entry per tunnel.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Connection name.
      type: str
    healthy:
      description: Whether the tunnel is up as intended.
      type: bool
    ike_state:
      description: IKE SA state (ESTABLISHED, CONNECTING, ...) or null when there is none.
      type: str
    ike:
      description: IKE SA details (hosts, UDP encapsulation, algorithms, established and rekey times).
      type: dict
    child:
      description: CHILD SA details (state, algorithms, rekey and life times, bytes and packets in and out, selectors).
      type: dict
    reasons:
      description: Why the tunnel is not healthy.
      type: list
      elements: str
    warnings:
      description: Anomalies that do not stop traffic (for example duplicate IKE or CHILD SAs after both ends re-established at once).
      type: list
      elements: str
healthy:
  description: Number of healthy tunnels.
  returned: always
  type: int
unhealthy:
  description: Number of unhealthy tunnels.
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import wait_until
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec import schema
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import offline as ipsec_offline
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import status as ipsec_status
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices import vici


ARGUMENT_SPEC = argspec(schema.STATUS)


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
    )
    try:
        tunnels = ipsec_offline.complete((module.params["config"] or {}).get("tunnels") or [])
    except ValueError as exc:
        module.fail_json(msg="invalid config: %s" % exc)

    def poll():
        try:
            with vici.ViciSession(module.params["vici_socket"]) as session:
                report = ipsec_status.evaluate(tunnels, session.list_sas(), session.list_conns())
        except (vici.ViciError, OSError) as exc:
            module.fail_json(msg="cannot read charon's state over VICI: %s" % exc)
        return report

    report = wait_until(poll, lambda found: found["unhealthy"] == 0, max(0, module.params["wait"]), interval=0.5)
    result = dict(changed=False, **report)
    if report["unhealthy"] and module.params["fail_on_unhealthy"]:
        bad = ["%s: %s" % (t["name"], "; ".join(t["reasons"]) or "not healthy") for t in report["tunnels"] if not t["healthy"]]
        module.fail_json(msg="%d of %d tunnel(s) not healthy: %s" % (report["unhealthy"], len(report["tunnels"]), " | ".join(bad)),
                         **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
