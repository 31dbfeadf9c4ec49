"""Submitting records: ``POST /occurrences`` (JSON), the web form ``/submit`` and the upload page ``/upload``.

All three run the import pipeline (:mod:`occurrences.ingest`): the same parsers, checks and messages as a CSV
import. The web form works without JavaScript (a plain form post re-renders the page with the errors); with
``/static/submit.js`` it posts JSON to the API and shows the errors next to the fields without reloading.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse

from ..auth import User
from ..errors import ImportRejected, OccurrencesError
from ..flags import ERROR, Flag
from ..forms import Form, load_form
from ..forms.schema import submission_model
from ..i18n import N_, normalize_language, translate
from ..ingest import FileRejected, import_bytes, submit_record
from ..logs import log_event, log_import
from .auth import require_role
from .deps import get_store, request_language
from .lanes import run_long
from .paths import segment

router = APIRouter(tags=["submit"])
pages = APIRouter(include_in_schema=False)
Submission = submission_model()
submitter = require_role("submitter")
STATUS_FOR_SUBMITTERS = "pending"  # records from the field wait for a reviewer


def issue_dict(flag: Flag, lang: str, form: Form | None = None) -> dict:
    """A flag for people: the field's label in their language, and the message naming that label."""
    form = form or load_form()
    label = _label(form, flag.field, lang)
    params = {**flag.params, "field": label or flag.field, "value": flag.value}
    return {"field": flag.field, "label": label, "code": flag.code, "severity": flag.severity,
            "value": flag.value, "message": translate(lang, flag.type.template, **params)}


def _label(form: Form, term: str | None, lang: str) -> str | None:
    try:
        return form.field(term).label(lang) if term else None
    except KeyError:
        return None


def rejection_body(exc: ImportRejected, lang: str) -> dict:
    issues = [issue_dict(f, lang) for r in exc.report.rows for f in r.flags]
    return {"code": "invalid-submission", "status": 422,
            "message": translate(lang, N_("The record was not stored. Correct the fields marked and submit again.")),
            "issues": issues}


@router.post("/occurrences", status_code=201, summary="Submit one record (values as typed, any language)")
def post_occurrence(request: Request, submission: Annotated[Submission, Body()],  # type: ignore[valid-type]
                    user: Annotated[User, Depends(submitter)], store=Depends(get_store)):
    """Fields are the form's Darwin Core terms (see `occurrences form --json`); values as the user typed them
    (native digits, decimal commas, Buddhist Era dates, DMS...). 201: the stored record. 422: per-field issues
    in the submission's language (`lang`, else the request's language)."""
    lang = submission.lang or request_language(request)
    values = submission.model_dump(exclude={"lang"}, exclude_none=True)
    try:
        record = submit_record(store, values, lang=lang, submitted_by=user.name, access=user.access,
                               status=STATUS_FOR_SUBMITTERS)
    except OccurrencesError as exc:
        log_import(None, via="api", submitted_by=user.name, error=exc)
        if isinstance(exc, ImportRejected):
            return JSONResponse(rejection_body(exc, lang), status_code=422)
        raise
    log_event("import", via="api", source="", submitted_by=user.name, rows=1, stored=1,
              id=record.get("occurrenceID"))
    return JSONResponse(record, status_code=201,
                        headers={"Location": f"/occurrences/{segment(record['occurrenceID'])}"})


# -- pages ---------------------------------------------------------------------------------------------------
async def optional_submitter(request: Request) -> User | None:
    """Pages show the form to everyone; posting needs a submitter (the page then says to sign in)."""
    try:
        return await submitter(request)
    except OccurrencesError:
        return None


def _render_form(request: Request, lang: str, *, values=None, issues=(), record=None, status_code=200,
                 signed_in=True):
    from ..web import render

    form = load_form()
    by_field: dict[str, list[dict]] = {}
    general = []
    for issue in issues:
        (by_field.setdefault(issue["field"], []) if issue["field"] in form.terms else general).append(issue)
    return render(request, "submit.html", status_code=status_code, form=form.to_dict(lang),
                  values=values or {}, field_issues=by_field, general_issues=general, record=record,
                  signed_in=signed_in)


@pages.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request, user: Annotated[User | None, Depends(optional_submitter)]):
    return _render_form(request, request_language(request), signed_in=user is not None)


@pages.post("/submit", response_class=HTMLResponse)
async def submit_form(request: Request, user: Annotated[User | None, Depends(optional_submitter)],
                      store=Depends(get_store)):
    """The same submission as ``POST /occurrences``, from a plain HTML form (no JavaScript needed)."""
    form_data = await request.form()
    lang = normalize_language(str(form_data.get("lang", ""))) or request_language(request)
    values = {t: str(form_data.get(t, "")) for t in load_form().terms if str(form_data.get(t, "")).strip()}
    if user is None:
        return _render_form(request, lang, values=values, status_code=401, signed_in=False)
    try:
        record = submit_record(store, values, lang=lang, submitted_by=user.name, access=user.access,
                               status=STATUS_FOR_SUBMITTERS)
    except ImportRejected as exc:
        log_import(None, via="form", submitted_by=user.name, error=exc)
        return _render_form(request, lang, values=values, issues=rejection_body(exc, lang)["issues"],
                            status_code=422)
    log_event("import", via="form", source="", submitted_by=user.name, rows=1, stored=1,
              id=record.get("occurrenceID"))
    return _render_form(request, lang, record=record, status_code=201)


