"""The country-year frame a panel starts from: members of a state system in each year.

Rule: a state is in the frame for every calendar year in which it was a system member on any day
(as peacesciencer's ``create_stateyears``). The COW list (v2016) ends on 2016-12-31 and the G-W list
on 2017-12-31: states still members then are carried forward to the requested end year.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.bounds import SYSTEMS, check_year_range, frame_years
from peacewatch.sources.context import SourceContext
from peacewatch.sources.loaders.state_lists import cow_states, gw_states


def _expand(spells: pd.DataFrame, code_col: str, name_col: str, start: int, end: int, list_end: int) -> pd.DataFrame:
    spells = spells.copy()
    spells.loc[spells["end_year"] >= list_end, "end_year"] = max(end, list_end)
    spells["first"] = spells["start_year"].clip(lower=start)
    spells["last"] = spells["end_year"].clip(upper=end)
    spells = spells[spells["first"] <= spells["last"]]
    years = [range(a, b + 1) for a, b in zip(spells["first"], spells["last"])]
    out = spells[[code_col, name_col]].assign(year=years).explode("year")
    out["year"] = out["year"].astype("int64")
    return out.drop_duplicates([code_col, "year"]).rename(columns={name_col: "country"})


def country_years(ctx: SourceContext, start: int, end: int, system: str = "cow") -> pd.DataFrame:
    """Frame of ``ccode, year, country, iso3, gwcode`` for the state system ``system``."""
    if system not in SYSTEMS:
        raise ValueError(f"system must be one of {SYSTEMS}, got {system!r}")
    check_year_range(start, end, frame_years(), ("start", "end"))
    cw = ctx.crosswalk
    if system == "cow":
        frame = _expand(cow_states(ctx), "ccode", "statenme", start, end, list_end=2016)
        frame["gwcode"] = frame["ccode"].map(lambda c: cw.cow_to_gw.get(c, c)).astype("Int64")
    else:
        frame = _expand(gw_states(ctx), "gwcode", "statename", start, end, list_end=2017)
        frame["ccode"] = frame["gwcode"].map(cw.gw_to_cow).astype("int64")
        # e.g. G-W Yugoslavia (345) and Serbia (340) both are COW 345 in 2006: keep the successor
        frame = frame.sort_values(["ccode", "year", "gwcode"]).drop_duplicates(["ccode", "year"], keep="first")
        frame["gwcode"] = frame["gwcode"].astype("Int64")
    frame["iso3"] = frame["ccode"].map(cw.cow_to_iso3)
    cols = ["ccode", "year", "country", "iso3", "gwcode"]
    return frame[cols].sort_values(["ccode", "year"]).reset_index(drop=True)
