"""Sampling effort of camera-trap deployments."""
from __future__ import annotations

import pandas as pd

DAY = pd.Timedelta(days=1)


def camera_days(deployments: pd.DataFrame, malfunctions: pd.DataFrame | None = None) -> pd.Series:
    """Camera-days per deployment (index ``deploymentID``): its interval minus the reported malfunction
    intervals, each clipped to the deployment and overlaps counted once."""
    start = pd.to_datetime(deployments["deploymentStart"], utc=True)
    end = pd.to_datetime(deployments["deploymentEnd"], utc=True)
    days = pd.Series(((end - start) / DAY).to_numpy(), index=deployments["deploymentID"].to_numpy(),
                     name="cameraDays")
    if malfunctions is None or malfunctions.empty:
        return days.clip(lower=0)
    lost = _malfunction_days(deployments.assign(_s=start, _e=end), malfunctions)
    return (days - lost.reindex(days.index, fill_value=0.0)).clip(lower=0).rename("cameraDays")


def _malfunction_days(deployments: pd.DataFrame, malfunctions: pd.DataFrame) -> pd.Series:
    """Days lost per deployment: malfunction intervals clipped to the deployment, merged where they overlap."""
    m = malfunctions.merge(deployments[["deploymentID", "_s", "_e"]], on="deploymentID", how="inner")
    s = pd.to_datetime(m["start"], utc=True).clip(lower=m["_s"], upper=m["_e"])
    e = pd.to_datetime(m["end"], utc=True).clip(lower=m["_s"], upper=m["_e"])
    m = pd.DataFrame({"deploymentID": m["deploymentID"], "s": s, "e": e}).sort_values(["deploymentID", "s"])
    # An interval starts a new merged run when it begins after every earlier interval of its deployment ended.
    reach = m.groupby("deploymentID")["e"].cummax()
    prev_reach = reach.groupby(m["deploymentID"]).shift()
    run = (prev_reach.isna() | (m["s"] > prev_reach)).cumsum()
    merged = m.groupby(run).agg(deploymentID=("deploymentID", "first"), s=("s", "min"), e=("e", "max"))
    return ((merged["e"] - merged["s"]) / DAY).groupby(merged["deploymentID"]).sum()


# -- independent detections and detection rates -------------------------------------------------------------------

THRESHOLD = pd.Timedelta(minutes=30)
GROUPINGS = {"deployment": ["deploymentID"], "survey": ["surveyID"],
             "province": ["countryCode", "stateProvince"], "country": ["countryCode"]}


def animal_records(observations: pd.DataFrame) -> pd.DataFrame:
    """Animal observations with a name, at one level per deployment: event-level where the deployment has any
    (an event and its media-level observations describe the same animals), media-level otherwise."""
    obs = observations[(observations["observationType"] == "animal")
                       & observations["scientificName"].fillna("").astype(str).str.strip().ne("")]
    keys = _deployment_keys(obs)
    is_event = obs["observationLevel"] == "event"
    has_events = is_event.groupby([obs[k] for k in keys]).transform("any")
    return obs[is_event | ~has_events]


def independent_detections(observations: pd.DataFrame, threshold: pd.Timedelta = THRESHOLD) -> pd.DataFrame:
    """Independent detections per deployment × species (``detections``).

    Records of one species at one deployment whose starts are at most ``threshold`` apart form one detection;
    a gap longer than ``threshold`` from the previous record starts a new one (camtrapR's ``minDeltaTime``
    with ``deltaTimeComparedTo = "lastRecord"``; vectorized, no loop over records)."""
    obs = animal_records(observations)
    keys = [*_deployment_keys(obs), "scientificName"]
    frame = obs[keys].assign(_t=pd.to_datetime(obs["eventStart"], utc=True)).sort_values([*keys, "_t"])
    same = frame[keys].eq(frame[keys].shift()).all(axis=1)
    new = ~same | (frame["_t"] - frame["_t"].shift() > threshold)
    return (new.groupby([frame[k] for k in keys]).sum().astype("int64").rename("detections").reset_index())


