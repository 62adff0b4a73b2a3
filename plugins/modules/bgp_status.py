#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: bgp_status
short_description: Verify BGP partner sessions on an FRR router
version_added: 0.1.0
author: paynet network infrastructure team (@paynet-netinfra)
description:
  - Reads the operational state of every partner session in I(config) from FRR's JSON
    (C(show bgp vrf default summary json) and, with I(check_routes), C(show bgp <afi> unicast neighbors X routes json)).
  - Returns per-session state, prefixes received and sent, and the prefixes accepted after policy.
  - Fails with a reason per peer when a session that is not shut down in the intent is not Established,
    when it accepts a prefix outside the partner's C(accept_prefixes), or when it receives more than
    C(max_prefixes). A session that stays in Connect or Active is reported with the usual causes,
    among them a wrong TCP-MD5 password, which fails silently.
  - For a session that is down it also reads C(show bgp vrf default neighbors X json) and reports the
    reason FRR recorded for the last reset, with the partner's NOTIFICATION and what it means whatever
    BGP implementation the partner runs (no shared address family, AS mismatch, refused hold time,
    session not configured on their side).
  - Can wait for sessions to come up (I(wait)), polling once a second.
  - Read-only. It never changes the device, so check mode runs it as usual.
  - The I(config) option is the same as C(paynet.netinfra.bgp_peering)'s. Only partners and
    sessions are used. Build it with the C(paynet.netinfra.bgp_device_config) filter.
extends_documentation_fragment:
  - paynet.netinfra.bgp
  - paynet.netinfra.bgp.status
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: paynet.netinfra.frr
"""

EXAMPLES = r"""
- name: Verify ACME Bank's sessions, waiting up to a minute for them to come up
  paynet.netinfra.bgp_status:
    config: "{{ partners | paynet.netinfra.bgp_device_config(inventory_hostname, bgp, only=['acme_bank']) }}"
    wait: 60
"""

RETURN = r"""
sessions:
  description: One entry per session in I(config).
  returned: always
  type: list
  elements: dict
  sample:
    - partner: acme_bank
      peer_address: 203.0.113.2
      state: Established
      established: true
      prefixes_received: 1
      prefixes_sent: 1
      accepted_prefixes: [198.51.100.0/24]
      ok: true
      reason: null
failed_sessions:
  description: The sessions that are not as intended, as C(peer_address -> reason).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.connection import Connection, ConnectionError as AnsibleConnectionError
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.schema import argspec
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.transaction import wait_until
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp import schema
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.model import ip_family, normalise_device
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.features.bgp.frr import status


def collect(conn, config, check_routes):
    summary = status.parse_summary(conn.get(command=status.SUMMARY_COMMAND))
    # a session that is down: what FRR recorded about its last reset (the partner's NOTIFICATION)
    neighbors = {}
    for partner in config["partners"]:
        for session in partner["sessions"]:
            peer = session["peer_address"]
            if peer in summary and not summary[peer]["established"] and not session.get("shutdown"):
                neighbors[peer] = status.parse_neighbor(conn.get(command=status.NEIGHBOR_COMMAND % peer), peer)
    routes = None
    if check_routes:
        routes = {}
        for partner in config["partners"]:
            for session in partner["sessions"]:
                peer = session["peer_address"]
                if (summary.get(peer) or {}).get("established"):
                    afi = "ipv4" if ip_family(peer) == 4 else "ipv6"
                    routes[peer] = status.parse_routes(
                        conn.get(command="show bgp %s unicast neighbors %s routes json" % (afi, peer)))
    return status.evaluate(config, summary, routes, neighbors)


ARGUMENT_SPEC = argspec(schema.STATUS)


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
    )
    raw = module.params["config"]
    if not raw:
        module.fail_json(msg="config is required. Fix: config: \"{{ partners | paynet.netinfra.bgp_device_config(inventory_hostname, bgp) }}\"")
    raw["partners"] = raw.get("partners") or []
    try:
        config = normalise_device(raw)
    except (ValueError, KeyError, TypeError) as exc:
        module.fail_json(msg="invalid config: %s. Fix: build it with paynet.netinfra.bgp_device_config." % exc)
    try:
        conn = Connection(module._socket_path)
        sessions = wait_until(lambda: collect(conn, config, module.params["check_routes"]),
                              lambda found: all(s["ok"] for s in found), module.params["wait"], interval=1)
    except AnsibleConnectionError as exc:
        module.fail_json(msg=str(exc))
    failed = {s["peer_address"]: "%s: %s" % (s["partner"], s["reason"]) for s in sessions if not s["ok"]}
    result = {"changed": False, "sessions": sessions, "failed_sessions": failed}
    if failed and module.params["fail_on_error"]:
        module.fail_json(msg="BGP sessions not as intended: " + "; ".join(
            "%s (%s)" % (peer, reason) for peer, reason in sorted(failed.items())), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
