"""parse_coordinates: latitude/longitude (or verbatimCoordinates) cells plus geodeticDatum → WGS84 arrays."""
from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import flags as _flags
from .coordinates import _HEMI_AXIS, _HEMI_KEYS, _HEMI_N, Parts, degrees, explain
from .datums import DATUM_NAMES, WGS84, datum_code, to_wgs84, utm_to_geographic
from .result import Issues, ParsedCoords, Problem
from .strings import clean, unique_codes

LAT, LON, VERBATIM, DATUM = "decimalLatitude", "decimalLongitude", "verbatimCoordinates", "geodeticDatum"
SUSPICIOUS_SHIFT = 0.1  # degrees (GBIF COORDINATE_REPROJECTION_SUSPICIOUS)
UTM_ZONES = range(46, 50)
_ENGLISH_ONLY = np.array([k in ("e", "w", "s", "east", "west", "north", "south") for k in _HEMI_KEYS] + [False])
_UTM = re.compile(r"(?i)^(?:utm\s*)?(?P<zone>\d{1,2})\s*(?P<band>[a-z])?\s*[,;]?\s*(?P<e>\d{5,7}(?:[.,]\d+)?)"
                  r"\s*(?:m\s*)?(?:e\b)?\s*[,;]?\s*(?P<n>\d{6,8}(?:[.,]\d+)?)\s*(?:m\s*)?(?:n\b)?$")
_BANDS = "CDEFGHJKLMNPQRSTUVWX"


def parse_coordinates(lat_values, lon_values, verbatim_values=None, datum_values=None,
                      lang: str = "en") -> ParsedCoords:
    """Rows of (lat, lon, verbatimCoordinates, geodeticDatum) cells → WGS84 lat/lon arrays with problems.

    Decimal fields win; verbatimCoordinates (pairs or UTM) is read only where both are empty. The original
    cells are not modified: the caller keeps them (verbatim fields). ``lang`` decides what a lone "N" means.
    """
    lat_arr, lon_arr = clean(lat_values, nfc=False), clean(lon_values, nfc=False)
    n = len(lat_arr)
    lat_parts, lon_parts = Parts(lat_arr), Parts(lon_arr)
    n_is_nam, ambiguous = _vietnamese_n(lat_parts, lon_parts, lang)
    lat, lat_issues = degrees(lat_parts, "lat", n_is_nam, LAT)
    lon, lon_issues = degrees(lon_parts, "lon", n_is_nam, LON)
    issues = [lat_issues, lon_issues, _unmatched(lat_arr, lat_parts, LAT), _unmatched(lon_arr, lon_parts, LON),
              Issues.where(ambiguous, Problem.of("COORDINATE_HEMISPHERE_AMBIGUOUS", LAT))]
    lat[ambiguous] = np.nan
    has_lat = pc.is_valid(lat_arr).to_numpy(zero_copy_only=False)
    has_lon = pc.is_valid(lon_arr).to_numpy(zero_copy_only=False)
    issues.append(Issues.where(has_lat & ~has_lon, Problem.of("COORDINATE_INCOMPLETE", LON)))
    issues.append(Issues.where(has_lon & ~has_lat, Problem.of("COORDINATE_INCOMPLETE", LAT)))
    source = np.where(has_lat & has_lon, "decimal", "").astype(object)
    # Each coordinate must be readable on its own, but one bad half voids the pair.
    void = np.isnan(lat) | np.isnan(lon)
    lat[void], lon[void] = np.nan, np.nan

    datums = _datum_codes(datum_values, n)
    if verbatim_values is not None:
        use = ~has_lat & ~has_lon
        v_lat, v_lon, v_issues, v_rows = _verbatim(verbatim_values, use, datums, lang)
        lat[v_rows], lon[v_rows] = v_lat, v_lon
        source[v_rows[~np.isnan(v_lat)]] = "verbatim"
        issues.append(v_issues)
    empty = source == ""
    empty &= ~(has_lat | has_lon)
    lat, lon, datum_issues, assumed, reprojected, shift = _apply_datums(lat, lon, datums, datum_values)
    issues.append(datum_issues)
    return ParsedCoords(lat, lon, Issues.merge(issues), empty, source, assumed, reprojected, shift)


