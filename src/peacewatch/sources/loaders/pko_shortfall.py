"""UN mission authorised vs deployed personnel, mission-month 1990-2015.

The original producer is undocumented (see the catalog entry): use it to read authorised ceilings
next to IPI's deployed numbers, not as a primary source.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context


def pko_shortfall(ctx: SourceContext | None = None) -> pd.DataFrame:
    """``mission, ccode, year, month, authtroop, authpolice, authmilobs, troop, police, milobs``."""
    ctx = ctx or default_context()

    def build(read: Reader) -> pd.DataFrame:
        raw = read("main")
        cols = [
            "mission",
            "missionccode",
            "year",
            "month",
            "authtroop",
            "authpolice",
            "authmilobs",
            "troop",
            "police",
            "milobs",
        ]
        out = raw[cols].rename(columns={"missionccode": "ccode"}).copy()
        out["mission"] = out["mission"].astype(str).str.strip()
        for c in cols[4:]:
            out[c] = pd.to_numeric(out[c], errors="coerce")
        return out

    return ctx.cached("pko_shortfall", ["main"], "shortfall-v1", build)
