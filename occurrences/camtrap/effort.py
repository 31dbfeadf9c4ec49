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
