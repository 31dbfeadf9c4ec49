"""What a Camtrap DP package can be refused for: each problem is data (stable code, file, row, field, value and
a message template that says how to fix it), rendered in the reader's language only when shown.

Row numbers count like a spreadsheet's: the header is row 1, the first data row is row 2.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field

from ..errors import OccurrencesError
from ..i18n import N_, translate

MAX_PROBLEMS = 1000  # a package broken on every row is described by its first problems, not a million

TEMPLATES = {
    "not-a-package": N_("{file} is not a Camtrap DP package: {value}. Export the survey as Camtrap DP 1.0 (a zip "
                        "or folder with datapackage.json, deployments.csv, media.csv and observations.csv)."),
    "descriptor-invalid": N_("{file}: datapackage.json is not valid ({value}). Export the package again, or "
                             "correct datapackage.json."),
    "profile-version": N_("{file}: the package declares the profile {value!r}, not Camtrap DP 1.0. Export it as "
                          "Camtrap DP 1.0 and import it again."),
    "resource-missing": N_("{file}: datapackage.json has no resource {field}. Camtrap DP needs deployments, media "
                           "and observations."),
    "file-missing": N_("{file} is listed in datapackage.json but is not in the package. Add the file or correct "
                       "its path."),
    "file-unreadable": N_("{file} cannot be read as CSV: {value}. Save it as UTF-8 CSV with one header row."),
    "column-missing": N_("{file}: the required column {field} is missing. Add it to the header row."),
    "required-empty": N_("{file}, row {row}: {field} is empty, and Camtrap DP requires it. Fill it in."),
    "not-a-number": N_("{file}, row {row}: {field} {value!r} is not a number. Write it with a dot as decimal "
                       "separator, e.g. 12.5."),
    "not-an-integer": N_("{file}, row {row}: {field} {value!r} is not a whole number."),
    "not-a-boolean": N_("{file}, row {row}: {field} {value!r} is not true or false."),
    "not-a-timestamp": N_("{file}, row {row}: {field} {value!r} is not a date and time. Write it as "
                          "YYYY-MM-DDThh:mm:ss+07:00."),
    "no-timezone": N_("{file}, row {row}: {field} {value!r} has no time zone. Add the camera's UTC offset, e.g. "
                      "2024-03-15T06:30:00+07:00."),
    "out-of-range": N_("{file}, row {row}: {field} {value!r} is outside the range {minimum} to {maximum}."),
    "not-allowed": N_("{file}, row {row}: {field} {value!r} is not one of: {allowed}."),
    "bad-pattern": N_("{file}, row {row}: {field} {value!r} is not allowed here (a URL, or a path inside the "
                      "package without \"..\"; a media type like image/jpeg)."),
    "duplicate-id": N_("{file}, row {row}: {field} {value!r} is used by another row. Give each row its own "
                       "identifier."),
    "unknown-deployment": N_("{file}, row {row}: {field} {value!r} is not a deploymentID in deployments.csv. Add "
                             "the deployment or correct the identifier."),
    "unknown-media": N_("{file}, row {row}: {field} {value!r} is not a mediaID in media.csv. Add the media row or "
                        "correct the identifier."),
    "end-before-start": N_("{file}, row {row}: {field} {value!r} is before the start. Check the dates and the time "
                           "zone."),
    "outside-deployment": N_("{file}, row {row}: {field} {value!r} is outside its deployment's interval. Check "
                             "the camera's clock, the time zone and the deploymentID."),
    "row-invalid": N_("{file}, row {row}: {field} {value!r} does not follow the Camtrap DP 1.0 table schema "
                      "({reason})."),
    "too-large": N_("{file}: {value}. Split the survey into smaller packages."),
}


@dataclass(frozen=True)
class PackageProblem:
    code: str
    file: str
    row: int | None = None
    field: str | None = None
    value: object = None
    params: dict = dc_field(default_factory=dict)
    templates = TEMPLATES  # per code; a reader of another format (Wildlife Insights) brings its own

    def message(self, lang: str = "en") -> str:
        return translate(lang, self.templates[self.code], file=self.file, row=self.row, field=self.field,
                         value=self.value, **self.params)

    def to_dict(self, lang: str = "en") -> dict:
        return {"code": self.code, "file": self.file, "row": self.row, "field": self.field,
                "value": None if self.value is None else str(self.value), "message": self.message(lang)}


class PackageRejected(OccurrencesError):
    """A Camtrap DP package refused as a whole (nothing stored); ``problems`` says where and why."""

    code = "camtrap-rejected"
    status = 422
    template = N_("Nothing was stored: the Camtrap DP package {name} has {count} problems. Fix them and import it "
                  "again.")

    def __init__(self, name: str, problems: list[PackageProblem]):
        self.problems = list(problems)[:MAX_PROBLEMS]
        super().__init__(name=name, count=len(problems) if len(problems) < MAX_PROBLEMS else f"{MAX_PROBLEMS}+")

    def to_dict(self, lang: str = "en") -> dict:
        return {**super().to_dict(lang), "problems": [p.to_dict(lang) for p in self.problems]}


def reject(name: str, code: str, file: str, **kw) -> PackageRejected:
    """One problem that stops reading at once (the package's structure)."""
    return PackageRejected(name, [PackageProblem(code, file, **kw)])
