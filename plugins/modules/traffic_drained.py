#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: traffic_drained
short_description: Wait until the partners' traffic has left a drained router (interface packet rates)
version_added: 0.6.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Finds the interfaces toward the given peers (C(ip -j route get)) and samples their received (or sent) packet
    counters until every rate is below I(below) packets per second, or fails after I(timeout) seconds, naming the
    interfaces and their rates.
  - Used by C(playbooks/maintenance.yml) after a BGP drain (the partner moved its traffic to the redundant router) and
    by C(playbooks/partner_offboard.yml) before a partner's sessions are removed.
  - Reads only; changes nothing, so it also runs in check mode.
options:
  peers:
    description: The BGP peer addresses whose interfaces are watched.
    type: list
    elements: str
    required: true
  direction:
    description: C(rx) (traffic from the partner, default) or C(tx).
    type: str
    choices: [rx, tx]
    default: rx
  below:
    description: Packets per second under which an interface counts as drained.
    type: float
    default: 5.0
  interval:
    description: Seconds between two samples.
    type: float
    default: 1.0
  timeout:
    description: Seconds to wait.
    type: int
    default: 60
attributes:
  check_mode:
    support: full
    description: It only reads counters.
  diff_mode:
    support: none
    description: It changes nothing.
  platform:
    support: full
    platforms: posix
    description: A Linux router (FRR on Linux), over ssh.
"""

EXAMPLES = r"""
- name: Wait for the partner's traffic to move to the other edge
  paynet.netinfra.traffic_drained:
    peers: [198.18.61.2]
    below: 5
    timeout: 60
"""

RETURN = r"""
interfaces:
  description: Peer address to interface.
  returned: always
  type: dict
rates:
  description: The last packets-per-second rate per interface.
  returned: always
  type: dict
waited:
  description: Seconds waited.
  returned: always
  type: float
no_route:
  description: Peers the router has no route to (nothing of theirs passes here; not waited for).
  returned: always
  type: list
  elements: str
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.ops import traffic

ARGUMENT_SPEC = {
    "peers": {"type": "list", "elements": "str", "required": True},
    "direction": {"type": "str", "choices": ["rx", "tx"], "default": "rx"},
    "below": {"type": "float", "default": 5.0},
    "interval": {"type": "float", "default": 1.0},
    "timeout": {"type": "int", "default": 60},
}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    routes, no_route = {}, []
    for peer in params["peers"]:
        rc, out, _err = module.run_command(["ip", "-j", "route", "get", peer])
        if rc != 0:  # no route to the peer: no traffic of its session passes here
            no_route.append(peer)
            continue
        routes[peer] = out
    interfaces = traffic.egress_interfaces(routes)
    counter = "%s_packets" % params["direction"]

    def read(names):
        out = {}
        for name in names:
            with open(os.path.join("/sys/class/net", name, "statistics", counter)) as handle:
                out[name] = int(handle.read().strip())
        return out

    ok, rates, waited, samples = traffic.wait_below(read, sorted(set(interfaces.values())), params["below"],
                                                    params["timeout"], interval=params["interval"])
    result = {"changed": False, "interfaces": interfaces, "rates": rates, "waited": waited, "samples": len(samples),
              "no_route": no_route}
    if not ok:
        module.fail_json(msg="traffic did not leave %s within %ds: %s packets/s (threshold %s). Fix: check that the "
                             "partner honours the drain (graceful-shutdown community, or drain: prepend for this "
                             "partner) and that the redundant device carries its routes"
                             % (", ".join(sorted(rates)), params["timeout"], json.dumps(rates), params["below"]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
