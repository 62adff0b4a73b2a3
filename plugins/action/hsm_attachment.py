# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of paynet.netinfra.hsm_attachment (plugins/plugin_utils/hsm_action.py): fill config, vrrp,
gateway and fleet_policy from the host's variables, check the intent before connecting, then run the
module on the gateway."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase
from ansible_collections.paynet.netinfra.plugins.modules.hsm_attachment import ARGUMENT_SPEC
from ansible_collections.paynet.netinfra.plugins.plugin_utils.hsm_action import run_hsm_action


class ActionModule(ActionBase):
    """Validate on the controller; run on the gateway."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        return run_hsm_action(self, result, task_vars, "hsm_attachment", ARGUMENT_SPEC)