def detection_rates(package, *, by: str = "deployment", threshold: pd.Timedelta = THRESHOLD,
                    species: str | None = None) -> pd.DataFrame:
    """Independent detections per 100 camera-days, per species × ``by`` (deployment, survey, province or
    country): ``detections``, ``cameraDays``, ``ratePer100CameraDays`` and ``detected``. A group without a
    detection of a species appears (``detected`` False, rate 0) only where a survey in it declares that species
    in its taxonomic scope: a non-detection, never a record.

    A species' effort in a group is the camera-days of the group's deployments whose survey recorded the species
    or declares it in its scope; detections and camera-days are summed over the group before dividing. Another
    survey's cameras may have seen it without anyone recording it, so their days are not counted against it."""
    if by not in GROUPINGS:
        raise ValueError(by)
    dep, observations = _deployments_with_effort(package), package.observations
    if "surveyID" not in dep.columns:  # one package: its own id names the survey
        survey = package.metadata.get("id") or package.metadata.get("name") or ""
        dep, observations = dep.assign(surveyID=survey), observations.assign(surveyID=survey)
    dkeys = _deployment_keys(dep)
    found = independent_detections(observations, threshold)
    grid = _scoped_grid(package, dep, dkeys)
    per_dep = grid.merge(found, on=[*dkeys, "scientificName"], how="outer")
    per_dep["detections"] = per_dep["detections"].fillna(0).astype("int64")
    if species is not None:
        per_dep = per_dep[per_dep["scientificName"] == species]
    gkeys = _group_keys(by, dep)
    per_dep = per_dep.merge(dep[[*dkeys, *[k for k in gkeys if k not in dkeys]]], on=dkeys, how="left")
    counts = per_dep.groupby([*gkeys, "scientificName"], dropna=False)["detections"].sum().reset_index()
    out = counts.merge(_effort(dep, per_dep, gkeys), on=[*gkeys, "scientificName"], how="left")
    days = out["cameraDays"].where(out["cameraDays"] > 0)
    out["ratePer100CameraDays"] = (out["detections"] / days * 100).round(3)
    out["detected"] = out["detections"] > 0
    out["cameraDays"] = out["cameraDays"].round(3)
    return out.sort_values([*gkeys, "scientificName"]).reset_index(drop=True)


def _effort(dep: pd.DataFrame, per_dep: pd.DataFrame, gkeys: list[str]) -> pd.DataFrame:
    """Camera-days per group × species, of the deployments of the surveys concerned with the species: those
    with a row for it in ``per_dep`` (they recorded it, or declare it in their scope)."""
    concerned = per_dep[["surveyID", "scientificName"]].drop_duplicates()
    days = dep[list(dict.fromkeys(["surveyID", *gkeys, "cameraDays"]))].merge(concerned, on="surveyID")
    return (days.groupby([*gkeys, "scientificName"], dropna=False)["cameraDays"].sum().reset_index())


def _deployment_keys(frame: pd.DataFrame) -> list[str]:
    """Deployments are named within their survey: ``surveyID`` + ``deploymentID`` where several surveys mix."""
    return ["surveyID", "deploymentID"] if "surveyID" in frame.columns else ["deploymentID"]


def _group_keys(by: str, dep: pd.DataFrame) -> list[str]:
    if by == "deployment":
        return _deployment_keys(dep)
    return GROUPINGS[by]


def _deployments_with_effort(package) -> pd.DataFrame:
    dep = package.deployments
    if "cameraDays" not in dep.columns:
        days = camera_days(dep, package.malfunctions)
        dep = dep.assign(cameraDays=days.to_numpy())
    for column in ("countryCode", "stateProvince"):
        if column not in dep.columns:
            dep = dep.assign(**{column: None})
    return dep


# Ranks a non-detection may be said of. "Not detected" of a genus or a class would be false at a station that
# detected one of its species under the species' name (the official example declares Aves and Ardea beside Anas
# platyrhynchos and Ardea cinerea), and telling the two apart needs a taxonomy the package does not carry.
SPECIES_RANKS = frozenset({"species", "subspecies", "variety", "form"})


def survey_scopes(package) -> dict:
    """The species each survey declares it looked for (``metadata["taxonomic"]``), as sets of scientific names:
    the survey's id as key where several are mixed (``metadata["surveys"]``, each with its own ``taxonomic``, as
    the store loads them), ``None`` for a package's own. A survey that declares none is absent. Entries above
    species rank are left out (``taxonRank``; without one, a name of one word)."""
    scopes = {}
    for survey in package.metadata.get("surveys") or ():
        names = _species_names(survey.get("taxonomic"))
        if names:
            scopes[survey.get("id")] = names
    if not scopes:
        names = _species_names(package.metadata.get("taxonomic"))
        if names:
            scopes[None] = names
    return scopes


def _species_names(taxonomic) -> set[str]:
    names = set()
    for taxon in taxonomic or ():
        name = str(taxon.get("scientificName") or "").strip()
        rank = str(taxon.get("taxonRank") or "").strip().lower()
        if name and (rank in SPECIES_RANKS if rank else len(name.split()) >= 2):
            names.add(name)
    return names


def _scoped_grid(package, dep: pd.DataFrame, dkeys: list[str]) -> pd.DataFrame:
    """Every deployment with effort × every species its survey declares: the rows a non-detection may fill."""
    scopes = survey_scopes(package)
    parts = []
    for survey, names in scopes.items():
        mine = dep if survey is None or "surveyID" not in dep.columns else dep[dep["surveyID"] == survey]
        mine = mine[mine["cameraDays"] > 0][dkeys]
        if len(mine):
            parts.append(mine.merge(pd.DataFrame({"scientificName": sorted(names)}), how="cross"))
    if not parts:
        return pd.DataFrame(columns=[*dkeys, "scientificName"])
    return pd.concat(parts, ignore_index=True).drop_duplicates()
