"""Geo-PKO v2.x: UN deployment locations per source map and month, with troops per TCC.

Quirks handled: several maps can cover the same mission-month, so per-TCC troops are taken from the
latest map of each mission-year (never summed across maps); troop counts per TCC are text and may be
"unknown" (kept as missing); non-state contributors ("Multinational", "CARICOM", "unknown") are
dropped. Troop numbers are map-based estimates (standard unit sizes).
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import SourceContext
from peacewatch.sources.defaults import default_context

NON_STATE_CONTRIBUTORS = ("Multinational", "Mutinational", "CARICOM", "unknown", "nan")
MAX_TCC_SLOTS = 17


def geo_pko(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Location-level rows: ``source, mission, year, month, location, country, latitude, longitude,
    troops, n_tcc, ccode`` (host COW code)."""
    ctx = ctx or default_context()

    def build(read) -> pd.DataFrame:
        raw = read("raw")
        out = pd.DataFrame(
            {
                "source": raw["source"].astype(str),
                "mission": raw["mission"].astype(str).str.strip(),
                "year": raw["year"].astype("int64"),
                "month": pd.to_numeric(raw["month"], errors="coerce"),
                "location": raw["location"].astype(str),
                "country": raw["country"].astype(str),
                "latitude": pd.to_numeric(raw["latitude"], errors="coerce"),
                "longitude": pd.to_numeric(raw["longitude"], errors="coerce"),
                "troops": pd.to_numeric(raw["no.troops"], errors="coerce"),
                "n_tcc": pd.to_numeric(raw["no.tcc"], errors="coerce"),
                "ccode": pd.to_numeric(raw["cow_code"], errors="coerce"),
            }
        )
        return out

    return ctx.cached("geo_pko", ["raw"], "locations-v1", build)


def geo_pko_tcc_troops(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Troops per contributing country per mission-year, from the latest map of that year.

    Returns ``mission, year, source, month, tcc_name, tcc_ccode, troops`` (troops missing when the
    map says "unknown").
    """
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read) -> pd.DataFrame:
        raw = read("raw")
        raw = raw.assign(mission=raw["mission"].astype(str).str.strip(), month=pd.to_numeric(raw["month"], errors="coerce"))
        long = []
        for i in range(1, MAX_TCC_SLOTS + 1):
            part = raw[["mission", "year", "month", "source", f"nameoftcc_{i}", f"notroopspertcc_{i}"]]
            part.columns = ["mission", "year", "month", "source", "tcc_name", "troops"]
            long.append(part.dropna(subset=["tcc_name"]))
        tcc = pd.concat(long, ignore_index=True)
        tcc["tcc_name"] = tcc["tcc_name"].astype(str).str.strip()
        tcc = tcc[~tcc["tcc_name"].isin(NON_STATE_CONTRIBUTORS)]
        tcc["troops"] = pd.to_numeric(tcc["troops"], errors="coerce")
        # the latest map (by month, then source) of each mission-year stands for that year
        latest = (
            tcc.sort_values(["mission", "year", "month", "source"])
            .groupby(["mission", "year"])[["month", "source"]]
            .last()
            .reset_index()
        )
        tcc = tcc.merge(latest, on=["mission", "year", "month", "source"])
        mapping = cw.names_to_cow(tcc["tcc_name"], "geo_pko (nameoftcc_*)")
        tcc["tcc_ccode"] = tcc["tcc_name"].map(mapping).astype("int64")
        out = tcc.groupby(["mission", "year", "source", "month", "tcc_ccode"], as_index=False).agg(
            tcc_name=("tcc_name", "first"), troops=("troops", lambda s: s.sum(min_count=1))
        )
        out["year"] = out["year"].astype("int64")
        return out

    return ctx.cached("geo_pko", ["raw"], "tcc-troops-v1", build)
