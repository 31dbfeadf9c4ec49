"""Server-rendered HTML pages in the six languages (Jinja2 + gettext), no CDN: every asset is served by us.

Pages are added as routers by feature (search, submit, review, species); they all render through
:func:`render` so the language switcher, escaping and translations work the same everywhere.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..dwc_terms import decode
from ..i18n import LANGUAGE_NAMES, LANGUAGES, gettext, translate, translations
from ..api.deps import request_language

HERE = Path(__file__).parent
_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                   extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
_env.install_gettext_callables(gettext=lambda s: s, ngettext=lambda s, p, n: s if n == 1 else p, newstyle=True)
_env.filters["extra_terms"] = lambda text: list(decode(text).items())  # the record's other Darwin Core terms


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """Render ``template`` in the request's language (``?lang=``, cookie, Accept-Language)."""
    lang = request_language(request)
    t = translations(lang)
    env = _env.overlay()
    env.install_gettext_translations(t, newstyle=True)
    html = env.get_template(template).render(
        request=request, lang=lang, languages=LANGUAGES, language_names=LANGUAGE_NAMES,
        lang_url=lambda code: str(request.url.include_query_params(lang=code)),
        tr=lambda msg, **kw: translate(lang, msg, **kw), **context)
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") == lang:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def mount_static(app) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    return render(request, "home.html")


__all__ = ["render", "mount_static", "router", "gettext"]
