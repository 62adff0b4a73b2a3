# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every host's raw variables for one controller-side task over the whole fleet (validate_intent).

``HostVars.raw_get(host)`` is ``VariableManager.get_vars(host=host, include_hostvars=False)``. For each host
it merges the same group variables again (``all``, then each of the host's groups, from the inventory and
from the vars plugins beside the inventory and the playbook) and asks every vars plugin again for each of
those groups: at 5,000 devices in 500 sites that is 5,000 times the work of 500.

:class:`FleetVariables` gives the same dictionary as ``raw_get`` for a host, in VariableManager's order
(``VARIABLE_PRECEDENCE`` for ``all`` and the groups, then the host's inventory and vars-plugin variables,
its (empty) facts, extra vars, the magic variables), but merges the group part once per distinct list of
groups and keeps it. It answers only where it reproduces ``get_vars`` exactly and hands the host to
``raw_get`` otherwise: a host with facts, include_vars or set_fact results, a precedence entry it does not
know, or an Ansible whose internals are not where it expects them (then every host goes to ``raw_get``).
``tests/unit/plugins/plugin_utils/test_fleet_vars.py`` compares the two for every host of the lab
inventory and of a generated fleet.
"""

from __future__ import annotations

import typing as t

from ansible import constants as C
from ansible.utils.vars import combine_vars

try:  # Ansible's own pieces of get_vars; without them every host goes to raw_get
    from ansible.inventory.helpers import get_group_vars, sort_groups
    from ansible.vars import manager as _manager
    from ansible.vars.clean import namespace_facts
    from ansible.vars.plugins import get_vars_from_inventory_sources, get_vars_from_path
    from ansible.vars.reserved import warn_if_reserved
except ImportError:  # pragma: no cover - another ansible-core layout
    _manager = None

# the precedence entries whose meaning this module reproduces (ansible.cfg VARIABLE_PRECEDENCE)
_KNOWN = frozenset(("all_inventory", "groups_inventory", "all_plugins_inventory", "all_plugins_play",
                    "groups_plugins_inventory", "groups_plugins_play"))
_STAGE = "task"  # what get_vars uses when HostVars asks


class FleetVariables:
    """``get(name)`` == ``hostvars.raw_get(name)``, the group part merged once per group list."""

    def __init__(self, hostvars: t.Any) -> None:
        self._hostvars = hostvars
        self._groups_cache: dict[tuple[str, ...], dict[str, t.Any]] = {}
        self._common: dict[str, t.Any] | None = None
        self.fast = 0  # hosts answered here (the rest went to raw_get): for tests and benchmarks
        try:
            self._vm = hostvars._variable_manager  # pylint: disable=protected-access
            self._inventory = hostvars._inventory  # pylint: disable=protected-access
            self._loader = hostvars._loader  # pylint: disable=protected-access
            self._usable = _manager is not None and all(entry in _KNOWN for entry in C.VARIABLE_PRECEDENCE)
            self._basedirs = [self._loader.get_basedir()] if self._vm.safe_basedir else []
            self._all = self._inventory.groups.get("all")
            # what get_vars adds for a host without facts: ansible_facts (replaced, not merged), then the cleaned
            # top-level facts (or only ansible_local, as inject_facts_as_vars says)
            self._namespaced = namespace_facts({})
            self._top_facts = (_manager._clean_and_deprecate_top_level_facts({})  # pylint: disable=protected-access
                               if getattr(_manager, "_INJECT_FACTS") else {"ansible_local": {}})
            self._magic = self._vm._get_magic_variables(  # pylint: disable=protected-access
                play=None, host=None, task=None, include_hostvars=False)
            self._extra = self._vm.extra_vars
        except Exception:  # pylint: disable=broad-except  # not the Ansible this was written against
            self._usable = False

    def get(self, name: str) -> t.Any:
        """The host's raw variables (a Marker for a host that is not in the inventory, as raw_get)."""
        host = self._inventory.get_host(name) if self._usable else None
        if host is None or not self._plain(host):
            return self._hostvars.raw_get(name)
        groups = sort_groups([g for g in host.get_groups() if g.name != "all"])
        key = tuple(g.name for g in groups)
        prefix = self._groups_cache.get(key)
        if prefix is None:
            prefix = self._groups_cache[key] = self._group_part(groups)
        all_vars = combine_vars(prefix, host.get_vars())
        all_vars = combine_vars(all_vars, self._plugins_inventory([host]))
        all_vars = combine_vars(all_vars, self._plugins_play([host]))
        all_vars = combine_vars(all_vars | self._namespaced, self._top_facts)
        all_vars = combine_vars(all_vars, self._extra)
        warn_if_reserved(all_vars)
        self.fast += 1
        # without a play or a task the magic variables are the same for every host (Host.get_vars has its own)
        return combine_vars(all_vars, self._magic)

    def _plain(self, host: t.Any) -> bool:
        """No facts, include_vars or set_fact results for the host (get_vars would merge them in)."""
        try:
            self._vm._fact_cache.get(host.name)  # pylint: disable=protected-access
        except KeyError:
            pass
        else:
            return False
        return not (self._vm._vars_cache.get(host.name)  # pylint: disable=protected-access
                    or self._vm._nonpersistent_fact_cache.get(host.name))  # pylint: disable=protected-access

    def _plugins_inventory(self, entities: list[t.Any]) -> dict[str, t.Any]:
        return get_vars_from_inventory_sources(self._loader, self._inventory._sources,  # pylint: disable=protected-access
                                               entities, _STAGE)

    def _plugins_play(self, entities: list[t.Any]) -> dict[str, t.Any]:
        data: dict[str, t.Any] = {}
        for path in self._basedirs:
            data = combine_vars(data, get_vars_from_path(self._loader, path, entities, _STAGE))
        return data

    def _group_part(self, groups: list[t.Any]) -> dict[str, t.Any]:
        """all and the host's groups, in VARIABLE_PRECEDENCE order; the ``all`` pieces computed once."""
        if self._common is None:
            self._common = {"all_inventory": self._all.get_vars(),
                            "all_plugins_inventory": self._plugins_inventory([self._all]),
                            "all_plugins_play": self._plugins_play([self._all])}
        data: dict[str, t.Any] = {}
        for entry in C.VARIABLE_PRECEDENCE:
            if entry in self._common:
                part = self._common[entry]
            elif entry == "groups_inventory":
                part = get_group_vars(groups)
            elif entry == "groups_plugins_inventory":
                part = self._plugins_inventory(groups)
            else:  # groups_plugins_play (the only other entry _usable lets through)
                part = self._plugins_play(groups)
            data = combine_vars(data, part)
        return data
