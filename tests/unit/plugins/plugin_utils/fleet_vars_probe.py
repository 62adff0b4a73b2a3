"""Compare FleetVariables.get(host) with HostVars.raw_get(host) for every host of an inventory, the way
ansible-playbook sets Ansible up (run in a subprocess by test_fleet_vars.py: Ansible's configuration and plugin
loader are process-wide).

    python fleet_vars_probe.py PLAYBOOK -i INVENTORY [--vault-password-file F] [-e k=v] [--facts HOST] [--set-fact HOST]

Prints one JSON object: hosts, fast (answered without raw_get), mismatches [{host, keys}], sample keys.
"""

from __future__ import annotations

import json
import os
import sys

from ansible.cli.playbook import PlaybookCLI
from ansible.plugins.loader import init_plugin_loader
from ansible.vars.hostvars import HostVars


def main(argv: list[str]) -> int:
    facts_for = set()
    set_fact_for = set()
    args = []
    it = iter(argv)
    for arg in it:
        if arg == "--facts":
            facts_for.add(next(it))
        elif arg == "--set-fact":
            set_fact_for.add(next(it))
        else:
            args.append(arg)
    cli = PlaybookCLI(["ansible-playbook"] + args)
    cli.parse()
    init_plugin_loader([])
    # importable once the plugin loader has installed the collection finder
    from ansible_collections.paynet.netinfra.plugins.plugin_utils.fleet_vars import FleetVariables  # pylint: disable=import-outside-toplevel
    loader, inventory, variable_manager = cli._play_prereqs()  # pylint: disable=protected-access
    loader.set_basedir(os.path.dirname(os.path.abspath(args[0])))  # as PlaybookExecutor does for the playbook
    for name in facts_for:
        variable_manager.set_host_facts(name, {"ansible_probe_fact": "gathered", "ansible_local": {"x": 1}})
    for name in set_fact_for:
        variable_manager.set_nonpersistent_facts(name, {"probe_set_fact": True})
    hostvars = HostVars(inventory=inventory, variable_manager=variable_manager, loader=loader)
    fleet = FleetVariables(hostvars)
    mismatches = []
    hosts = [h.name for h in inventory.get_hosts()]
    sample = []
    for name in hosts:
        fast = fleet.get(name)
        slow = hostvars.raw_get(name)
        if fast != slow:
            keys = sorted(k for k in set(fast) | set(slow) if fast.get(k) != slow.get(k))
            mismatches.append({"host": name, "keys": keys})
        if not sample:
            sample = sorted(fast)
    json.dump({"hosts": len(hosts), "fast": fleet.fast, "mismatches": mismatches, "sample_keys": sample}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
