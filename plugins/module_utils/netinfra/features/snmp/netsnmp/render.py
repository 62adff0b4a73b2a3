# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render net-snmp's snmpd.conf for an :class:`~..model.Agent` (the whole file is ours), and the
``createUser`` lines of the persistent file.

Numeric OIDs only: Debian ships no IETF MIB files. One directive per line, in a fixed order, so
the text is stable and a diff shows exactly what changes. Plain Python; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import ipaddress

from ..model import NETSNMP_PRIV

HEADER = "# Managed by paynet.netinfra (snmp module): every change here is overwritten.\n"
AGENTX_SOCKET = "tcp:127.0.0.1:705"
SYSNAME_OID = ".1.3.6.1.2.1.1.5.0"


def udp_address(address, port=161):
    """net-snmp transport address: udp:A:P / udp6:[A]:P."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return "udp6:[%s]:%d" % (ip.compressed, port)
    return "udp:%s:%d" % (ip, port)


def quoted(text):
    """A value for sysName/sysLocation/sysContact (rest of the line; no newline: the schema refuses it)."""
    return " ".join(str(text).split())


def snmpd_conf(agent):
    """The text of /etc/snmp/snmpd.conf. Trap users' pass phrases are in it (the file is 0640 root:snmp);
    every caller masks them before showing it."""
    lines = [HEADER.rstrip("\n")]
    lines.append("agentAddress %s" % ",".join(udp_address(a) for a in agent.listen))
    if agent.sys_name:
        lines.append("sysName %s" % quoted(agent.sys_name))
    if agent.location:
        lines.append("sysLocation %s" % quoted(agent.location))
    if agent.contact:
        lines.append("sysContact %s" % quoted(agent.contact))
    lines.append("sysServices 72")
    for view in agent.views:
        for oid in view["included"]:
            lines.append("view %s included %s" % (view["name"], oid))
        for oid in view["excluded"] or ():
            lines.append("view %s excluded %s" % (view["name"], oid))
    for group in agent.groups:
        for user in agent.users:
            if user.get("group") == group["name"]:
                lines.append("group %s usm %s" % (group["name"], user["name"]))
        lines.append("access %s \"\" usm priv exact %s %s none"
                     % (group["name"], group["read_view"], group.get("write_view") or "none"))
    for community in agent.communities:
        lines.append("rocommunity %s %s -V %s" % (community["community"], community["source"], community["view"]))
    lines.append("authtrapenable %d" % (1 if agent.auth_traps else 2))
    for target in agent.targets:
        user = agent.user(target["user"]) or {}
        lines.append("trapsess %s-v 3 -u %s -l authPriv -a %s -A %s -x %s -X %s %s"
                     % ("-Ci " if target["type"] == "inform" else "", target["user"], user.get("auth", "SHA-512"),
                        user.get("auth_key", ""), NETSNMP_PRIV.get(user.get("priv"), "AES-256"), user.get("priv_key", ""),
                        udp_address(target["address"], target["port"])))
    if agent.agentx:
        lines.append("master agentx")
        lines.append("agentXSocket %s" % AGENTX_SOCKET)
    return "\n".join(lines) + "\n"


def create_user(user):
    """The createUser line snmpd turns into a usmUser line with localized keys."""
    return "createUser %s %s %s %s %s" % (user["name"], user["auth"], _quote(user["auth_key"]),
                                          NETSNMP_PRIV.get(user["priv"], user["priv"]), _quote(user["priv_key"]))


def _quote(secret):
    """net-snmp reads a pass phrase with blanks when it is double-quoted."""
    if any(c.isspace() for c in secret) or secret.startswith(("'", '"')):
        return '"%s"' % secret
    return secret
