"""COW IGO v3 state-year membership, 1816-2014.

Codes: 1 full member, 2 associate, 3 observer, 0 not a member, -9 missing, -1 state not in the
system. Membership after 2014 and known gaps are supplied by ``peacewatch.models`` override files,
not here: this loader returns the source as published.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context


def cow_igo_membership(ctx: SourceContext | None = None, ios: list[str] | None = None) -> pd.DataFrame:
    """Long state-year-IO membership: ``ccode, year, state, io, status`` for the IO columns ``ios``
    (lower-case COW ionames, e.g. ``["un", "oas", "nato"]``; default: all 534 IOs)."""
    ctx = ctx or default_context()

    def build(read: Reader) -> pd.DataFrame:
        raw = read("state_year")
        id_cols = ["ccode", "year", "state"]
        io_cols = [c for c in raw.columns if c not in id_cols]
        long = raw.melt(id_vars=id_cols, value_vars=io_cols, var_name="io", value_name="status")
        long = long[long["status"] > 0]  # members / associates / observers only: keeps the cache small
        long["ccode"] = long["ccode"].astype("int64")
        long["year"] = long["year"].astype("int64")
        long["status"] = long["status"].astype("int64")
        return long.reset_index(drop=True)

    frame = ctx.cached("cow_igo", ["state_year"], "membership-v1", build)
    if ios is not None:
        frame = frame[frame["io"].isin([i.lower() for i in ios])].reset_index(drop=True)
    return frame
