# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compliance (issue 12): drift, health and policy checks, PCI DSS mapping, grace, history, reporters.

Plain Python, no Ansible import: the controller-side action plugin ``paynet.netinfra.compliance_report``
feeds it the registered results of the check-mode feature tasks (docs/compliance.md).
"""
