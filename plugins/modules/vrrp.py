#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vrrp
short_description: VRRP gateway redundancy with keepalived or FRR vrrpd, as one transaction
version_added: 0.4.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Manages a gateway's VRRPv3 groups from one intent (docs/vrrp.md) with one of two backends, picked
    per gateway by I(config.backend) (default from I(platform)).
  - C(keepalived) (Linux gateways). The module owns C(keepalived.conf) (global settings and an include), one
    file per group in C(paynet.d/) and, for BGP/IPsec track scripts, C(paynet-track.py). Each group is one
    C(vrrp_instance) per address family, with the RFC 5798 virtual MAC, kept in one C(vrrp_sync_group).
    The candidate files pass C(keepalived -t) before anything is written; keepalived is reloaded with
    SIGHUP (started when it does not run, never restarted); a no-op never touches the daemon.
  - C(frr_vrrpd) (FRR routers). The module owns the C(vrrp) lines of the interfaces (diffed in FRR's
    canonical form) and the macvlan interfaces vrrpd needs (bridge mode, 00:00:5e:00:01:XX for IPv4 and
    00:00:5e:00:02:XX for IPv6, C(addrgenmode random), the virtual addresses on them).
  - Both set C(net.ipv4.conf.all.arp_ignore=1) and C(arp_announce=2), so that only the IPv4 virtual MAC
    answers ARP for a virtual address (with Linux defaults the base interface and the IPv6 macvlan answer too).
  - One call does the whole job. It gathers once, diffs locally, applies, checks the result is what was
    planned and verifies every group is Master or Backup, or rolls back and fails saying why.
  - The config is checked with the same fleet validator as C(paynet.netinfra.validate_intent), on a
    one-gateway view, before the gateway is touched (backend limits included; FRR vrrpd has no object
    tracking, no accept-mode setting, no unicast peers and no preemption delay).
notes:
  - Commit-confirm (I(confirm_timeout)). Before a change the module snapshots, under C(/var/lib/paynet-
    netinfra/confirm/), keepalived's files and a reload (SIGHUP; keepalived stopped when it did not run before),
    or FRR's running-config through C(frr-reload.py --reload) for C(frr_vrrpd) (macvlans and sysctls are not part
    of it), and starts a detached timer that restores it unless the action plugin confirms the change over a new
    connection after verification. A pending timer of another run fails the task before anything changes; a fired
    one is reported as a warning.
  - Check mode reads the gateway and changes nothing; its diff covers the files, the interfaces (macvlans,
    sysctls) and the vtysh lines a real run changes, and C(commands) lists what a real run does.
  - Needs root on the gateway (C(become)); FRR routers are reached over SSH like Linux hosts.
  - There are no secrets in VRRPv3; VRRPv2 authentication is refused, and its password would be C(no_log).
extends_documentation_fragment:
  - paynet.netinfra.vrrp
  - paynet.netinfra.vrrp.module
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    support: full
    platforms: posix
"""

EXAMPLES = r"""
- name: Converge this gateway's VRRP groups (check mode shows the exact change)
  paynet.netinfra.vrrp:
    config: "{{ vrrp }}"
    platform: "{{ netinfra_platform }}"
    state: replaced
  become: true

- name: Drain the gateway (every group to priority 1; the peer takes Master)
  paynet.netinfra.vrrp:
    config: "{{ vrrp | combine({'maintenance': 'drained'}) }}"
    platform: "{{ netinfra_platform }}"
  become: true

- name: Render keepalived's configuration without touching a gateway
  paynet.netinfra.vrrp:
    config:
      backend: keepalived
      groups:
        - {segment: payment_apps, vrid: 10, interface: eth1, address: [198.18.31.2/24], virtual_ipv4: [198.18.31.1],
           priority: 150}
    state: rendered
"""

RETURN = r"""
confirm:
  description:
    - The device-side commit-confirm of a real change (I(confirm_timeout)). C(timeout), C(armed) (the timer still
      runs), C(confirmed) (the action plugin confirmed it over a new connection after the change), C(id),
      C(armed_at), C(fires_at) (UTC), C(timer_pid); C(disarmed) after the module's own rollback;
      C(confirm_error) when the confirm could not reach the device (it then restores itself at C(fires_at)).
  returned: when a change was applied
  type: dict
  sample: {"timeout": 120, "armed": false, "confirmed": true, "fires_at": "2026-12-02T04:30:00Z"}
