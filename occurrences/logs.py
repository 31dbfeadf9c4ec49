"""Structured logs: one JSON object per line on stderr, for imports, reviews and errors.

Events carry counts, ids and codes — never coordinates or locality text, so a log file cannot leak the
position of a sensitive record. ``log_event`` drops any field whose name says it is a location.
"""
from __future__ import annotations

import json
import logging
import sys
import time

LOGGER = logging.getLogger("occurrences")
# A library stays silent until the program configures logging (no "last resort" lines on a CLI's stderr).
LOGGER.addHandler(logging.NullHandler())
_FORBIDDEN = ("decimalLatitude", "decimalLongitude", "verbatimCoordinates", "verbatimLatitude",
              "verbatimLongitude", "locality", "verbatimLocality", "occurrenceRemarks", "geometry", "bbox")


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str = "INFO", stream=None) -> None:
    """Send the package's logs to ``stream`` (stderr) as JSON lines (idempotent)."""
    if any(isinstance(h.formatter, JSONFormatter) for h in LOGGER.handlers):
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JSONFormatter())
    LOGGER.addHandler(handler)
    LOGGER.setLevel(level)
    LOGGER.propagate = False


def log_event(event: str, level: int = logging.INFO, **fields) -> None:
    safe = {k: v for k, v in fields.items() if k not in _FORBIDDEN}
    LOGGER.log(level, event, extra={"fields": {"event": event, **safe}})


def log_import(source: str | None, *, via: str, submitted_by: str, result=None, error=None) -> None:
    """One line per import attempt (CLI file, upload, web submission): counts and codes, never values.

    ``result``: an ``ingest.ImportResult``; ``error``: the ``OccurrencesError`` that refused it (for
    ``ImportRejected``, the error codes of its rows are listed, not the rows)."""
    base = {"via": via, "source": (source or "")[:200], "submitted_by": submitted_by}
    if error is None:
        log_event("import", rows=len(result.statuses), stored=result.stored, skipped=result.skipped,
                  conflicts=result.conflicts, **base)
        return
    report = getattr(error, "report", None)
    if report is not None:
        codes = sorted({f.code for row in report.rows for f in row.flags if f.severity == "error"})
        log_event("import.rejected", logging.WARNING, rows=report.total, rejected=report.rejected, codes=codes,
                  **base)
    else:
        log_event("import.refused", logging.WARNING, code=error.code, **base)
