#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: config_backup
short_description: Back up every feature's running configuration of a device to the controller, secrets masked
version_added: 0.6.0
description:
  - Reads, in one call on the device, the running configuration of every feature it has (FRR running-config,
    the swanctl files and public certificates, keepalived, snmpd.conf, the nftables table of the HSM policy), masks
    every secret in it (BGP passwords, IKE pre-shared keys, PEM private keys, SNMPv3 pass phrases, VRRP
    C(auth_pass)) before anything leaves the device, and (action plugin, on the controller) writes it to
    I(dest)/I(stamp)/<inventory hostname>/ with directories 0700 and files 0600, then keeps the I(keep) newest
    backups (docs/operations.md).
  - Never copied - swanctl's C(private/) (private keys) and the private C(/var/lib/snmp) (localized USM keys).
  - Check mode reads the device and reports the files it would write; it writes nothing.
author: paynet network infrastructure team
options:
  dest:
    description: The backup store on the controller (e.g. the C(netinfra_backup_dir) variable).
    type: path
    required: true
  stamp:
    description: The backup's name, C(YYYYMMDDTHHMMSSZ) (UTC); one stamp for every device of a run.
    type: str
    required: true
  keep:
    description: How many backups (stamps) to keep in I(dest); older ones are removed after this one is written.
    type: int
    default: 14
  features:
    description: The features to back up; one a device does not run is skipped.
    type: list
    elements: str
    choices: [frr, swanctl, keepalived, snmpd, nftables]
    default: [frr, swanctl, keepalived, snmpd, nftables]
  nft_table:
    description: The nftables table (family inet) to back up; never the whole ruleset.
    type: str
    default: paynet_hsm
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - Needs root on the device (C(become)) to read the swanctl and keepalived files and to list the nftables table.
  - A restore is a run of the feature playbooks from the inventory (the intent), not a copy back; the backup is the
    evidence of what ran and the reference for a manual repair (docs/operations.md).
"""

EXAMPLES = r"""
- name: Back up the device's running configurations
  paynet.netinfra.config_backup:
    dest: "{{ netinfra_backup_dir }}"
    stamp: "{{ backup_stamp }}"
    keep: 14
  become: true
"""

RETURN = r"""
files:
  description: The files written (or, in check mode, that would be written), relative to the device's directory.
  returned: always
  type: list
  elements: str
  sample: ["frr.conf", "snmpd.conf", "swanctl/conf.d/paynet-sitepay.conf"]
path:
  description: The device's backup directory on the controller.
  returned: always
  type: str
pruned:
  description: The older backups (stamps) removed to keep I(keep).
  returned: always
  type: list
  elements: str
left_out:
  description: What is never copied (private keys, localized SNMP keys).
  returned: always
  type: list
  elements: str
notes:
  description: Features the device does not run.
  returned: always
  type: list
  elements: str
gathered:
  description: The masked texts, file name to text (the module's own result; the action plugin writes and drops them).
  returned: by the module on the device only
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra import backup

ARGUMENT_SPEC = dict(
    dest=dict(type="path", required=True),
    stamp=dict(type="str", required=True),
    keep=dict(type="int", default=14),
    features=dict(type="list", elements="str", choices=list(backup.FEATURES), default=list(backup.FEATURES)),
    nft_table=dict(type="str", default="paynet_hsm"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)

    def run_command(argv):
        if not module.get_bin_path(argv[0]):
            return 127, "", "%s: not installed" % argv[0]
        return module.run_command(argv, environ_update={"LC_ALL": "C"})

    gathered, notes = backup.gather(run_command, module.params["features"], module.params["nft_table"])
    module.exit_json(changed=False, gathered=gathered, notes=notes, left_out=list(backup.LEFT_OUT))


if __name__ == "__main__":
    main()
