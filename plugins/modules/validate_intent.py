#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the paynet.netinfra.validate_intent action plugin
# (plugins/action/validate_intent.py), which does the work on the controller.

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: validate_intent
short_description: Validate the whole fleet's BGP partner and IPsec tunnel intent before any device is touched
version_added: 0.1.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Checks the C(partners) intent (sessions and IPsec C(tunnels)), the C(bgp_policy), the C(ipsec_policy),
    C(ipsec_inside_pool), C(ipsec_inside_prefixlen) and every host's C(netinfra_platform) and C(bgp)
    variables in one call on the controller, as documented in C(docs/intent.md) and C(docs/ipsec.md).
  - Checks types, required and unknown keys (with "did you mean"), partner names, ASNs (0, 23456,
    out of range; an eBGP partner with our own ASN), prefixes (host bits, ge/le, longer than the
    policy allows, default routes, anything overlapping a prefix we announce), addresses (family of
    local and peer address, duplicates on one device and across devices), passwords (required, at most
    80 characters, no whitespace), max-prefix, GTSM/multihop, timers, transport, router IDs
    (duplicates within an ASN) and that every session's device is a BGP router in the inventory.
  - For tunnels it checks that the device is a VPN gateway (C(netinfra_platform) C(frr) or C(linux); a C(linux)
    gateway has no BGP speaker), gateway addresses, authentication (exactly one of C(psk) or C(ca_cert) + C(cert)
    + C(key); a PSK of at least 20 characters; C(remote_id) with certificates), every IKE/ESP proposal against
    the strong-crypto policy (naming the refused token; IKEv1 and aggressive mode refused; a C(crypto_exception)
    is a warning, an expired one an error), timers and actions, inside networks (in the pool, the configured
    prefix length, no overlap anywhere in the fleet, unique C(if_id) per device), unique tunnel names and peer
    gateways per device, and that every C(transport=ipsec) session has its tunnel on the same device.
  - It refuses intent that did not load, so that a run never reports "0 partners, valid" (and an
    C(overridden) run never removes live sessions for intent that is merely missing). Partner files next to an
    inventory source (C(ansible_inventory_sources)) that the C(paynet.netinfra.partners) vars plugin did not load
    (the plugin is not enabled, or another source's C(partners/) replaced them), an inventory directory whose
    C(partners/) Ansible parsed as inventory, a C(partners) variable replaced by something else, no partners at all
    (unless I(allow_empty)) and no managed device (no host with C(netinfra_platform), so host_vars did not load) are
    errors whose fix names the C(ansible.cfg) line or the inventory to pass. The vars plugin itself refuses empty,
    mis-named and duplicated partner files (C(docs/intent.md)).
  - A key given twice in a C(host_vars) or C(group_vars) file next to an inventory source is an error naming the
    file and the lines (Ansible keeps the last value and only warns unless C(duplicate_dict_key = error)).
  - A partner's secret (C(password), C(psk), C(key) in its sessions and tunnels) given in clear text in the
    inventory, that is neither vaulted (an inline C(!vault) value or a variable from a vault-encrypted file) nor
    from a lookup, is a warning, and an error with C(netinfra_policy.secrets_must_be_vaulted=true). The secret is
    never shown, only where it is written. A value computed by a template (a filter on a vaulted value) cannot
    be told apart and is not reported.
  - Every finding names the host (or C(partner:<name>), or C(inventory)), the field, what is wrong and the fix.
    Errors fail the task; warnings are returned and shown.
  - Passwords, pre-shared keys and private keys are never part of a finding or of the output. A vaulted
    secret that cannot be decrypted (no vault secret given) is a warning, not a crash.
  - This is an action plugin. It never connects to a host; run it once per play with C(run_once).
options:
  partners:
    description:
      - The partners intent (partner name to partner).
      - Defaults to the C(partners) variable (see the C(paynet.netinfra.partners) vars plugin).
      - When given, what the vars plugin loaded is not compared with the partner files on disk; empty
        partners are still refused unless I(allow_empty).
    type: dict
  allow_empty:
    description:
      - Accept intent with no partners at all.
      - Without it, no partners is an error, because it usually means intent that did not load (an emptied or mis-named
        partner file, the vars plugin not enabled, an inventory passed without its C(partners/) directory).
      - Set it only for a fleet that really has no partners yet (C(playbooks/validate.yml) sets it from
        C(-e validate_allow_empty=true)).
    type: bool
    default: false
    version_added: 0.3.0
  hosts:
    description:
      - Inventory hostnames whose C(netinfra_platform) and C(bgp) variables are checked.
      - Defaults to every host in the inventory (C(groups['all'])), whatever C(--limit) says, because
        the checks are fleet-wide.
    type: list
    elements: str
extends_documentation_fragment:
  - paynet.netinfra.fleet_policy
attributes:
  check_mode:
    support: full
    description: Validation never changes anything, so check mode behaves like a normal run.
  diff_mode:
    support: none
    description: Nothing to diff.
  platform:
    platforms: all
    support: full
    description: Runs on the controller.
notes:
  - Run it with C(run_once=true) in a play over C(all) hosts, before any task that changes a device.
  - Variables are templated in each host's context. Secrets are templated to be checked but never
    returned.
"""

EXAMPLES = r"""
- name: Validate the whole fleet's intent
  paynet.netinfra.validate_intent:
  run_once: true

- name: Validate a candidate partners file before it is merged
  paynet.netinfra.validate_intent:
    partners: "{{ lookup('ansible.builtin.file', 'candidate/acme_bank.yml') | from_yaml }}"
    policy:
      password_required: true
      max_accept_prefix_len_v4: 24
  run_once: true
"""

RETURN = r"""
msg:
  description:
    - On failure, one line a finding (errors first), then a count line.
    - On success, a summary.
  returned: always
  type: str
  sample: |-
    ERROR dc1-edge1: partners.acme_bank.sessions[0].peer_address (partners/acme_bank.yml):
      '203.0.113.300' is not an IP address. Fix: use an IPv4 or IPv6 address of the partner's router.
    1 error, 0 warnings in the intent; no device was changed. Fix the errors and run again.
findings:
  description: Every error and warning, sorted by host then field.
  returned: always
  type: list
  elements: dict
  contains:
    host:
      description: Inventory hostname, C(partner:<name>), C(policy), C(partners) or C(inventory).
      type: str
    field:
      description: Dotted path of the field, e.g. C(partners.acme_bank.sessions[0].peer_address).
      type: str
    message:
      description: What is wrong.
      type: str
    fix:
      description: What to do about it.
      type: str
    severity:
      description: C(error) or C(warning).
      type: str
    file:
      description: The partner file the field is in, when known (empty otherwise).
      type: str
checked:
  description: How much intent was checked.
  returned: always
  type: dict
  contains:
    partners:
      description: Number of partners.
      type: int
    sessions:
      description: Number of sessions over all partners.
      type: int
    tunnels:
      description: Number of IPsec tunnels over all partners.
      type: int
    devices:
      description: Number of hosts with C(bgp) variables.
      type: int
  sample: {partners: 2, sessions: 3, tunnels: 1, devices: 1}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.policy import NETINFRA_POLICY_VAR
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.schema import POLICY_VAR as BGP_POLICY_VAR
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.ipsec.schema import POLICY_VARS as IPSEC_POLICY_VARS
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.snmp.schema import POLICY_VARS as SNMP_POLICY_VARS
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm.schema import HSM_VAR


def policy_options():
    """The fleet policy variables, one option each (documented by the generated paynet.netinfra.fleet_policy fragment)."""
    spec = argspec(dict(IPSEC_POLICY_VARS, netinfra_policy=NETINFRA_POLICY_VAR, bgp_policy=BGP_POLICY_VAR, hsm=HSM_VAR,
                        **SNMP_POLICY_VARS),
                   scope=None)
    options = {name: {k: v for k, v in entry.items() if k in ("type", "choices")} for name, entry in spec.items()}
    options["bgp_policy"]["aliases"] = ["policy"]
    return options


def main():
    """Only reached if the action plugin is bypassed (e.g. the module file is run on a host)."""
    module = AnsibleModule(
        argument_spec=dict(
            partners=dict(type="dict"),
            hosts=dict(type="list", elements="str"),
            allow_empty=dict(type="bool", default=False),
            **policy_options()
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="paynet.netinfra.validate_intent runs as an action plugin on the controller; "
                         "call it as a task (paynet.netinfra.validate_intent), not as a module on a host.")


if __name__ == "__main__":
    main()
