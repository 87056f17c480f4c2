"""COW National Material Capabilities v7.0 (via peacesciencer), state-year 1816-2022.

Quirks handled: -9 means missing; ``tpop`` is in thousands (converted to persons here).
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context


def cow_nmc(ctx: SourceContext | None = None) -> pd.DataFrame:
    """``ccode, year, milex, milper, tpop`` (persons), ``upop``, ``cinc``."""
    ctx = ctx or default_context()

    def build(read: Reader) -> pd.DataFrame:
        raw = read("main").replace(-9, float("nan"))
        out = raw[["ccode", "year", "milex", "milper", "tpop", "upop", "cinc"]].copy()
        out["ccode"] = out["ccode"].astype("int64")
        out["year"] = out["year"].astype("int64")
        out["tpop"] = out["tpop"] * 1000.0
        return out

    return ctx.cached("cow_nmc", ["main"], "nmc-v1", build)
