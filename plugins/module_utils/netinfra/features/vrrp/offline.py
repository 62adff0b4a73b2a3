# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the vrrp module answers without a device: the input check, ``rendered`` and ``parsed``.

Used by the action plugin on the controller (so a bad intent never reaches a gateway) and by the
module itself (the same code: a module run without the action plugin refuses the same input).
Plain Python; Python 3.9+.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

from ...core import fleet
from . import model, validate
from .frr_vrrpd import parse as fv_parse
from .frr_vrrpd import render as fv_render
from .keepalived import render as ka_render


class Refused(ValueError):
    """The input is refused before any device is touched; ``problems`` lists every reason."""

    def __init__(self, problems):
        super().__init__("invalid config, nothing was changed:\n" + "\n".join(problems))
        self.problems = list(problems)


def prepare(params, host=None, today=None):
    """``(backend, groups)`` of the module's input: the backend chosen, the fleet validator run over the
    one-device view (with ``fleet_policy``), the groups normalised. Raises :class:`Refused`."""
    config = params.get("config") or {}
    try:
        backend = model.backend_for(config, params.get("platform"))
    except model.ModelError as exc:
        raise Refused([str(exc)]) from None
    if params.get("state") == "parsed":
        if backend == "keepalived":
            raise Refused(["state=parsed reads FRR running-config only (config.backend: frr_vrrpd); "
                           "keepalived files are read with state=gathered"])
        return backend, []
    checked = dict(config, _platform=params.get("platform") or ("frr" if backend == "frr_vrrpd" else "linux"))
    problems = fleet.check_module_input(validate.FEATURE.name, checked, config.get("groups") or [], params, "groups",
                                        host=host, today=today)
    if problems:
        raise Refused(problems)
    try:
        backend, _maintenance, groups = model.normalise(config, params.get("platform"))
    except model.ModelError as exc:
        raise Refused([str(exc)]) from None
    return backend, groups


def rendered(backend, groups):
    if backend == "keepalived":
        return {"keepalived.conf": ka_render.render(groups, "gateway")}
    return {"running_config": fv_render.text(groups), "macvlans": fv_render.macvlans(groups)}


def parsed(text):
    return fv_parse.groups(text)
