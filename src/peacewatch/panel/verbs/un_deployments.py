"""UN deployments per host country-year, from the IPI mission-month file.

Merge rules: personnel of all UN missions in the host are summed per month, then collapsed to the
year by the chosen rule (see :mod:`peacewatch.panel.verbs.monthly`). ``un_tccs`` is the number of
contributing countries of the host's largest-contributor mission in that month (IPI counts
contributors per mission; a country-level union of contributors is only possible for 2009-11..2014-02).
``un_missions`` counts missions present in any month of the year. ``un_duration`` counts years since
the host's first UN deployment (1 in that first year; pre-1990 missions use their real start year
from ``mission_starts.yml``) and is 0 in years without UN presence. Years after the last full
IPI year (2016) are missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peacewatch.panel.verbs.monthly import to_yearly
from peacewatch.resources import load_yaml
from peacewatch.sources.context import SourceContext
from peacewatch.sources.loaders.ipi import ipi_missions

#: Start years of missions already deployed when IPI begins (1990-11), shipped with the panel.
STARTS = ("peacewatch.panel", "mission_starts.yml")
LAST_FULL_YEAR = 2016
FIRST_YEAR = 1990
COLUMNS = [
    "un_troops",
    "un_police",
    "un_observers",
    "un_personnel",
    "un_tccs",
    "un_missions",
    "un_mission_names",
    "un_deployed",
    "un_first_year",
    "un_duration",
    "ln_un_personnel",
]


def un_deployments(ctx: SourceContext, years: pd.DataFrame, agg: str = "december") -> pd.DataFrame:
    """Columns ``COLUMNS`` for every ``ccode, year`` in ``years``."""
    missions = ipi_missions(ctx)
    host_month = missions.groupby(["ccode", "year", "month"], as_index=False).agg(
        un_troops=("troops", "sum"),
        un_police=("police", "sum"),
        un_observers=("observers", "sum"),
        un_personnel=("total", "sum"),
        un_tccs=("n_contributors", "max"),
    )
    yearly = to_yearly(host_month, ["un_troops", "un_police", "un_observers", "un_personnel", "un_tccs"], agg)
    present = (
        missions.groupby(["ccode", "year"])
        .agg(un_missions=("mission", "nunique"), un_mission_names=("mission", lambda s: ";".join(sorted(s.unique()))))
        .reset_index()
    )
    yearly = yearly.merge(present, on=["ccode", "year"], how="outer")

    starts = load_yaml(*STARTS)
    first_seen = missions.groupby(["ccode", "mission"])["year"].min().reset_index()
    first_seen["year"] = [min(y, starts.get(m, y)) for m, y in zip(first_seen["mission"], first_seen["year"])]
    first_year = first_seen.groupby("ccode")["year"].min()

    out = years[["ccode", "year"]].merge(yearly, on=["ccode", "year"], how="left")
    covered = out["year"].between(FIRST_YEAR, LAST_FULL_YEAR)
    for col in ["un_troops", "un_police", "un_observers", "un_personnel", "un_tccs", "un_missions"]:
        out[col] = out[col].astype(float).fillna(0.0).where(covered)
    out["un_mission_names"] = out["un_mission_names"].fillna("").where(covered)
    out["un_deployed"] = (out["un_missions"] > 0).astype(float).where(covered)
    out["un_first_year"] = out["ccode"].map(first_year).astype("Int64")
    since = (out["year"] - out["un_first_year"] + 1).astype(float)
    out["un_duration"] = np.where(out["un_deployed"] == 1, since, 0.0)
    out.loc[~covered, "un_duration"] = np.nan
    out["ln_un_personnel"] = np.log1p(out["un_personnel"])
    return out[["ccode", "year", *COLUMNS]]
