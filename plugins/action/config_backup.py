# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of paynet.netinfra.config_backup: gather on the device (one module call, texts masked
there), then store under dest/stamp/host (0700/0600) and prune to ``keep`` on the controller."""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import os

from ansible.plugins.action import ActionBase
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra import backup
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import mask_text
from ansible_collections.paynet.netinfra.plugins.modules.config_backup import ARGUMENT_SPEC


class ActionModule(ActionBase):
    """Gather on the device, write on the controller."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _validation, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        host = task_vars.get("inventory_hostname")
        dest = os.path.expanduser(params["dest"])
        if not backup.STAMP_RE.match(params["stamp"] or ""):
            return dict(result, failed=True, msg="stamp %r is not YYYYMMDDTHHMMSSZ (UTC), e.g. 20261202T013000Z" % params["stamp"])
        if params["keep"] < 1:
            return dict(result, failed=True, msg="keep must be at least 1, got %d" % params["keep"])
        gathered = self._execute_module(module_name="paynet.netinfra.config_backup", module_args=dict(self._task.args),
                                        task_vars=task_vars)
        if gathered.get("failed"):
            gathered.pop("gathered", None)
            return dict(result, **gathered)
        files = gathered.get("gathered") or {}
        # masked on the device already; mask again here so nothing unmasked can be written whatever ran there
        files = dict((name, mask_text(text)) for name, text in files.items())
        path = os.path.join(dest, params["stamp"], host)
        result.update(files=sorted(files), path=path, notes=gathered.get("notes") or [],
                      left_out=gathered.get("left_out") or list(backup.LEFT_OUT), pruned=[])
        if self._task.check_mode:
            result["changed"] = bool(files)
            return result
        try:
            backup.store(dest, params["stamp"], host, files)
            result["pruned"] = backup.prune(dest, params["keep"], current=params["stamp"])
        except (backup.BackupError, OSError) as exc:
            return dict(result, failed=True, msg="cannot store the backup of %s in %s: %s" % (host, path, exc))
        result["changed"] = bool(files)
        return result
