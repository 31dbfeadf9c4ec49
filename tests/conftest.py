"""Shared fixtures. The store fixtures run a test on every backend: SQLite always, PostGIS when
``OCCURRENCES_TEST_POSTGIS_URL`` points at a reachable server (``eval "$(bash scripts/ci-postgis.sh)"`` makes
one); otherwise the PostGIS cases are skipped with the reason.

Each PostGIS case gets its own schema in that database (dropped afterwards), so tests never see each other's
rows. To run a module-scoped fixture on both backends::

    @pytest.fixture(scope="module", params=BACKENDS)
    def db_url(request, tmp_path_factory):
        with fresh_db_url(request.param, tmp_path_factory.mktemp("db")) as url:
            yield url
"""
from __future__ import annotations

import contextlib
import functools
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

POSTGIS_ENV = "OCCURRENCES_TEST_POSTGIS_URL"
BACKENDS = ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]


@functools.lru_cache(maxsize=1)
def postgis_unavailable() -> str | None:
    """Why the PostGIS tests cannot run here (None when they can). Checked once per session."""
    url = os.environ.get(POSTGIS_ENV)
    if not url:
        return (f"{POSTGIS_ENV} is not set; run: eval \"$(bash scripts/ci-postgis.sh)\" "
                "(installs PostGIS and makes a throwaway database)")
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgis]')"
    try:
        with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone():
                return "the PostgreSQL server has no PostGIS (apt-get install postgresql-15-postgis-3)"
    except psycopg.Error as exc:
        return f"cannot reach {_hide_password(url)}: {str(exc).strip()}"
    return None


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(f":{parts.password}@", ":***@") if parts.password else url


@contextlib.contextmanager
def postgis_schema_url():
    """A PostGIS URL with a schema of its own; the schema (and any connection left open to it) is dropped
    on exit."""
    reason = postgis_unavailable()
    if reason:
        pytest.skip(reason)
    import psycopg

    base = os.environ[POSTGIS_ENV]
    schema = f"test_{uuid.uuid4().hex[:12]}"
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}schema={schema}&application_name={schema}"
    try:
        yield url
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE application_name = %s AND pid <> pg_backend_pid()", [schema])
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextlib.contextmanager
def fresh_db_url(backend: str, directory: Path):
    """An empty database of ``backend`` ("sqlite" or "postgis"), removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{Path(directory) / 'occurrences.db'}"
    elif backend == "postgis":
        with postgis_schema_url() as url:
            yield url
    else:
        raise ValueError(backend)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def store_url(backend, tmp_path):
    """URL of an empty database, once per backend."""
    with fresh_db_url(backend, tmp_path) as url:
        yield url


@pytest.fixture
def store(store_url):
    """An open, empty store, once per backend."""
    from occurrences.store import open_store

    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def postgis_url():
    """URL of an empty PostGIS schema (skipped without a server)."""
    with postgis_schema_url() as url:
        yield url
