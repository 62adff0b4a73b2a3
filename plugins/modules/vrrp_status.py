#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vrrp_status
short_description: The state of a gateway's VRRP groups (keepalived or FRR vrrpd), split brain included
version_added: 0.4.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Reads each group's state per address family once, from keepalived's JSON state dump (the daemon's
    JSON signal) or FRR's C(show vrrp json), and which virtual addresses the gateway holds on an
    interface that is up.
  - Reports a group that is not Master or Backup, and a gateway that holds a virtual address while its
    daemon does not call it Master (a SIGKILLed keepalived leaves its address behind, a split-brain risk).
  - Run it on every gateway of a group and pass the results to the C(paynet.netinfra.vrrp_verdict) filter
    for the fleet checks (exactly one Master per group, no virtual address on two gateways).
  - Changes nothing.
extends_documentation_fragment:
  - paynet.netinfra.vrrp
  - paynet.netinfra.vrrp.status
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Read the groups' states
  paynet.netinfra.vrrp_status:
    config: "{{ vrrp }}"
    platform: "{{ netinfra_platform }}"
    wait: 30
  become: true
  register: vrrp_now
"""

RETURN = r"""
groups:
  description: Per group and address family, the state, effective and intended priority, and whether the gateway
    holds the virtual address.
  returned: always
  type: list
  elements: dict
  sample: [{"segment": "lan1", "vrid": 10, "family": "ipv4", "interface": "eth1", "state": "Master", "priority": 150,
            "intended_priority": 150, "holds_vip": true, "vips": ["198.18.31.1"], "problem": null}]
problems:
  description: What is not as it should be on this gateway.
  returned: always
  type: list
  elements: str
backend:
  description: The backend read.
  returned: always
  type: str
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import wait_until
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.linux import HostError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp import model, schema, status
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.keepalived import backend as ka
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.frr_vrrpd import backend as fv
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.frr_vrrpd import parse as fv_parse

ARGUMENT_SPEC = argspec(schema.STATUS)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    try:
        backend, _maintenance, groups = model.normalise(params["config"], params["platform"])
    except model.ModelError as exc:
        module.fail_json(msg=str(exc))

    def run_command(argv):
        return module.run_command(argv, environ_update={"LC_ALL": "C"})

    def read():
        if backend == "keepalived":
            host = ka.KeepalivedHost(run_command)
            running = host.daemon.running()
            try:
                live = host.dump() if running else {}
            except HostError:
                if not params["wait"]:
                    raise
                live = {}  # no dump this time: the states read as Missing and the wait polls again
            links = host.ip_json("addr", "show")
        else:
            router = fv.FrrRouter(run_command)
            running = True
            live = fv_parse.show_vrrp(router.show("show vrrp json"))
            links = router.links()
        return status.device_states(groups, backend, live, status.held_addresses(links), running)

    # settled: no problem, and the same states for a preemption delay plus a master-down interval (a Master
    # elected at start-up steps down within that time when it hears a higher priority; a restarted gateway
    # takes Master back after its preemption delay)
    settle = max([g["preempt_delay"] + 3.0 * g["advert_interval"] / 100.0 + 0.5 for g in groups] or [0.0]) \
        if params["wait"] else 0.0
    seen = []

    def poll():
        entries = read()
        seen.append((time.monotonic(), [(e["segment"], e["vrid"], e["family"], e["state"]) for e in entries]))
        return entries

    def settled(entries):
        if any(e["problem"] for e in entries):
            return False
        since = seen[-1][0]
        for stamp, states in reversed(seen):
            if states != seen[-1][1]:
                break
            since = stamp
        return seen[-1][0] - since >= settle

    try:
        entries = wait_until(poll, settled, params["wait"], interval=0.5)
    except (HostError, OSError, ValueError) as exc:
        module.fail_json(msg="could not read the VRRP state: %s" % exc, backend=backend)
    problems = ["%s VRID %d %s: %s" % (e["segment"], e["vrid"], e["family"], e["problem"]) for e in entries if e["problem"]]
    result = {"changed": False, "backend": backend, "groups": entries, "problems": problems}
    if problems and params["fail_on_error"]:
        module.fail_json(msg="; ".join(problems), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
