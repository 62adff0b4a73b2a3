#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the paynet.netinfra.segmentation_evidence action plugin
# (plugins/action/segmentation_evidence.py), which does the work on the controller.

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: segmentation_evidence
short_description: Judge the HSM segmentation proof and write its JSON and Markdown evidence (PCI DSS)
version_added: 0.5.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Judges every planned probe of the segmentation proof (the C(hsm) intent's C(probes) against every appliance
    service) against what C(paynet.netinfra.segmentation_probe) saw on the probe source hosts and against the
    gateways' per-rule counters before and after the probes.
  - Expect allow passes only when the target answered (connected, TLS handshake completed where the service
    speaks TLS, the SNMPv3 agent answered). Expect deny passes only when it did not. A probe from the
    C(partner) or C(internet) zone that reaches an appliance fails however the intent reads. A probe that
    could not run or has no result fails. UDP ports other than 161 are C(unverifiable), a warning and never a
    pass.
  - With counters, an allowed probe's rule must count more packets (summed over the gateways) and a denied
    probe's segment C(<segment>/drop) must count more drops; otherwise the probe fails. Without counters every
    probe carries the warning C(counters not available).
  - Writes C(hsm-proof-<UTC stamp>.json) and C(.md) plus C(latest.json) and C(latest.md) into I(evidence_dir)
    (directory 0700, files 0600), with the time, the intent revision (C(git rev-parse HEAD) of the inventory
    and whether it has uncommitted changes, else C(unknown)), the playbook, the controller user, every probe
    and its verdict, the allow rules with justification, owner and review date, and the PCI DSS 4.0 mapping
    (1.2.5, 1.3.1, 11.4.5, 11.4.6, with the date of the previous evidence found in the directory).
  - Fails when the proof fails; the message names each failing probe on one line
    (C(source host/zone -> appliance:port/protocol expected X got Y)).
  - Every string in the evidence is masked with the collection's secret masking before it is written.
  - This is an action plugin. It never connects to a host; run it once on the controller.
options:
  hsm:
    description:
      - The HSM intent (docs/hsm.md). Defaults to the C(hsm) variable.
    type: dict
  plan:
    description:
      - The probe plan (C(model.probe_plan) entries), by default computed from I(hsm).
    type: list
    elements: dict
  results:
    description:
      - The probe results per source host, a mapping of host name to the C(results) of its C(paynet.netinfra.segmentation_probe) call.
      - By default, each planned source host's registered variable I(probe_var) (its C(results)). A host without it
        (unreachable, skipped) leaves its probes without a result, and they fail.
    type: dict
  probe_var:
    description: The variable each probe host registered its C(segmentation_probe) result in.
    type: str
    default: hsm_proof_probe
  counters_before:
    description:
      - Per-rule counters before the probes, per gateway, as C(paynet.netinfra.hsm_status) returns them under
        C(counters), keyed C(<segment>/<rule id>), C(<segment>/drop) and C(<segment>/established), each with
        C(packets) and C(bytes).
      - When neither I(counters_before) nor I(counters_after) is given, each segment gateway's variable
        I(counters_var) is read (its C(before)).
      - Empty means C(counters not available) (a warning on every probe).
    type: dict
  counters_after:
    description: The same counters after the probes (default as for I(counters_before), its C(after)).
    type: dict
  counters_var:
    description:
      - The variable each segment gateway keeps its counters in, C({before, after}) (set by
        C(playbooks/tasks/hsm_proof_counters.yml) from C(paynet.netinfra.hsm_status)).
    type: str
    default: hsm_proof_counters_seen
  evidence_dir:
    description: Where the evidence files are written (created 0700; an existing directory is set to 0700).
    type: path
    required: true
  playbook:
    description: The playbook named in the evidence (by default the play's name).
    type: str
attributes:
  check_mode:
    support: full
    description:
      - The proof is judged and the evidence files are written in check mode too. Probes are read-only and the
        evidence is a report on the controller, not device state; a compliance run in check mode must still
        produce its evidence. C(changed) is always false.
  diff_mode:
    support: none
    description: Nothing to diff.
  platform:
    platforms: all
    support: full
    description: Runs on the controller.
notes:
  - A second run within the same second writes C(hsm-proof-<stamp>-2.json) (and C(.md)), and so on.
"""

EXAMPLES = r"""
- name: Judge the proof and write the evidence
  paynet.netinfra.segmentation_evidence:
    evidence_dir: /var/lib/paynet/evidence/hsm
    counters_before: "{{ hsm_counters_before }}"
    counters_after: "{{ hsm_counters_after }}"
    playbook: playbooks/hsm_segmentation_proof.yml
  run_once: true
"""

RETURN = r"""
verdict:
  description: C(pass) or C(fail).
  returned: always
  type: str
counts:
  description: C({total, pass, fail, unverifiable}).
  returned: always
  type: dict
failures:
  description: One line per failing probe.
  returned: always
  type: list
  elements: str
  sample: ["app2/unlisted -> hsm1:22/tcp expected deny got connected"]
warnings:
  description: Unverifiable probes and missing counters.
  returned: always
  type: list
  elements: str
evidence_files:
  description: The paths written, C({json, markdown, latest_json, latest_markdown}).
  returned: always
  type: dict
intent_revision:
  description: C({commit, dirty}) of the inventory's git work tree (C(commit=unknown) outside one).
  returned: always
  type: dict
pci_dss:
  description: The status of each mapped requirement that has one (C(1.2.5), C(1.3.1)).
  returned: always
  type: dict
msg:
  description: A one-line summary, followed by the failures when the proof fails.
  returned: always
  type: str
"""
