"""US military personnel abroad (troopdata, DMDC reports), country-year 1950-2024.

Quirks handled: country names are mapped strictly through the crosswalk (troopdata's own codes >= 1000
for colonies, territories and regions are listed as unmapped in ``country_overrides.yml`` under
``unmapped_by_source.troopdata`` and left out); the 29 country-years that appear under two spellings
are summed within (COW code, year); the United States itself (home-based personnel) and Puerto Rico
are excluded, so ``us_troops`` means personnel deployed abroad. ``troops_ad`` is active duty only.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context

#: COW code of the United States: its own (home-based) personnel are not deployments abroad.
USA = 2


def troopdata(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Country-year US active-duty personnel abroad.

    Returns ``ccode, year, us_troops`` (int, active duty, duplicate spellings summed) and ``names``
    (the troopdata spellings that were summed, ";"-joined). The United States is not in the output.
    """
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        raw = read("main", usecols=["countryname", "year", "ccode", "troops_ad"])
        raw = raw.assign(countryname=raw["countryname"].astype(str).str.strip())
        names = cw.names_to_cow(raw["countryname"], "troopdata (countryname)", drop=cw.unmapped_names("troopdata"))
        kept = raw[raw["countryname"].isin(names.keys())]
        kept = kept.assign(ccode=kept["countryname"].map(names).astype("int64"))
        kept = kept[kept["ccode"] != USA]
        out = kept.groupby(["ccode", "year"], as_index=False).agg(
            us_troops=("troops_ad", "sum"), names=("countryname", lambda s: ";".join(sorted(set(s))))
        )
        out["year"] = out["year"].astype("int64")
        out["us_troops"] = out["us_troops"].astype("int64")
        return out.sort_values(["ccode", "year"]).reset_index(drop=True)

    return ctx.cached("troopdata", ["main"], "troops-v1", build)
