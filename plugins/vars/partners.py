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
    (for example C(inventories/prod/partners/acme_bank.yml)), whether the inventory is passed as a file
    (C(-i inventories/prod/hosts.yml)) or as a directory (C(-i inventories/prod/)). Each file maps a partner
    name to its intent.
  - The files are merged into the C(partners) variable of the C(all) group, so onboarding a partner is
    one new file and one review. C(partner_files) maps each partner to its file, so that validation
    errors can point at it. C(partners_source) is the absolute path of the C(partners/) directory that was
    loaded, so that C(paynet.netinfra.validate_intent) can tell that this plugin ran and compare what it
    loaded with the files on disk.
  - Intent that does not load is refused, before any device is touched, naming the file and the fix. A file
    that is empty (or holds only comments), a partner with nothing under it (C(acme_bank:)), a file that is
    not a mapping, a key given twice in one file (whatever C(duplicate_dict_key) says), a partner defined in
    two files, a sub-directory, and a file that does not end in C(.yml) or C(.yaml) (C(acme_bank.yml.bak),
    C(acme_bank.json), C(acme_bank.YML), C(acme_bank.txt)) are errors.
  - Hidden files (C(.acme_bank.yml.swp), C(.#acme_bank.yml)), editor backups ending in C(~) and Emacs auto-save
    files (C(#acme_bank.yml#)) are ignored.
  - It also reads C(maintenance/<host>.yml) next to the inventory source, written by C(playbooks/maintenance.yml)
    while the host is drained (C(netinfra_maintenance=drained)) and removed when it is restored, so that every later
    run keeps that host drained (docs/operations.md). A file with another value is an error.
  - Enable it next to the default vars plugin. In C(ansible.cfg), set
    C(vars_plugins_enabled = ansible.builtin.host_group_vars, paynet.netinfra.partners).
    For an inventory passed as a directory, also set C(ignore_patterns = ^partners$) in the C([inventory])
    section, so that Ansible does not parse the partner files as inventory. Details in C(docs/intent.md).
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

# maintenance/<host>.yml next to the inventory: the host is drained (playbooks/maintenance.yml, docs/operations.md)
MAINTENANCE_DIR = "maintenance"

from ansible.errors import AnsibleParserError
from ansible.inventory.group import Group
from ansible.plugins.vars import BaseVarsPlugin
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.fleet import PARTNER_NAME_RE
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.values import type_name
from ansible_collections.paynet.netinfra.plugins.plugin_utils.intent_files import PARTNERS_DIR, duplicate_keys, scan_partner_dir


def _where(name):
    return "partner:%s" % name if isinstance(name, str) and name else "inventory"


def _format(where, field, rel, message, fix):
    return "%s: %s (%s): %s. Fix: %s." % (where, field, rel, message, fix) if field else \
        "%s: %s: %s. Fix: %s." % (where, rel, message, fix)


class VarsModule(BaseVarsPlugin):
    """partners/<name>.yml -> partners, partner_files, partners_source (group all)."""

    # Loaded once per folder and process, like host_group_vars' FOUND cache: Ansible asks again for every
    # host whose variables it resolves (5,000 hosts would re-read every partner file 5,000 times), and
    # it passes cache=False when the inventory is refreshed (meta: refresh_inventory).
    _CACHE = {}
    # No state on the instance (the cache above is the class's): Ansible may keep one instance instead of loading
    # the plugin again for every entity of every host it resolves (VariableManager.get_vars: all, each group, the
    # host; twice with a playbook directory), which was a third of a 5,000-device fleet validation.
    is_stateless = True

    def get_vars(self, loader, path, entities, cache=True):
        super().get_vars(loader, path, entities)
        base = path if os.path.isdir(path) else os.path.dirname(path)
        if not any(isinstance(e, Group) and e.name == "all" for e in entities):
            return self._maintenance(loader, base, entities)
        base = path if os.path.isdir(path) else os.path.dirname(path)
        folder = os.path.join(base, PARTNERS_DIR)
        if not os.path.isdir(folder):
            return {}
        if cache and folder in VarsModule._CACHE:
            return VarsModule._CACHE[folder]
        data = self._load(loader, base, folder)
        VarsModule._CACHE[folder] = data
        return data

    def _load(self, loader, base, folder):
        files, odd = scan_partner_dir(folder)
        problems = [_format("inventory", "", "%s/%s" % (PARTNERS_DIR, name), message, fix) for name, message, fix in odd]
        partners, where = {}, {}
        for name in files:
            file_path = os.path.join(folder, name)
            rel = os.path.relpath(file_path, base)
            stem = os.path.splitext(name)[0]
            guess = _where(stem if PARTNER_NAME_RE.match(stem) else "")
            duplicates = self._duplicates(loader, file_path, rel)
            if duplicates:  # reported here, whatever duplicate_dict_key says (it may also stop the load)
                problems.extend(duplicates)
                continue
            data = loader.load_from_file(file_path, cache="all", unsafe=True, trusted_as_template=True)
            if data is None or data == {}:
                problems.append(_format(
                    guess, "", rel, "the partner file is empty (or holds only comments), so it defines no partner",
                    "write the partner's intent in it (%s: {asn: ..., accept_prefixes: [...], sessions: [...]}), or "
                    "delete the file to offboard the partner (docs/intent.md)" % (stem,)))
                continue
            if not isinstance(data, dict):
                problems.append(_format(
                    guess, "", rel, "a partner file maps partner names to their intent; found %s" % type_name(data),
                    "write %s: {asn: ..., accept_prefixes: [...], sessions: [...]}" % stem))
                continue
            for partner, intent in data.items():
                if partner in where:
                    problems.append(_format(
                        _where(partner), "partners.%s" % partner, rel,
                        "partner %s is also defined in %s" % (partner, where[partner]),
                        "keep one definition, in %s/%s.yml" % (PARTNERS_DIR, partner)))
                    continue
                if intent is None or intent == {}:
                    problems.append(_format(
                        _where(partner), "partners.%s" % partner, rel,
                        "partner %s has no intent (nothing under '%s:')" % (partner, partner),
                        "give the partner its asn, accept_prefixes, max_prefixes and sessions (check the "
                        "indentation under '%s:'), or delete the file to offboard the partner" % partner))
                partners[partner] = intent
                where[partner] = rel
        if problems:
            raise AnsibleParserError(
                "The partner intent in %s did not load (paynet.netinfra.partners); nothing was run:\n%s"
                % (folder, "\n".join(problems)))
        return {"partners": partners, "partner_files": where, "partners_source": os.path.realpath(folder)}

    @staticmethod
    def _maintenance(loader, base, entities):
        """maintenance/<host>.yml (written by playbooks/maintenance.yml) -> that host's netinfra_maintenance."""
        folder = os.path.join(base, MAINTENANCE_DIR)
        if not os.path.isdir(folder):
            return {}
        out = {}
        for entity in entities:
            if isinstance(entity, Group):
                continue
            file_path = os.path.join(folder, "%s.yml" % entity.name)
            if not os.path.isfile(file_path):
                continue
            data = loader.load_from_file(file_path, cache="none", unsafe=True)
            state = data.get("netinfra_maintenance") if isinstance(data, dict) else None
            if state not in ("active", "drained"):
                raise AnsibleParserError(
                    "%s: netinfra_maintenance is %r; expected drained (or active). Fix: rerun playbooks/maintenance.yml "
                    "-e device=%s -e action=restore|drain, which writes and removes this file" % (file_path, state, entity.name))
            out.update({k: v for k, v in data.items() if k.startswith("netinfra_maintenance")})
        return out

    @staticmethod
    def _duplicates(loader, file_path, rel):
        try:
            text = loader.get_text_file_contents(file_path)
            found = duplicate_keys(str(text))
        except Exception:  # pylint: disable=broad-except  # load_from_file reports unreadable or invalid YAML
            return []
        out = []
        for path, key, first, line in found:
            partner = path.split(".", 1)[0].split("[", 1)[0]
            if path == key:
                message = "partner %s is defined twice in this file (lines %d and %d); YAML keeps only the last" % (
                    key, first, line)
                fix = "keep one definition of %s" % key
            else:
                message = "key '%s' is given twice (lines %d and %d); YAML keeps only the last one" % (key, first, line)
                fix = "keep one '%s' (the one you mean)" % key
            out.append(_format(_where(partner), "partners.%s" % path, rel, message, fix))
        return out
