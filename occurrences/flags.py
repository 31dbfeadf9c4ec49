"""Quality flags: one registry of every issue code the system can raise, with severity and message.

Codes follow GBIF's OccurrenceIssue names where one exists. A flag is data (frictionless style): code, field,
original value, parameters for the message, and an optional suggested fix a reviewer can accept. Modules that
raise flags declare them here with :func:`define`; ``occurrences flags`` prints the documented table.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Any

from .i18n import N_, translate

ERROR = "error"  # the record is rejected
WARNING = "warning"  # the record is stored with the flag
INFO = "info"


@dataclass(frozen=True)
class FlagType:
    code: str
    severity: str
    template: str  # gettext msgid with {named} placeholders
    meaning: str  # one line for the documentation table
    action: str = ""  # what the submitter should do
    threshold: str = ""
    geospatial: bool = False


REGISTRY: dict[str, FlagType] = {}

# Modules whose import defines flags; ``markdown_table`` imports them so the documented table is complete
# whatever happened to be imported before.
FLAG_MODULES: tuple[str, ...] = ("occurrences.quality", "occurrences.parse.flags", "occurrences.ingest.problems",
                                  "occurrences.taxa")


class Phrase(str):
    """A message parameter that is itself an English msgid (e.g. "the sea"): translated when the message is shown."""


class Territory(str):
    """A country as a message parameter: its English name as text, shown in the reader's language (CLDR names
    through babel) when the message is rendered."""

    code: str

    def __new__(cls, code: str, english: str | None = None):
        obj = super().__new__(cls, english or code)
        obj.code = code
        return obj

    def __reduce__(self):
        return (Territory, (self.code, str(self)))


class LocalName(str):
    """A place name as a message parameter: its official name as text (what a suggestion stores), shown in the
    reader's language where a source gives one, with the official name beside it ("ກວາງຕຣີ (Quảng Trị)")."""

    names: dict

    def __new__(cls, official: str, names: dict | None = None):
        obj = super().__new__(cls, official)
        obj.names = dict(names or {})
        return obj

    def __reduce__(self):
        return (LocalName, (str(self), self.names))

    def render(self, lang: str) -> str:
        local = self.names.get(lang) or str(self)
        return local if local == str(self) else f"{local} ({self})"


def render_param(lang: str, value):
    if isinstance(value, Phrase):
        return translate(lang, value)
    if isinstance(value, LocalName):
        return value.render(lang)
    if isinstance(value, Territory):
        from babel import Locale

        try:
            return Locale.parse(lang).territories.get(value.code) or str(value)
        except Exception:
            return str(value)
    return value


def define(code: str, severity: str, template: str, meaning: str, action: str = "", threshold: str = "",
           geospatial: bool = False) -> FlagType:
    flag_type = FlagType(code, severity, template, meaning, action, threshold, geospatial)
    if code in REGISTRY and REGISTRY[code] != flag_type:
        # Two modules giving one code different meanings: which wins would depend on import order.
        raise ValueError(f"flag {code} is already defined differently")
    REGISTRY[code] = flag_type
    return flag_type


@dataclass
class Flag:
    code: str
    field: str | None = None
    value: Any = None
    row: int | None = None
    params: dict = dc_field(default_factory=dict)
    suggestion: dict | None = None  # e.g. {"decimalLatitude": 13.7, "decimalLongitude": 100.5}
    column: str | None = None  # the submitter's own header for ``field`` (messages name it)

    @property
    def type(self) -> FlagType:
        return REGISTRY[self.code]

    @property
    def severity(self) -> str:
        return self.type.severity

    def message(self, lang: str = "en") -> str:
        params = {k: render_param(lang, v) for k, v in self.params.items()}
        return translate(lang, self.type.template, field=self.column or self.field, value=self.value, **params)

    def to_dict(self, lang: str = "en") -> dict:
        out = {"code": self.code, "severity": self.severity, "field": self.field, "value": self.value,
               "message": self.message(lang)}
        if self.row is not None:
            out["row"] = self.row
        if self.column:
            out["column"] = self.column
        if self.suggestion:
            out["suggestion"] = self.suggestion
        return out