commands:
  description: What the run did, or what check mode would do (files, C(ip) and sysctl commands, vtysh lines, reload).
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
  sample: ["keepalived -t -f /etc/keepalived/keepalived.conf (config test of the candidate files)",
           "write /etc/keepalived/paynet.d/payment_apps_10.conf", "kill -HUP keepalived (reload, no restart)"]
backend:
  description: The backend that ran, C(keepalived) or C(frr_vrrpd).
  returned: always
  type: str
files:
  description: keepalived files the change writes or deletes.
  returned: backend is keepalived
  type: list
  elements: str
rendered:
  description: The configuration for I(config) (keepalived.conf text, or the vrrp lines and macvlans).
  returned: state is rendered
  type: dict
gathered:
  description: What the gateway runs (files or vrrp lines, macvlans, live group states).
  returned: state is gathered
  type: dict
parsed:
  description: The groups in I(running_config).
  returned: state is parsed
  type: list
  elements: dict
status:
  description: Each group's state after a verified change.
  returned: when a change was applied and verified
  type: list
  elements: dict
rollback_commands:
  description: What was done to restore the previous state after a failed change.
  returned: when a change failed
  type: list
  elements: str
rolled_back:
  description: True when the owned state after the rollback equals the state before the change.
  returned: when a change failed
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.states import STATE_REQUIRED_IF
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.confirm import check_timeout
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import ChangeFailed, StepFailed
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.linux import HostError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.rollback_timer import Timer
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp import model, offline, schema
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.keepalived import backend as ka
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.keepalived import render as ka_render
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.vrrp.frr_vrrpd import backend as fv

ARGUMENT_SPEC = argspec(schema.MODULE)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, required_if=STATE_REQUIRED_IF, supports_check_mode=True)
    params = module.params
    state = params["state"]
    try:
        backend, groups = offline.prepare(params)
    except offline.Refused as exc:
        module.fail_json(msg=str(exc), problems=exc.problems)
    if state == "parsed":
        module.exit_json(changed=False, backend=backend, parsed=offline.parsed(params["running_config"]))
    if state == "rendered":
        module.exit_json(changed=False, backend=backend, rendered=offline.rendered(backend, groups))

    bad = check_timeout(None, params["confirm_timeout"], params["verify_timeout"] if params["verify"] else 0)
    if bad:
        module.fail_json(msg="invalid options, nothing was changed: %s" % str(bad).split(": ", 1)[1])

    def run_command(argv):
        return module.run_command(argv, environ_update={"LC_ALL": "C"})

    try:
        if backend == "keepalived":
            host = ka.KeepalivedHost(run_command, conf=params["keepalived_conf"])
            if state == "gathered":
                module.exit_json(changed=False, backend=backend, gathered=ka.gathered(host))
            named = [ka_render.group_file(g) for g in groups] if state == "deleted" else None
            result = ka.run(host, groups, state, check_mode=module.check_mode, named=named, verify=params["verify"],
                            verify_timeout=params["verify_timeout"], rollback=params["rollback"],
                            confirm_timeout=params["confirm_timeout"], timer=Timer())
        else:
            router = fv.FrrRouter(run_command)
            if state == "gathered":
                module.exit_json(changed=False, backend=backend, gathered=fv.gathered(router))
            named = [model.key(g) for g in groups] if state == "deleted" else None
            result = fv.run(router, groups, state, check_mode=module.check_mode, named=named, verify=params["verify"],
                            verify_timeout=params["verify_timeout"], rollback=params["rollback"],
                            confirm_timeout=params["confirm_timeout"], timer=Timer())
    except ChangeFailed as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except (HostError, StepFailed, OSError, ValueError) as exc:
        module.fail_json(msg="%s; nothing was changed" % exc, backend=backend)
    result["backend"] = backend
    module.exit_json(**result)


if __name__ == "__main__":
    main()
