"""parse_coordinates: latitude/longitude (or verbatimCoordinates) cells plus geodeticDatum → WGS84 arrays."""
from __future__ import annotations


import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import flags as _flags
from .coordinates import _HEMI_AXIS, _HEMI_KEYS, _HEMI_N, Parts, degrees, explain
from .datums import DATUM_NAMES, WGS84, datum_code, to_wgs84, utm_to_geographic
from .result import Issues, ParsedCoords, Problem
from .strings import clean, clean_codes, encode, to_arrow, unique_codes

LAT, LON, VERBATIM, DATUM = "decimalLatitude", "decimalLongitude", "verbatimCoordinates", "geodeticDatum"
SUSPICIOUS_SHIFT = 0.1  # degrees (GBIF COORDINATE_REPROJECTION_SUSPICIOUS)
UTM_ZONES = range(46, 50)
_ENGLISH_ONLY = np.array([k in ("e", "w", "s", "east", "west", "north", "south") for k in _HEMI_KEYS] + [False])
# Python's \s (str.isspace) as an RE2 class: RE2's own \s is ASCII only, and no-break spaces come with pasted text.
_WS = "[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_NOT_WS = "[^" + _WS[1:]
_UTM = (rf"(?i)^(?:utm{_WS}*)?(?P<zone>\d{{1,2}}){_WS}*(?P<band>[a-z])?{_WS}*[,;]?{_WS}*"
        rf"(?P<e>\d{{5,7}}(?:[.,]\d+)?){_WS}*(?:m{_WS}*)?(?:e\b)?{_WS}*[,;]?{_WS}*"
        rf"(?P<n>\d{{6,8}}(?:[.,]\d+)?){_WS}*(?:m{_WS}*)?(?:n\b)?$")
# A coordinate has at most 9 parts (hemisphere, sign, degrees, °, minutes, ', seconds, ", hemisphere), so a split
# after more whitespace runs than this cannot give two coordinates; the cap bounds the work on junk cells.
MAX_SPLITS = 32
_BANDS = "CDEFGHJKLMNPQRSTUVWX"
_BANDS_ARRAY = np.array(list(_BANDS))


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
    codes, uniques = clean_codes(datum_values)
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
    # A latitude beyond 90 (a longitude in the wrong column, kept for the swap check) has no place to convert:
    # PROJ would silently give NaN. It stays as given; the quality checks swap it or refuse it.
    placeable = present & (np.abs(lat) <= 90)
    for epsg in np.unique(datums[placeable & (datums > 0) & (datums != WGS84)]):
        rows = placeable & (datums == epsg)
        name = DATUM_NAMES[int(epsg)]
        x, y, ok = to_wgs84(lon[rows], lat[rows], int(epsg))
        if not ok:
            issues.append(Issues.where(rows, Problem.of("COORDINATE_REPROJECTION_FAILED", DATUM, datum=name)))
            continue
        moved = np.maximum(np.abs(x - lon[rows]), np.abs(y - lat[rows]))
        shift[rows], lon[rows], lat[rows] = moved, x, y
        reprojected[rows] = True
        far = np.flatnonzero(rows)[moved > SUSPICIOUS_SHIFT]
        issues.append(Issues(far, _objects([Problem.of("COORDINATE_REPROJECTION_SUSPICIOUS", DATUM, datum=name,
                                                       shift=f"{shift[row]:.3f}") for row in far.tolist()])))
    return lat, lon, Issues.merge(issues), assumed, reprojected, shift


def _objects(items: list) -> np.ndarray:
    out = np.empty(len(items), object)
    out[:] = items
    return out


def _verbatim(values, use: np.ndarray, datums: np.ndarray, lang: str):
    """verbatimCoordinates of the rows in ``use`` → (lat, lon, issues, rows), each distinct text read once."""
    codes, distinct = encode(values)
    cleaned = clean(distinct)
    readable = np.append(pc.is_valid(cleaned).to_numpy(zero_copy_only=False), False)  # code −1: empty cell
    rows = np.flatnonzero(use & readable[codes])
    if not len(rows):
        return np.empty(0), np.empty(0), Issues(), rows
    # UTM depends on the datum too, so the unit of work is the distinct (text, datum) pair.
    epsg = np.maximum(datums[rows], 0)
    epsg[epsg == 0] = WGS84  # empty or unknown datum: read as WGS84 (flagged by the datum step)
    keys, first, inverse = np.unique(codes[rows] * 1_000_000 + epsg, return_index=True, return_inverse=True)
    lat, lon, found = read_verbatims(pc.take(cleaned, pa.array(codes[rows][first])), epsg[first], lang)
    found = found.spread(inverse.ravel())
    return lat[inverse], lon[inverse], Issues(rows[found.rows], found.problems), rows


def read_verbatim(text: str, epsg: int = WGS84, lang: str = "en") -> tuple[float, float, list[Problem]]:
    """One verbatimCoordinates text (UTM or a lat/lon pair) → (lat, lon) in datum ``epsg``, problems."""
    cleaned = clean([text])
    if not pc.is_valid(cleaned)[0].as_py():
        return np.nan, np.nan, [Problem.of("VERBATIM_COORDINATES_INVALID", VERBATIM)]
    lat, lon, issues = read_verbatims(cleaned, np.array([epsg]), lang)
    return float(lat[0]), float(lon[0]), list(issues.problems)


def read_verbatims(texts, epsg: np.ndarray, lang: str = "en") -> tuple[np.ndarray, np.ndarray, Issues]:
    """Cleaned verbatimCoordinates texts (no nulls) → (lat, lon) in the datums ``epsg`` (per text), problems.

    UTM first; then the text is split into two coordinates, trying a lone ';', '/' or ',' and then each run of
    whitespace from the left, and the first split whose halves both have a coordinate's shape decides. Every
    step runs over all texts still unread at once (RE2 via Arrow, numpy, one PROJ call per zone and datum).
    """
    texts = to_arrow(texts)
    n = len(texts)
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    issues = []
    found = pc.extract_regex(texts, _UTM)
    utm = pc.is_valid(found).to_numpy(zero_copy_only=False)
    if utm.any():
        rows = np.flatnonzero(utm)
        lat[rows], lon[rows], utm_issues = _read_utm(pc.filter(found, pa.array(utm)), epsg[rows])
        issues.append(Issues(rows[utm_issues.rows], utm_issues.problems))
    pending = ~utm
    for first, second, rows in _splits(texts, pending):
        read, pair_lat, pair_lon, pair_issues = _read_pairs(first, second, lang)
        lat[rows[read]], lon[rows[read]] = pair_lat[read], pair_lon[read]
        issues.append(Issues(rows[pair_issues.rows], pair_issues.problems))
        pending[rows[read]] = False
    issues.append(Issues.where(pending, Problem.of("VERBATIM_COORDINATES_INVALID", VERBATIM)))
    return lat, lon, Issues.merge(issues)


def _read_utm(found: pa.StructArray, epsg: np.ndarray) -> tuple[np.ndarray, np.ndarray, Issues]:
    """Matched UTM parts → (lat, lon, problems), one PROJ call per (zone, hemisphere, datum)."""
    zone = pc.cast(found.field("zone"), pa.int64()).to_numpy(zero_copy_only=False)
    band = pc.utf8_upper(found.field("band")).to_numpy(zero_copy_only=False).astype("U1")
    band[band == ""] = "N"
    easting, northing = (_decimal(found.field(k)) for k in ("e", "n"))
    n = len(zone)
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    bad_zone = ~np.isin(zone, UTM_ZONES)
    bad_band = ~bad_zone & ~np.isin(band, list(_BANDS))
    ok = ~bad_zone & ~bad_band
    south = (band == "S") | (band < "N")  # "S" is the hemisphere letter (band S, 32–40°N, is outside the region)
    group = (zone * 2 + south) * 1_000_000 + epsg
    for key in np.unique(group[ok]):
        rows = ok & (group == key)
        i = np.flatnonzero(rows)[0]
        lon[rows], lat[rows] = utm_to_geographic(int(zone[i]), bool(south[i]), easting[rows], northing[rows],
                                                 int(epsg[i]))
    unreadable = ok & (~np.isfinite(lat) | ~np.isfinite(lon) | (np.abs(lat) > 84))
    ok &= ~unreadable
    known = np.where(ok, lat, 0.0)
    near = [_BANDS_ARRAY[np.clip(np.floor_divide(known + 80 + d, 8), 0, len(_BANDS) - 1).astype(np.int64)]
            for d in (-0.05, 0, 0.05)]  # a position within 0.05° of a band edge may carry either letter
    mismatch = ok & ~np.isin(band, ["N", "S"]) & (near[0] != band) & (near[1] != band) & (near[2] != band)
    problems = [Issues.where(bad_band | unreadable, Problem.of("UTM_INVALID", VERBATIM))]
    for z in np.unique(zone[bad_zone]):
        problems.append(Issues.where(bad_zone & (zone == z), Problem.of("UTM_ZONE_UNSUPPORTED", VERBATIM,
                                                                        zone=int(z))))
    rows = np.flatnonzero(mismatch)
    problems.append(Issues(rows, _objects([Problem.of("UTM_BAND_MISMATCH", VERBATIM, band=str(band[r]),
                                                      lat=f"{lat[r]:.4f}") for r in rows])))
    bad = ~ok | mismatch
    lat[bad], lon[bad] = np.nan, np.nan
    return lat, lon, Issues.merge(problems)


def _decimal(field: pa.Array) -> np.ndarray:
    return pc.cast(pc.replace_substring(field, ",", "."), pa.float64()).to_numpy(zero_copy_only=False)


def _splits(texts: pa.Array, pending: np.ndarray):
    """(first halves, second halves, rows) of the texts still ``pending`` (read between rounds), in the order
    they are tried: at a lone ';', '/' or ',' (halves stripped), then at each whitespace run from the left."""
    for sep in (";", "/", ","):
        rows = np.flatnonzero(pending & (_counts(pc.count_substring(texts, sep)) == 1))
        if len(rows):
            halves = pc.split_pattern(pc.take(texts, pa.array(rows)), sep)
            yield _strip(pc.list_element(halves, 0)), _strip(pc.list_element(halves, 1)), rows
    runs = _counts(pc.count_substring_regex(texts, _WS + "+"))
    for k in range(min(int(runs.max(initial=0)), MAX_SPLITS)):
        rows = np.flatnonzero(pending & (runs > k))
        if not len(rows):
            return
        found = pc.extract_regex(pc.take(texts, pa.array(rows)),
                                 rf"(?s)^(?P<a>{_NOT_WS}*(?:{_WS}+{_NOT_WS}+){{{k}}}){_WS}+(?P<b>.*)$")
        yield found.field("a"), found.field("b"), rows


def _counts(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(arr, 0).to_numpy(zero_copy_only=False)


def _strip(arr: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(arr, rf"^{_WS}+|{_WS}+$", "")


def _read_pairs(first: pa.Array, second: pa.Array, lang: str):
    """Candidate halves → (read: both have a coordinate's shape, lat, lon, problems of read rows).

    Letters decide the order (a longitude letter first, or a latitude letter second, means lon/lat);
    otherwise latitude comes first."""
    n = len(first)
    parts = Parts(clean(pa.concat_arrays([first.cast(pa.large_string()), second.cast(pa.large_string())])))
    one, two = parts.take(slice(0, n)), parts.take(slice(n, None))
    # A half with two hemisphere words ("N 99°45' E") took a word of the other coordinate: a later split reads it.
    read = one.matched & two.matched & ~one.two_hemispheres & ~two.two_hemispheres
    swapped = (_HEMI_AXIS[one.hemi] == "lon") | (_HEMI_AXIS[two.hemi] == "lat")
    lat_parts, lon_parts = one.pick(swapped, two), two.pick(swapped, one)
    vi = one.vietnamese_letters | two.vietnamese_letters
    english = _ENGLISH_ONLY[one.hemi] | _ENGLISH_ONLY[two.hemi]
    ambiguous = read & (lang == "vi") & (lat_parts.hemi == _HEMI_N) & ~vi & ~english
    lat, lat_issues = degrees(lat_parts, "lat", vi, VERBATIM)
    lon, lon_issues = degrees(lon_parts, "lon", vi, VERBATIM)
    found = Issues.merge([lat_issues, lon_issues])  # stable: a latitude problem is listed first
    keep = read[found.rows] & ~ambiguous[found.rows]
    issues = Issues.merge([Issues(found.rows[keep], found.problems[keep]),
                           Issues.where(ambiguous, Problem.of("COORDINATE_HEMISPHERE_AMBIGUOUS", VERBATIM))])
    good = read.copy()
    good[issues.rows] = False
    return read, np.where(good, lat, np.nan), np.where(good, lon, np.nan), issues
