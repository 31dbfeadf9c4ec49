"""Review endpoints (JSON) and the review queue page (HTML, six languages). Thin: the rules live in
:mod:`occurrences.review`; every change is audited by the store."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from .. import review as R
from ..auth import User
from ..render import MEDIA_TYPES, feature
from ..store import Filters
from .auth import current_user, require_role
from .deps import get_store

router = APIRouter(tags=["review"])
pages = APIRouter(include_in_schema=False)
Reviewer = Annotated[User, Depends(require_role("reviewer"))]
Submitter = Annotated[User, Depends(require_role("submitter"))]


def _feature(record: dict):
    return JSONResponse(feature(record), media_type=MEDIA_TYPES["geojson"])


@router.post("/occurrences/{occurrence_id:segment}/accept", summary="Accept a record (optionally with corrections)")
def accept(occurrence_id: str, user: Reviewer, store=Depends(get_store),
           changes: Annotated[dict | None, Body(embed=True)] = None):
    return _feature(R.accept(store, occurrence_id, user, changes))


@router.post("/occurrences/{occurrence_id:segment}/reject", summary="Reject a record, with a reason")
def reject(occurrence_id: str, user: Reviewer, reason: Annotated[str, Body(embed=True)], store=Depends(get_store)):
    return _feature(R.reject(store, occurrence_id, user, reason))


@router.post("/occurrences/{occurrence_id:segment}/accept-suggestion",
             summary="Apply the suggested fix of a quality flag (e.g. swapped coordinates) and accept")
def accept_suggestion(occurrence_id: str, user: Reviewer, code: Annotated[str, Body(embed=True)],
                      store=Depends(get_store), suggestion: Annotated[dict | None, Body(embed=True)] = None):
    return _feature(R.accept_suggestion(store, occurrence_id, code, user, suggestion))


@router.patch("/occurrences/{occurrence_id:segment}", summary="Edit a record (reviewers; submitters: own pending records)")
def edit(occurrence_id: str, user: Submitter, changes: Annotated[dict, Body()], store=Depends(get_store)):
    return _feature(R.edit(store, occurrence_id, changes, user))


@router.post("/occurrences/{occurrence_id:segment}/sensitivity", summary="Make a record more sensitive")
def sensitivity(occurrence_id: str, user: Submitter, level: Annotated[str, Body(embed=True)],
                store=Depends(get_store)):
    return _feature(R.raise_sensitivity(store, occurrence_id, level, user))


@router.get("/occurrences/{occurrence_id:segment}/history", summary="Audit trail of a record (who, when, before, after)")
def history(occurrence_id: str, user: Annotated[User, Depends(current_user)], store=Depends(get_store)):
    entries = R.history(store, occurrence_id, user)
    return {"occurrenceID": occurrence_id,
            "entries": [{**e, "changed": R.changed_fields(e)} for e in entries]}


# -- the review queue page ---------------------------------------------------------------------------------
@pages.get("/review", response_class=HTMLResponse)
def queue_page(request: Request, store=Depends(get_store)):
    from ..web import render

    user = current_user(request)
    if user.anonymous:  # sign in first, then come back here in the same language
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        params = {"next": here, **({"lang": request.query_params["lang"]} if "lang" in request.query_params else {})}
        return RedirectResponse(f"/signin?{urlencode(params)}", status_code=303)
    R.require(user, "reviewer")
    page = R.queue(store, Filters(limit=100))
    items = [{"record": r, "suggestions": R.suggestions(r),
              "labels": {code: R.suggestion_label(r, code) for code in R.suggestions(r)}} for r in page.records]
    return render(request, "review.html", items=items, more=bool(page.next_cursor), user=user)


def _back(request: Request) -> RedirectResponse:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or ""
    return RedirectResponse("/review" + (f"?{urlencode({'lang': lang})}" if lang else ""), status_code=303)


@pages.post("/review/{occurrence_id:segment}/accept")
def accept_form(request: Request, occurrence_id: str, user: Reviewer, store=Depends(get_store)):
    R.accept(store, occurrence_id, user)
    return _back(request)


@pages.post("/review/{occurrence_id:segment}/reject")
def reject_form(request: Request, occurrence_id: str, user: Reviewer, reason: Annotated[str, Form()] = "",
                store=Depends(get_store)):
    R.reject(store, occurrence_id, user, reason)
    return _back(request)


@pages.post("/review/{occurrence_id:segment}/fix")
def fix_form(request: Request, occurrence_id: str, user: Reviewer, code: Annotated[str, Form()],
             store=Depends(get_store)):
    R.accept_suggestion(store, occurrence_id, code, user)
    return _back(request)
