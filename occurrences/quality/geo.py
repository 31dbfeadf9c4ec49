"""Checks against country boundaries: declared vs actual country, border/coast tolerance, swapped or negated
coordinates, country derived from coordinates, sea, outside the five-country region.

All work on arrays. Point-in-country is one grid lookup for every point (:mod:`.grid`); distances are computed
only for the few points that are outside their country or on no land.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pycountry

from ..flags import Phrase
from ..i18n import N_
from . import definitions as d
from .boundaries import Boundaries
from .coordinates import LAT, LON, Coordinates
from .result import FlagSet
from .vectors import clean_text, map_unique

NO_COUNTRY = -1
THE_SEA = Phrase(N_("the sea"))
OUTSIDE_DATA = Phrase(N_("an area outside the boundary data"))

# (codes raised, new lat, new lon) for each reading of a point that is not where it claims to be, in the
# order GBIF tries them.
_READINGS = (
    ((d.PRESUMED_SWAPPED_COORDINATE,), lambda lat, lon: (lon, lat)),
    ((d.PRESUMED_NEGATED_LATITUDE,), lambda lat, lon: (-lat, lon)),
    ((d.PRESUMED_NEGATED_LONGITUDE,), lambda lat, lon: (lat, -lon)),
    ((d.PRESUMED_NEGATED_LATITUDE, d.PRESUMED_NEGATED_LONGITUDE), lambda lat, lon: (-lat, -lon)),
)
_FIELD = {d.PRESUMED_SWAPPED_COORDINATE: LAT, d.PRESUMED_NEGATED_LATITUDE: LAT, d.PRESUMED_NEGATED_LONGITUDE: LON}


@dataclass
class GeoResult:
    sets: list[FlagSet] = field(default_factory=list)
    located: np.ndarray | None = None  # country index per row, -1 none
    derived: np.ndarray | None = None  # derived ISO code per row (object), None where not derived
    explained: np.ndarray | None = None  # rows whose coordinates a swap/negation explains (wrong as given)


def normalize_codes(raw) -> np.ndarray:
    """countryCode values stripped and upper-cased; None for blanks."""
    return map_unique(raw, lambda v: (clean_text(v) or "").upper() or None)


@lru_cache(maxsize=None)
def is_iso_country(code: str | None) -> bool:
    return code is not None and len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


def country_code_flags(declared: np.ndarray) -> list[FlagSet]:
    """COUNTRY_INVALID for countryCode values that are not ISO 3166-1 alpha-2 (``declared`` normalized)."""
    valid = map_unique(declared, is_iso_country, bool)
    bad = np.flatnonzero((declared != None) & ~valid)  # noqa: E711 (element-wise)
    return [FlagSet(d.COUNTRY_INVALID, "countryCode", bad, declared[bad])]


def check_geography(c: Coordinates, country_raw, b: Boundaries, tolerance_km: float) -> GeoResult:
    n = len(c.lat)
    declared = normalize_codes(country_raw)
    res = GeoResult(located=np.full(n, NO_COUNTRY, np.int64), derived=np.full(n, None, object),
                    explained=np.zeros(n, bool))
    usable = c.usable
    ui = np.flatnonzero(usable)
    res.located[ui] = b.locate(c.lon[ui], c.lat[ui])
    dec_idx = b.indices(declared)
    ctx = _Context(c, b, declared, dec_idx, res.located, tolerance_km)
    res.sets += ctx.declared_country_flags(usable, res.explained)
    res.sets += ctx.derived_country_flags(usable & (declared == None), res.derived)  # noqa: E711
    placed = usable & ~res.explained
    res.sets += ctx.sea_flags(placed)
    res.sets += ctx.region_flags(placed)
    return res


@dataclass
class _Context:
    c: Coordinates
    b: Boundaries
    declared: np.ndarray
    dec_idx: np.ndarray
    located: np.ndarray
    tol: float

    def name(self, idx: np.ndarray) -> np.ndarray:
        return self.b.names[idx]

    def located_names(self, rows: np.ndarray) -> np.ndarray:
        loc = self.located[rows]
        out = np.empty(len(rows), object)
        out[:] = [THE_SEA] * len(rows)  # np.full would turn the Phrase into a plain str (left untranslated)
        out[loc >= 0] = self.b.names[loc[loc >= 0]]
        minx, miny, maxx, maxy = self.b.total_bounds
        lon, lat = self.c.lon[rows], self.c.lat[rows]
        out[(loc < 0) & ~((lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy))] = OUTSIDE_DATA
        return out

    def declared_country_flags(self, usable: np.ndarray, explained: np.ndarray) -> list[FlagSet]:
        c, tol = self.c, self.tol
        outside = np.flatnonzero(usable & (self.dec_idx >= 0) & (self.located != self.dec_idx))
        dist = self.b.distance_km(c.lon[outside], c.lat[outside], self.dec_idx[outside])
        near, far, far_dist = outside[dist <= tol], outside[dist > tol], dist[dist > tol]
        sets = [self._mismatch_set(d.COORDINATE_NEAR_BORDER, near, dist[dist <= tol])]
        # Far off, or out of range: does a swapped or negated reading put the point in its country?
        wrong_range = np.flatnonzero(c.finite & (c.out_lat | c.out_lon) & ~c.zero & (self.dec_idx >= 0))
        candidates = np.union1d(far, wrong_range)
        sets += self._presumed_sets(candidates, explained)
        keep = ~explained[far]
        sets.append(self._mismatch_set(d.COUNTRY_COORDINATE_MISMATCH, far[keep], far_dist[keep]))
        return sets

    def _mismatch_set(self, code: str, rows: np.ndarray, dist: np.ndarray) -> FlagSet:
        c, dec = self.c, self.dec_idx[rows]
        params = {"lat": c.lat[rows], "lon": c.lon[rows], "distance_km": np.round(dist, 1),
                  "country": self.name(dec), "country_code": self.declared[rows], "located": self.located_names(rows)}
        if code == d.COORDINATE_NEAR_BORDER:
            params["tolerance_km"] = np.full(len(rows), self.tol)
        return FlagSet(code, "countryCode", rows, self.declared[rows], params)

    def _presumed_sets(self, rows: np.ndarray, explained: np.ndarray) -> list[FlagSet]:
        sets = []
        remaining = rows
        for codes, reading in _READINGS:
            if not len(remaining):
                break
            lat, lon = reading(self.c.lat[remaining], self.c.lon[remaining])
            fits = self._fits_declared(remaining, lat, lon)
            hit = remaining[fits]
            explained[hit] = True
            for code in codes:
                field = _FIELD[code]
                raw = self.c.raw_lat if field == LAT else self.c.raw_lon
                params = {"lat": self.c.lat[hit], "lon": self.c.lon[hit], "suggested_lat": lat[fits],
                          "suggested_lon": lon[fits], "country": self.name(self.dec_idx[hit]),
                          "country_code": self.declared[hit]}
                sets.append(FlagSet(code, field, hit, raw[hit], params,
                                    {LAT: lat[fits], LON: lon[fits]}))
            remaining = remaining[~fits]
        return sets

    def _fits_declared(self, rows: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """The new reading is in range and inside the declared country, or within the tolerance of it."""
        fits = np.zeros(len(rows), bool)
        ok = np.flatnonzero((np.abs(lat) <= 90) & (np.abs(lon) <= 180))
        dec = self.dec_idx[rows[ok]]
        inside = self.b.locate(lon[ok], lat[ok]) == dec
        fits[ok[inside]] = True
        rest = ok[~inside]
        if len(rest):
            fits[rest] = self.b.distance_km(lon[rest], lat[rest], self.dec_idx[rows[rest]]) <= self.tol
        return fits

    def derived_country_flags(self, undeclared: np.ndarray, derived: np.ndarray) -> list[FlagSet]:
        """Country from the point; for a point just off the coast, the nearest country within the tolerance."""
        c = self.c
        rows = np.flatnonzero(undeclared)
        country = self.located[rows].copy()
        sea = np.flatnonzero(country < 0)
        if len(sea):
            _, owner = self.b.nearest_within_km(c.lon[rows[sea]], c.lat[rows[sea]], self.tol)
            country[sea] = owner
        got = country >= 0
        rows, country = rows[got], country[got]
        codes = self.b.codes[country]
        derived[rows] = codes
        return [FlagSet(d.COUNTRY_DERIVED_FROM_COORDINATES, "countryCode", rows, None,
                        {"country": self.name(country), "country_code": codes}, {"countryCode": codes})]

    def sea_flags(self, placed: np.ndarray) -> list[FlagSet]:
        c = self.c
        minx, miny, maxx, maxy = self.b.total_bounds
        within = (c.lon >= minx) & (c.lon <= maxx) & (c.lat >= miny) & (c.lat <= maxy)
        rows = np.flatnonzero(placed & (self.located < 0) & within)
        dist, _ = self.b.nearest_within_km(c.lon[rows], c.lat[rows], self.tol)
        rows = rows[np.isinf(dist)]
        return [FlagSet(d.COORDINATE_IN_SEA, LAT, rows, c.raw_lat[rows],
                        {"lat": c.lat[rows], "lon": c.lon[rows], "tolerance_km": np.full(len(rows), self.tol)})]

    def region_flags(self, placed: np.ndarray) -> list[FlagSet]:
        c, targets = self.c, self.b.targets
        if not len(targets):
            return []
        # On land in another country; points at sea get COORDINATE_IN_SEA instead, not both.
        rows = np.flatnonzero(placed & (self.located >= 0) & ~np.isin(self.located, targets))
        dist, _ = self.b.nearest_within_km(c.lon[rows], c.lat[rows], self.tol, targets)
        rows = rows[np.isinf(dist)]
        return [FlagSet(d.COORDINATE_OUTSIDE_REGION, LAT, rows, c.raw_lat[rows],
                        {"lat": c.lat[rows], "lon": c.lon[rows], "located": self.located_names(rows),
                         "tolerance_km": np.full(len(rows), self.tol)})]