def _vietnamese_n(lat_parts: Parts, lon_parts: Parts, lang: str):
    """Per row: does N mean Nam (south)? And is a lone N ambiguous (Vietnamese form, no other clue)?"""
    vi_letters = lat_parts.vietnamese_letters | lon_parts.vietnamese_letters
    english = _ENGLISH_ONLY[lat_parts.hemi] | _ENGLISH_ONLY[lon_parts.hemi]
    lone_n = lat_parts.hemi == _HEMI_N
    ambiguous = lone_n & ~vi_letters & ~english & (lang == "vi")
    return vi_letters, ambiguous


def _unmatched(arr: pa.Array, parts: Parts, field: str) -> Issues:
    unmatched = ~parts.matched & pc.is_valid(arr).to_numpy(zero_copy_only=False)
    if not unmatched.any():
        return Issues()
    codes, uniques = unique_codes(pc.filter(arr, pa.array(unmatched)))
    found = Issues.from_unique(codes, [(explain(u, field),) for u in uniques])
    return Issues(np.flatnonzero(unmatched)[found.rows], found.problems)


def _datum_codes(datum_values, n: int) -> np.ndarray:
    """Per row: EPSG code, 0 for empty (WGS84 assumed), -1 for unknown."""
    if datum_values is None:
        return np.zeros(n, np.int64)
    codes, uniques = unique_codes(clean(datum_values))
    table = np.array([-1 if (c := datum_code(u)) is None else c for u in uniques] + [0], np.int64)
    return table[codes]


def _apply_datums(lat, lon, datums, datum_values):
    n = len(lat)
    present = ~np.isnan(lat)
    assumed = present & (datums == 0)
    reprojected = np.zeros(n, bool)
    shift = np.zeros(n)
    issues = []
    unknown = present & (datums < 0)
    if unknown.any():
        issues.append(Issues.where(unknown, Problem.of("GEODETIC_DATUM_INVALID", DATUM,
                                                       known=_flags.KNOWN_DATUMS_TEXT)))
    for epsg in np.unique(datums[present & (datums > 0) & (datums != WGS84)]):
        rows = present & (datums == epsg)
        name = DATUM_NAMES[int(epsg)]
        x, y, ok = to_wgs84(lon[rows], lat[rows], int(epsg))
        if not ok:
            issues.append(Issues.where(rows, Problem.of("COORDINATE_REPROJECTION_FAILED", DATUM, datum=name)))
            continue
        moved = np.maximum(np.abs(x - lon[rows]), np.abs(y - lat[rows]))
        shift[rows], lon[rows], lat[rows] = moved, x, y
        reprojected[rows] = True
        far = np.zeros(n, bool)
        far[np.flatnonzero(rows)[moved > SUSPICIOUS_SHIFT]] = True
        for row in np.flatnonzero(far):
            issues.append(Issues(np.array([row]), _one(Problem.of(
                "COORDINATE_REPROJECTION_SUSPICIOUS", DATUM, datum=name, shift=f"{shift[row]:.3f}"))))
    return lat, lon, Issues.merge(issues), assumed, reprojected, shift


def _one(problem: Problem) -> np.ndarray:
    out = np.empty(1, object)
    out[0] = problem
    return out


