"""Camera-trap survey pages: ``GET /surveys`` (the surveys and a map of their stations) and ``GET /surveys/{id}``
(deployments with camera-days and detections, and their map). Browsers get HTML, programs JSON (``?f=json``),
both from the same dicts (occurrences.camtrap.views) and the request's access: sensitive stations come
generalised, their media without links, exactly as the records are (occurrences.camtrap.store)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..api.auth import request_access
from ..api.deps import get_store
from ..camtrap.store import list_surveys
from ..camtrap.views import store_effort, survey_detail
from ..store import Store
from . import render, wants_html

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["camera traps"])  # documented in /docs, unlike the pages


@router.get("/surveys", response_class=HTMLResponse)
def surveys_page(request: Request, store: Annotated[Store, Depends(get_store)]):
    surveys = list_surveys(store, access=request_access(request))
    if not wants_html(request):
        return JSONResponse({"surveys": surveys})
    stations = [{"survey": s["id"], "lon": lon, "lat": lat} for s in surveys for lon, lat in s["stations"]]
    return render(request, "surveys.html", surveys=surveys, stations=stations)


@router.get("/surveys/{survey_id:segment}", response_class=HTMLResponse)
def survey_page(request: Request, survey_id: str, store: Annotated[Store, Depends(get_store)]):
    detail = survey_detail(store, survey_id, access=request_access(request))
    if not wants_html(request):
        return JSONResponse(detail)
    stations = [{"survey": d["deploymentID"], "lon": d["longitude"], "lat": d["latitude"]}
                for d in detail["deployments"] if d["latitude"] is not None and d["longitude"] is not None]
    return render(request, "survey.html", survey=detail, stations=stations)


@api_router.get("/effort",
            summary="Camera-trap detection rates: independent detections per 100 camera-days")
def effort(request: Request, store: Annotated[Store, Depends(get_store)],
           by: Annotated[Literal["deployment", "survey", "province", "country"], Query()] = "deployment",
           threshold: Annotated[float, Query(ge=0, le=10_000, description="minutes between independent "
                                                                           "detections")] = 30,
           species: Annotated[str | None, Query(description="one scientific name")] = None):
    """Per species and `by` group: `detections`, `cameraDays`, `ratePer100CameraDays`, `detected`. Rows with
    `detected: false` are non-detections, given only where a survey declares its taxonomic scope; they are not
    records. Stations of sensitive species are generalised as on every other route."""
    rows = store_effort(store, access=request_access(request), by=by, minutes=threshold, species=species)
    return JSONResponse({"by": by, "thresholdMinutes": threshold, "rates": rows})
