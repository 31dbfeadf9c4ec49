"""The API documentation page (Swagger UI at ``/docs``) whose script and style come from the installed PyPI package
``fastapi-offline`` (MIT; it bundles Swagger UI, Apache-2.0) under ``/static/docs/``, never from a CDN, so the docs
work offline like every other page.

FastAPI's own ``docs_url``/``redoc_url`` must be off (``create_app`` passes ``None``): they load from a CDN. There is
no ReDoc page: its bundle fetches a logo from the Redocly CDN, which no option turns off.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.staticfiles import StaticFiles

ASSETS = "/static/docs"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
# Swagger UI would otherwise send the spec to validator.swagger.io for its "valid" badge.
SWAGGER_PARAMETERS = {"validatorUrl": None}


def assets_dir() -> Path:
    """``fastapi_offline/static`` of the installed package, found without importing it (we only need files)."""
    spec = importlib.util.find_spec("fastapi_offline")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def add_docs(app: FastAPI) -> None:
    """Mount the Swagger UI files and add ``/docs`` (before the app's ``/static`` mount, which would hide them)."""
    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")
    app.include_router(_router(app))


def _router(app: FastAPI) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    def swagger_ui(request: Request):
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + app.openapi_url, title=app.title + " – API", oauth2_redirect_url=OAUTH2_REDIRECT,
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
            swagger_ui_parameters={**SWAGGER_PARAMETERS, **(app.swagger_ui_parameters or {})})

    @router.get(OAUTH2_REDIRECT)
    def swagger_ui_redirect():
        return get_swagger_ui_oauth2_redirect_html()

    return router