def _verbatim(values, use: np.ndarray, datums: np.ndarray, lang: str):
    """verbatimCoordinates of the rows in ``use`` → (lat, lon, issues, rows), each unique text read once."""
    arr = clean(values)
    rows = np.flatnonzero(use & pc.is_valid(arr).to_numpy(zero_copy_only=False))
    if not len(rows):
        return np.empty(0), np.empty(0), Issues(), rows
    # UTM depends on the datum too, so the unit of work is the (text, datum) pair.
    texts = pc.take(arr, pa.array(rows)).to_pylist()
    keys = list(zip(texts, datums[rows].tolist()))
    uniques = list(dict.fromkeys(keys))
    index = {k: i for i, k in enumerate(uniques)}
    codes = np.array([index[k] for k in keys], np.int64)
    results = [read_verbatim(text, max(epsg, 0) or WGS84, lang) for text, epsg in uniques]
    lat = np.array([r[0] for r in results], float)[codes]
    lon = np.array([r[1] for r in results], float)[codes]
    found = Issues.from_unique(codes, [tuple(r[2]) for r in results])
    return lat, lon, Issues(rows[found.rows], found.problems), rows


def read_verbatim(text: str, epsg: int = WGS84, lang: str = "en") -> tuple[float, float, list[Problem]]:
    """One verbatimCoordinates text (UTM or a lat/lon pair) → (lat, lon) in datum ``epsg``, problems."""
    m = _UTM.match(text)
    if m:
        return _read_utm(m, text, epsg)
    for a, b in _splits(text):
        pair = _read_pair(a, b, lang)
        if pair is not None:
            return pair
    return np.nan, np.nan, [Problem.of("VERBATIM_COORDINATES_INVALID", VERBATIM)]


def _read_utm(m: re.Match, text: str, epsg: int):
    zone, band = int(m["zone"]), (m["band"] or "N").upper()
    if zone not in UTM_ZONES:
        return np.nan, np.nan, [Problem.of("UTM_ZONE_UNSUPPORTED", VERBATIM, zone=zone)]
    if band not in _BANDS:
        return np.nan, np.nan, [Problem.of("UTM_INVALID", VERBATIM)]
    south = band == "S" or band < "N"  # "S" is the hemisphere letter (band S, 32–40°N, is outside the region)
    easting, northing = (float(m[k].replace(",", ".")) for k in ("e", "n"))
    lon, lat = utm_to_geographic(zone, south, easting, northing, epsg)
    if not (np.isfinite(lat) and np.isfinite(lon)) or abs(lat) > 84:
        return np.nan, np.nan, [Problem.of("UTM_INVALID", VERBATIM)]
    if band not in "NS" and not any(_band_of(lat + d) == band for d in (-0.05, 0, 0.05)):
        return np.nan, np.nan, [Problem.of("UTM_BAND_MISMATCH", VERBATIM, band=band, lat=f"{lat:.4f}")]
    return lat, lon, []


def _band_of(lat: float) -> str:
    return _BANDS[min(max(int((lat + 80) // 8), 0), len(_BANDS) - 1)]


def _splits(text: str):
    for sep in (";", "/", ","):
        if text.count(sep) == 1:
            yield tuple(part.strip() for part in text.split(sep))
    for m in re.finditer(r"\s+", text):
        yield text[: m.start()], text[m.end():]


def _read_pair(a: str, b: str, lang: str):
    arr = clean([a, b])
    parts = Parts(arr)
    if not parts.matched.all():
        return None
    axes = _HEMI_AXIS[parts.hemi]
    first, second = (1, 0) if axes[0] == "lon" or axes[1] == "lat" else (0, 1)
    vi = bool(parts.vietnamese_letters.any())
    english = bool(_ENGLISH_ONLY[parts.hemi].any())
    if lang == "vi" and parts.hemi[first] == _HEMI_N and not vi and not english:
        return np.nan, np.nan, [Problem.of("COORDINATE_HEMISPHERE_AMBIGUOUS", VERBATIM)]
    n_is_nam = np.full(2, vi)
    lat, lat_issues = degrees(parts, "lat", n_is_nam, VERBATIM)
    lon, lon_issues = degrees(parts, "lon", n_is_nam, VERBATIM)
    problems = [p for r, p in lat_issues if r == first] + [p for r, p in lon_issues if r == second]
    if problems:
        return np.nan, np.nan, problems
    return float(lat[first]), float(lon[second]), []
