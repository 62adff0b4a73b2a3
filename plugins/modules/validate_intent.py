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
  - Every finding names the host (or C(partner:<name>)), the field, what is wrong and the fix.
    Errors fail the task; warnings are returned and shown.
  - Passwords, pre-shared keys and private keys are never part of a finding or of the output. A vaulted
    secret that cannot be decrypted (no vault secret given) is a warning, not a crash.
  - This is an action plugin. It never connects to a host; run it once per play with C(run_once).
options:
  partners:
    description:
      - The partners intent (partner name to partner).
      - Defaults to the C(partners) variable (see the C(paynet.netinfra.partners) vars plugin).
    type: dict
  policy:
    description:
      - The fleet policy (C(password_required), C(max_prefixes_required), C(max_accept_prefix_len_v4),
        C(max_accept_prefix_len_v6)).
      - Defaults to the C(bgp_policy) variable, then to the defaults in C(docs/intent.md).
    type: dict
  ipsec_policy:
    description:
      - The strong-crypto policy for IPsec tunnels (C(ike_versions), C(encryption), C(integrity), C(prf),
        C(dh_groups), C(pfs_required), C(ike_proposals), C(esp_proposals)).
      - Defaults to the C(ipsec_policy) variable, then to the defaults in C(docs/ipsec.md).
    type: dict
  ipsec_inside_pool:
    description:
      - The IPv4 pool tunnel inside networks come from.
      - Defaults to the C(ipsec_inside_pool) variable, then to C(169.254.0.0/16).
    type: str
  ipsec_inside_prefixlen:
    description:
      - The prefix length of tunnel inside networks, C(30) or C(31).
      - Defaults to the C(ipsec_inside_prefixlen) variable, then to C(30).
    type: int
  hosts:
    description:
      - Inventory hostnames whose C(netinfra_platform) and C(bgp) variables are checked.
      - Defaults to every host in the inventory (C(groups['all'])), whatever C(--limit) says, because
        the checks are fleet-wide.
    type: list
    elements: str
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
      description: Inventory hostname, C(partner:<name>), C(policy) or C(partners).
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


def main():
    """Only reached if the action plugin is bypassed (e.g. the module file is run on a host)."""
    module = AnsibleModule(
        argument_spec=dict(
            partners=dict(type="dict"),
            policy=dict(type="dict"),
            ipsec_policy=dict(type="dict"),
            ipsec_inside_pool=dict(type="str"),
            ipsec_inside_prefixlen=dict(type="int"),
            hosts=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    module.fail_json(msg="paynet.netinfra.validate_intent runs as an action plugin on the controller; "
                         "call it as a task (paynet.netinfra.validate_intent), not as a module on a host.")


if __name__ == "__main__":
    main()
