"""Backup and restore. A backup is always one SQLite file, whatever the backend:

- SQLite: the online backup API (consistent while the server keeps writing).
- PostGIS: everything copied into a fresh SQLite file through :func:`occurrences.migrate.migrate`, which
  verifies counts and a checksum — the pg_dump equivalent that also moves data between backends.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from .errors import FileProblem, StoreUnavailable
from .store import open_store
from .store.sqlite import sqlite_path


def _is_sqlite(url: str) -> bool:
    return "://" not in url or url.startswith("sqlite:")


def backup(url: str, path: str | Path) -> Path:
    path = Path(path)
    if path.exists():
        raise FileProblem(name=str(path), reason="the file already exists; choose a new name")
    if _is_sqlite(url):
        store = open_store(url)  # migrates, and fails clearly if the database cannot be opened
        store.close()
        src = sqlite3.connect(sqlite_path(url))
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        from .migrate import migrate

        migrate(url, f"sqlite:///{path.resolve()}")
    return path


def restore(path: str | Path, url: str, *, force: bool = False) -> int:
    """Restore a backup file into the database at ``url``; refuses to overwrite a non-empty database
    unless ``force``. Returns the number of records restored."""
    path = Path(path)
    try:
        check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check.close()
    except sqlite3.DatabaseError as exc:
        raise FileProblem(name=str(path), reason=f"it is not a backup made by occurrences ({exc})") from None
    if not ok:
        raise FileProblem(name=str(path), reason="the backup file is damaged (integrity check failed)")
    from .store import Filters

    backup_store = open_store(f"sqlite:///{path.resolve()}")
    target = open_store(url)
    if target.count(Filters(access="full")) and not force:
        raise StoreUnavailable(url=url, reason="it already holds records; restore into an empty database or use --force")
    if _is_sqlite(url):
        backup_store.close()
        target.close()
        src = sqlite3.connect(path)
        dst = sqlite3.connect(sqlite_path(url))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return open_store(url).count(Filters(access="full"))
    from .migrate import migrate

    return migrate(f"sqlite:///{path.resolve()}", url).records
