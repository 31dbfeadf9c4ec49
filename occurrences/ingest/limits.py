"""Bounded work for one uploaded spreadsheet: how many columns, cells, unpacked bytes and seconds reading it may
take. A hostile 8 KB workbook (a dimension of A1:XFD1048576 and one cell at XFD1048576) or a small zip holding
hundreds of MB of sheet XML is refused within a second instead of tying up a worker for minutes."""
from __future__ import annotations

import time
from dataclasses import dataclass

from .problems import ReadTooSlow, TooManyCells, TooManyColumns


@dataclass(frozen=True)
class ReadLimits:
    columns: int = 1_000  # the import form has about 40; Excel allows 16,384
    cells: int = 5_000_000  # cells read, empty ones inside a row included (that is the work)
    unzipped_bytes: int = 100 * 1024 * 1024  # declared and actual, summed over the workbook's members
    seconds: float = 30.0


DEFAULT_LIMITS = ReadLimits()


class Budget:
    """Counts the work done reading one file and refuses the file once a limit is passed."""

    def __init__(self, name: str, limits: ReadLimits = DEFAULT_LIMITS):
        self.name, self.limits = name, limits
        self.cells = 0
        self.deadline = time.monotonic() + limits.seconds

    def row(self, width: int) -> None:
        """One row of ``width`` cells read (also an empty row between two rows: width 0)."""
        if width > self.limits.columns:
            raise TooManyColumns(self.name, column=width, limit=self.limits.columns)
        self.cells += width
        if self.cells > self.limits.cells:
            raise TooManyCells(self.name, limit=self.limits.cells)
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ReadTooSlow(self.name, seconds=int(self.limits.seconds))
