"""The fonts of every map and page: Noto Sans (Latin, Vietnamese) and Noto Sans Thai, Khmer, Lao and Myanmar,
shipped inside the package (SIL Open Font Licence 1.1; files, versions and checksums in README.md).

They are registered with matplotlib by file at first use, so neither a missing system font nor a matplotlib font
cache built before the fonts were installed can turn Thai, Khmer, Lao or Burmese text into boxes. The web app
serves the same files under ``/static/fonts/`` with the ``@font-face`` rules of ``fonts.css``.
"""
from __future__ import annotations

import threading
from pathlib import Path

FONT_DIR = Path(__file__).parent
# Fallback order: matplotlib takes each character from the first family that has it.
FAMILIES = ("Noto Sans", "Noto Sans Thai", "Noto Sans Khmer", "Noto Sans Lao", "Noto Sans Myanmar")
STYLES = ("Regular", "Bold")

_registered: set[int] = set()
_lock = threading.Lock()


def font_files() -> list[Path]:
    """Every shipped font file, in fallback order."""
    return [FONT_DIR / f"{family.replace(' ', '')}-{style}.ttf" for family in FAMILIES for style in STYLES]


def register_matplotlib() -> None:
    """Add the shipped fonts to matplotlib's font manager (once per manager) and put them first, so a system
    font of the same family name (perhaps older, perhaps partial) never takes their place."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    with _lock:
        if id(manager) in _registered:
            return
        before = len(manager.ttflist)
        for path in font_files():
            manager.addfont(path)
        # findfont() takes the first of equally good matches: ours first.
        manager.ttflist[:] = manager.ttflist[before:] + manager.ttflist[:before]
        manager._findfont_cached.cache_clear()  # addfont() cleared it before the reordering
        _registered.add(id(manager))
