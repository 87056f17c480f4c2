"""Non-UN deployments (NATO, EU, AU and other regional/ad hoc operations) per host country-year.

From Bara & Hultman (2020); same monthly-to-yearly rules as the UN verb. Coverage: 1993-2016 and only
countries with a UCDP intrastate conflict (1989-2016): other country-years inside 1993-2016 are 0
(no operation recorded in a conflict-country dataset; peace operations in never-conflict states, e.g.
EU missions in North Macedonia, are not in the source), years outside are missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from peacewatch.panel.verbs.monthly import to_yearly
from peacewatch.sources.context import SourceContext
from peacewatch.sources.loaders.bara_hultman import bara_hultman

FIRST_YEAR, LAST_YEAR = 1993, 2016
FAMILY_COLUMNS = {"NATO": "nato_personnel", "EU": "eu_personnel", "AU": "au_personnel"}
COLUMNS = [
    "nonun_personnel",
    "nonun_troops",
    "nonun_missions",
    "nonun_mission_names",
    "nato_personnel",
    "eu_personnel",
    "au_personnel",
    "nonun_deployed",
    "ln_nonun_personnel",
]


def nonun_deployments(ctx: SourceContext, years: pd.DataFrame, agg: str = "december") -> pd.DataFrame:
    """Columns ``COLUMNS`` for every ``ccode, year`` in ``years``."""
    bh = bara_hultman(ctx)
    nonun = bh[bh["org"] != "UN"].copy()
    for family, col in FAMILY_COLUMNS.items():
        nonun[col] = nonun["total"].where(nonun["family"] == family, 0.0)
    value_cols = ["total", "troops", *FAMILY_COLUMNS.values()]
    host_month = nonun.groupby(["ccode", "year", "month"], as_index=False)[value_cols].sum()
    yearly = to_yearly(host_month, value_cols, agg).rename(
        columns={"total": "nonun_personnel", "troops": "nonun_troops"}
    )
    present = (
        nonun.groupby(["ccode", "year"])
        .agg(
            nonun_missions=("mission", "nunique"),
            nonun_mission_names=("mission", lambda s: ";".join(sorted(s.unique()))),
        )
        .reset_index()
    )
    yearly = yearly.merge(present, on=["ccode", "year"], how="outer")

    out = years[["ccode", "year"]].merge(yearly, on=["ccode", "year"], how="left")
    covered = out["year"].between(FIRST_YEAR, LAST_YEAR)
    for col in ["nonun_personnel", "nonun_troops", "nonun_missions", *FAMILY_COLUMNS.values()]:
        out[col] = out[col].astype(float).fillna(0.0).where(covered)
    out["nonun_mission_names"] = out["nonun_mission_names"].fillna("").where(covered)
    out["nonun_deployed"] = (out["nonun_missions"] > 0).astype(float).where(covered)
    out["ln_nonun_personnel"] = np.log1p(out["nonun_personnel"])
    return out[["ccode", "year", *COLUMNS]]
