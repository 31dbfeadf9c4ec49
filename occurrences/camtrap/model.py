"""The one in-memory shape of a camera-trap survey that every reader produces and every writer takes.

Columns carry the Camtrap DP 1.0 field names (https://camtrap-dp.tdwg.org/data/), so a Wildlife Insights
download, a Camtrap DP package and a survey read back from the store all look alike to effort, detection rates
and the writers. Timestamps are timezone-aware ``pandas.Timestamp`` values (Camtrap DP requires an offset; the
readers refuse a timestamp without one), kept with the offset the source gave.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

CAMTRAP_DP_VERSION = "1.0"
PROFILE_URL = "https://raw.githubusercontent.com/tdwg/camtrap-dp/1.0/camtrap-dp-profile.json"

# The fields each table must have (Camtrap DP 1.0 marks them required); the readers and writers may carry more.
DEPLOYMENT_REQUIRED = ("deploymentID", "latitude", "longitude", "deploymentStart", "deploymentEnd")
MEDIA_REQUIRED = ("mediaID", "deploymentID", "timestamp", "filePath", "filePublic", "fileMediatype")
OBSERVATION_REQUIRED = ("observationID", "deploymentID", "eventStart", "eventEnd", "observationLevel",
                        "observationType")


@dataclass
class CamtrapPackage:
    """A survey: the package metadata and its three tables.

    ``metadata`` is ``datapackage.json`` without ``resources`` (``project``, ``taxonomic``, ``spatial``,
    ``temporal``, ``contributors``, ``licenses``, ...). ``malfunctions`` holds the intervals in which a camera
    was reported not working (``deploymentID``, ``start``, ``end``); Camtrap DP 1.0 has no field for them, so
    each reader documents where it finds them. Effort subtracts them from the deployment's interval.
    """

    metadata: dict
    deployments: pd.DataFrame
    media: pd.DataFrame
    observations: pd.DataFrame
    malfunctions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["deploymentID", "start", "end"]))

    @property
    def taxonomic_scope(self) -> list[str] | None:
        """The scientific names the survey declares it looked for (``metadata['taxonomic']``), or None when it
        declares none. Non-detections may be derived only for these."""
        taxa = self.metadata.get("taxonomic")
        if not taxa:
            return None
        return [t["scientificName"] for t in taxa if t.get("scientificName")]
