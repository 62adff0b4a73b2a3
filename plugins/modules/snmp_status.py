#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: snmp_status
short_description: Health of an SNMPv3 agent against its intent, read-only
version_added: 0.4.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Reads the device and changes nothing. It checks that snmpd runs and that its configuration and every user's
    keys are the intended ones. Keys are compared as keys localized to the agent's engineID and are never read
    back or shown.
  - It also checks that each polling user gets an authPriv answer for sysName (net-snmp's C(snmpget), with the
    pass phrases in a temporary 0600 client file, never on a command line), and with I(config.agentx) that FRR's
    AgentX subagents (bgpd, zebra) are connected.
  - For check-mode health, compliance runs and ad-hoc checks.
extends_documentation_fragment:
  - paynet.netinfra.snmp
  - paynet.netinfra.snmp.status
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
- name: Is the agent healthy and as intended?
  paynet.netinfra.snmp_status:
    config: "{{ {'sys_name': inventory_hostname, 'listen': [ansible_host]} | combine(snmp) }}"
  become: true
"""

RETURN = r"""
healthy:
  description: True when there is no problem.
  returned: always
  type: bool
status:
  description: C(running), C(engine_id), C(users_answering), C(agentx_subagents) and C(problems) (keys masked).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp import schema
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp.netsnmp import backend

ARGUMENT_SPEC = argspec(schema.STATUS)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)

    def run_command(argv):
        return module.run_command(argv, environ_update={"LC_ALL": "C"})

    try:
        healthy, report = backend.status(run_command, module.params["config"] or {})
    except (OSError, ValueError) as exc:
        module.fail_json(msg="cannot read the agent: %s" % exc)
    if not healthy and module.params["fail_on_unhealthy"]:
        module.fail_json(msg="SNMP agent unhealthy: %s" % "; ".join(report["problems"]), healthy=False, status=report)
    module.exit_json(changed=False, healthy=healthy, status=report)


if __name__ == "__main__":
    main()
