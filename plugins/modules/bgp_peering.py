#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: bgp_peering
short_description: BGP partner peering on FRR routers, as one transaction
version_added: 0.1.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Manages eBGP sessions with financial partners on an FRR router through C(vtysh)
    (C(ansible.netcommon.network_cli) with C(ansible_network_os=paynet.netinfra.frr)).
  - For each session it configures the neighbor (remote-as, description, update-source, TCP-MD5
    password, GTSM or multihop, timers, BFD, shutdown), an inbound prefix-list of exactly what the
    partner may announce, an outbound prefix-list of what we announce, route-maps in both directions
    (RFC 8212), maximum-prefix and C(soft-reconfiguration inbound) (FRR keeps what the partner sent, at
    most max-prefix routes, so that a changed accept list takes effect also when the partner's router
    does not support route refresh). Device-wide it sets the router-id, the announced networks with
    their blackhole anchor routes, and BGP graceful-shutdown (RFC 8326) for maintenance.
  - One call does the whole job. It reads the running configuration once, diffs locally, sends one
    configuration session, then verifies that the router holds exactly the predicted configuration
    and that sessions that were Established before are Established again. If not, it restores the
    previous configuration and fails with the reason. On success it saves (C(write memory)).
  - Commit-confirm (I(confirm_timeout), on by default). Before a change the router arms a detached timer
    (over ssh, through the action plugin's I(confirm_ssh)) holding the running-config from before it; after
    verification the module confirms it over a new ssh connection and only then saves. When the confirm never
    comes (the change cut the management path, the controller died) the router restores that config itself
    with C(frr-reload.py --reload); the next run warns about it. A no-op run never opens that ssh connection;
    every run first reads the router's commit-confirm state over a second exec channel of its own network_cli
    session (another run's pending timer fails the task before anything is read, a fired one is a warning);
    with C(vtysh) as the login shell that channel cannot read it.
  - Fast failure. It fails and rolls back as soon as the failure is certain rather than at
    I(verify_timeout) (a NOTIFICATION, or TCP-MD5 drops in the router's kernel counters after a password
    change), then restarts the restored sessions with C(clear bgp) so that they come back within seconds.
  - Ownership decides what C(replaced), C(overridden) and C(deleted) may touch. A partner owns the
    prefix-lists and route-maps named C(PARTNER_<NAME>_V4_IN) (and C(_OUT), C(_V6_...)) and every
    neighbor whose inbound route-map is one of them. Other configuration (iBGP, other protocols) is
    never read into the plan or changed.
  - Passwords are C(no_log). They are masked in C(commands), C(diff), C(gathered) and C(parsed).
    A changed password shows as C(******** (changed)).
notes:
  - Check mode reads the device and changes nothing. Its diff and commands are exactly what a real
    run sends, and a real run fails and rolls back if the router ends up anywhere else.
  - Supports C(--diff). The diff covers only the owned scope, not the whole running configuration.
  - Build C(config) from the inventory with the C(paynet.netinfra.bgp_device_config) filter.
    Validate the whole fleet first with C(paynet.netinfra.validate_intent).
  - Passwords are masked in the diff, the commands, the result and the audit trail at any verbosity. With the
    connection's C(persistent_log_messages) on, ansible-core's ansible-connection logs every command and device
    response unmasked, so the module refuses to run in production (C(netinfra_policy.environment)) and warns
    elsewhere, before touching the device.
extends_documentation_fragment:
  - paynet.netinfra.bgp
  - paynet.netinfra.bgp.module
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    support: full
    platforms: paynet.netinfra.frr
"""

EXAMPLES = r"""
- name: Onboard ACME Bank on this edge router (check mode shows the exact change)
  paynet.netinfra.bgp_peering:
    config: "{{ partners | paynet.netinfra.bgp_device_config(inventory_hostname, bgp, only=['acme_bank']) }}"
    state: replaced

- name: Make the router hold exactly the partners in the inventory
  paynet.netinfra.bgp_peering:
    config: "{{ partners | paynet.netinfra.bgp_device_config(inventory_hostname, bgp) }}"
    state: overridden
    verify: all

- name: Read the partners configured on the router
  paynet.netinfra.bgp_peering:
    state: gathered
  register: peering

- name: Render FRR configuration offline
  paynet.netinfra.bgp_peering:
    config:
      asn: 65010
      router_id: 198.18.0.1
      announce: [198.18.10.0/24]
      partners:
        - name: acme_bank
          asn: 64496
          accept_prefixes: [198.51.100.0/24]
          max_prefixes: 10
          sessions:
            - peer_address: 203.0.113.2
              local_address: 203.0.113.1
    state: rendered
"""

RETURN = r"""
commands:
  description: The configuration lines sent, or that check mode would send. Passwords are masked.
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
  sample: ["router bgp 65010", " neighbor 203.0.113.2 remote-as 64496", "exit"]
rendered:
  description: FRR configuration for I(config), in running-config form, passwords masked.
  returned: state is rendered
  type: str
gathered:
  description: The partner peering on the router, in the I(config) shape, passwords masked.
  returned: state is gathered
  type: dict
parsed:
  description: The partner peering in I(running_config), in the I(config) shape, passwords masked.
  returned: state is parsed
  type: dict
verification:
  description:
    - Sessions that had to be Established after the change (C(required_established)), those that were not
      (C(down)) and the seconds waited (C(seconds)).
    - C(cause) (per peer) is set when the failure was certain before I(verify_timeout) and the change was
      rolled back at once (fast failure) - a NOTIFICATION received from the partner, a NOTIFICATION our
      router sent refusing the partner's OPEN, or the router's kernel dropping TCP-MD5 segments (TcpExt
      C(TCPMD5Failure), C(TCPMD5NotFound), C(TCPMD5Unexpected); read over a second channel of the SSH
      session when the login shell is a POSIX shell) for a session whose password the change touched.
      A session merely in Connect/Active is never failed early.
    - C(after_rollback) (after a failed change) lists the sessions restarted with C(clear bgp) (C(cleared),
      so that they do not wait for bgpd's ConnectRetry timer), those C(established) again and still
      C(down), and the seconds waited (at most 30).
  returned: when a change was applied and verify is not none
  type: dict
  sample: {"required_established": ["198.18.96.2"], "down": ["198.18.96.2"], "seconds": 3.55,
           "cause": {"198.18.96.2": "TCP-MD5 password mismatch: since the change the kernel dropped 2 segment(s)
                                      signed with another password (TCPMD5Failure) (node-wide TcpExt counters)"},
           "after_rollback": {"cleared": ["198.18.96.2"], "established": ["198.18.96.2"], "down": [], "seconds": 0.74}}
rollback_commands:
  description: Lines sent to restore the previous configuration after a failed change.
  returned: when a change failed
  type: list
  elements: str
recovered_daemon:
  description:
    - Set when the router stopped answering after the change was applied (bgpd killed or crashed mid-change);
      C(error) is what it answered (for example C(bgpd is not running)), C(answering) whether it answered
      again (watchfrr restarts bgpd from the saved configuration) before the rollback compared the
      configuration with the one before the change (it waits at most 30 s).
  returned: when a daemon died during a change
  type: dict
  sample: {"error": "bgpd is not running", "answering": true}
rolled_back:
  description: True when the owned configuration after the rollback equals the configuration before the change.
  returned: when a change failed
  type: bool
confirm:
  description:
    - The device-side commit-confirm of a real change. C(timeout), C(armed), C(confirmed) (after
      verification, over a new ssh connection), C(id), C(armed_at), C(fires_at) (UTC), C(timer_pid);
      C(disarmed) after the module's own rollback. When the module's rollback failed it stays C(armed) and the
      router restores itself at C(fires_at).
  returned: when a change was applied
  type: dict
  sample: {"timeout": 120, "armed": false, "confirmed": true, "fires_at": "2026-12-02T04:30:00Z"}
saved:
  description: The configuration was saved after a verified change.
  returned: when a change was applied
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.connection import Connection, ConnectionError as AnsibleConnectionError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core import fleet
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.states import STATE_REQUIRED_IF
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp import schema
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp import validate
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import MASK
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.confirm import check_timeout
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import ChangeFailed, StepFailed
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.rollback_timer import RemoteTimer
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.vtysh import SessionTimers, VtyshDevice
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import backend as frr_bgp
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr.parse import gather
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr.plan import PlanError, mask_passwords
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr.render import render_text

ARGUMENT_SPEC = argspec(schema.MODULE)


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        required_if=STATE_REQUIRED_IF,
        supports_check_mode=True,
    )
    state = module.params["state"]
    config = module.params["config"] or {"partners": []}
    config.setdefault("partners", [])
    config["partners"] = config["partners"] or []

    if state == "parsed":
        module.exit_json(changed=False, parsed=gather(module.params["running_config"], mask=MASK))
    problems = fleet.check_module_input(validate.FEATURE.name, config, config["partners"], module.params, "partners")
    if problems:
        module.fail_json(msg="invalid config, nothing was changed:\n" + "\n".join(problems), problems=problems)
    if state == "rendered":
        if config.get("asn") is None:
            module.fail_json(msg="config.asn: rendered needs our ASN. Fix: set config.asn (the host's bgp.asn).")
        text = render_text(config)
        module.exit_json(changed=False, rendered=mask_passwords(text))

    params = module.params
    bad = check_timeout(None, params["confirm_timeout"], params["verify_timeout"] if params["verify"] != "none" else 0)
    if bad:
        module.fail_json(msg="invalid options, nothing was changed: %s" % str(bad).split(": ", 1)[1])
    remote = None
    if params["confirm_timeout"] and not module.check_mode and state not in ("gathered",):
        if not params["confirm_ssh"]:
            module.fail_json(msg="confirm_timeout is %d but confirm_ssh is not set, nothing was changed. Fix: run the "
                                 "module through its action plugin (it fills confirm_ssh from the host's variables), "
                                 "or set confirm_timeout to 0" % params["confirm_timeout"])
        ssh = params["confirm_ssh"]
        remote = RemoteTimer(ssh, become=[] if "root" in (ssh[ssh.index("-l") + 1:ssh.index("-l") + 2] if "-l" in ssh
                                                          else []) else ["sudo", "-n"])
    try:
        device = VtyshDevice(Connection(module._socket_path))
        if state == "gathered":
            module.exit_json(changed=False, gathered=gather(device.running_config(), mask=MASK))
        # the router's commit-confirm state is read over this session first, also by a run that changes nothing
        timer = SessionTimers(device, remote)
        result = frr_bgp.run(device, config, state, check_mode=module.check_mode,
                             verify=module.params["verify"], verify_timeout=module.params["verify_timeout"],
                             save=module.params["save"], rollback=module.params["rollback"],
                             confirm_timeout=params["confirm_timeout"], timer=timer)
    except PlanError as exc:
        module.fail_json(msg="%s Nothing was changed." % exc)
    except StepFailed as exc:
        module.fail_json(msg="%s" % exc)
    except ChangeFailed as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except AnsibleConnectionError as exc:
        module.fail_json(msg=mask_passwords(str(exc)), code=getattr(exc, "code", None))
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