# Flags raised by the record model itself; checks in other modules define their own.
define("REQUIRED_FIELD_MISSING", ERROR, N_("Required field {field} is empty. Fill it in and submit again."),
       "A required field is empty.", "Fill in the field.")
define("UNKNOWN_FIELD", ERROR, N_("Column {field} is not a field we know. Rename it to a Darwin Core term or a form label, or remove it."),
       "A column that is not part of the form or of Darwin Core.", "Rename or remove the column.")
define("UNKNOWN_FIELD_KEPT", WARNING, N_("Column {field} is neither a Darwin Core term nor a form label: its values are kept with each record as they were given."),
       "A column that is not part of the form or of Darwin Core; kept verbatim with the record.",
       "Rename the column to a Darwin Core term or a form label if it is one.")
define("OCCURRENCE_STATUS_INVALID", ERROR, N_("occurrenceStatus {value!r} is not present or absent."),
       "occurrenceStatus is not one of Darwin Core's values.", "Write present or absent.")
define("INVALID_VALUE", ERROR, N_("Field {field} has a value {value!r} that cannot be read: {reason}"),
       "A value could not be read as the field's type.", "Correct the value.")
define("BASIS_OF_RECORD_INVALID", ERROR, N_("basisOfRecord {value!r} is not one of: {allowed}."),
       "basisOfRecord is not a Darwin Core basis of record.", "Use one of the listed values.")
define("RECORDED_DATE_INVALID", ERROR, N_("The date {value!r} cannot be read. Write it as YYYY-MM-DD (for example 2024-03-15)."),
       "eventDate is not a valid ISO 8601 date or interval.", "Write the date as YYYY-MM-DD.")
define("COORDINATE_OUT_OF_RANGE", ERROR, N_("Coordinate {value!r} is outside the valid range (latitude -90 to 90, longitude -180 to 180)."),
       "Latitude or longitude outside the valid range.", "Check the numbers, decimal separator and order.",
       threshold="|lat| ≤ 90, |lon| ≤ 180", geospatial=True)
define("COORDINATE_INVALID", ERROR, N_("Coordinate {value!r} cannot be read as a number."),
       "A coordinate is not a number.", "Write decimal degrees, e.g. 13.7563.", geospatial=True)
define("INDIVIDUAL_COUNT_INVALID", ERROR, N_("individualCount {value!r} is not a whole number of 0 or more."),
       "individualCount is not a non-negative integer.", "Write a whole number.")
define("DUPLICATE_OCCURRENCE_ID", ERROR, N_("occurrenceID {value!r} appears more than once in this batch."),
       "The same occurrenceID is used by two rows of one batch.", "Give each row its own occurrenceID, or leave it empty.")


def markdown_table() -> str:
    """The flag reference (docs/flags.md), generated from the registry so the two cannot drift apart."""
    import importlib

    for module in FLAG_MODULES:
        importlib.import_module(module)
    lines = ["# Quality flags", "",
             "Generated from `occurrences.flags.REGISTRY` by `occurrences.flags.markdown_table()`;",
             "regenerate with `python -m occurrences.flags > docs/flags.md`.",
             "Severity *error*: the record is rejected. *warning*: the record is stored with the flag.",
             "Geospatial: one of GBIF's GEOSPATIAL_RULES (the record should not be shown on maps).", "",
             "| code | severity | geospatial | meaning | threshold | action | message |",
             "|---|---|---|---|---|---|---|"]
    for code in sorted(REGISTRY):
        t = REGISTRY[code]
        cells = [f"`{code}`", t.severity, "yes" if t.geospatial else "", t.meaning, t.threshold, t.action,
                 t.template]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # Run as a script this file is ``__main__``; the checks register their flags in the imported module.
    from occurrences.flags import markdown_table as _markdown_table

    print(_markdown_table(), end="")
