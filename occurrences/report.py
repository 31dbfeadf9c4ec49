"""The result of validating or importing a batch: one entry per row, each with its flags (data, not strings)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .flags import ERROR, Flag

STORED = "stored"
REJECTED = "rejected"
VALID = "valid"  # validated, not stored (``occurrences validate``)
SKIPPED = "skipped"  # identical record already stored (idempotent re-import)


@dataclass
class RowResult:
    row: int  # 1-based data row number as the user sees it (header is row 1 in a spreadsheet → first data row 2)
    status: str = VALID
    occurrenceID: str | None = None
    flags: list[Flag] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == ERROR for f in self.flags)

    def to_dict(self, lang: str = "en") -> dict:
        return {"row": self.row, "status": self.status, "occurrenceID": self.occurrenceID,
                "issues": [f.to_dict(lang) for f in self.flags]}


@dataclass
class Report:
    rows: list[RowResult] = field(default_factory=list)
    language: str = "en"
    source: str | None = None

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def rejected(self) -> int:
        return sum(r.has_errors for r in self.rows)

    @property
    def stored(self) -> int:
        return sum(r.status == STORED for r in self.rows)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def errors(self) -> list[Flag]:
        return [f for r in self.rows for f in r.flags if f.severity == ERROR]

    def flatten(self, keys=("row", "field", "code")) -> list[list]:
        """Compact view for tests and tables: ``[[row, field, code], ...]``."""
        out = []
        for r in self.rows:
            for f in r.flags:
                values = {"row": r.row, "field": f.field, "code": f.code, "value": f.value,
                          "severity": f.severity}
                out.append([values[k] for k in keys])
        return out

    def to_dict(self, lang: str | None = None) -> dict:
        lang = lang or self.language
        return {"source": self.source, "language": self.language, "total": self.total,
                "stored": self.stored, "rejected": self.rejected,
                "rows": [r.to_dict(lang) for r in self.rows]}
