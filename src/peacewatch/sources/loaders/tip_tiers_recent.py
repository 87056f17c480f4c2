"""TIP tier placements 2020-2025 transcribed from public secondary copies (``tip_tiers_recent``).

Two files: complete placement lists for report years 2020, 2021 and 2023, and only the Tier 2 Watch
List, Tier 3 and special cases for 2022, 2024 and 2025. Country names are spelled as each copy prints
them and are mapped strictly through the crosswalk; territories that are not COW states are listed in
``country_overrides.yml`` (``unmapped_by_source.tip_tiers_recent``). Tier codes follow the Kelley
file: 1, 2, 2.5 (= Tier 2 Watch List), 3, 666 (special case).
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context
from peacewatch.sources.errors import DuplicateKeyError, MalformedDataError

TIER_CODES = {"Tier 1": 1.0, "Tier 2": 2.0, "Tier 2 Watch List": 2.5, "Tier 3": 3.0, "Special Case": 666.0}
#: Report years whose file lists every placement; in the other years only Watch List, Tier 3 and
#: special cases are known (absence says nothing about Tier 1 / Tier 2).
COMPLETE_YEARS = (2020, 2021, 2023)
PARTIAL_YEARS = (2022, 2024, 2025)


def tip_tiers_recent(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Country-year tiers of report years 2020-2025 from secondary copies.

    Returns ``ccode, year, name, tier_code, tier`` (1, 2, 2.5, 3; missing for a special case),
    ``tier_label``, ``special_case``, ``source_url`` and ``complete_list`` (True when the year's list
    is complete, False for 2022/2024/2025 where only Watch List and Tier 3 are known).
    """
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        parts = []
        for name, complete in (("complete", True), ("partial", False)):
            t = read(name)
            bad = sorted(set(t["tier"]) - set(TIER_CODES))
            if bad:
                raise MalformedDataError(
                    f"tip_tiers_recent ({name}): unknown tier labels {bad}; expected one of {list(TIER_CODES)}"
                )
            parts.append(t.assign(complete_list=complete))
        t = pd.concat(parts, ignore_index=True)
        t = t.assign(country=t["country"].astype(str).str.strip())
        names = cw.names_to_cow(t["country"], "tip_tiers_recent (country)", drop=cw.unmapped_names("tip_tiers_recent"))
        t = t[t["country"].isin(names.keys())]
        out = pd.DataFrame(
            {
                "ccode": t["country"].map(names).astype("int64"),
                "year": t["report_year"].astype("int64"),
                "name": t["country"],
                "tier_code": t["tier"].map(TIER_CODES),
                "tier_label": t["tier"],
                "source_url": t["source_url"].astype(str),
                "complete_list": t["complete_list"],
            }
        )
        dup = out[out.duplicated(["ccode", "year"], keep=False)]
        if len(dup):
            raise DuplicateKeyError(
                "tip_tiers_recent: two names map to one country-year "
                f"{dup[['name', 'ccode', 'year']].values.tolist()[:10]}; "
                "fix the name mapping in sources/country_overrides.yml"
            )
        out["special_case"] = out["tier_code"].eq(666.0)
        out["tier"] = out["tier_code"].where(out["tier_code"] != 666.0)
        return out.sort_values(["ccode", "year"]).reset_index(drop=True)

    return ctx.cached("tip_tiers_recent", ["complete", "partial"], "recent-v1", build)
