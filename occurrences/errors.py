"""One exception hierarchy. Each error knows its stable code, HTTP status and translatable message template.

Code below the API and CLI raises only these; the adapters render them once (``api.errors``, ``cli``).
"""
from __future__ import annotations

from .i18n import N_, translate


class OccurrencesError(Exception):
    code = "error"
    status = 500
    template = N_("Something went wrong.")

    def __init__(self, **params):
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return translate(lang, self.template, **self.params)

    def to_dict(self, lang: str = "en") -> dict:
        return {"code": self.code, "status": self.status, "message": self.message(lang)}


class NotFound(OccurrencesError):
    code = "not-found"
    status = 404
    template = N_("No occurrence with id {id}. Check the id, or search with GET /occurrences.")


class InvalidParameter(OccurrencesError):
    code = "invalid-parameter"
    status = 400
    template = N_("Parameter {name} has an invalid value {value!r}: {reason}")

    def message(self, lang: str = "en") -> str:
        # ``reason`` is itself a msgid (marked with N_ where it is raised): translate it too. The values a
        # reason lists (``choices``) follow it untranslated: a msgid with the list glued on is never found.
        reason = translate(lang, self.params.get("reason", "")) + ", ".join(self.params.get("choices", ()))
        return translate(lang, self.template, **{**self.params, "reason": reason})


class UnknownParameter(OccurrencesError):
    code = "unknown-parameter"
    status = 400
    template = N_("Unknown parameter {name}. Known parameters: {known}.")


class InvalidValue(OccurrencesError):
    code = "invalid-value"
    status = 422

    template = N_("Field {field} has an invalid value {value!r}.")

    def __init__(self, field: str, value, **params):
        super().__init__(field=field, value=value, **params)


class PathStepIdentifier(InvalidValue):
    """``.`` and ``..`` cannot be one URL path segment (browsers resolve them even when encoded), so no link
    could point at such a record; every other identifier is encoded (occurrences.api.paths)."""
    template = N_("occurrenceID {value!r} (row {row}) cannot be used: \".\" and \"..\" mean \"this folder\" and "
                  "\"the folder above\" in every link. Give the record another identifier.")

    def __init__(self, value: str, row: int):
        super().__init__("occurrenceID", value, row=row)


class ImportRejected(OccurrencesError):
    """A batch was refused as a whole; ``report`` says which rows and fields and why."""

    code = "import-rejected"
    status = 422
    template = N_("Nothing was stored: {rejected} of {total} rows have errors. Fix the rows listed and import the file again.")

    def __init__(self, report, **params):
        self.report = report
        super().__init__(rejected=report.rejected, total=report.total, **params)

    def to_dict(self, lang: str = "en") -> dict:
        return {**super().to_dict(lang), "report": self.report.to_dict(lang)}


class StoreUnavailable(OccurrencesError):
    code = "store-unavailable"
    status = 503
    template = N_("Cannot open the database {url}: {reason}. Check the --db option or OCCURRENCES_DB.")


class Conflict(OccurrencesError):
    code = "conflict"
    status = 409
    template = N_("Occurrence {id} already exists with different values; it was not overwritten.")


class FileProblem(OccurrencesError):
    code = "file-problem"
    status = 400
    template = N_("Cannot read {name}: {reason}")


class PayloadTooLarge(OccurrencesError):
    code = "payload-too-large"
    status = 413
    template = N_("The upload is larger than the limit of {limit} bytes. Split the file and upload the parts.")
