# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every feature, registered with the fleet validator (core.fleet) in one import.

The fleet validator (validate_intent, benchmarks, tests) imports this module; a module on a device
imports only its own feature's ``validate`` (which registers itself), so only that feature's code
is shipped with it. A new feature adds its ``validate`` import here.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

# The fleet API is re-exported for the registry's callers; importing each feature's validate module
# registers that feature.

from ..core.fleet import (  # noqa: F401  # pylint: disable=unused-import
    check_device,
    count_intent,
    host_var_names,
    policy_var_names,
    registered,
    secret_field_names,
    validate_fleet,
)
from ..core.findings import ERROR, WARNING, Finding, format_findings, has_errors  # noqa: F401  # pylint: disable=unused-import
from .bgp import validate as bgp_validate  # noqa: F401  # pylint: disable=unused-import
from .ipsec import validate as ipsec_validate  # noqa: F401  # pylint: disable=unused-import
from .snmp import validate as snmp_validate  # noqa: F401  # pylint: disable=unused-import
from .vrrp import validate as vrrp_validate  # noqa: F401  # pylint: disable=unused-import
from .hsm import validate as hsm_validate  # noqa: F401  # pylint: disable=unused-import
