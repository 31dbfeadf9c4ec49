"""Sensitive species: which records are generalised or withheld for the public, and what they see instead.

Levels, from least to most protective (stored as their index, so "more sensitive" is a larger number):

* ``none``: shown as submitted;
* ``generalise-0.1``: coordinates moved to the centre of their 0.1° grid cell (about 11 km);
* ``generalise-0.2``: centre of their 0.2° cell (about 22 km; iNaturalist's obscuring cell);
* ``withhold``: no coordinates at all.

Species levels come from the checklist (:meth:`occurrences.taxa.Checklist.sensitivity`, same names): the IUCN
category as given by the Mammal Diversity Database and trade pressure from the CITES Appendices (I or II), each
with its source and date in ``data/taxon_policy.csv`` (``Taxon.sensitivity_basis``; ``occurrences species
sources NAME``). A species whose CITES status is not verified counts as without trade pressure there.

For every level above ``none`` the locality text, verbatim coordinates/locality and remarks are withheld too,
``coordinateUncertaintyInMeters`` becomes the radius of the whole cell (a function of the cell alone: adding the
submitted uncertainty would let anyone subtract the cell's radius and read it back), and ``informationWithheld`` /
``dataGeneralizations`` say what was done (Chapman 2020, GBIF sensitive-species best practice: generalise to a
grid, never randomise). The public values are computed once, when a record is written (vectorized here), and
stored next to the precise ones, so public queries filter and return them without per-request work.

A record's level is the stricter of its species' level (from the checklist) and its own level (raised by the
submitter or a reviewer).
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np

LEVELS: tuple[str, ...] = ("none", "generalise-0.1", "generalise-0.2", "withhold")
_ALIASES = {"0.1": "generalise-0.1", "0.2": "generalise-0.2"}
NONE, CELL_01, CELL_02, WITHHOLD = range(4)
CELL_DEGREES = {CELL_01: 0.1, CELL_02: 0.2}
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0

# Darwin Core text written into public copies of sensitive records (data values, kept in English as GBIF does).
WITHHELD_TEXT = ("Precise coordinates, locality, verbatim location and remarks withheld because the record is "
                 "sensitive (trade-targeted species); available to reviewers on request.")
WITHHELD_ALL_TEXT = ("Coordinates, locality, verbatim location and remarks withheld because the record is "
                     "sensitive (trade-targeted species); available to reviewers on request.")
GENERALISED_TEXT = "Coordinates generalised to the centre of a {size}° grid cell (sensitive record)."

_species_level: Callable[[str], str | None] | None = None


def level_index(level: str | int | None) -> int:
    """``"generalise-0.2"`` (or ``"0.2"``) → 2. Accepts an index too. Unknown names raise ``ValueError``."""
    if level is None or level == "":
        return NONE
    if isinstance(level, (int, np.integer)) and 0 <= int(level) < len(LEVELS):
        return int(level)
    text = str(level).strip().lower()
    text = _ALIASES.get(text, text)
    if text in LEVELS:
        return LEVELS.index(text)
    raise ValueError(f"unknown sensitivity {level!r}; use one of: {', '.join(LEVELS)}")


def set_species_levels(source: Callable[[str], str | None] | dict | None) -> None:
    """Use ``source`` (a name → level function or mapping) for species levels; None restores the default."""
    global _species_level
    _species_level = source.get if isinstance(source, dict) else source


def species_level(name: str | None) -> int:
    if not name:
        return NONE
    lookup = _species_level or _checklist_lookup
    try:
        return level_index(lookup(name))
    except KeyError:  # not in the checklist: nothing says it is sensitive
        return NONE
    except ValueError:
        return WITHHOLD  # a checklist value we cannot read fails closed


def species_levels(names: Sequence[str | None]) -> np.ndarray:
    """Levels for a column of names, looking each distinct name up once."""
    unique = {name: species_level(name) for name in set(names)}
    return np.array([unique[n] for n in names], dtype="int64")


def _checklist():
    from .taxa import current

    return current()


def _checklist_lookup(name: str) -> str | None:
    return _checklist().sensitivity(name)


def public_columns(lat: np.ndarray, lon: np.ndarray, uncertainty: np.ndarray, withheld: Iterable,
                   generalizations: Iterable, levels: np.ndarray) -> dict[str, list]:
    """The public copy of location fields for a batch (NaN → None). Deterministic: same input, same output."""
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    uncertainty = np.asarray(uncertainty, dtype="float64")
    levels = np.asarray(levels, dtype="int64")
    size = np.select([levels == CELL_01, levels == CELL_02], [0.1, 0.2], np.nan)
    generalised = np.isfinite(size)
    with np.errstate(invalid="ignore"):
        cell_lat = np.round((np.floor(lat / size) + 0.5) * size, 6)
        cell_lon = np.round((np.floor(lon / size) + 0.5) * size, 6)
        half_diagonal = np.hypot(size / 2 * METRES_PER_DEGREE_LAT,
                                 size / 2 * METRES_PER_DEGREE_LON_AT_EQUATOR * np.cos(np.radians(cell_lat)))
        widened = np.ceil(half_diagonal)
    pub_lat = np.where(levels == NONE, lat, np.where(generalised, cell_lat, np.nan))
    pub_lon = np.where(levels == NONE, lon, np.where(generalised, cell_lon, np.nan))
    has_point = np.isfinite(lat) & np.isfinite(lon)
    pub_unc = np.where(levels == NONE, uncertainty, np.where(generalised & has_point, widened, np.nan))
    withheld_out = np.array(list(withheld), dtype=object)
    generalizations_out = np.array(list(generalizations), dtype=object)
    for level in (CELL_01, CELL_02, WITHHOLD):
        rows = levels == level
        if rows.any():
            withheld_out[rows] = WITHHELD_ALL_TEXT if level == WITHHOLD else WITHHELD_TEXT
            generalizations_out[rows] = (None if level == WITHHOLD
                                         else GENERALISED_TEXT.format(size=CELL_DEGREES[level]))
    return {"_pub_lat": _none_nan(pub_lat), "_pub_lon": _none_nan(pub_lon), "_pub_uncertainty": _none_nan(pub_unc),
            "_pub_withheld": withheld_out.tolist(), "_pub_generalizations": generalizations_out.tolist()}


def _none_nan(arr: np.ndarray) -> list:
    return [None if v != v else v for v in arr.tolist()]


__all__ = ["LEVELS", "NONE", "CELL_01", "CELL_02", "WITHHOLD", "level_index", "set_species_levels",
           "species_level", "species_levels", "public_columns"]
