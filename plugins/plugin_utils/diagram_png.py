# -*- coding: utf-8 -*-
# Copyright: (c) 2026, paynet network infrastructure team
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network diagram's PNG: convert the SVG with the first converter found at run time - ``rsvg-convert``
(Debian librsvg2-bin), the ``cairosvg`` Python package, ``inkscape`` - or return None. None is required.
Controller-side (starts a process), hence in plugin_utils.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess


def to_png(svg_path: str, png_path: str) -> str | None:
    """Convert with the first converter found (rsvg-convert, cairosvg, inkscape); the PNG path or None."""
    exe = shutil.which("rsvg-convert")
    if exe:
        return _convert([exe, "-f", "png", "-o", png_path, svg_path], png_path)
    try:
        cairosvg = importlib.import_module("cairosvg")
    except ImportError:
        cairosvg = None
    if cairosvg is not None:
        cairosvg.svg2png(url=svg_path, write_to=png_path)
        os.chmod(png_path, 0o600)
        return png_path
    exe = shutil.which("inkscape")
    if exe:
        return _convert([exe, svg_path, "--export-type=png", "--export-filename=%s" % png_path], png_path)
    return None


def _convert(argv: list[str], png_path: str) -> str | None:
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0 or not os.path.exists(png_path):
        return None
    os.chmod(png_path, 0o600)
    return png_path
