"""Camtrap DP 1.0 packages (a zip, or a folder holding ``datapackage.json``) → :class:`CamtrapPackage`.

Checks, in order, each reported as file, row, field, value and fix (:mod:`.problems`):

1. structure: ``datapackage.json`` readable, profile Camtrap DP 1.0 or 1.0.x (another version is refused, not
   guessed at), the three resources present as files inside the package;
2. ``frictionless`` validates the descriptor and a sample of each table (first ``SAMPLE_ROWS`` rows) against our
   own Table Schemas (:mod:`.schema`; nothing is fetched: the profile URL is only compared, never opened);
3. every row, vectorized (:mod:`.checks`): types, required values, enumerations, ranges, unique identifiers;
4. across tables: media and observations point at existing deployments and media, deployments end after they
   start, events lie inside their deployment's interval.

Frictionless row-by-row validation of every row took ~4 min per million observations here, so it sees a sample
and the vectorized checks see everything. A zip is read member by member, each inflated at most to the
package's budget (:data:`LIMITS`), so a zip bomb is refused without filling memory.

Malfunctions (Camtrap DP 1.0 has no field for them) are read from ``deploymentTags`` entries
``malfunction:START/END`` (ISO timestamps with offsets), e.g. ``malfunction:2024-01-10T00:00+07:00/2024-01-12T00:00+07:00``.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..ingest.limits import Budget, ReadLimits
from .checks import Problems, utc_offsets, check_table
from .model import CamtrapPackage
from .problems import PackageProblem, PackageRejected, reject
from .schema import TABLES, table_schema

PROFILE_1_0 = re.compile(r"^https://raw\.githubusercontent\.com/tdwg/camtrap-dp/1\.0(\.\d+)?/camtrap-dp-profile\.json$")
LIMITS = ReadLimits(unzipped_bytes=4 * 1024 ** 3, seconds=900.0)  # a survey of millions of media rows fits
MAX_MEMBERS = 10_000
DESCRIPTOR_BYTES = 16 * 1024 ** 2
SAMPLE_ROWS = 200
TABLE_NAMES = ("deployments", "media", "observations")


def is_camtrap_package(path: Path) -> bool:
    """A zip or folder whose ``datapackage.json`` declares a Camtrap DP profile (any version: the reader then
    says when it is not 1.0)."""
    try:
        source = _open(Path(path))
        descriptor = json.loads(source.read(source.descriptor_name, DESCRIPTOR_BYTES))
    except (PackageRejected, ValueError, OSError, zipfile.BadZipFile):
        return False
    return isinstance(descriptor, dict) and "camtrap-dp" in str(descriptor.get("profile", ""))


def read_camtrap_dp(path: Path) -> CamtrapPackage:
    """Read and check a whole package; raises :class:`~.problems.PackageRejected` listing every problem."""
    path = Path(path)
    source = _open(path)
    descriptor = _descriptor(source)
    problems = Problems()
    raw = {name: _table(source, descriptor, name) for name in TABLE_NAMES}
    typed = {name: check_table(name, _file(descriptor, name), raw[name], problems) for name in TABLE_NAMES}
    _frictionless_sample(descriptor, raw, problems)
    if not problems:
        _cross_checks(descriptor, typed, problems)
    if problems:
        raise PackageRejected(source.name, _sorted(problems))
    deployments = typed["deployments"]
    deployments["timezoneOffset"] = utc_offsets(raw["deployments"].column("deploymentStart").to_pandas())
    metadata = {k: v for k, v in descriptor.items() if k != "resources"}
    return CamtrapPackage(metadata, deployments, typed["media"], typed["observations"], _malfunctions(deployments))


# -- the package's files ---------------------------------------------------------------------------------------
class _Folder:
    def __init__(self, path: Path):
        self.root, self.name = path.resolve(), path.name
        self.descriptor_name = "datapackage.json"
        if not (self.root / self.descriptor_name).is_file():
            raise reject(self.name, "not-a-package", self.name, value="no datapackage.json")

    def read(self, member: str, limit: int) -> bytes:
        target = (self.root / member).resolve()
        if self.root not in target.parents or not target.is_file():
            raise reject(self.name, "file-missing", member)
        if target.stat().st_size > limit:
            raise reject(self.name, "too-large", member, value=f"{target.stat().st_size // 2**20} MB")
        return target.read_bytes()


class _Zip:
    """A zip read member by member; each member inflates at most to what is left of the budget."""

    def __init__(self, path: Path):
        self.name = path.name
        self.budget = Budget(path.name, LIMITS)
        self.left = LIMITS.unzipped_bytes
        try:
            self.zip = zipfile.ZipFile(path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise reject(self.name, "not-a-package", self.name, value=str(exc)) from None
        if len(infos) > MAX_MEMBERS:
            raise reject(self.name, "too-large", self.name, value=f"{len(infos)} files")
        names = [i.filename for i in infos if PurePosixPath(i.filename).name == "datapackage.json"
                 and not i.filename.startswith("__MACOSX")]
        if not names:
            raise reject(self.name, "not-a-package", self.name, value="no datapackage.json")
        self.descriptor_name = min(names, key=len)  # at the top, or in the one folder people zip
        self.prefix = self.descriptor_name[: -len("datapackage.json")]
        self.members = {i.filename: i for i in infos}

    def read(self, member: str, limit: int) -> bytes:
        name = member if member == self.descriptor_name else self.prefix + member
        info = self.members.get(name)
        if info is None:
            raise reject(self.name, "file-missing", member)
        most = min(limit, self.left)
        if info.file_size > most:
            raise reject(self.name, "too-large", member, value=f"{info.file_size // 2**20} MB")
        chunks, size = [], 0
        try:
            with self.zip.open(info) as fh:  # zipfile also stops at the declared size (then fails the CRC)
                while chunk := fh.read(1 << 22):
                    size += len(chunk)
                    if size > most:
                        raise reject(self.name, "too-large", member, value=f"> {most // 2**20} MB")
                    self.budget.check_time()
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise reject(self.name, "file-unreadable", member, value=str(exc)) from None
        self.left -= size
        return b"".join(chunks)


def _open(path: Path):
    if path.is_dir():
        return _Folder(path)
    if path.is_file() and zipfile.is_zipfile(path):
        return _Zip(path)
    if path.is_file() and path.name == "datapackage.json":
        return _Folder(path.parent)
    raise reject(path.name, "not-a-package", path.name, value="not a zip or a folder")


def _descriptor(source) -> dict:
    try:
        descriptor = json.loads(source.read(source.descriptor_name, DESCRIPTOR_BYTES).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise reject(source.name, "descriptor-invalid", "datapackage.json", value=str(exc)[:200]) from None
    if not isinstance(descriptor, dict):
        raise reject(source.name, "descriptor-invalid", "datapackage.json", value="not a JSON object")
    profile = descriptor.get("profile")
    if not isinstance(profile, str) or not PROFILE_1_0.match(profile):
        raise reject(source.name, "profile-version", "datapackage.json", field="profile", value=profile)
    resources = {r.get("name"): r for r in descriptor.get("resources") or [] if isinstance(r, dict)}
    missing = [PackageProblem("resource-missing", "datapackage.json", field=name) for name in TABLE_NAMES
               if not isinstance(resources.get(name, {}).get("path"), str)]
    if missing:
        raise PackageRejected(source.name, missing)
    return descriptor


def _file(descriptor: dict, table: str) -> str:
    return next(r["path"] for r in descriptor["resources"] if isinstance(r, dict) and r.get("name") == table)


def _table(source, descriptor: dict, table: str) -> pa.Table:
    """A table's CSV as text columns (empty cells null); the header's byte-order mark and spaces dropped."""
    file = _file(descriptor, table)
    if PurePosixPath(file).is_absolute() or ".." in PurePosixPath(file).parts or "://" in file:
        raise reject(source.name, "file-missing", file)
    data = source.read(file, LIMITS.unzipped_bytes)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    names = [h.strip() for h in next(csv.reader([header.rstrip("\r")]), [])]
    if not any(names):
        raise reject(source.name, "file-unreadable", file, value="no header row")
    try:
        return pacsv.read_csv(
            io.BytesIO(data), read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=True, null_values=[""]))
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise reject(source.name, "file-unreadable", file, value=str(exc)[:200]) from None


# -- checks --------------------------------------------------------------------------------------------------
def _frictionless_sample(descriptor: dict, raw: dict[str, pa.Table], problems: Problems) -> None:
    """Frictionless validates the descriptor (with our schemas in place of the standard's URLs) and the first
    SAMPLE_ROWS rows of each table. The vectorized checks should already have found whatever it finds in the
    sample; anything they missed is reported too (frictionless's message, untranslated), so a gap in
    :mod:`.checks` cannot let a bad row through unnoticed in the common case."""
    import frictionless

    resources = []
    for table in TABLE_NAMES:
        sample = raw[table].slice(0, SAMPLE_ROWS).to_pylist()
        header = raw[table].column_names
        rows = [header] + [[r[h] for h in header] for r in sample]
        resources.append({"name": table, "data": rows, "schema": table_schema(table, header)})
    package = {k: v for k, v in descriptor.items() if k not in ("profile", "resources", "$schema")}
    package = {"name": "package", **{k: v for k, v in package.items() if k in ("title", "version", "licenses",
                                                                               "contributors", "created")}}
    report = frictionless.Package.validate_descriptor({**package, "resources": resources})
    if not report.valid:
        problems.extend(PackageProblem("descriptor-invalid", "datapackage.json", value=e.message[:300])
                        for e in report.errors)
        return
    known = {(p.file, p.row, p.field) for p in problems} | {(p.file, 1, p.field) for p in problems}
    for table, resource in zip(TABLE_NAMES, resources):
        file = _file(descriptor, table)
        checked = frictionless.Resource(resource).validate()
        for row, field, cell, kind in checked.flatten(["rowNumber", "fieldName", "cell", "type"]):
            if kind in ("type-error", "constraint-error") and (file, row, field) not in known:
                problems.append(PackageProblem("row-invalid", file, row, field, cell, {"reason": kind}))


def _cross_checks(descriptor: dict, t: dict[str, pd.DataFrame], problems: Problems) -> None:
    dep, media, obs = t["deployments"], t["media"], t["observations"]
    dep_file, media_file, obs_file = (_file(descriptor, n) for n in TABLE_NAMES)
    problems.add_rows("end-before-start", dep_file, "deploymentEnd",
                      (dep["deploymentEnd"] < dep["deploymentStart"]).to_numpy(), dep["deploymentEnd"])
    ids = pd.Index(dep["deploymentID"])
    for file, frame in ((media_file, media), (obs_file, obs)):
        problems.add_rows("unknown-deployment", file, "deploymentID", ~frame["deploymentID"].isin(ids).to_numpy(),
                          frame["deploymentID"])
    if "mediaID" in obs:
        unknown = obs["mediaID"].notna() & ~obs["mediaID"].isin(pd.Index(media["mediaID"]))
        problems.add_rows("unknown-media", obs_file, "mediaID", unknown.to_numpy(), obs["mediaID"])
    problems.add_rows("end-before-start", obs_file, "eventEnd", (obs["eventEnd"] < obs["eventStart"]).to_numpy(),
                      obs["eventEnd"])
    start = obs["deploymentID"].map(dep.set_index("deploymentID")["deploymentStart"])
    end = obs["deploymentID"].map(dep.set_index("deploymentID")["deploymentEnd"])
    problems.add_rows("outside-deployment", obs_file, "eventStart", (obs["eventStart"] < start).to_numpy(),
                      obs["eventStart"])
    problems.add_rows("outside-deployment", obs_file, "eventEnd", (obs["eventEnd"] > end).to_numpy(),
                      obs["eventEnd"])


def _sorted(problems: Problems) -> list[PackageProblem]:
    """The descriptor's problems first, then each file's by row."""
    return sorted(problems, key=lambda p: (p.file != "datapackage.json", p.file, p.row or 0))


def _malfunctions(deployments: pd.DataFrame) -> pd.DataFrame:
    empty = pd.DataFrame({"deploymentID": pd.Series(dtype=object), "start": pd.Series(dtype="datetime64[ns, UTC]"),
                          "end": pd.Series(dtype="datetime64[ns, UTC]")})
    if "deploymentTags" not in deployments or deployments["deploymentTags"].isna().all():
        return empty
    tags = deployments.set_index("deploymentID")["deploymentTags"].dropna().astype(str)
    found = tags.str.extractall(r"malfunction:\s*([^/|\s]+)/([^|\s]+)")
    if found.empty:
        return empty
    out = pd.DataFrame({"deploymentID": found.index.get_level_values(0),
                        "start": pd.to_datetime(found[0].to_numpy(), utc=True, format="ISO8601", errors="coerce"),
                        "end": pd.to_datetime(found[1].to_numpy(), utc=True, format="ISO8601", errors="coerce")})
    return out.dropna().drop_duplicates().reset_index(drop=True)
