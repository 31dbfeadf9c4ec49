"""Open a store by URL: ``sqlite:///file.db`` (default) or ``postgresql://...`` (PostGIS)."""
from __future__ import annotations

from ..errors import StoreUnavailable
from .base import AddResult, Page, Store
from .filters import Filters, parse_filters

DEFAULT_URL = "sqlite:///occurrences.db"


def open_store(url: str | None = None) -> Store:
    url = url or DEFAULT_URL
    scheme = url.split("://", 1)[0] if "://" in url else "sqlite"
    if scheme == "sqlite":
        from .sqlite import SQLiteStore

        return SQLiteStore(url)
    if scheme in ("postgresql", "postgres", "postgis"):
        try:
            from .postgis import PostGISStore
        except ImportError as exc:
            raise StoreUnavailable(url=redact(url), reason=f"PostGIS support is not installed ({exc}); "
                                   "install with pip install 'occurrences[postgis]'") from None
        return PostGISStore(url)
    raise StoreUnavailable(url=redact(url), reason=f"unknown database type {scheme!r}; use sqlite:/// or postgresql://")


def redact(url: str) -> str:
    """Hide a password in a database URL before it is shown to anyone."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


__all__ = ["open_store", "Store", "Filters", "Page", "AddResult", "parse_filters", "DEFAULT_URL", "redact"]
