# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fleet inventory exported as JSON, read in one pass (no defensive deep copy of fresh data)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet
author: paynet network infrastructure team (@paynet-netinfra)
short_description: A fleet inventory exported as JSON (a CMDB export), read in one pass
version_added: 0.7.0
description:
  - Reads an inventory file whose name ends in C(.json) and whose layout is the one C(ansible.builtin.yaml) reads
    (C(all), then C(hosts), C(vars) and C(children) per group), for example a CMDB export of thousands of devices.
  - It gives the same groups, hosts and variables as C(ansible.builtin.yaml) for that file, with the same
    checks (it is that plugin, reading the file differently); the parsed data is used as parsed. The builtin
    plugin deep-copies the freshly parsed file, which nothing else holds; at 5,000 devices that copy was
    5 to 7 of the 7 to 9 CPU-seconds the inventory took (docs/benchmarks.md).
  - YAML and INI inventories are left to the builtin plugins. The collection's C(ansible.cfg) enables this
    plugin before C(ansible.builtin.yaml); with another configuration the builtin plugin reads the same file,
    more slowly, to the same result.
notes:
  - Enable it with C([inventory] enable_plugins = paynet.netinfra.fleet, ansible.builtin.yaml, ...)
    (it must come before C(ansible.builtin.yaml), which also reads JSON).
"""

EXAMPLES = r"""
# ansible.cfg
# [inventory]
# enable_plugins = ansible.builtin.host_list, ansible.builtin.script, paynet.netinfra.fleet, ansible.builtin.yaml

# hosts.json (tests/lab/fleetgen.py writes one):
# {"all": {"vars": {...}, "children": {"s000": {"hosts": {"s000-e1": {"netinfra_platform": "frr", ...}}}}}}

# ansible-playbook -i inventories/fleet/hosts.json playbooks/validate.yml
"""

import gc
from collections.abc import MutableMapping

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseFileInventoryPlugin
from ansible.plugins.inventory.yaml import InventoryModule as YamlInventoryModule
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.values import type_name


class InventoryModule(YamlInventoryModule):
    """ansible.builtin.yaml for .json files, without the copy of data nothing else holds."""

    NAME = "paynet.netinfra.fleet"

    def verify_file(self, path):
        # the base class checks the file exists and is readable; the yaml plugin's own check would ask for its
        # yaml_extensions option, which this plugin does not have
        return BaseFileInventoryPlugin.verify_file(self, path) and str(path).endswith(".json")

    def parse(self, inventory, loader, path, cache=True):
        BaseFileInventoryPlugin.parse(self, inventory, loader, path, cache)
        self.set_options()
        # Parsing a fleet allocates millions of objects and no reference cycles: the cyclic garbage collector,
        # which runs again and again as they pile up, is paused for the parse (about 15 % of it at 5,000 devices)
        paused = gc.isenabled()
        gc.disable()
        try:
            self._parse_file(path)
        finally:
            if paused:
                gc.enable()

    def _parse_file(self, path):
        try:
            # unsafe=True: the data is returned as parsed. cache="none" means no one else holds it, so the
            # deep copy the builtin plugin asks for protects nothing (and is most of its time at scale).
            data = self.loader.load_from_file(path, cache="none", unsafe=True, trusted_as_template=True)
        except Exception as exc:
            raise AnsibleParserError(exc) from exc
        if not data:
            raise AnsibleParserError("Parsed empty JSON inventory file %s" % path)
        if not isinstance(data, MutableMapping):
            raise AnsibleParserError("JSON inventory %s has invalid structure: it should be a mapping of groups "
                                     "(all, its hosts, vars and children), got %s" % (path, type_name(data)))
        if data.get("plugin"):
            raise AnsibleParserError("%s is an inventory plugin configuration, not an inventory" % path)
        for group_name in data:
            self._parse_group(group_name, data[group_name])
