"""Every error leaves the API in one body: ``{"code", "status", "message"}`` (+ ``report`` for imports),
with the message in the request's language. Unexpected errors are logged, never shown as tracebacks."""
from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import OccurrencesError
from ..i18n import N_, translate
from ..logs import log_event
from .deps import request_language


_HTTP_MESSAGES = {
    404: N_("Not found. See /docs for the available endpoints."),
    405: N_("This method is not allowed here. See /docs for the available endpoints."),
    413: N_("The request is too large."),
}


def error_response(request: Request, code: str, status: int, message: str, **extra):
    """The error as JSON, or as a page in the reader's language when a browser asks for HTML."""
    from ..web import error_page, wants_html  # the pages import the API's dependencies

    if wants_html(request):
        return error_page(request, status, code, message)
    return JSONResponse({"code": code, "status": status, "message": message, **extra}, status_code=status)


def add_exception_handlers(app: FastAPI) -> None:
    @app.exception_handler(OccurrencesError)
    async def _occurrences_error(request: Request, exc: OccurrencesError):
        body = exc.to_dict(request_language(request))
        return error_response(request, body.pop("code"), body.pop("status"), body.pop("message"), **body)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        lang = request_language(request)
        problems = [{"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "problem": e.get("msg", "")}
                    for e in exc.errors()]
        message = translate(lang, N_("The request is not valid: {problems}"),
                            problems="; ".join(f"{p['field']}: {p['problem']}" for p in problems))
        return error_response(request, "invalid-request", 400, message, problems=problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        lang = request_language(request)
        template = _HTTP_MESSAGES.get(exc.status_code)
        message = translate(lang, template) if template else str(exc.detail)
        return error_response(request, f"http-{exc.status_code}", exc.status_code, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # The type and where it happened, not the message: messages can quote submitted values (coordinates).
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        log_event("error.unexpected", logging.ERROR, method=request.method, path=request.url.path,
                  error=type(exc).__name__, where=f"{frame.filename}:{frame.lineno}" if frame else "")
        lang = request_language(request)
        return error_response(request, "internal-error", 500,
                              translate(lang, N_("Something went wrong on the server. It has been logged.")))
