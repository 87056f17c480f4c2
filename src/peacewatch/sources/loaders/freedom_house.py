"""Freedom House, Freedom in the World ratings, country-year 1972-2023 (year observed).

Quirks handled: ISO codes are missing for historical states (Czechoslovakia, Serbia and Montenegro,
Yugoslavia) and Kosovo, so states are mapped by name through the crosswalk; territories rated by FH
in the same file (none in this release's country file) would be refused as unmapped.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context


def freedom_house(ctx: SourceContext | None = None) -> pd.DataFrame:
    """``ccode, year, country, fh_pr, fh_cl, fh_status`` (PR/CL 1 best .. 7 worst)."""
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        raw = read("ratings")
        iso_map = cw.iso3s_to_cow(raw["iso3c"].dropna(), "freedom_house (iso3c)")
        by_iso = raw["iso3c"].map(iso_map)
        no_iso = raw["iso3c"].isna()
        by_name = raw.loc[no_iso, "country"].map(cw.names_to_cow(raw.loc[no_iso, "country"], "freedom_house (country)"))
        ccode = by_iso.fillna(by_name)
        out = pd.DataFrame(
            {
                "ccode": ccode,
                "year": raw["year"].astype("int64"),
                "country": raw["country"],
                "fh_pr": raw["political_rights"].astype(float),
                "fh_cl": raw["civil_liberties"].astype(float),
                "fh_status": raw["status"],
            }
        ).dropna(subset=["ccode"])
        out["ccode"] = out["ccode"].astype("int64")
        # Serbia and Montenegro (2003-05) and Serbia share COW 345; FH rates one of them per year
        return out.sort_values(["ccode", "year"]).drop_duplicates(["ccode", "year"], keep="last").reset_index(drop=True)

    return ctx.cached("freedom_house", ["ratings"], "fh-v1", build)
