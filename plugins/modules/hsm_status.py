#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: hsm_status
short_description: The HSM policy table of a segment gateway against its intent, and its counters, read-only
version_added: 0.5.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Reads the gateway's nftables table (C(nft -j list table inet <table>)) and changes nothing.
  - Checks that the table is present and equal to the intent (the same canonical text
    C(paynet.netinfra.hsm_attachment) diffs), and returns the counters of every rule.
  - For check-mode health, compliance runs and the segmentation proof (per-rule hits).
extends_documentation_fragment:
  - paynet.netinfra.hsm
  - paynet.netinfra.hsm.status
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
- name: Is the HSM policy in place, and what did each rule count?
  paynet.netinfra.hsm_status:
    config: "{{ hsm }}"
    vrrp: "{{ vrrp }}"
  become: true
  register: hsm_now
"""

RETURN = r"""
healthy:
  description: True when the table is present and equal to the intent.
  returned: always
  type: bool
present:
  description: True when the table exists on the gateway.
  returned: always
  type: bool
in_sync:
  description: True when the table equals the intent.
  returned: always
  type: bool
table:
  description: The nftables table (family inet).
  returned: always
  type: str
counters:
  description:
    - 'Per-rule counters: C(<segment>/<rule id>) for every rule of the gateway''s segments, C(<segment>/established)
      (replies of allowed flows) and C(<segment>/drop) (default drops), both directions summed; each
      C({packets: int, bytes: int}). A rule missing on the gateway counts 0 and is a problem.'
  returned: always
  type: dict
  sample: {"hsmseg/apps-ntls": {"packets": 12, "bytes": 960}, "hsmseg/drop": {"packets": 3, "bytes": 180},
           "hsmseg/established": {"packets": 40, "bytes": 5200}}
problems:
  description: What is wrong (missing table, lines that differ, missing counters).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.linux import HostError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import offline, schema
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.model import ModelError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.nftables import backend, render

ARGUMENT_SPEC = argspec(schema.STATUS)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    try:
        table, model, desired = offline.device(params)
    except ModelError as exc:
        module.fail_json(msg="invalid config: %s" % exc)

    def run_command(argv):
        return module.run_command(argv, environ_update={"LC_ALL": "C"})

    try:
        healthy, report = backend.status(backend.NftHost(run_command), table, desired, render.counter_keys(model))
    except (HostError, OSError, ValueError) as exc:
        module.fail_json(msg="cannot read the gateway's table: %s" % exc)
    if not healthy and params["fail_on_error"]:
        module.fail_json(msg="HSM policy not as intended: %s" % "; ".join(report["problems"]), healthy=False, **report)
    module.exit_json(changed=False, healthy=healthy, **report)


if __name__ == "__main__":
    main()
