"""Server-rendered HTML pages in the six languages (Jinja2 + gettext), no CDN: every asset is served by us.

Pages are added as routers by feature (search, submit, review, species); they all render through
:func:`render` so the language switcher, escaping and translations work the same everywhere.
"""
from __future__ import annotations

from pathlib import Path

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..dwc_terms import decode
from ..i18n import LANGUAGE_NAMES, LANGUAGES, N_, gettext, translate, translations
from ..api.deps import get_store, request_filters, request_language
from ..api.paths import segment
from ..store import Store
from .labels import HIDDEN_FIELDS, Values

HERE = Path(__file__).parent
_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                   extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
_env.filters["segment"] = segment  # identifiers in links: one path segment each, "/" and "?" encoded
_env.install_gettext_callables(gettext=lambda s: s, ngettext=lambda s, p, n: s if n == 1 else p, newstyle=True)
_env.filters["extra_terms"] = lambda text: list(decode(text).items())  # the record's other Darwin Core terms
_env.filters["map_stations"] = lambda stations: [  # camera stations as survey-map.js draws them
    {"survey": s["surveyID"], "lon": s["longitude"], "lat": s["latitude"], "rate": s["ratePer100CameraDays"] or 0,
     "detected": s["detected"]} for s in stations if s["latitude"] is not None and s["longitude"] is not None]


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """Render ``template`` in the request's language (``?lang=``, cookie, Accept-Language)."""
    lang = request_language(request)
    t = translations(lang)
    env = _env.overlay()
    env.install_gettext_translations(t, newstyle=True)
    html = env.get_template(template).render(
        request=request, lang=lang, languages=LANGUAGES, language_names=LANGUAGE_NAMES,
        lang_url=lambda code: str(request.url.include_query_params(lang=code)),
        tr=lambda msg, **kw: translate(lang, msg, **kw), v=Values(lang), hidden_fields=HIDDEN_FIELDS, **context)
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") == lang:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def wants_html(request: Request) -> bool:
    """Browsers get HTML, programs JSON: ``?f=html``/``?f=json`` decide, else whether the Accept header names
    text/html (browsers do; fetch(), curl and API clients send */* or application/json)."""
    f = request.query_params.get("f")
    if f in ("html", "json"):
        return f == "html"
    return "text/html" in request.headers.get("accept", "")


ERROR_HEADINGS = {400: N_("The request cannot be answered"), 401: N_("Please sign in"),
                  403: N_("Not allowed"), 404: N_("Not found"), 413: N_("Too large"),
                  500: N_("Something went wrong")}


def error_page(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    """The error as a page in the reader's language, with ways back into the site."""
    heading = ERROR_HEADINGS.get(status) or ERROR_HEADINGS[500 if status >= 500 else 400]
    return render(request, "error.html", status_code=status, code=code, message=message,
                  heading=gettext(request_language(request), heading))


def mount_static(app) -> None:
    from ..fonts import FONT_DIR

    # The shipped Noto fonts (and their fonts.css, OFL.txt) under /static/fonts/; mounted first so it wins.
    app.mount("/static/fonts", StaticFiles(directory=FONT_DIR), name="fonts")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: Annotated[Store, Depends(get_store)]):
    """What the database holds, as this reader may see it: counts per country and species, the date range."""
    filters = request_filters(request, params={})
    facets = store.facets(filters, ["countryCode", "scientificName"], limit=200)
    first, last = (store.extents(filters).get(None) or {}).get("interval") or (None, None)
    v = Values(request_language(request))
    dated = translate(v.lang, N_("Dated from {first} to {last}"), first=v.date(first), last=v.date(last)) if first else ""
    return render(request, "home.html", total=store.count(filters), by_country=facets["countryCode"],
                  by_species=facets["scientificName"], dated=dated)


__all__ = ["render", "mount_static", "router", "gettext", "wants_html", "error_page"]
