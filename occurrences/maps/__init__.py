"""Maps per species: offline base map, vector/density tiles, static maps, and Red List range figures.

Public entry points::

    range_for(store, filters) -> RangeFigures          # EOO/AOO of the usable records (maps.range)
    range_figures(lon, lat) -> RangeFigures            # the same for coordinate arrays
    map_for(store, filters, title=, lang=, fmt=) -> bytes   # PNG/SVG (maps.static)
    tile_mvt(store, filters, z, x, y) -> bytes         # Mapbox Vector Tile (maps.tiles)
    boundaries_geojson() -> bytes                      # simplified region boundaries (maps.basemap)
    species_info(store, name, access) -> SpeciesInfo   # names, IUCN category (maps.species)
"""
from .basemap import boundaries_geojson, country_boundaries
from .range import RangeFigures, range_figures, range_for
from .species import SpeciesInfo, UnknownSpecies, species_info, species_list
from .static import map_for, render_map
from .tiles import tile_mvt

__all__ = ["boundaries_geojson", "country_boundaries", "RangeFigures", "range_figures", "range_for", "SpeciesInfo",
           "UnknownSpecies", "species_info", "species_list", "map_for", "render_map", "tile_mvt"]
