"""What the interactive map needs from the page (species page and search page): the filters its tiles are
drawn from, its texts in the page's language and the legends.

The density classes are declared here once: the page's colour scale and the map's ``grid`` layer (built in
species-map.js from ``densityClasses``) read the same list, so the legend cannot drift from the drawing.
"""
from __future__ import annotations

from ..i18n import N_, translate
from ..maps.static import AGE_CLASSES, BASIS_COLOURS
from .labels import COUNTRIES, Values
# (lowest count of the class, colour), ascending; the last class has no upper bound. Viridis, as before.
DENSITY_CLASSES = ((1, "#fde725"), (5, "#5ec962"), (20, "#21918c"), (100, "#3b528b"), (500, "#440154"))


def density_legend(v: Values) -> list[tuple[str, str]]:
    """(label, colour) per class: "1–4", "5–19", …, "500 or more", numbers in the page's locale."""
    rows = []
    for i, (low, colour) in enumerate(DENSITY_CLASSES):
        if i + 1 < len(DENSITY_CLASSES):
            label = f"{v.num(low)}–{v.num(DENSITY_CLASSES[i + 1][0] - 1)}"
        else:
            label = translate(v.lang, N_("{count} or more"), count=v.num(low))
        rows.append((label, colour))
    return rows


def map_context(lang: str, query: str) -> dict:
    """Template variables of ``_map.html``."""
    v = Values(lang)
    basis_names = {b: v.choice("basisOfRecord", b) for b in BASIS_COLOURS}
    return dict(
        map_query=query,
        basis_names=basis_names,
        basis_legend=[(b, basis_names[b], colour) for b, colour in BASIS_COLOURS.items()],
        age_legend=[(start, translate(lang, label), colour) for start, label, colour in AGE_CLASSES],
        density_legend=density_legend(v),
        density_classes=[[low, colour] for low, colour in DENSITY_CLASSES],
        country_names={code: v.country(code) for code in COUNTRIES},
    )


__all__ = ["DENSITY_CLASSES", "density_legend", "map_context"]
