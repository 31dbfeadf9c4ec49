"""The survey tables, the same on both backends: a survey, its deployments (with effort, place and the public
copy of their location), media, observations and malfunction intervals. Column names are Camtrap DP 1.0's.

SQL here is built from fixed names only; values are always bound parameters. Timestamps are stored as ISO 8601
text in UTC (``2024-03-15T06:30:00Z``, which sorts as time does); each deployment keeps the UTC offset its
package gave (``timezoneOffset``), so local times can be shown again. Booleans are 0/1 on both backends.
"""
from __future__ import annotations

from ..store.sql import quote
from .schema import DEPLOYMENTS, MEDIA, OBSERVATIONS

SURVEY, DEPLOYMENT, MEDIA_TABLE, OBSERVATION, MALFUNCTION = (
    "survey", "deployment", "camtrap_media", "camtrap_observation", "malfunction")
_KIND = {"number": "real", "integer": "integer", "boolean": "integer"}  # everything else is text

SURVEY_COLUMNS = (("id", "text"), ("title", "text"), ("metadata", "text"), ("taxonomicScope", "text"),
                  ("source", "text"), ("submittedBy", "text"), ("created", "text"))
DEPLOYMENT_COLUMNS = (("surveyID", "text"), *((f.name, _KIND.get(f.type, "text")) for f in DEPLOYMENTS),
                      ("timezoneOffset", "text"), ("cameraDays", "real"), ("countryCode", "text"),
                      ("stateProvince", "text"),
                      # what readers without precise access see (occurrences.sensitivity): level and public point
                      ("sensitivity", "integer"), ("publicLatitude", "real"), ("publicLongitude", "real"),
                      ("publicUncertainty", "real"))
MEDIA_COLUMNS = (("surveyID", "text"), *((f.name, _KIND.get(f.type, "text")) for f in MEDIA))
OBSERVATION_COLUMNS = (("surveyID", "text"), *((f.name, _KIND.get(f.type, "text")) for f in OBSERVATIONS),
                       ("occurrenceID", "text"))
MALFUNCTION_COLUMNS = (("surveyID", "text"), ("deploymentID", "text"), ("start", "text"), ("end", "text"))

TABLES = {SURVEY: (SURVEY_COLUMNS, ("id",)),
          DEPLOYMENT: (DEPLOYMENT_COLUMNS, ("surveyID", "deploymentID")),
          MEDIA_TABLE: (MEDIA_COLUMNS, ("surveyID", "mediaID")),
          OBSERVATION: (OBSERVATION_COLUMNS, ("surveyID", "observationID")),
          MALFUNCTION: (MALFUNCTION_COLUMNS, ("surveyID", "deploymentID", "start", "end"))}
_SQL_TYPES = {"sqlite": {"text": "TEXT", "real": "REAL", "integer": "INTEGER"},
              "postgis": {"text": 'text COLLATE "C"', "real": "double precision", "integer": "bigint"}}


def columns(table: str) -> tuple[str, ...]:
    return tuple(name for name, _ in TABLES[table][0])


def kinds(table: str) -> dict[str, str]:
    return dict(TABLES[table][0])


def schema(backend: str) -> list[str]:
    """CREATE statements for ``backend`` (``sqlite`` or ``postgis``): one migration step of each store."""
    types = _SQL_TYPES[backend]
    # Every read is "the rows of these surveys", which the primary key (survey first) answers; no other index
    # is kept up during imports of millions of rows. SQLite stores each table in its key's order (WITHOUT
    # ROWID): one b-tree instead of a table and its key index.
    suffix = " WITHOUT ROWID" if backend == "sqlite" else ""
    out = []
    for table, (cols, key) in TABLES.items():
        body = ", ".join(f"{quote(n)} {types[k]}" + (" NOT NULL" if n in key else "") for n, k in cols)
        key_sql = ", ".join(quote(k) for k in key)
        # IF NOT EXISTS: a database set back to an older version (tests of earlier migrations) runs this again
        out.append(f"CREATE TABLE IF NOT EXISTS {quote(table)} ({body}, PRIMARY KEY ({key_sql})){suffix}")
    return out


def insert_sql(table: str, names, placeholder: str) -> str:
    return (f"INSERT INTO {quote(table)} ({', '.join(quote(n) for n in names)}) "
            f"VALUES ({', '.join([placeholder] * len(names))})")


def select_sql(table: str, placeholder: str, survey_ids: list[str] | None) -> tuple[str, list]:
    """All rows of ``table`` (of the given surveys when ``survey_ids`` is not None), in key order."""
    key_col = "id" if table == SURVEY else "surveyID"
    where, params = "", []
    if survey_ids is not None:
        where = f" WHERE {quote(key_col)} IN ({', '.join([placeholder] * len(survey_ids))})" if survey_ids else " WHERE 1=0"
        params = list(survey_ids)
    order = ", ".join(quote(k) for k in TABLES[table][1])
    return (f"SELECT {', '.join(quote(c) for c in columns(table))} FROM {quote(table)}{where} ORDER BY {order}",
            params)


def exists_sql(placeholder: str) -> str:
    return f"SELECT 1 FROM {quote(SURVEY)} WHERE {quote('id')} = {placeholder}"


# observationType is not read back: every row selected is "animal" (a million repeated strings cost ~0.2 s)
EFFORT_OBSERVATION_COLUMNS = ("surveyID", "deploymentID", "scientificName", "eventStart", "observationLevel")


def effort_observations_sql(placeholder: str, species: str | None) -> tuple[str, list]:
    """The animal observations detection rates need (of one species when given): a few columns, no media."""
    where, params = f"{quote('observationType')} = {placeholder}", ["animal"]
    if species is not None:
        where += f" AND {quote('scientificName')} = {placeholder}"
        params.append(species)
    return (f"SELECT {', '.join(quote(c) for c in EFFORT_OBSERVATION_COLUMNS)} FROM {quote(OBSERVATION)} "
            f"WHERE {where}", params)


def event_level_deployments_sql(placeholder: str) -> tuple[str, list]:
    """The deployments with event-level animal observations of any species: effort counts only those there."""
    return (f"SELECT DISTINCT {quote('surveyID')}, {quote('deploymentID')} FROM {quote(OBSERVATION)} "
            f"WHERE {quote('observationType')} = {placeholder} AND {quote('observationLevel')} = {placeholder} "
            f"AND {quote('scientificName')} <> {placeholder}", ["animal", "event", ""])


def record_counts_sql(placeholder: str, survey_ids: list[str] | None) -> tuple[str, list]:
    """Records made per survey × deployment × species (observations that became occurrences), counted in the
    database: the survey pages need these numbers, not the observation rows."""
    where, params = f"{quote('occurrenceID')} IS NOT NULL", []
    if survey_ids is not None:
        if not survey_ids:
            where += " AND 1=0"
        else:
            where += f" AND {quote('surveyID')} IN ({', '.join([placeholder] * len(survey_ids))})"
            params = list(survey_ids)
    keys = ", ".join(quote(c) for c in ("surveyID", "deploymentID", "scientificName"))
    return f"SELECT {keys}, count(*) AS n FROM {quote(OBSERVATION)} WHERE {where} GROUP BY {keys}", params
