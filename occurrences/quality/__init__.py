"""Geospatial and data-quality checks over a batch of Darwin Core records, vectorized over columns.

    from occurrences.quality import check_batch
    result = check_batch({"decimalLatitude": [...], "decimalLongitude": [...], "countryCode": [...],
                          "eventDate": [...], "scientificName": [...], "recordedBy": [...]})
    result.rows[i]            # list of Flag for input row i (Flag.row == first_row + i)
    result.rejected           # bool array: rows with an error-severity flag
    result.derived_country    # ISO code derived from coordinates where countryCode was empty

Modules: :mod:`.coordinates` (no map needed), :mod:`.geo` (country boundaries), :mod:`.places` (centroids,
capitals), :mod:`.dates`, :mod:`.species`, :mod:`.duplicates`; boundaries in :mod:`.boundaries` with the lookup
grid in :mod:`.grid`. Every flag is declared in :mod:`.definitions`.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pycountry

from ..errors import InvalidParameter
from ..flags import Territory
from ..i18n import N_
from . import definitions
from .boundaries import Boundaries, GeodataBuild, build_boundaries, build_geodata, cache_dir, load_boundaries
from .coordinates import Coordinates, basic_flags, out_of_range_flags, uncertainty_flags
from .dates import date_flags, event_dates
from .duplicates import batch_duplicate_flags, keyed_points, stored_duplicate_flags
from .geo import check_geography, country_code_flags, is_iso_country, normalize_codes
from .places import place_flags
from .result import BatchFlags, FlagSet
from .species import SpeciesCountries, species_flags
from .vectors import map_unique
from .vn_province_flags import province_flags

__all__ = ["check_batch", "BatchFlags", "FlagSet", "Boundaries", "build_boundaries", "build_geodata",
           "GeodataBuild", "load_boundaries", "cache_dir", "definitions"]


def check_batch(cols: Mapping[str, Sequence], *, boundaries: Boundaries | str | Path | None = None,
                tolerance_km: float = definitions.DEFAULT_TOLERANCE_KM,
                species_countries: SpeciesCountries | None = None,
                existing: Mapping[str, Sequence] | Iterable[Sequence] | None = None,
                today: date | None = None, first_row: int = 1) -> BatchFlags:
    """Check a batch of records given as Darwin Core columns; never raises on bad data.

    :param cols: equal-length columns keyed by Darwin Core term: decimalLatitude, decimalLongitude,
        countryCode, eventDate (or year), coordinateUncertaintyInMeters, scientificName, recordedBy. Missing
        columns count as empty. Values may be numbers or text.
    :param boundaries: a loaded :class:`Boundaries`, a GeoPackage/GeoJSON path, or None for the built
        Natural Earth countries (built on first use).
    :param tolerance_km: points this close outside their country (borders, coastlines) are flagged
        COORDINATE_NEAR_BORDER (warning) instead of COUNTRY_COORDINATE_MISMATCH (error).
    :param species_countries: checklist ``{scientificName: {countryCode, ...}}`` or a function returning
        that set (None if the name is unknown); without it the species check is skipped.
    :param existing: stored records to look for duplicates among: columns (scientificName, eventDate,
        decimalLatitude, decimalLongitude, recordedBy, occurrenceID) or tuples in that order.
    :param today: the date "future" is measured against (default: today).
    :param first_row: row number of the first record in messages (``Flag.row = first_row + index``).
    """
    n = _batch_length(cols)
    col = lambda name: cols.get(name, None)  # noqa: E731
    blank = np.full(n, None, object)
    coords = Coordinates.parse(_or(col("decimalLatitude"), blank), _or(col("decimalLongitude"), blank))
    sets = basic_flags(coords)
    located = np.full(n, None, object)
    derived = np.full(n, None, object)
    explained = np.zeros(n, bool)
    country = normalize_codes(_or(col("countryCode"), blank))
    sets += country_code_flags(country)
    b = None
    if (coords.usable | (coords.finite & (coords.out_lat | coords.out_lon))).any():
        b = boundaries if isinstance(boundaries, Boundaries) else load_boundaries(boundaries)
        geo = check_geography(coords, country, b, tolerance_km)
        sets += geo.sets
        explained, derived = geo.explained, geo.derived
        usable = np.flatnonzero(coords.usable)
        located[usable] = np.where(geo.located[usable] >= 0, b.codes[np.maximum(geo.located[usable], 0)], "")
        sets += place_flags(coords, np.flatnonzero(coords.usable & ~explained), b)
    sets += out_of_range_flags(coords, explained)
    if col("coordinateUncertaintyInMeters") is not None:
        sets += uncertainty_flags(col("coordinateUncertaintyInMeters"))
    dates = event_dates(col("eventDate"), col("year"), n)
    sets += date_flags(dates, today or date.today())
    effective_country = np.where(derived != None, derived,  # noqa: E711
                                 np.where(map_unique(country, is_iso_country, bool), country, None))
    if species_countries is not None and col("scientificName") is not None:
        sets += species_flags(col("scientificName"), effective_country, species_countries,
                              lambda code: _country_name(code, b))
    if col("stateProvince") is not None:
        sets += province_flags(col("stateProvince"), np.where(effective_country == None, "", effective_country),  # noqa: E711
                               dates, coords, b, tolerance_km)
    lat = np.where(coords.usable, coords.lat, np.nan)
    lon = np.where(coords.usable, coords.lon, np.nan)
    points = keyed_points(_or(col("scientificName"), blank), dates, lat, lon, _or(col("recordedBy"), blank))
    sets += batch_duplicate_flags(points, first_row)
    if existing is not None:
        sets += stored_duplicate_flags(points, existing)
    return BatchFlags(n, [s for s in sets if len(s)], derived, located, first_row)


def _batch_length(cols: Mapping[str, Sequence]) -> int:
    lengths = {name: len(values) for name, values in cols.items()}
    if len(set(lengths.values())) > 1:
        raise InvalidParameter(name="cols", value=lengths, reason=N_("all columns must have the same length"))
    return next(iter(lengths.values()), 0)


def _or(values, default):
    return default if values is None else values


def _country_name(code: str, b: Boundaries | None) -> str:
    if b is not None and code in b.position:
        return str(b.names[b.position[code]])
    country = pycountry.countries.get(alpha_2=code)
    return Territory(code, country.name) if country else code
