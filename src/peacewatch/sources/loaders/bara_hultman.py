"""Bara & Hultman (2020) UN and non-UN peacekeeping, mission x conflict x month, 1993-2016.

Quirks handled: a mission appears once per UCDP conflict in its country, so personnel are taken once
per mission-month (the maximum over conflict rows, which are copies) to avoid double counting;
personnel come from the complete interpolated/extrapolated ``*_iepo`` series (SIPRI values are
mostly December-only); mission names are stripped ("UNMIBH "). Each non-UN mission gets an
organisation family from ``mission_families.yml``.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.resources import load_yaml, package_path
from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context
from peacewatch.sources.errors import MalformedDataError

#: Mission name -> organisation family rules, shipped beside the loaders.
FAMILIES = ("peacewatch.sources.loaders", "mission_families.yml")
ORG_LABELS = {1: "UN", 2: "regional", 3: "international"}


def mission_families() -> dict[str, str]:
    """Mission name -> organisation family (NATO, EU, AU, ...)."""
    raw = load_yaml(*FAMILIES)
    return {mission: family for family, missions in raw.items() for mission in missions}


def bara_hultman(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Mission-month personnel of UN and non-UN operations in conflict countries.

    Returns ``ccode, date, year, month, mission, org, family, troops, police, observers, total``.
    ``org`` is UN / regional / international; ``family`` is UN for UN missions.
    """
    ctx = ctx or default_context()

    def build(read: Reader) -> pd.DataFrame:
        raw = read("main")
        raw = raw.assign(mission=raw["mission"].str.strip())
        families = mission_families()
        nonun = raw.loc[raw["org"] != 1, "mission"].unique()
        unknown = sorted(set(nonun) - set(families))
        if unknown:
            raise MalformedDataError(
                f"bara_hultman: non-UN missions without an organisation family: {unknown}; "
                f"add them to {package_path(*FAMILIES)}"
            )
        cols = {"troops_iepo": "troops", "police_iepo": "police", "observers_iepo": "observers", "totals_iepo": "total"}
        grouped = (
            raw.groupby(["ccode", "date", "mission", "org"], as_index=False)[list(cols)].max().rename(columns=cols)
        )
        date = pd.to_datetime(grouped["date"])
        grouped["ccode"] = grouped["ccode"].astype("int64")
        grouped["year"] = date.dt.year.astype("int64")
        grouped["month"] = date.dt.month.astype("int64")
        grouped["org"] = grouped["org"].astype(int).map(ORG_LABELS)
        grouped["family"] = grouped["mission"].map(families).where(grouped["org"] != "UN", "UN")
        for c in cols.values():
            grouped[c] = grouped[c].astype(float).fillna(0.0)
        return grouped[["ccode", "date", "year", "month", "mission", "org", "family", *cols.values()]]

    return ctx.cached("bara_hultman", ["main"], "bh-v1", build)
