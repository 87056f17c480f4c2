"""IPI Peacekeeping Database: mission-month personnel and contributor x mission x month files.

Quirks handled: blank Troops/Police/Observers cells mean none deployed in that category (IPI leaves
them empty, e.g. Observers after ~2009); the host is taken from the ISO3 column, not the name (names
have quirks such as "South Sudan'"); Western Sahara (MINURSO) is attributed to Morocco (COW has no
code for it; see ``country_overrides.yml``); UNMIK's host is Kosovo from 2008, when Kosovo joins the
COW system (IPI codes it SRB throughout; ``mission_hosts`` in ``country_overrides.yml``).
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context

#: IPI mission codes that are not deployments to a host (UN Logistics Base, Brindisi).
NOT_DEPLOYMENTS = frozenset({"LBB"})


def ipi_missions(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Mission-month UN personnel, 1990-11 .. 2017-03.

    Returns columns ``date, year, month, mission, host, host_iso3, ccode, n_contributors, troops,
    police, observers, total`` (personnel as float, blanks as 0). Logistics bases are dropped.
    """
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        raw = read("mission_month")
        raw = raw[~raw["Mission"].isin(NOT_DEPLOYMENTS)]
        iso = cw.iso3s_to_cow(raw["Country of Mission ISO-3"], "ipi_missions (Country of Mission ISO-3)")
        date = pd.to_datetime(raw["Date"], format="%Y-%m-%d")
        out = pd.DataFrame(
            {
                "date": date,
                "year": date.dt.year.astype("int64"),
                "month": date.dt.month.astype("int64"),
                "mission": raw["Mission"].str.strip(),
                "host": raw["Country of Mission"].str.strip().str.rstrip("'"),  # "South Sudan'" quirk
                "host_iso3": raw["Country of Mission ISO-3"],
                "ccode": raw["Country of Mission ISO-3"].map(iso).astype("int64"),
                "n_contributors": pd.to_numeric(raw["Number of Contributors"]),
            }
        )
        for col in ("Troops", "Police", "Observers"):
            out[col.lower()] = pd.to_numeric(raw[col]).fillna(0.0)
        out["total"] = out["troops"] + out["police"] + out["observers"]
        for mission, (from_year, ccode, name) in cw.mission_hosts().items():
            rows = out["mission"].eq(mission) & out["year"].ge(from_year)
            out.loc[rows, ["ccode", "host", "host_iso3"]] = [ccode, name, cw.cow_to_iso3(ccode)]
        return out.reset_index(drop=True)

    return ctx.cached("ipi_missions", ["mission_month"], "missions-v3", build)


def ipi_contributors(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Contributor x mission x month personnel, 2009-11 .. 2014-02 (IPI TCC-DataScraper).

    Returns ``date, year, month, mission, contributor, contributor_iso3, tcc_ccode, troops, police,
    experts, total, female_total, contributor_raw``. Police = individual police + formed police units.
    """
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        raw = read("contributor_mission_month")
        iso = cw.iso3s_to_cow(raw["Contributor ISO-3"], "ipi_contributors (Contributor ISO-3)")
        date = pd.to_datetime(raw["Date"], format="%Y-%m-%d")
        keep = raw["Contributor ISO-3"].isin(iso.keys())
        out = pd.DataFrame(
            {
                "date": date,
                "year": date.dt.year.astype("int64"),
                "month": date.dt.month.astype("int64"),
                "mission": raw["Mission"].str.strip(),
                "contributor": raw["Contributor"],
                "contributor_iso3": raw["Contributor ISO-3"],
                "tcc_ccode": raw["Contributor ISO-3"].map(iso),
                "troops": raw["Troops Total"].astype(float),
                "police": (raw["Individual Police Total"] + raw["Formed Police Units Total"]).astype(float),
                "experts": raw["Experts on Mission Total"].astype(float),
                "total": raw["Total Total"].astype(float),
                "female_total": raw["Total Female"].astype(float),
            }
        )[keep]
        out["tcc_ccode"] = out["tcc_ccode"].astype("int64")
        # IPI spells some contributors two ways ("United States" / "United States of America"): one
        # name per state, the shortest; the spelling as published stays in ``contributor_raw``.
        out["contributor_raw"] = out["contributor"]
        shortest = out.groupby("tcc_ccode")["contributor"].agg(lambda s: min(s.unique(), key=len))
        out["contributor"] = out["tcc_ccode"].map(shortest)
        return out.reset_index(drop=True)

    return ctx.cached("ipi_contributors", ["contributor_mission_month"], "contributors-v2", build)
