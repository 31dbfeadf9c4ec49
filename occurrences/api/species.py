"""Maps over HTTP: vector tiles, boundaries for the offline base map, static species maps, range figures, and
the map library's own files (served from the installed ``maplibre`` package, never a CDN).

Every record read goes through the store with the request's Filters, so access rules and the generalised
coordinates of sensitive species apply to tiles, images and range figures alike.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from ..errors import InvalidParameter
from ..i18n import N_
from ..maps import basemap, range as ranges, static, tiles
from ..maps.species import species_info
from ..store import Filters, Store
from .deps import NON_FILTER_PARAMS, get_store, query_lists, request_filters, request_language

router = APIRouter(tags=["maps"])
MAP_PARAMS = ("colour", "mode")
CACHE_ASSET = {"Cache-Control": "public, max-age=86400"}
VENDOR_FILES = {"maplibre-gl.js": "application/javascript", "maplibre-gl.css": "text/css"}


def map_filters(request: Request) -> Filters:
    """The request's filters (names resolved, access from the user), tolerating the map's own options."""
    return request_filters(request, extra_allow=MAP_PARAMS)


def species_filters(request: Request, name: str, store: Store) -> tuple[Filters, object]:
    filters = map_filters(request)
    info = species_info(store, name, filters.access)
    return filters.replace(scientificName=[info.scientific_name]), info


@router.get("/tiles/{z}/{x}/{y}.mvt", summary="Occurrence vector tile (density grid or points)",
            response_class=Response)
def tile(z: int, x: int, y: int, filters: Annotated[Filters, Depends(map_filters)],
         store: Annotated[Store, Depends(get_store)]):
    """Mapbox Vector Tile with layer `grid` (cells with `count`, `min_year`, `max_year`) where the tile holds
    many records, or layer `points` (`id`, `basis`, `year`) where few. Takes the same filters as /occurrences."""
    body = tiles.tile_mvt(store, filters, z, x, y)
    return Response(body, media_type="application/vnd.mapbox-vector-tile")


@router.get("/maps/boundaries.geojson", summary="Country boundaries of the region (offline base map)")
def boundaries():
    return Response(basemap.boundaries_geojson(), media_type="application/geo+json", headers=CACHE_ASSET)


@router.get("/maps/countries.geojson", summary="Country names and label points in the request's language")
def country_labels(request: Request):
    """One point per country of the base map with its name (`name`) in the request's language (`?lang=`);
    the collection's `bbox` is the extent the base map covers."""
    body = basemap.country_labels_geojson(request_language(request))
    return Response(body, media_type="application/geo+json",
                    headers={**CACHE_ASSET, "Vary": "Accept-Language, Cookie"})


@router.get("/maps/provinces.geojson", summary="Province borders of the five countries (offline base map)")
def provinces(date: Annotated[str | None, Query(description=(
        "The records' last date (YYYY, YYYY-MM or YYYY-MM-DD): before 2025-07-01 Viet Nam is drawn with its 63 "
        "former provinces, from then (and by default) with the 34 current ones."))] = None):
    """Borders between provinces, one MultiLineString per country; an empty collection (not cached) until
    ``occurrences geodata build`` has built the provinces."""
    built = basemap.province_file() is not None
    return Response(basemap.provinces_geojson(vn_set=_vn_set(date)), media_type="application/geo+json",
                    headers=CACHE_ASSET if built else {"Cache-Control": "no-cache"})


def _vn_set(when: str | None) -> str:
    from ..errors import InvalidValue
    from ..quality.vn_provinces import set_for_dates
    from ..records import date_bounds

    if not when:
        return set_for_dates([])
    try:
        return set_for_dates([date_bounds(when.strip())[1]])
    except InvalidValue:
        raise InvalidParameter(name="date", value=when, reason=N_("use a date YYYY-MM-DD")) from None


@router.get("/vendor/{filename}", include_in_schema=False)
def vendor(filename: str):
    """MapLibre GL JS from the installed PyPI package ``maplibre`` (BSD-3-Clause), so pages need no CDN."""
    if filename not in VENDOR_FILES:
        raise InvalidParameter(name="filename", value=filename, reason=N_("use maplibre-gl.js or maplibre-gl.css"))
    body = (vendor_dir() / filename).read_bytes()
    return Response(body, media_type=VENDOR_FILES[filename], headers=CACHE_ASSET)


def vendor_dir() -> Path:
    """``maplibre/srcjs`` of the installed package, found without importing it (its import pulls in widgets)."""
    spec = importlib.util.find_spec("maplibre")
    return Path(next(iter(spec.submodule_search_locations))) / "srcjs"


@router.get("/species/{name:segment}/range", summary="EOO, AOO and IUCN criterion B thresholds")
def species_range(request: Request, name: str, store: Annotated[Store, Depends(get_store)]):
    """Extent of occurrence and area of occupancy of the records matching the filters (e.g. `countryCode`,
    `eventDate`) that carry no geospatial issue. See `method` in the answer for how they are computed."""
    filters, info = species_filters(request, name, store)
    figures = ranges.range_for(store, filters)
    return JSONResponse({"scientificName": info.scientific_name, **figures.to_dict()})


@router.get("/species/{name:segment}/map.{fmt}", summary="Static map (PNG or SVG)", response_class=Response)
def species_map(request: Request, name: str, fmt: Literal["png", "svg"],
                store: Annotated[Store, Depends(get_store)],
                colour: Annotated[Literal["basisOfRecord", "age"], Query()] = "basisOfRecord",
                mode: Annotated[Literal["auto", "points", "grid"], Query()] = "auto"):
    lang = request_language(request)
    filters, info = species_filters(request, name, store)
    image = static.map_for(store, filters, title=map_title(info, lang), lang=lang, fmt=fmt, colour_by=colour,
                           mode=mode)
    return Response(image, media_type=static.FORMATS[fmt])


def map_title(info, lang: str) -> str:
    vernacular = info.name_in(lang)
    return info.scientific_name if vernacular == info.scientific_name else f"{vernacular} ({info.scientific_name})"


__all__ = ["router", "map_title", "map_filters", "species_filters", "NON_FILTER_PARAMS", "query_lists"]
