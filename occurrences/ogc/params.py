"""The OGC API – Features query parameters that differ from our own vocabulary: ``datetime``, ``bbox`` (4 or 6
numbers) and ``limit`` (clamped, never an error, as Part 1 requires)."""
from __future__ import annotations

import datetime as dt

from ..errors import InvalidParameter
from ..i18n import N_
from ..store.filters import MAX_LIMIT

DEFAULT_LIMIT = 100
_DATETIME_REASON = N_("use an RFC 3339 date or date-time, or an interval start/end where either end may be "
                      "'..' (open), e.g. 2015-01-01/.. or 2020-03-01T00:00:00Z/2020-06-30T23:59:59Z")


def parse_datetime(value: str) -> tuple:
    """``datetime`` → an ``("overlaps", first_day, last_day)`` expression (None for an open end).

    Records carry days, not instants: a date-time is taken at the day it names in its own offset."""
    parts = value.split("/")
    if len(parts) > 2:
        raise InvalidParameter(name="datetime", value=value, reason=_DATETIME_REASON)
    days = [_day(p, value) for p in parts]
    if len(days) == 1:
        if days[0] is None:
            raise InvalidParameter(name="datetime", value=value, reason=_DATETIME_REASON)
        return ("overlaps", days[0], days[0])
    first, last = days
    if first is None and last is None:
        raise InvalidParameter(name="datetime", value=value, reason=_DATETIME_REASON)
    if first and last and last < first:
        raise InvalidParameter(name="datetime", value=value, reason=N_("the start of the range is after its end"))
    return ("overlaps", first, last)


def _day(text: str, whole: str) -> str | None:
    text = text.strip()
    if text in ("", ".."):
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
        if "T" not in text.upper():
            raise ValueError
        stamp = text.upper().replace("Z", "+00:00")
        return dt.datetime.fromisoformat(stamp).date().isoformat()
    except ValueError:
        raise InvalidParameter(name="datetime", value=whole, reason=_DATETIME_REASON) from None


def normalise_bbox(value: str) -> str:
    """A 6-number (3D) bbox → the 4 horizontal numbers our bbox filter takes; anything else unchanged (and
    then validated by the filter parser)."""
    parts = value.split(",")
    if len(parts) == 6:
        return ",".join([parts[0], parts[1], parts[3], parts[4]])
    return value


def clamp_limit(value: str | None) -> str:
    if value is None or value == "":
        return str(DEFAULT_LIMIT)
    try:
        n = int(value)
    except ValueError:
        raise InvalidParameter(name="limit", value=value,
                               reason=N_("use a whole number from 1 to {max}").format(max=MAX_LIMIT)) from None
    return str(min(max(n, 1), MAX_LIMIT))
