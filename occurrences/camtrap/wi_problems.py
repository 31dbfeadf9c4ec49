"""What a Wildlife Insights download can be refused for. Each problem is data (stable code, file, row, field,
value, and a message template saying how to fix it), translated only when shown; the download is refused as a
whole when it has any (nothing half-read).

Rows count like a spreadsheet's: the header is row 1, the first data row is row 2. The shape is the one the
Camtrap DP reader's problems use (code, file, row, field, value), so both render alike.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import N_
from .problems import MAX_PROBLEMS, PackageProblem, PackageRejected

TEMPLATES = {
    "wi-file-missing": N_("{file} is missing from the Wildlife Insights download. Download the project again from "
                          "Wildlife Insights (it gives projects.csv, cameras.csv, deployments.csv and images.csv) "
                          "and import the zip as it is."),
    "wi-file-unreadable": N_("{file} cannot be read as CSV: {value}. Download the project again from Wildlife "
                             "Insights."),
    "wi-file-too-large": N_("{file} is too large ({value} bytes; the limit is {limit}). Import the project in parts "
                            "(one download per subproject)."),
    "wi-column-missing": N_("{file}: the column {field} is missing. Wildlife Insights downloads always have it; "
                            "download the project again."),
    "wi-projects": N_("{file} describes {value} projects; one survey is one project. Download each project "
                      "separately."),
    "wi-required-empty": N_("{file}, row {row}: {field} is empty. Fill it in."),
    "wi-duplicate-id": N_("{file}, row {row}: {field} {value!r} is used by another row. Give each row its own "
                          "identifier."),
    "wi-not-a-number": N_("{file}, row {row}: {field} {value!r} is not a number. Write it with a dot as decimal "
                          "separator, e.g. 12.5."),
    "wi-out-of-range": N_("{file}, row {row}: {field} {value!r} is outside the range {minimum} to {maximum}."),
    "wi-not-a-whole-number": N_("{file}, row {row}: {field} {value!r} is not a whole number of 0 or more."),
    "wi-not-a-timestamp": N_("{file}, row {row}: {field} {value!r} is not a date and time. Wildlife Insights "
                             "writes them as YYYY-MM-DD hh:mm:ss."),
    "wi-end-before-start": N_("{file}, row {row}: {field} {value!r} is before the deployment's start. Check the "
                              "dates."),
    "wi-unknown-deployment": N_("{file}, row {row}: {field} {value!r} is not a deployment_id in deployments.csv. "
                                "Download the project again, with all its deployments."),
    "wi-no-timezone": N_("{file}, row {row}: the time zone of the cameras cannot be told from {field} {value!r} "
                         "(Wildlife Insights gives times without a time zone, and this country has none or "
                         "several). Give the time zone of the cameras (e.g. Asia/Bangkok) when importing."),
    "wi-bad-timezone": N_("{value!r} is not a time zone. Give one such as Asia/Bangkok, Asia/Ho_Chi_Minh or "
                          "Asia/Yangon."),
    "wi-local-time-missing": N_("{file}, row {row}: {field} {value!r} does not exist or happens twice in the time "
                                "zone {zone} (a daylight-saving change). Check the camera's clock."),
}


class DownloadProblem(PackageProblem):
    """A problem of a Wildlife Insights download: the Camtrap DP reader's shape, with this format's messages."""

    templates = TEMPLATES


class DownloadRejected(PackageRejected):
    """A Wildlife Insights download refused as a whole (nothing stored); ``problems`` says where and why."""

    code = "wildlife-insights-rejected"
    template = N_("Nothing was stored: the Wildlife Insights download {name} has {count} problems. Fix them and "
                  "import it again.")


class Problems(list):
    """The problems found so far; stops growing at MAX_PROBLEMS."""

    def add(self, code: str, file: str, row: int | None = None, field: str | None = None, value=None,
            **params) -> None:
        if len(self) < MAX_PROBLEMS:
            self.append(DownloadProblem(code, file, row, field, value, params))

    def add_rows(self, code: str, file: str, field: str, mask, values: pd.Series, **params) -> None:
        """One problem per row where ``mask`` is true; only the reported rows' values are turned into text."""
        mask = np.asarray(mask, dtype=bool)
        room = MAX_PROBLEMS - len(self)
        if room <= 0 or not mask.any():
            return
        rows = np.flatnonzero(mask)[:room]
        picked = [None if pd.isna(v) else str(v) for v in values.iloc[rows]]
        self.extend(DownloadProblem(code, file, int(r) + 2, field, v, params) for r, v in zip(rows, picked))
