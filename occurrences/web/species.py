"""Species pages: the checklist (``GET /species``) and one page per species (``GET /species/{name}``) with its
names in six languages, IUCN category, record counts per country and year, the offline interactive map, the
Red List range figures and export links. Data come through the store with the request's access."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..api.auth import request_access
from ..api.deps import get_store, request_language
from ..camtrap.views import species_effort
from ..api.species import map_filters, map_title, species_filters
from ..i18n import LANGUAGES
from ..maps import range_for, species_list
from ..maps.species import checklist
from ..provenance import concept_text, species_facts
from ..store import Store
from . import render, wants_html
from .labels import species_name
from .mapview import map_context
from .search import country_names, download_links

router = APIRouter(include_in_schema=False)


@router.get("/species", response_class=HTMLResponse)
@router.get("/species.html", response_class=HTMLResponse)
def species_index(request: Request, store: Annotated[Store, Depends(get_store)]):
    """The checklist with names in the request's language: HTML for browsers (or ``?f=html``), JSON otherwise
    (``?f=json``; the shape of ``taxa.Checklist.species``)."""
    lang = request_language(request)
    entries = species_list(store, map_filters(request).access)
    if not _wants_html(request):
        taxa = checklist()
        body = taxa.species(lang) if taxa else [{"scientificName": e.scientific_name, "vernacularName": e.name_in(lang),
                                                 "iucnCategory": e.iucn_category} for e in entries]
        return JSONResponse(body)
    return render(request, "species_list.html", entries=entries)


def _wants_html(request: Request) -> bool:
    if request.url.path.endswith(".html"):
        return request.query_params.get("f") in (None, "html")
    return wants_html(request)


@router.get("/species/{name:segment}", response_class=HTMLResponse)
def species_page(request: Request, name: str, store: Annotated[Store, Depends(get_store)]):
    lang = request_language(request)
    filters, info = species_filters(request, name, store)
    facets = store.facets(filters, ["countryCode", "year", "issue"], limit=500)
    query = {"scientificName": info.scientific_name}
    return render(
        request, "species.html", info=info, title=map_title(info, lang), languages_all=LANGUAGES,
        countries=country_names(lang), count=store.count(filters),
        by_country=facets["countryCode"], by_year=sorted(facets["year"]), flag_codes=[c for c, _ in facets["issue"]],
        figures=range_for(store, filters), exports=download_links(urlencode(query)),
        fallback=species_name(info.scientific_name, lang).fallback, **map_context(lang, urlencode(query)),
        camera=species_effort(store, info.scientific_name, access=request_access(request)),
        **_provenance(info.scientific_name, lang))


ADD_NAMES_COMMAND = "occurrences species add-names FILE"


def _provenance(scientific_name: str, lang: str) -> dict:
    """The checklist's facts with their sources, MDD's English names and the concept note; empty for a species
    known only from the records (nothing to cite)."""
    taxa = checklist()
    taxon = taxa.taxa.get(scientific_name) if taxa else None
    if taxon is None:
        return {"facts": [], "mdd_english": [], "concept": "", "add_names_command": ADD_NAMES_COMMAND}
    return {"facts": species_facts(taxon, lang), "mdd_english": list(taxon.mdd_english),
            "concept": concept_text(taxon, lang), "add_names_command": ADD_NAMES_COMMAND}


__all__ = ["router"]
