#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: hsm_attachment
short_description: HSM segment policy on a segment gateway, one nftables table as one transaction
version_added: 0.5.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Enforces the HSM segments this gateway serves (docs/hsm.md) in one nftables table, C(inet <table>), that
    the module owns whole. Other tables are never touched (no C(flush ruleset)).
  - The table has one interval set per address set and family, a base chain C(forward) that jumps by the
    segment's interface (from the gateway's VRRP group of the segment) to C(<segment>_in) and C(<segment>_out),
    and in each the replies of allowed flows, the allow rules and a rate-limited log plus a counted default drop.
    Every rule has a counter and a comment, the rule's id and its justification (C(<rule id>) colon
    C(<justification>)).
  - It is rendered from the same model that says which flows are allowed (the segmentation proof's
    expectation), so the enforced policy and the proof cannot disagree.
  - One call does the whole job. It reads the table once (C(nft -j)), diffs it locally in a canonical text,
    checks a change with C(nft -c), applies it atomically (one file that creates, deletes and re-creates the
    table), reads it back and compares it with the intent, or restores the previous table and fails saying why.
    A no-op never reloads, so the counters keep counting.
  - The config is checked with the same fleet validator as C(paynet.netinfra.validate_intent), on a one-gateway
    view, before the gateway is touched (by the action plugin on the controller, and again by the module).
notes:
  - Check mode reads the gateway and changes nothing but runs C(nft -c) on the candidate; its diff is the exact
    change of the table (C(lines) lists the added and removed lines).
  - C(merged), C(replaced) and C(overridden) are the same here (the table is owned whole); C(deleted) removes it.
  - Needs root on the gateway (C(become)).
  - Commit-confirm (I(confirm_timeout)) keeps the table from before the change in
    C(/var/lib/paynet-netinfra/confirm/hsm/) and starts a detached timer that loads it back unless the action
    plugin confirms the change over a new connection; a pending timer of another run fails the task before
    anything is changed, a fired one is reported as a warning. Only the action plugin confirms, so call the
    module through it (the normal way).
extends_documentation_fragment:
  - paynet.netinfra.hsm
  - paynet.netinfra.hsm.module
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
- name: Converge this gateway's HSM policy (check mode shows the exact change)
  paynet.netinfra.hsm_attachment:
    config: "{{ hsm }}"
    vrrp: "{{ vrrp }}"
    state: replaced
  become: true

- name: Render the table of gateway hgw1 without touching it
  paynet.netinfra.hsm_attachment:
    config: "{{ hsm }}"
    vrrp: "{{ hostvars['hgw1'].vrrp }}"
    gateway: hgw1
    state: rendered
"""

RETURN = r"""
commands:
  description: What the run did, or what check mode would do.
  returned: merged, replaced, overridden and deleted
  type: list
  elements: str
  sample: ["nft -c -f <candidate> (check: passed)", "nft -f <candidate> (table inet paynet_hsm {}; ...)"]
table:
  description: The nftables table (family inet).
  returned: always
  type: str
lines:
  description: The changed lines of the table, C(added) and C(removed) (canonical text, no counter values).
  returned: merged, replaced, overridden and deleted
  type: dict
rendered:
  description: The table's canonical text for I(config) (what C(nft -f) loads).
  returned: state is rendered
  type: str
gathered:
  description: The table on the gateway, C(text) (canonical) and C(counters).
  returned: state is gathered
  type: dict
parsed:
  description: The table in I(running_config), C(text) and C(counters).
  returned: state is parsed
  type: dict
rollback_commands:
  description: What was done to restore the previous table after a failed change.
  returned: when a change failed
  type: list
  elements: str
rolled_back:
  description: True when the table after the rollback equals the table before the change.
  returned: when a change failed
  type: bool
confirm:
  description:
    - The device-side commit-confirm of a real change (I(confirm_timeout)). C(timeout), C(armed) (the timer is
      still running), C(confirmed) (the action plugin confirmed it over a new connection after the change),
      C(id), C(armed_at), C(fires_at) (UTC), C(timer_pid); C(disarmed) after the module's own rollback;
      C(confirm_error) when the confirm could not reach the gateway (it then restores itself at C(fires_at)).
  returned: when a change was applied
  type: dict
  sample: {"timeout": 120, "armed": false, "confirmed": true, "fires_at": "2026-12-02T04:30:00Z"}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.confirm import check_timeout
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.states import STATE_REQUIRED_IF
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import ChangeFailed, StepFailed
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.linux import HostError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.devices.rollback_timer import Timer
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import offline, schema
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.model import ModelError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.nftables import backend
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.nftables import parse

ARGUMENT_SPEC = argspec(schema.MODULE)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, required_if=STATE_REQUIRED_IF, supports_check_mode=True)
    params = module.params
    state = params["state"]
    if state == "parsed":
        try:
            module.exit_json(changed=False, table=offline.table_name(params), parsed=offline.parsed(params))
        except parse.ParseError as exc:
            module.fail_json(msg="state=parsed: %s" % exc)
    problems = offline.problems(params)
    if problems:
        module.fail_json(msg="invalid config, no device was touched:\n" + "\n".join(problems), problems=problems)
    bad = check_timeout(params.get("gateway"), params["confirm_timeout"])
    if bad:
        module.fail_json(msg="invalid options, no device was touched: %s" % bad)
    table = offline.table_name(params)
    desired = ""
    if state != "deleted":
        try:
            table, _model, desired = offline.device(params)
        except ModelError as exc:
            module.fail_json(msg="invalid config, no device was touched: %s" % exc)
    if state == "rendered":
        module.exit_json(changed=False, table=table, rendered=desired)

    def run_command(argv):
        return module.run_command(argv, environ_update={"LC_ALL": "C"})

    host = backend.NftHost(run_command)
    try:
        if state == "gathered":
            objects, text = backend.gathered(host, table)
            module.exit_json(changed=False, table=table,
                             gathered={"text": text, "counters": parse.counters(objects, table)})
        result = backend.run(host, table, desired, check_mode=module.check_mode, verify=params["verify"],
                             rollback=params["rollback"], confirm_timeout=params["confirm_timeout"], timer=Timer())
    except ChangeFailed as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except (HostError, StepFailed, OSError, ValueError) as exc:
        module.fail_json(msg="%s" % exc if "nothing was changed" in str(exc) else "%s; nothing was changed" % exc,
                         table=table)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
