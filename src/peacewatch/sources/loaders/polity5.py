"""Polity5 (p5v2018): regime scores, country-year 1776-2018.

Quirks handled: country names are space-padded; Polity codes differ from COW for successor states
(Serbia 342, Serbia and Montenegro 347, Montenegro 348, Kosovo 341, South Sudan 525, Sudan-North 626 ...), mapped
to COW via ``country_overrides.yml``; where two Polity units map to one COW state-year (e.g. a
transition year) the later Polity unit wins. ``polity`` keeps the special codes -66/-77/-88;
``polity2`` is the interpolated series for analysis.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context


def polity5(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Polity5 country-years: ``ccode`` (COW), ``polity_ccode``, ``year``, ``country``, ``democ``, ``autoc``,
    ``polity``, ``polity2``, ``durable``."""
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        raw = read("main")
        out = pd.DataFrame(
            {
                "polity_ccode": raw["ccode"].astype("int64"),
                "year": raw["year"].astype("int64"),
                "country": raw["country"].astype(str).str.strip(),
                "democ": raw["democ"].astype(float),
                "autoc": raw["autoc"].astype(float),
                "polity": raw["polity"].astype(float),
                "polity2": raw["polity2"].astype(float),
                "durable": raw["durable"].astype(float),
            }
        )
        out["ccode"] = out["polity_ccode"].map(cw.polity_to_cow).astype("int64")
        out = out.sort_values(["ccode", "year", "polity_ccode"])
        # keep one row per COW state-year: the successor unit (e.g. Serbia 342 over S&M 347 in 2006)
        order = out["polity_ccode"].map({342: 2, 347: 1}).fillna(0)
        out = out.assign(_o=order).sort_values(["ccode", "year", "_o"]).drop_duplicates(["ccode", "year"], keep="last")
        return out.drop(columns="_o").reset_index(drop=True)

    return ctx.cached("polity5", ["main"], "polity-v2", build)
