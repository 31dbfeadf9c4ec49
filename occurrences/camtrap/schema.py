"""The three Camtrap DP 1.0 tables as compact Table Schemas, written from the standard's field list
(https://camtrap-dp.tdwg.org/data/, version 1.0): name, type, required, and the constraints the standard gives.

The official schema files are not shipped (nor fetched: imports run offline). :func:`table_schema` turns a table
into a Frictionless Table Schema descriptor for ``frictionless``; :mod:`.checks` applies the same definitions to
every row, vectorized.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string, number, integer, boolean, datetime, any
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    unique: bool = False


def _f(name, type="string", required=False, **kw) -> Field:
    return Field(name, type, required, **{k: tuple(v) if k == "enum" else v for k, v in kw.items()})


FEATURE_TYPES = ("roadPaved", "roadDirt", "trailHiking", "trailGame", "roadUnderpass", "roadOverpass",
                 "roadBridge", "culvert", "burrow", "nestSite", "carcass", "waterSource", "fruitingTree")
OBSERVATION_TYPES = ("animal", "human", "vehicle", "blank", "unknown", "unclassified")

DEPLOYMENTS = (
    _f("deploymentID", required=True, unique=True), _f("locationID"), _f("locationName"),
    _f("latitude", "number", True, minimum=-90, maximum=90), _f("longitude", "number", True, minimum=-180, maximum=180),
    _f("coordinateUncertainty", "integer", minimum=1),
    _f("deploymentStart", "datetime", True), _f("deploymentEnd", "datetime", True),
    _f("setupBy"), _f("cameraID"), _f("cameraModel"), _f("cameraDelay", "integer", minimum=0),
    _f("cameraHeight", "number", minimum=0), _f("cameraDepth", "number", minimum=0),
    _f("cameraTilt", "integer", minimum=-90, maximum=90), _f("cameraHeading", "integer", minimum=0, maximum=360),
    _f("detectionDistance", "number", minimum=0), _f("timestampIssues", "boolean"), _f("baitUse", "boolean"),
    _f("featureType", enum=FEATURE_TYPES), _f("habitat"), _f("deploymentGroups"), _f("deploymentTags"),
    _f("deploymentComments"),
)
MEDIA = (
    _f("mediaID", required=True, unique=True), _f("deploymentID", required=True),
    _f("captureMethod", enum=("activityDetection", "timeLapse")), _f("timestamp", "datetime", True),
    # a URL or a path inside the package that cannot climb out of it
    _f("filePath", required=True, pattern=r"^(?=^[^./~])(^((?!\.{2}).)*$).*$"),
    _f("filePublic", "boolean", True), _f("fileName"),
    _f("fileMediatype", required=True, pattern=r"^(image|video|audio)/.*$"),
    _f("exifData", "any"), _f("favorite", "boolean"), _f("mediaComments"),
)
OBSERVATIONS = (
    _f("observationID", required=True, unique=True), _f("deploymentID", required=True), _f("mediaID"),
    _f("eventID"), _f("eventStart", "datetime", True), _f("eventEnd", "datetime", True),
    _f("observationLevel", required=True, enum=("media", "event")),
    _f("observationType", required=True, enum=OBSERVATION_TYPES),
    _f("cameraSetupType", enum=("setup", "calibration")), _f("scientificName"),
    _f("count", "integer", minimum=1), _f("lifeStage", enum=("adult", "subadult", "juvenile")),
    _f("sex", enum=("female", "male")), _f("behavior"), _f("individualID"),
    _f("individualPositionRadius", "number", minimum=0), _f("individualPositionAngle", "number", minimum=-90, maximum=90),
    _f("individualSpeed", "number", minimum=0), _f("bboxX", "number", minimum=0, maximum=1),
    _f("bboxY", "number", minimum=0, maximum=1), _f("bboxWidth", "number", minimum=1e-15, maximum=1),
    _f("bboxHeight", "number", minimum=1e-15, maximum=1), _f("classificationMethod", enum=("human", "machine")),
    _f("classifiedBy"), _f("classificationTimestamp", "datetime"),
    _f("classificationProbability", "number", minimum=0, maximum=1), _f("observationTags"),
    _f("observationComments"),
)
TABLES: dict[str, tuple[Field, ...]] = {"deployments": DEPLOYMENTS, "media": MEDIA, "observations": OBSERVATIONS}
# Foreign keys of the standard: (table, column) → (table it points at, column)
FOREIGN_KEYS = {("media", "deploymentID"): ("deployments", "deploymentID"),
                ("observations", "deploymentID"): ("deployments", "deploymentID"),
                ("observations", "mediaID"): ("media", "mediaID")}
PRIMARY_KEYS = {"deployments": "deploymentID", "media": "mediaID", "observations": "observationID"}


def table_schema(table: str, present: list[str] | None = None) -> dict:
    """A Frictionless Table Schema descriptor for ``table`` (only the ``present`` columns, in their order, when
    given: a package may leave optional columns out and the standard matches columns by name)."""
    fields = {f.name: f for f in TABLES[table]}
    names = present if present is not None else list(fields)
    out = []
    for name in names:
        f = fields.get(name)
        if f is None:
            out.append({"name": name, "type": "any"})
            continue
        c: dict = {}
        if f.required:
            c["required"] = True
        if f.minimum is not None:
            c["minimum"] = f.minimum
        if f.maximum is not None:
            c["maximum"] = f.maximum
        if f.enum:
            c["enum"] = list(f.enum)
        if f.pattern:
            c["pattern"] = f.pattern
        d = {"name": name, "type": f.type, **({"constraints": c} if c else {})}
        if f.type == "datetime":
            d["format"] = "any"  # offsets are checked on every row by .checks (Z and ±hh:mm both allowed)
        out.append(d)
    return {"fields": out}
