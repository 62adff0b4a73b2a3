# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one PCI DSS 4.0 mapping table: which requirements each kind of check evidences.

``REQUIREMENTS`` names the requirements (our short wording, not the standard's text); ``MAPPING`` maps
``(feature, check kind)`` to requirement numbers; ``requirements_for(feature, kind)`` looks one up
(``"*"`` matches any feature). docs/compliance.md prints the same table (a unit test keeps them equal).
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

REQUIREMENTS = {
    "1.2.1": "Network security control (NSC) configuration standards are defined and implemented",
    "1.2.5": "Every allowed service, protocol and port is identified, approved and has a business need",
    "1.2.7": "NSC configurations are reviewed regularly against the standard",
    "1.2.8": "NSC configuration files are kept consistent with the running configuration",
    "2.2.7": "Non-console administrative access (management protocols) uses strong cryptography",
    "4.2.1": "Strong cryptography protects cardholder data over open, public networks",
    "10.2": "Audit logs record changes and administrative actions",
    "11.4.5": "Segmentation controls isolating the CDE are tested and shown to work",
}

# (feature, kind) -> requirements. kind: drift (running config equals intent), health (operational
# state), policy (the fleet validator's findings on the intent), grace (a grace entry itself), audit.
MAPPING = {
    ("bgp", "drift"): ("1.2.1", "1.2.7", "1.2.8"),
    ("bgp", "health"): ("1.2.1",),
    ("bgp", "policy"): ("1.2.1", "1.2.5"),
    ("ipsec", "drift"): ("1.2.7", "1.2.8", "4.2.1"),
    ("ipsec", "health"): ("4.2.1",),
    ("ipsec", "policy"): ("4.2.1",),
    ("vrrp", "drift"): ("1.2.7", "1.2.8"),
    ("vrrp", "health"): ("1.2.1",),
    ("vrrp", "policy"): ("1.2.1",),
    ("snmp", "drift"): ("1.2.7", "1.2.8", "2.2.7"),
    ("snmp", "health"): ("2.2.7",),
    ("snmp", "policy"): ("2.2.7",),
    ("hsm", "drift"): ("1.2.1", "1.2.5", "1.2.7", "1.2.8"),
    ("hsm", "health"): ("1.2.1", "11.4.5"),
    ("hsm", "policy"): ("1.2.5", "11.4.5"),
    ("*", "policy"): ("1.2.7",),
    ("*", "grace"): ("1.2.7",),
    ("*", "audit"): ("10.2",),
}


def requirements_for(feature, kind):
    """The requirement numbers a check of ``kind`` on ``feature`` evidences (a tuple, maybe empty)."""
    return MAPPING.get((feature, kind)) or MAPPING.get(("*", kind)) or ()


def markdown_table():
    """The mapping as a Markdown table (docs/compliance.md holds the same text)."""
    rows = ["| feature | check | PCI DSS 4.0 |", "| --- | --- | --- |"]
    for (feature, kind), reqs in MAPPING.items():
        rows.append("| %s | %s | %s |" % ("any" if feature == "*" else feature, kind, ", ".join(reqs)))
    rows.append("")
    rows.append("| requirement | what the check shows |")
    rows.append("| --- | --- |")
    for number, title in REQUIREMENTS.items():
        rows.append("| %s | %s |" % (number, title))
    return "\n".join(rows)
