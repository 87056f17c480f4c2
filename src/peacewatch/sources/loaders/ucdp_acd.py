"""UCDP/PRIO Armed Conflict Dataset v25.1 (via peacesciencer), conflict-year 1946-2024.

Quirks handled: one row per secondary-participant split, so rows are deduplicated on
conflict_id + year; side codes are Gleditsch-Ward, comma-separated when several states fight on a
side; they are exploded to one row per primary-party state and mapped to COW.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context

INTRASTATE = {"intrastate", "II", "internationalized intrastate"}


def ucdp_acd(ctx: SourceContext | None = None) -> pd.DataFrame:
    """State-conflict-years: ``conflict_id, year, gwcode, ccode, side, intensity_level,
    type_of_conflict, incompatibility, intrastate``."""
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        raw = read("main").drop_duplicates(["conflict_id", "year"])
        parts = []
        for side in ("a", "b"):
            part = raw[
                ["conflict_id", "year", f"gwno_{side}", "intensity_level", "type_of_conflict", "incompatibility"]
            ]
            part = part.rename(columns={f"gwno_{side}": "gwcode"}).dropna(subset=["gwcode"])
            part = part.assign(gwcode=part["gwcode"].astype(str).str.split(","), side=side).explode("gwcode")
            parts.append(part)
        out = pd.concat(parts, ignore_index=True)
        out["gwcode"] = pd.to_numeric(out["gwcode"].str.strip().str.replace(r"\.0$", "", regex=True)).astype("int64")
        out["ccode"] = out["gwcode"].map(cw.gw_to_cow).astype("int64")
        out["conflict_id"] = out["conflict_id"].astype("int64")
        out["year"] = out["year"].astype("int64")
        out["intensity_level"] = out["intensity_level"].astype("int64")
        out["intrastate"] = out["type_of_conflict"].isin(INTRASTATE)
        return out

    return ctx.cached("ucdp_acd", ["main"], "acd-v1", build)
