# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""paynet.netinfra filters: prefix_list_entries, mask_secrets.

Thin wrappers over module_utils/netinfra/{prefixes,secrets}.py (documented in the sibling
prefix_list_entries.yml and mask_secrets.yml).
"""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.prefixes import normalise_entries
from ansible_collections.paynet.netinfra.plugins.module_utils.netinfra.core.secrets import mask_text


def prefix_list_entries(prefixes: t.Any, max_len: t.Any = None, aggregate: bool = False) -> list[dict[str, t.Any]]:
    """Sorted, deduplicated ``[{prefix, ge, le}]`` from strings and/or dicts."""
    if prefixes is not None and not isinstance(prefixes, (list, tuple, str, dict)):
        raise AnsibleFilterError("prefix_list_entries: expected a list of prefixes, got %s" % type(prefixes).__name__)
    try:
        return normalise_entries(prefixes, max_len=max_len, aggregate=bool(aggregate))
    except ValueError as exc:
        fix = getattr(exc, "fix", None)
        raise AnsibleFilterError("prefix_list_entries: %s%s" % (exc, ". Fix: %s" % fix if fix else "")) from exc


def mask_secrets(text: t.Any, secrets: t.Any = None) -> t.Any:
    """``text`` with passwords, pre-shared keys, SNMP pass phrases, private keys and ``secrets`` masked."""
    if secrets is None:
        extra: t.Sequence[t.Any] = ()
    elif isinstance(secrets, (str, bytes)) or not isinstance(secrets, t.Iterable):
        extra = (secrets,)
    else:
        extra = list(secrets)
    return mask_text(text, extra)


class FilterModule:
    """paynet.netinfra prefix and secret filters."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"prefix_list_entries": prefix_list_entries, "mask_secrets": mask_secrets}
