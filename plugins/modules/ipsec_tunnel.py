#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ipsec_tunnel
short_description: Route-based IPsec partner tunnels on strongSwan gateways, as one transaction
version_added: 0.2.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Manages IKEv2 tunnels to partners on a Linux VPN gateway running strongSwan (charon with the
    C(vici) plugin, C(swanctl)). Each tunnel is one C(swanctl) connection in its own file
    C(/etc/swanctl/conf.d/paynet-<name>.conf) (mode 0600, with its pre-shared key written as
    C(0s<base64>)), or with certificates the CA, our certificate and our private key (mode 0600) under
    C(/etc/swanctl/x509ca), C(x509) and C(private). Files not named C(paynet-*) are never touched.
  - Route-based. Each tunnel has an inside network (a /30 or /31 from 169.254.0.0/16) that BGP runs
    over. The data plane is an XFRM interface per tunnel (C(xfrm<if_id>), C(if_id_in)/C(if_id_out))
    where the kernel has XFRM interfaces, or charon's userspace C(kernel-libipsec) (TUN device
    C(ipsec0)) where it does not. C(dataplane=auto) picks the one the gateway runs.
  - One call does the whole job. It reads our files, the interfaces and charon's connections and SAs
    once, plans locally, writes the files, sets the interfaces, runs C(swanctl --load-all) and
    (re)initiates the changed tunnels. It then verifies that their IKE and CHILD SAs are up and that
    tunnels that were up before still are. If not, it restores the previous files and interfaces,
    reloads, and fails with a reason per tunnel (for example authentication failed, no proposal chosen,
    the partner does not answer).
  - The action plugin checks every proposal against the strong-crypto policy (I(ipsec_policy)) on the
    controller, before connecting to the gateway. C(rendered) and C(parsed) run on the controller only.
  - Pre-shared keys and private keys are C(no_log). They are masked in C(diff), C(rendered), C(gathered)
    and C(parsed). A changed key shows as C(******** (changed)).
notes:
  - Commit-confirm (I(confirm_timeout)). Before a change the module snapshots, under C(/var/lib/paynet-
    netinfra/confirm/), our swanctl files (C(paynet-*); files the change created are removed) and C(swanctl
    --load-all); the interfaces (XFRM) are not part of it, and starts a detached timer that restores it unless the
    action plugin confirms the change over a new connection after verification. A pending timer of another run
    fails the task before anything changes; a fired one is reported as a warning.
  - Check mode reads the gateway and changes nothing. Its diff covers every byte that a real run writes
    (secrets masked) and its C(commands) are what a real run executes.
  - The gateway's base strongSwan settings (charon running with the vici plugin, C(install_routes = no),
    and C(kernel-libipsec) where the kernel lacks XFRM) belong to the gateway build; see docs/ipsec.md.
  - Needs root on the gateway (C(become)).
extends_documentation_fragment:
  - paynet.netinfra.ipsec
  - paynet.netinfra.ipsec.module
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
- name: Bring up ACME Bank's tunnel (check mode shows the exact change)
  paynet.netinfra.ipsec_tunnel:
    config: "{{ partners | paynet.netinfra.ipsec_device_config(inventory_hostname, bgp | default(none), only=['acme_bank']) }}"
    state: replaced
  become: true

- name: Make the gateway hold exactly the tunnels in the inventory
  paynet.netinfra.ipsec_tunnel:
    config: "{{ partners | paynet.netinfra.ipsec_device_config(inventory_hostname) }}"
    state: overridden
  become: true

- name: Read the tunnels on the gateway
  paynet.netinfra.ipsec_tunnel:
    state: gathered
  become: true
  register: tunnels

- name: Render the files for the XFRM data plane, offline
  paynet.netinfra.ipsec_tunnel:
    config:
      tunnels:
        - name: partner-acme_bank
          partner: acme_bank
          peer_gateway: 198.18.200.2
          auth: {method: psk, psk: "{{ vault_acme_bank_psk }}"}
          inside: {network: 169.254.10.0/30}
    dataplane: xfrm
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
  description: What the run executed, or what check mode would execute (C(ip) commands, C(swanctl) calls).
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
  sample: ["ip addr add 169.254.10.1/30 dev ipsec0", "swanctl --load-all --noprompt",
           "swanctl --initiate --child partner-acme_bank --ike partner-acme_bank"]
