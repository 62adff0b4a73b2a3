"""plugins/filter/site.py: the one-screen summary of playbooks/site.yml."""

from __future__ import annotations

from ansible_collections.paynet.netinfra.plugins.filter.site import site_summary

HOSTVARS = {
    "ste1": {"vrrp_result": {"changed": True, "backend": "frr_vrrpd", "commands": ["a", "b"],
                             "status": [{"vrid": 90, "interface": "eth1", "v4": {"status": "Master"}}]},
             "bgp_peering_result": {"changed": True, "commands": ["router bgp 65090", " neighbor x password ********"],
                                    "verification": {"required_established": ["198.18.96.2"], "down": []}},
             "snmp_result": {"changed": False, "commands": []},
             "hsm_attachment_result": {"skipped": True, "changed": False}},
    "sth1": {"vrrp_result": {"changed": False, "backend": "keepalived"},
             "hsm_attachment_result": {"changed": True, "table": "paynet_hsm", "lines": {"added": ["a", "b"], "removed": []}},
             "snmp_result": {"failed": True, "msg": "snmpd did not answer\nmore"}},
    "stv1": {"ipsec_tunnels_result": {"changed": True, "added": ["partner-sitepay"], "commands": ["x"]}},
    "stp1": {},
}


def test_one_line_per_host_in_stage_order_and_totals():
    lines = site_summary(["ste1", "sth1", "stv1", "stp1"], HOSTVARS)
    assert lines[0] == ("ste1  vrrp changed (frr_vrrpd; VRID 90 Master; 2 commands) | hsm skipped | "
                        "bgp changed (1 Established; 2 commands) | snmp ok")
    assert lines[1] == "sth1  vrrp ok (keepalived) | hsm changed (table paynet_hsm; +2/-0 lines) | snmp FAILED (snmpd did not answer)"
    assert lines[2] == "stv1  ipsec changed (added partner-sitepay; 1 commands)"
    assert lines[3] == "stp1  no stage ran"
    assert lines[4] == "total: 2 ok, 4 changed, 1 FAILED, 1 skipped"


def test_check_mode_says_would_change_and_never_prints_commands():
    lines = site_summary(["ste1"], HOSTVARS, check_mode=True)
    assert "vrrp would change" in lines[0] and "password" not in "\n".join(lines)
    assert lines[-1] == "total: 1 ok, 0 changed, 2 would change, 1 skipped"


def test_unknown_host_is_left_out():
    assert site_summary(["nosuch"], HOSTVARS) == ["total: 0 ok, 0 changed"]


def test_a_device_left_out_as_unreachable_is_named_with_its_address_and_counted():
    dead = {"sth2": {"address": "198.18.99.16", "port": 22, "seconds": 10.0, "error": "no answer (timed out)"}}
    lines = site_summary(["ste1", "sth2"], dict(HOSTVARS, sth2={}), unreachable=dead)
    assert [line.split()[0] for line in lines[:-1]] == ["ste1", "sth2"]
    assert lines[1] == "sth2  UNREACHABLE, left out of this run (198.18.99.16:22: no answer (timed out))"
    assert lines[-1] == "total: 1 ok, 2 changed, 1 skipped, 1 UNREACHABLE"
