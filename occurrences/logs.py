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


def configure(level: str = "INFO") -> None:
    """Send the package's logs to stderr as JSON lines (idempotent)."""
    if any(isinstance(h.formatter, JSONFormatter) for h in LOGGER.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    LOGGER.addHandler(handler)
    LOGGER.setLevel(level)
    LOGGER.propagate = False


def log_event(event: str, level: int = logging.INFO, **fields) -> None:
    safe = {k: v for k, v in fields.items() if k not in _FORBIDDEN}
    LOGGER.log(level, event, extra={"fields": {"event": event, **safe}})
