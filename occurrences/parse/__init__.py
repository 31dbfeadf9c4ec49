"""Reading what people type in the region's forms: numbers, dates, coordinates, datums and text.

Every parser takes a whole column (list, numpy/pandas/Arrow array) and returns numpy arrays plus sparse
per-row :class:`Problem` records (flag code + message params), so the import pipeline turns them into
``Flag``s without parsing anything itself. Do not use babel's parse_date/parse_decimal for this data
(l10n.md A1).
"""
from . import flags  # noqa: F401  (registers the flag codes)
from .coordinates import parse_coordinate
from .datums import DATUM_NAMES, datum_code
from .dates import parse_dates, read_date
from .geo import parse_coordinates, read_verbatim
from .numbers import parse_numbers, read_number
from .result import Issues, ParsedArray, ParsedCoords, ParsedDates, Problem
from .strings import ascii_digits, ascii_digits_text
from .text import (clean_identifier, detect_zawgyi, folded_key, matching_key, normalize_text, normalize_texts,
                   zawgyi_probability, zawgyi_to_unicode)

__all__ = [
    "parse_numbers", "parse_dates", "parse_coordinates", "normalize_texts",
    "read_number", "read_date", "read_verbatim", "parse_coordinate", "normalize_text",
    "detect_zawgyi", "zawgyi_probability", "zawgyi_to_unicode", "clean_identifier", "matching_key", "folded_key",
    "ascii_digits", "ascii_digits_text", "datum_code", "DATUM_NAMES",
    "Problem", "Issues", "ParsedArray", "ParsedDates", "ParsedCoords",
]
