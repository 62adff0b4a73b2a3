#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: segmentation_probe
short_description: Probe HSM service ports from this host (TCP connect, TLS handshake, SNMPv3 discovery)
version_added: 0.5.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Runs on a probe source host of the HSM segmentation proof (C(hsm.probes)) and tries every target from
    the given source address, all targets at once (one thread each), each with a short timeout.
  - C(tcp) targets get a connect (C(connected), C(refused), C(timeout), C(unreachable)); where I(targets[].tls)
    a TLS handshake follows on the connection. The peer's certificate is not verified (the proof is about
    reachability, not identity); the protocol version, cipher, certificate subject and SHA-256 fingerprint
    are returned.
  - C(udp) port 161 gets an SNMPv3 engine-ID discovery request, which every SNMPv3 agent answers with a
    Report without any credentials (C(answered), C(no_answer), C(refused)).
  - Any other C(udp) port is C(unverifiable), because no generic request gets an answer; nothing is sent and the
    result says so (the proof never counts it as a pass).
  - Pure Python standard library; needs no privileges (binding an address the host holds). It opens and closes
    connections only and never changes anything, so it runs in check mode as well and always returns
    C(changed=false).
  - Judge the results with C(paynet.netinfra.segmentation_evidence).
options:
  targets:
    description:
      - What to probe. Usually made from the proof plan (C(paynet.netinfra.segmentation_evidence) or the
        playbook C(playbooks/hsm_segmentation_proof.yml) builds it from the C(hsm) intent).
      - Give I(targets), or I(hsm) and I(host).
    type: list
    elements: dict
    suboptions:
      address:
        description: The appliance's address.
        type: str
        required: true
      protocol:
        description: Transport protocol.
        type: str
        choices: [tcp, udp]
        default: tcp
      port:
        description: The service port.
        type: int
        required: true
      tls:
        description: The service speaks TLS; a TLS handshake follows the connect.
        type: bool
        default: false
      source:
        description:
          - The source address to bind (an address of this host). Without it the kernel picks one.
          - An address the host does not hold makes the probe an C(error), never a pass.
        type: str
  hsm:
    description:
      - The HSM intent (docs/hsm.md); with I(host), the targets are this host's entries of the proof plan (every
        appliance service, from the host's C(hsm.probes) source address), the same plan the evidence is judged on.
    type: dict
  host:
    description: The inventory name of this probe source (its C(hsm.probes[].host)), usually C(inventory_hostname).
    type: str
  timeout:
    description: Seconds each connect, handshake or SNMP answer may take.
    type: float
    default: 3.0
  workers:
    description: How many probes run at the same time.
    type: int
    default: 32
attributes:
  check_mode:
    support: full
    description: Probes are read-only; they run in check mode too.
  diff_mode:
    support: none
    description: Nothing to diff.
  platform:
    support: full
    platforms: posix
    description: Runs on the probe source host (any Linux host with Python 3; standard library only).
"""

EXAMPLES = r"""
- name: Probe the HSM ports from this client
  paynet.netinfra.segmentation_probe:
    targets:
      - {address: 198.18.40.10, protocol: tcp, port: 1792, tls: true, source: 198.18.41.10}
      - {address: 198.18.40.10, protocol: tcp, port: 22, source: 198.18.41.10}
      - {address: 198.18.40.10, protocol: udp, port: 161, source: 198.18.41.10}
    timeout: 3
  register: probes
"""

RETURN = r"""
results:
  description: One entry per target, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    address:
      description: The target address.
      type: str
    protocol:
      description: C(tcp) or C(udp).
      type: str
    port:
      description: The target port.
      type: int
    tls:
      description:
        - For a TLS target, the handshake C({completed, version, cipher, subject, sha256, elapsed_ms, error});
          otherwise C(false)/C(null).
      type: raw
    source:
      description: The source address bound.
      type: str
    outcome:
      description: >-
        C(connected), C(refused), C(timeout), C(unreachable) (tcp); C(answered), C(no_answer), C(refused) (udp/161);
        C(unverifiable) (other udp ports); C(error) (the probe could not run, see I(detail)).
      type: str
    reached:
      description: The target answered (C(connected) or C(answered)).
      type: bool
    elapsed_ms:
      description: How long the probe took.
      type: float
    detail:
      description: The error or what answered.
      type: str
    snmp:
      description: For udp/161 answered, the agent's C({engine_id, engine_boots, engine_time, pdu, report_oid}).
      type: dict
  sample: [{"address": "198.18.40.10", "protocol": "tcp", "port": 1792, "source": "198.18.41.10",
            "outcome": "connected", "reached": true, "elapsed_ms": 1.2, "detail": "",
            "tls": {"completed": true, "version": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384",
                    "subject": "CN=hsm1.standin", "sha256": "3f1c...", "elapsed_ms": 4.1, "error": null}}]
elapsed_ms:
  description: Wall time of all probes together.
  returned: always
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.hsm import model, probe, proof

TARGET = {
    "address": {"type": "str", "required": True},
    "protocol": {"type": "str", "default": "tcp", "choices": ["tcp", "udp"]},
    "port": {"type": "int", "required": True},
    "tls": {"type": "bool", "default": False},
    "source": {"type": "str"},
}
ARGUMENT_SPEC = {
    "targets": {"type": "list", "elements": "dict", "options": TARGET},
    "hsm": {"type": "dict"},
    "host": {"type": "str"},
    "timeout": {"type": "float", "default": probe.DEFAULT_TIMEOUT},
    "workers": {"type": "int", "default": probe.MAX_WORKERS},
}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           required_one_of=[("targets", "hsm")], mutually_exclusive=[("targets", "hsm")],
                           required_together=[("hsm", "host")])
    params = module.params
    targets = params["targets"]
    if targets is None:
        try:
            targets = proof.targets_for(model.probe_plan(params["hsm"]), params["host"])
        except (model.ModelError, KeyError, TypeError, ValueError) as exc:
            module.fail_json(msg="hsm: the proof plan cannot be made (%s); run playbooks/validate.yml, which names the "
                                 "field and the fix" % exc)
        if not targets:
            module.fail_json(msg="host %s is not a probe source in hsm.probes (or the segments have no appliance "
                                 "service); add {host: %s, address, zone} to hsm.probes" % (params["host"], params["host"]))
    problems = probe.check_targets(targets)
    if params["timeout"] <= 0:
        problems.append("timeout: %s; give a positive number of seconds, e.g. 3" % params["timeout"])
    if params["workers"] < 1:
        problems.append("workers: %s; give at least 1" % params["workers"])
    if problems:
        module.fail_json(msg="invalid targets, nothing was probed: " + "; ".join(problems), problems=problems)
    start = time.monotonic()
    results = probe.run_probes(targets, params["timeout"], params["workers"])
    module.exit_json(changed=False, results=results, elapsed_ms=round((time.monotonic() - start) * 1000.0, 1))


if __name__ == "__main__":
    main()
