# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Intent files on disk: which files in a ``partners/`` directory are partner files, and YAML keys
given twice. Shared by the partners vars plugin (which loads them) and validate_intent (which checks
that everything on disk was loaded, also when the vars plugin did not run)."""

from __future__ import annotations

import os

import yaml

PARTNERS_DIR = "partners"
EXTENSIONS = (".yml", ".yaml")
ENABLE_LINE = "vars_plugins_enabled = ansible.builtin.host_group_vars, paynet.netinfra.partners"

try:
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover  (PyYAML without libyaml)
    _YamlLoader = yaml.SafeLoader


def is_ignored(name):
    """Hidden files, editor swap/lock files and backups: never partner files, never an error."""
    return name.startswith((".", "#")) or name.endswith("~")


def scan_partner_dir(folder):
    """``(files, problems)`` for a ``partners/`` directory.

    ``files``: the names of the partner files (``*.yml``/``*.yaml``), sorted. ``problems``: a
    ``(name, message, fix)`` for every other entry that is not ignored (see :func:`is_ignored`):
    files with another extension and sub-directories, which would otherwise be skipped silently.
    """
    files, problems = [], []
    for name in sorted(os.listdir(folder)):
        if is_ignored(name):
            continue
        full = os.path.join(folder, name)
        if os.path.isdir(full):
            problems.append((name + "/", "partner files are not read from sub-directories",
                             "move its partner files up into %s/ (one file a partner), or move the directory out of "
                             "%s/" % (PARTNERS_DIR, PARTNERS_DIR)))
            continue
        if name.endswith(EXTENSIONS):
            files.append(name)
            continue
        problems.append((name, "not loaded: a partner file must end in .yml or .yaml (lower case)",
                         _extension_fix(name)))
    return files, problems


def _extension_fix(name):
    stem = name
    lower = name.lower()
    for ext in (".yml", ".yaml", ".json"):
        index = lower.find(ext)
        if index > 0:
            stem = name[:index]
            break
    else:
        stem = os.path.splitext(name)[0] or name
    return ("rename it to %s/%s.yml if it is a partner's intent; otherwise move it out of %s/ (hidden files and "
            "editor backups ending in ~ are ignored)" % (PARTNERS_DIR, stem, PARTNERS_DIR))


def _line(node):
    return node.start_mark.line + 1


def duplicate_keys(text):
    """``[(path, key, first_line, line)]`` for every mapping key given twice in YAML ``text``.

    Independent of Ansible's ``duplicate_dict_key`` setting (which only warns by default, keeping the
    last value). ``path`` is the dotted path of the duplicated key (``acme_bank.sessions[0].password``).
    Raises ``yaml.YAMLError`` for text that is not YAML.
    """
    found = []
    for document in yaml.compose_all(text, Loader=_YamlLoader):
        _walk_node(document, "", found, set())
    return found


def _walk_node(node, path, found, seen):
    if node is None or id(node) in seen:  # aliases point at nodes already walked
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            child = "%s.%s" % (path, key) if path else str(key)
            if key is not None and key != "<<":
                if key in first:
                    found.append((child, key, first[key], _line(key_node)))
                else:
                    first[key] = _line(key_node)
            _walk_node(value_node, child, found, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_node(item, "%s[%d]" % (path, index), found, seen)
