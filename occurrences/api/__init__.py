"""The web API: ``create_app(settings)`` builds a FastAPI app over one store."""
from __future__ import annotations

from contextlib import asynccontextmanager

import anyio

from fastapi import FastAPI

from . import paths  # first: registers the {name:segment} path convertor the routers below use

from .. import __version__
from ..settings import Settings
from ..store import open_store
from .auth import pages as auth_pages, router as auth_router
from .docs import add_docs
from .errors import add_exception_handlers
from .exports import router as exports_router
from .review import pages as review_pages, router as review_router
from .security import SecurityMiddleware
from .occurrences import router as occurrences_router
from .ogc import router as ogc_router
from .species import router as maps_router
from .submit import pages as submit_pages, router as submit_router
from .system import router as system_router
from ..web import mount_static, router as web_router
from ..web.search import router as search_router
from ..web.species import router as species_router
from ..web.surveys import api_router as effort_router, router as surveys_router


def request_threads(settings: Settings, store) -> int:
    """Sync endpoints a server process runs at once: ``settings.threads``, else the store's own default."""
    return settings.threads or store.request_threads


def create_app(settings: Settings | None = None, store=None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Sync endpoints run in anyio's default thread pool: size it (see Settings.threads).
        anyio.to_thread.current_default_thread_limiter().total_tokens = request_threads(settings, app.state.store)
        yield
        app.state.store.close()

    # docs_url/redoc_url off: FastAPI's pages load Swagger UI from a CDN; add_docs serves installed copies.
    app = FastAPI(title="occurrences", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Small-carnivore occurrence records of mainland Southeast Asia (Darwin Core).")
    app.state.settings = settings
    app.state.store = store or open_store(settings.db)
    add_exception_handlers(app)
    # Body-size limit, who is asking (Bearer token or session cookie) and the CSRF cookie, for every route.
    app.add_middleware(SecurityMiddleware, max_body_bytes=settings.max_upload_bytes)
    app.add_middleware(paths.EncodedSlashes)  # outermost: an ID's encoded "/" stays in its path segment
    app.include_router(auth_router)
    app.include_router(review_router)
    app.include_router(system_router)
    app.include_router(submit_router)
    app.include_router(occurrences_router)
    app.include_router(ogc_router)  # before the exports: routes are tried in order, and items pages are hot
    app.include_router(exports_router)
    add_docs(app)
    mount_static(app)
    app.include_router(web_router)
    app.include_router(search_router)
    app.include_router(maps_router)
    app.include_router(species_router)
    app.include_router(surveys_router)
    app.include_router(effort_router)
    app.include_router(auth_pages)
    app.include_router(review_pages)
    app.include_router(submit_pages)
    return app
