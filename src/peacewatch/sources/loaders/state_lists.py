"""COW (v2016) and Gleditsch-Ward state-system membership lists (via peacesciencer)."""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context


def cow_states(ctx: SourceContext | None = None) -> pd.DataFrame:
    """COW membership spells: ``ccode, stateabb, statenme, start_year, end_year`` (a state may have
    several spells, e.g. Germany)."""
    ctx = ctx or default_context()

    def build(read: Reader) -> pd.DataFrame:
        raw = read("cow_states")
        return pd.DataFrame(
            {
                "ccode": raw["ccode"].astype("int64"),
                "stateabb": raw["stateabb"],
                "statenme": raw["statenme"],
                "start_year": raw["styear"].astype("int64"),
                "end_year": raw["endyear"].astype("int64"),
            }
        )

    return ctx.cached("state_lists", ["cow_states"], "cow-v1", build)


def gw_states(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Gleditsch-Ward membership spells: ``gwcode, stateabb, statename, start_year, end_year``."""
    ctx = ctx or default_context()

    def build(read: Reader) -> pd.DataFrame:
        raw = read("gw_states")
        return pd.DataFrame(
            {
                "gwcode": raw["gwcode"].astype("int64"),
                "stateabb": raw["stateabb"],
                "statename": raw["statename"],
                "start_year": pd.to_datetime(raw["startdate"]).dt.year.astype("int64"),
                "end_year": pd.to_datetime(raw["enddate"]).dt.year.astype("int64"),
            }
        )

    return ctx.cached("state_lists", ["gw_states"], "gw-v1", build)
