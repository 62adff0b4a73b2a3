#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: snmp
short_description: SNMPv3 agent (net-snmp) with BGP4-MIB through FRR's AgentX, as one transaction
version_added: 0.4.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Manages net-snmp's snmpd on a Linux device (gateway or whitebox router). It writes the whole
    C(/etc/snmp/snmpd.conf) (listen addresses, sysName/sysLocation/sysContact, views with numeric OIDs, access
    groups, read-only by default, trap/inform targets, C(master agentx)) and the SNMPv3 users as C(createUser)
    lines in snmpd's persistent file C(/var/lib/snmp/snmpd.conf), which snmpd replaces with localized keys.
  - Idempotent without ever reading a pass phrase back. It localizes the intended pass phrases to the agent's
    engineID (RFC 3414, RFC 7860 SHA-2, net-snmp's AES-256 key extension) and compares them with the stored keys.
    A re-run reports no change, and a rotated key is detected and applied.
  - One transaction. It snapshots both files, stops snmpd (which rewrites its persistent file on exit) while the
    users are written, starts it again, checks that the device now matches the intent, then verifies with an
    authPriv get of sysName as each polling user. If anything fails it restores the previous files and
    daemon state.
  - With I(config.agentx) it also wires FRR as an AgentX subagent (the C(agentx) line, bgpd and zebra with
    C(-M snmp)), so that BGP4-MIB's bgpPeerTable is served through snmpd. Loading the module restarts bgpd and
    zebra, and BGP sessions re-establish. That only happens with I(frr_restart=true). Without it the run fails
    before any change and says so. The result reports C(frr_restart_needed).
  - The action plugin checks I(config) with the fleet validator and C(snmp_policy) before connecting.
    C(rendered) and C(parsed) run on the controller only.
  - Keys are C(no_log). Diffs, commands and results show C(********), or C(******** (changed)) when a key changes.
notes:
  - Commit-confirm (I(confirm_timeout)). Before a change the module snapshots, under C(/var/lib/paynet-
    netinfra/confirm/), snmpd stopped, C(snmpd.conf) and its persistent file put back, snmpd started again if it
    ran; with I(config.agentx) also FRR's running-config (a daemon restart for C(-M snmp) is not part of it), and
    starts a detached timer that restores it unless the action plugin confirms the change over a new connection
    after verification. A pending timer of another run fails the task before anything changes; a fired one is
    reported as a warning.
  - Check mode reads the device and changes nothing. Its diff is what a real run changes.
  - snmpd is started directly (C(-p /run/snmpd.pid), never C(-C)) where systemd does not run, else with its unit.
  - Needs root on the device (C(become)).
extends_documentation_fragment:
  - paynet.netinfra.snmp
  - paynet.netinfra.snmp.module
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
- name: SNMPv3 agent from the inventory's snmp variable (check mode shows the exact change)
  paynet.netinfra.snmp:
    config: "{{ snmp | combine({'sys_name': inventory_hostname}) }}"
    state: replaced
  become: true

- name: Read the agent (keys masked)
  paynet.netinfra.snmp:
    state: gathered
  become: true
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
  description: What the run did, or what check mode would do (keys masked).
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
  sample: ["write /etc/snmp/snmpd.conf", "/var/lib/snmp/snmpd.conf: createUser nms SHA-512 ******** AES-256 ********",
           "start snmpd"]
added:
  description: Users added.
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
modified:
  description: Users whose protocols or keys change.
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
removed:
  description: Users removed.
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
engine_id:
  description: The agent's snmpEngineID (keys are localized to it); null before snmpd first ran.
  returned: merged, replaced, overridden, deleted and gathered
  type: str
frr_restart_needed:
  description: True when bgpd and zebra must be (or were) restarted to load the snmp module.
  returned: merged, replaced, overridden and deleted
  type: bool
verification:
  description: Users that answered an authPriv get of sysName after the change, and the AgentX subagents connected.
  returned: when a change was applied and verify is true
  type: dict
rendered:
  description: The snmpd.conf for I(config) (keys masked) and the users' createUser lines (masked).
  returned: state is rendered
  type: dict
gathered:
  description: The agent's configuration in the I(config) shape, keys masked.
  returned: state is gathered
  type: dict
parsed:
  description: I(running_config) in the I(config) shape, keys masked.
  returned: state is parsed
  type: dict
rollback_commands:
  description: What was done to restore the previous state after a failed change.
  returned: when a change failed
  type: list
  elements: str
rolled_back:
  description: True when the files after the rollback equal those before the change.
  returned: when a change failed
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.states import STATE_REQUIRED_IF
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.confirm import check_timeout
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import ChangeFailed, StepFailed
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.rollback_timer import Timer
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp import offline
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp import schema
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp import validate  # noqa: F401  # pylint: disable=unused-import
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp.netsnmp import backend

ARGUMENT_SPEC = argspec(schema.MODULE)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, required_if=STATE_REQUIRED_IF, supports_check_mode=True)
    params = module.params
    state = params["state"]
    if state == "parsed":
        module.exit_json(changed=False, parsed=offline.parsed(params["running_config"]))
    config = params["config"] or {}
    problems = offline.problems(params, host=None)
    if problems:
        module.fail_json(msg="invalid config, nothing was changed:\n" + "\n".join(problems), problems=problems)
    if state == "rendered":
        module.exit_json(changed=False, rendered=offline.rendered(config))

    bad = check_timeout(None, params["confirm_timeout"], params["verify_timeout"] if params["verify"] else 0)
    if bad:
        module.fail_json(msg="invalid options, nothing was changed: %s" % str(bad).split(": ", 1)[1])

    def run_command(argv):
        return module.run_command(argv, environ_update={"LC_ALL": "C"})

    try:
        if state == "gathered":
            module.exit_json(changed=False, **backend.gather(run_command))
        result = backend.run(run_command, config, state, check_mode=module.check_mode, frr_restart=params["frr_restart"],
                             verify=params["verify"], timeout=params["verify_timeout"], rollback=params["rollback"],
                             confirm_timeout=params["confirm_timeout"], timer=Timer())
    except ChangeFailed as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except (backend.SnmpError, ValueError) as exc:
        module.fail_json(msg="%s; nothing was changed" % exc)
    except (StepFailed, OSError) as exc:  # a pending commit-confirm timer of another run, its state unreadable
        module.fail_json(msg="%s" % exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
