#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the paynet.netinfra.compliance_report action plugin
# (plugins/action/compliance_report.py), which does the work on the controller.

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: compliance_report
short_description: Write the compliance reports (JUnit, JSON, Markdown, HTML) with PCI DSS 4.0 evidence
version_added: 0.6.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Turns what a compliance run registered on each host into checks and writes them, once, on the controller
    (C(playbooks/compliance_check.yml), C(docs/compliance.md)).
  - Drift per device and feature from the check-mode result of the feature's apply module (C(bgp_peering),
    C(ipsec_tunnel), C(vrrp), C(snmp), C(hsm_attachment)) - the missing and extra lines from its diff and the
    remediation from its C(commands), exactly what a real run would send, secrets masked; health from the
    status modules (one check per BGP session, IPsec tunnel, VRRP group, SNMP agent, HSM table) plus one check
    per VRRP group over all gateways (exactly one Master); policy from C(validate_intent)'s findings (errors
    fail, exceptions in use are C(waived) with their expiry, other warnings pass with the warning shown).
  - Each check has a stable id C(<device>.<feature>.<check>), a status (C(pass), C(fail), C(waived), C(error),
    C(skipped)), a message, evidence, remediation and the PCI DSS 4.0 requirements it evidences.
  - I(grace) lets a known drift stand until a date (the check becomes C(waived)); an expired grace is a failing
    check. History from the previous run's C(latest.json) in I(dest) gives each check C(since) and
    C(previous_status).
  - Writes C(compliance-<UTC timestamp>.{json,xml,md,html}) and C(latest.*) (mode 0600) and
    C(compliance.schema.json) into I(dest) (mode 0700), keeps the newest I(keep) runs, and fails when a check
    fails or errs (after writing), unless I(fail_on_violation=false).
  - Every string of the reports is masked (passwords, keys, communities in config text, and every literal value of
    the hosts' C(vault_*) variables and secret intent fields).
  - This is an action plugin. It never connects to a host; run it with C(run_once=true).
options:
  dest:
    description: The report directory (created 0700).
    type: path
    required: true
  hosts:
    description: The hosts whose registered results are read. Defaults to C(ansible_play_hosts_all).
    type: list
    elements: str
  registered:
    description:
      - Feature to C({drift, health}) names of the registered variables. Defaults to C(compliance_<feature>) and
        C(compliance_<feature>_status) for C(bgp), C(ipsec), C(vrrp), C(snmp) and C(hsm).
    type: dict
  policy:
    description: The registered result of C(paynet.netinfra.validate_intent) (run with C(failed_when=false)).
    type: raw
  grace:
    description:
      - 'A list of C({check, until, reason, approved_by}): C(check) is a check id or a shell-style pattern
        (C(hgw1.vrrp.*)), C(until) the last day (YYYY-MM-DD). Defaults to the C(compliance_grace) variable.'
      - A bad entry fails the task before any report is written, naming the field and the fix.
    type: raw
  diagram:
    description: The registered result of C(paynet.netinfra.network_diagram) (C(svg), C(png), C(devices)); linked.
    type: raw
  audit_log:
    description: The audit log of real runs; checked for PCI DSS 10.2 (exists, 0600, JSON lines). Skipped when unset.
    type: path
  started:
    description: When the run started (ISO 8601), for the duration.
    type: str
  playbook:
    description: The playbook name shown in the reports.
    type: str
  fail_on_violation:
    description: Fail the task (after writing the reports) when a check fails or errs.
    type: bool
    default: true
  keep:
    description: How many timestamped runs to keep in I(dest); 0 keeps all.
    type: int
    default: 30
attributes:
  check_mode:
    support: full
    description: Writes the reports on the controller in check mode too (a compliance run is a check-mode run).
  diff_mode:
    support: none
    description: Nothing to diff.
  platform:
    platforms: all
    support: full
    description: Runs on the controller.
notes:
  - The JSON report follows C(compliance.schema.json) (JSON Schema 2020-12), written beside it.
  - The JUnit XML has one C(testsuite) per device and one C(testcase) per device x feature x check
    (C(classname) C(<device>.<feature>), C(name) the check); C(waived) and C(skipped) are C(skipped) with their reason.
"""

EXAMPLES = r"""
- name: Reports once on the controller; fails on a violation
  paynet.netinfra.compliance_report:
    dest: /var/lib/netinfra/compliance
    policy: "{{ compliance_policy }}"
    grace: "{{ compliance_grace | default([]) }}"
  check_mode: false
  run_once: true
"""

RETURN = r"""
reports:
  description: The timestamped report files by type (C(json), C(xml), C(md), C(html)).
  returned: always
  type: dict
summary:
  description: Counts by status, C(total) and C(compliant).
  returned: always
  type: dict
  sample: {total: 26, pass: 25, fail: 0, waived: 0, error: 0, skipped: 1, compliant: true}
failing:
  description: Ids of the checks that fail or err.
  returned: always
  type: list
  elements: str
waived:
  description: Ids of the checks waived by an exception or a grace.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        dest=dict(type="path", required=True),
        hosts=dict(type="list", elements="str"),
        registered=dict(type="dict"),
        policy=dict(type="raw"),
        grace=dict(type="raw"),
        diagram=dict(type="raw"),
        audit_log=dict(type="path"),
        started=dict(type="str"),
        playbook=dict(type="str"),
        fail_on_violation=dict(type="bool", default=True),
        keep=dict(type="int", default=30),
    ), supports_check_mode=True)
    module.fail_json(msg="paynet.netinfra.compliance_report runs as an action plugin on the controller; "
                         "call it as a task (paynet.netinfra.compliance_report), not as a module on a host.")


if __name__ == "__main__":
    main()
