#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: reachability
short_description: Which devices of a fleet run answer on their management address, probed at once
version_added: 0.7.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Runs on the controller (action plugin) once for the play. Opens one TCP connection to every device's
    C(ansible_host) and C(ansible_port) (22 when unset), all in parallel, and names each device that does not
    accept it within I(timeout) seconds, with why (timed out, refused, no route, address unknown).
  - C(playbooks/site.yml) runs it first so that one dead device does not stop a build-out for every other
    device; the play fails the dead ones (the recap counts them failed, the summary names them) and the
    others go on. A TCP answer does not prove that ssh logs in; a device that answers and then fails is a
    failed host of its stage, as before.
  - Reads nothing from the devices and changes nothing, so it also runs in check mode.
options:
  hosts:
    description: The inventory hostnames to probe; the play's hosts (C(ansible_play_hosts_all)) when unset.
    type: list
    elements: str
  timeout:
    description: Seconds a device has to accept the connection.
    type: float
    default: 10
  fail_on_unreachable:
    description: Fail the task when any device does not answer (otherwise it only reports them).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: It only opens and closes TCP connections.
  diff_mode:
    support: none
    description: It changes nothing.
  platform:
    support: full
    platforms: all
    description: Runs on the controller.
"""

EXAMPLES = r"""
- name: Probe every device's management address at once
  paynet.netinfra.reachability:
    timeout: 10
  run_once: true
  register: reach

- name: Leave out a device that does not answer (the others go on)
  ansible.builtin.fail:
    msg: "{{ reach.details[inventory_hostname].error }}"
  when: inventory_hostname in reach.unreachable_hosts
"""

RETURN = r"""
reachable_hosts:
  description: The devices that accepted the connection, in the order probed.
  returned: always
  type: list
  elements: str
unreachable_hosts:
  description: The devices that did not (not C(unreachable), which is Ansible's own result key).
  returned: always
  type: list
  elements: str
details:
  description: Per device, C(address), C(port), C(seconds) the probe took and C(error) when it failed.
  returned: always
  type: dict
msg:
  description: One line naming each unreachable device with its address and why, or that all answer.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(hosts=dict(type="list", elements="str"),
                                              timeout=dict(type="float", default=10),
                                              fail_on_unreachable=dict(type="bool", default=False)),
                           supports_check_mode=True)
    module.fail_json(msg="paynet.netinfra.reachability runs on the controller through its action plugin")


if __name__ == "__main__":
    main()
