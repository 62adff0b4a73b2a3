# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = """
name: partners
version_added: 0.1.0
short_description: Load one reviewed file per partner into the C(partners) variable
description:
  - Reads every C(*.yml) and C(*.yaml) file in the C(partners/) directory next to an inventory source
    (for example C(inventories/prod/partners/acme_bank.yml)). Each file maps a partner name to its intent.
  - The files are merged into the C(partners) variable of the C(all) group, so onboarding a partner is
    one new file and one review.
  - A partner defined in two files is an error that names both files. C(partner_files) maps each
    partner to its file, so that validation errors can point at it.
  - Enable it next to the default vars plugin. In C(ansible.cfg), set
    C(vars_plugins_enabled = ansible.builtin.host_group_vars, paynet.netinfra.partners).
options:
  stage:
    ini:
      - key: stage
        section: vars_partners
    env:
      - name: ANSIBLE_VARS_PLUGIN_STAGE
extends_documentation_fragment:
  - ansible.builtin.vars_plugin_staging
"""

import os

from ansible.errors import AnsibleParserError
from ansible.inventory.group import Group
from ansible.plugins.vars import BaseVarsPlugin

EXTENSIONS = (".yml", ".yaml")


class VarsModule(BaseVarsPlugin):
    """partners/<name>.yml -> partners (group all)."""

    def get_vars(self, loader, path, entities, cache=True):
        super().get_vars(loader, path, entities)
        if not any(isinstance(e, Group) and e.name == "all" for e in entities):
            return {}
        base = path if os.path.isdir(path) else os.path.dirname(path)
        folder = os.path.join(base, "partners")
        if not os.path.isdir(folder):
            return {}
        partners, files = {}, {}
        for name in sorted(os.listdir(folder)):
            if not name.endswith(EXTENSIONS):
                continue
            file_path = os.path.join(folder, name)
            data = loader.load_from_file(file_path, cache="all", unsafe=True, trusted_as_template=True) or {}
            if not isinstance(data, dict):
                raise AnsibleParserError("%s: a partner file maps partner names to their intent "
                                         "(acme_bank: {asn: ...}); found %s" % (file_path, type(data).__name__))
            for partner, intent in data.items():
                if partner in partners:
                    raise AnsibleParserError("partner %s is defined twice: in %s and in %s. Fix: keep one."
                                             % (partner, files[partner], file_path))
                partners[partner] = intent
                files[partner] = os.path.relpath(file_path, base)
        return {"partners": partners, "partner_files": files}
