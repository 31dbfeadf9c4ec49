"""Camera-trap survey pages: ``GET /surveys`` (the surveys and a map of their stations) and ``GET /surveys/{id}``
(deployments with camera-days and detections, and their map). Browsers get HTML, programs JSON (``?f=json``),
both from the same dicts (occurrences.camtrap.views) and the request's access: sensitive stations come
generalised, their media without links, exactly as the records are (occurrences.camtrap.store)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..api.auth import request_access
from ..api.deps import get_store
from ..camtrap.store import list_surveys
from ..camtrap.views import survey_detail
from ..store import Store
from . import render, wants_html

router = APIRouter(include_in_schema=False)


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