dataplane:
  description: The data plane used, C(xfrm) or C(libipsec), and why (C(dataplane_reason)).
  returned: merged, replaced, overridden, deleted and gathered
  type: str
added:
  description: Tunnels the change adds.
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
modified:
  description: Tunnels the change modifies (they are re-established).
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
removed:
  description: Tunnels the change removes.
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
rendered:
  description: File path to content for I(config), secrets masked, private keys not shown.
  returned: state is rendered
  type: dict
gathered:
  description: The C(paynet-*) tunnels on the gateway in the I(config) shape, secrets masked.
  returned: state is gathered
  type: dict
parsed:
  description: The tunnels in I(running_config), in the I(config) shape, secrets masked.
  returned: state is parsed
  type: dict
status:
  description: Per-tunnel SA state after a verified change (see paynet.netinfra.ipsec_status).
  returned: when a change was applied and verified
  type: list
  elements: dict
verification:
  description: Tunnels that had to be up after the change, and those that were not.
  returned: when a change was applied and verify is true
  type: dict
rollback_commands:
  description: What was run to restore the previous state after a failed change.
  returned: when a change failed
  type: list
  elements: str
rolled_back:
  description: True when the C(paynet-*) files after the rollback equal those before the change.
  returned: when a change failed
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import fleet
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.states import STATE_REQUIRED_IF
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec import schema
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec import validate
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import offline as ipsec_offline
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.confirm import check_timeout
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import ChangeFailed, StepFailed
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.rollback_timer import Timer
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.strongswan import backend as ipsec_backend

ARGUMENT_SPEC = argspec(schema.MODULE)


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        required_if=STATE_REQUIRED_IF,
        supports_check_mode=True,
    )
    params = module.params
    state = params["state"]
    try:
        tunnels = ipsec_offline.complete((params["config"] or {}).get("tunnels") or [])
    except ValueError as exc:
        module.fail_json(msg="invalid config, nothing was changed: %s" % exc)

    if state == "parsed":
        module.exit_json(changed=False, parsed=ipsec_offline.parsed(params["running_config"]))
    problems = fleet.check_module_input(validate.FEATURE.name, params["config"], tunnels, params, "tunnels")
    if problems:
        module.fail_json(msg="invalid config, nothing was changed:\n" + "\n".join(problems), problems=problems)
    if state == "rendered":
        module.exit_json(changed=False, rendered=ipsec_offline.rendered(tunnels, params["dataplane"], params["swanctl_dir"]))

    bad = check_timeout(None, params["confirm_timeout"], params["verify_timeout"] if params["verify"] else 0)
    if bad:
        module.fail_json(msg="invalid options, nothing was changed: %s" % str(bad).split(": ", 1)[1])

    def run_command(argv):
        return module.run_command(argv, environ_update={"LC_ALL": "C"})

    gateway = ipsec_backend.Gateway(run_command, root=params["swanctl_dir"])
    try:
        if state == "gathered":
            module.exit_json(changed=False, **ipsec_backend.gather(gateway, params["dataplane"]))
        result = ipsec_backend.run(gateway, tunnels, state, check_mode=module.check_mode, dataplane=params["dataplane"],
                                   wan=params["wan_interface"], verify=params["verify"],
                                   verify_timeout=params["verify_timeout"], rollback=params["rollback"],
                                   confirm_timeout=params["confirm_timeout"], timer=Timer())
    except ChangeFailed as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except ipsec_backend.IpsecError as exc:
        module.fail_json(msg="%s; nothing was changed" % exc)
    except (StepFailed, OSError) as exc:  # a pending commit-confirm timer of another run, its state unreadable
        module.fail_json(msg="%s" % exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