@pages.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, user: Annotated[User | None, Depends(optional_submitter)]):
    from ..web import render

    return render(request, "upload.html", result=None, signed_in=user is not None)


@pages.post("/upload", response_class=HTMLResponse)
async def upload(request: Request, file: UploadFile, user: Annotated[User | None, Depends(optional_submitter)],
                 store=Depends(get_store)):
    """A CSV or XLSX file → the per-row report as a table (all or nothing, like ``occurrences import``)."""
    from ..web import render

    lang = request_language(request)
    if user is None:
        return render(request, "upload.html", status_code=401, result=None, signed_in=False)
    form_data = await request.form()
    file_lang = normalize_language(str(form_data.get("file_lang", ""))) or None
    keep_valid = form_data.get("keep_valid") == "1"
    data = await file.read()
    name = file.filename or "upload"
    try:
        # In the long-work lane: a large file takes seconds to convert and store, and the event loop and the
        # request threads must keep answering other requests (and other uploads) meanwhile.
        result = await run_long(request, import_bytes, store, data, name, submitted_by=user.name, lang=file_lang,
                                access=user.access, status=STATUS_FOR_SUBMITTERS, keep_valid=keep_valid)
    except ImportRejected as exc:
        log_import(name, via="upload", submitted_by=user.name, error=exc)
        return render(request, "upload.html", status_code=422, signed_in=True,
                      result=_report_view(exc.report, lang, stored=False,
                                          message=exc.message(lang)))
    except FileRejected as exc:
        log_import(name, via="upload", submitted_by=user.name, error=exc)
        return render(request, "upload.html", status_code=exc.status, signed_in=True,
                      result={"name": name, "stored": False, "message": exc.message(lang), "rows": []})
    log_import(name, via="upload", submitted_by=user.name, result=result)
    message = translate(lang, N_("{stored} records stored from {name}; they wait for review."),
                        stored=result.stored, name=name)
    view = _report_view(result.report, lang, stored=True, message=message)
    if result.rejected:
        view["rejects"] = _rejects_link(result, name, lang)
    return render(request, "upload.html", status_code=201, signed_in=True, result=view)


def _rejects_link(result, name: str, lang: str) -> dict:
    """The rejected rows as a download in the page itself (a data: link): nothing kept on the server."""
    import base64
    from pathlib import PurePath

    kind = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    return {"message": translate(lang, N_("{rejected} rows were not stored. Download them with the reason for each, "
                                          "fix them and upload that file again."), rejected=result.rejected),
            "filename": f"{PurePath(name).stem}-rejects.{result.rejects_format}",
            "href": f"data:{kind[result.rejects_format]};base64,{base64.b64encode(result.rejects).decode()}"}


MAX_SHOWN_ROWS = 1000


def _report_view(report, lang: str, *, stored: bool, message: str) -> dict:
    """Rows with issues first (those are what the user must fix), then the others, at most MAX_SHOWN_ROWS."""
    rows = sorted(report.rows, key=lambda r: (not r.flags, r.row))[:MAX_SHOWN_ROWS]
    return {"name": report.source, "stored": stored, "message": message, "total": report.total,
            "language": report.language,
            "rows": [{"row": r.row, "status": r.status, "occurrenceID": r.occurrenceID,
                      "issues": [issue_dict(f, lang) for f in r.flags]} for r in rows],
            "errors": sum(f.severity == ERROR for r in report.rows for f in r.flags)}


__all__ = ["router", "pages", "issue_dict", "rejection_body"]


# -- the form definition and templates, for clients and for people downloading a template -------------------
STATUS_WORDS = (N_("stored"), N_("rejected"), N_("valid"), N_("skipped"), N_("conflict"))  # shown in reports
TEMPLATE_FILES = {"template.csv": ("csv", "text/csv; charset=utf-8"),
                  "template.xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                  "xlsform.xlsx": ("xlsform", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


@router.get("/forms/occurrence", summary="The submission form definition in one language")
def form_definition(request: Request):
    return load_form().to_dict(request_language(request))


@router.get("/forms/{filename}", summary="A blank template (CSV, XLSX) or the XLSForm for ODK/KoboToolbox")
def form_template(filename: str, request: Request):
    import tempfile
    from pathlib import Path

    from fastapi.responses import Response

    from ..errors import NotFound
    from ..forms.templates import write_template

    if filename not in TEMPLATE_FILES:
        raise NotFound(id=filename)
    fmt, media_type = TEMPLATE_FILES[filename]
    lang = request_language(request)
    with tempfile.TemporaryDirectory() as tmp:
        data = write_template(Path(tmp) / filename, fmt, lang).read_bytes()
    download = f"occurrences-{lang}-{filename}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{download}"'})
