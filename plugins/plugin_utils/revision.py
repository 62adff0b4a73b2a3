# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The intent revision: the git commit of the inventory a run used, and whether its work tree was dirty.

Evidence (the HSM segmentation proof), audit lines and compliance reports all record it, so an auditor can
tie a change or a verdict to the reviewed intent. Controller-side only (runs ``git``), hence in plugin_utils
(module_utils must not start processes).
"""

from __future__ import annotations

import os
import subprocess

UNKNOWN = {"commit": "unknown", "dirty": None}


def _git(folder, *args):
    return subprocess.run(["git", "-C", folder] + list(args), capture_output=True, text=True, timeout=20,
                          check=False)


def intent_revision(sources):
    """``({commit, dirty}, inventory directory)`` of the inventory sources inside a git work tree.

    ``sources``: inventory paths (files or directories; a string is one source). ``commit`` is ``HEAD`` of the first
    source in a work tree (its directory is returned); ``dirty`` is whether ``git status`` shows changes under any
    source's directory in a work tree (a generated inventory next to the real one does not hide an edited
    host_vars file), ``None`` if that could not be read. Outside any work tree:
    ``({commit: unknown, dirty: None}, first existing source's directory or None)``.
    """
    if isinstance(sources, str):
        sources = [sources]
    sources = [s for s in (sources or []) if isinstance(s, str)]
    found = None
    dirty = False
    for source in sources:
        if not os.path.exists(source):
            continue
        folder = source if os.path.isdir(source) else os.path.dirname(os.path.abspath(source))
        try:
            head = _git(folder, "rev-parse", "HEAD")
            if head.returncode != 0:
                continue
            status = _git(folder, "status", "--porcelain", "--", ".")
        except (OSError, subprocess.SubprocessError):
            continue
        if found is None:
            found = (head.stdout.strip(), folder)
        if status.returncode != 0:
            dirty = None if dirty is False else dirty
        elif status.stdout.strip():
            dirty = True
    if found is not None:
        return {"commit": found[0], "dirty": dirty}, found[1]
    folder = next((s for s in sources if os.path.exists(s)), None)
    return dict(UNKNOWN), folder
