"""World Development Indicators extracts: population (wide, 1960-2016) and GDP per capita
(constant 2015 US$, long, 1960-2020).

Quirks handled: aggregates ("Arab World", "WLD") are mixed with countries and dropped because their
codes are not states in the crosswalk's ISO3 table; Channel Islands, Kosovo's WB code XKX and the like
are mapped or dropped as listed in ``country_overrides.yml``.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.crosswalk import Crosswalk
from peacewatch.sources.defaults import default_context


def _to_cow(frame: pd.DataFrame, cw: Crosswalk, iso_col: str) -> pd.Series:
    # Aggregates have no COW code: iso3_to_cow returns None for them, and they are dropped.
    codes = frame[iso_col].map(lambda c: cw.iso3_to_cow(c) if isinstance(c, str) else None)
    return codes


def wdi_population(ctx: SourceContext | None = None) -> pd.DataFrame:
    """``ccode, iso3, year, population`` (persons)."""
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        raw = read("main")
        years = [c for c in raw.columns if str(c).isdigit()]
        long = raw.melt(id_vars=["Country Code"], value_vars=years, var_name="year", value_name="population")
        long = long.rename(columns={"Country Code": "iso3"}).dropna(subset=["population"])
        long["ccode"] = _to_cow(long, cw, "iso3")
        long = long.dropna(subset=["ccode"])
        long["ccode"] = long["ccode"].astype("int64")
        long["year"] = long["year"].astype("int64")
        long["population"] = long["population"].astype(float)
        return long[["ccode", "iso3", "year", "population"]].reset_index(drop=True)

    return ctx.cached("wdi_population", ["main"], "pop-v1", build)


def wdi_gdppc(ctx: SourceContext | None = None) -> pd.DataFrame:
    """``ccode, iso3, year, gdppc`` (constant 2015 US$)."""
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        raw = read("main")
        out = pd.DataFrame(
            {"iso3": raw["Country Code"], "year": raw["Time"], "gdppc": pd.to_numeric(raw["Value"], errors="coerce")}
        )
        out = out.dropna(subset=["gdppc", "year"])
        out["ccode"] = _to_cow(out, cw, "iso3")
        out = out.dropna(subset=["ccode"])
        out["ccode"] = out["ccode"].astype("int64")
        out["year"] = out["year"].astype("int64")
        return out[["ccode", "iso3", "year", "gdppc"]].reset_index(drop=True)

    return ctx.cached("wdi_gdppc", ["main"], "gdppc-v1", build)
