"""Trafficking outcomes and the state response: HTI flows and types, TIP tiers, 3P, Palermo.

Merge rules: ``year`` is the TIP report year in both HTI and the Kelley tier file (a report covers
April of the previous year to March of its year), merged as is. Tier categories stay distinct:
``tip_tier`` is numeric only for rated countries (1, 2, 2.5 = Tier 2 Watch List, 3); special cases
and unrated years are missing there and named in ``tip_tier_label``. HTI variables are 1 (Yes) or 0
(No / No mention) for countries in that year's report and missing for countries not covered.
``palermo_year`` is the year of ratification/accession of the UN trafficking protocol from HTI's
``UNP_rat`` dates, else the first year Kelley & Simmons code ``ratproto2000`` = 1; ``palermo_party`` is 1 from that year
on, 0 before it (and 0 while no ratification is recorded up to 2011, the sources' last year), missing
afterwards.

TIP tiers after 2015 come from ``tip_tiers_recent`` (public secondary copies, one source URL per
row): report years 2020, 2021 and 2023 are complete lists; 2022, 2024 and 2025 list only the Tier 2
Watch List, Tier 3 and special cases, so a country absent from them has an unknown tier (missing),
never Tier 1 or Tier 2. Report years 2016-2019 have no source and stay missing. ``tip_tier_source``
says where each tier comes from (``kelley_tip`` or ``tip_tiers_recent``) and ``tip_tier_source_url``
names the secondary copy of a ``tip_tiers_recent`` value.
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import SourceContext
from peacewatch.sources.loaders.hti import hti
from peacewatch.sources.loaders.kelley_tip import kelley_tiers
from peacewatch.sources.loaders.tip_tiers_recent import tip_tiers_recent

PALERMO_KNOWN_UNTIL = 2011
HTI_COLUMNS = {
    "pdest": "hti_pdest",
    "psource": "hti_psource",
    "ptransit": "hti_ptransit",
    "pinternal": "hti_pinternal",
    "destination": "hti_destination",
    "source": "hti_origin",
    "transit": "hti_transit",
    "tier": "hti_tier",
}
TIER_COLUMNS = {
    "tier": "tip_tier",
    "tier_label": "tip_tier_label",
    "special_case": "tip_special_case",
    "p3_overall": "p3_overall",
    "p3_prosecution": "p3_prosecution",
    "p3_protection": "p3_protection",
    "p3_prevention": "p3_prevention",
    "crim_level": "crim_level",
}
COLUMNS = [
    *HTI_COLUMNS.values(),
    *TIER_COLUMNS.values(),
    "tip_tier_source",
    "tip_tier_source_url",
    "palermo_year",
    "palermo_party",
]
RECENT_TIER_COLUMNS = {
    "tier": "tip_tier",
    "tier_label": "tip_tier_label",
    "special_case": "tip_special_case",
    "source_url": "tip_tier_source_url",
}


def palermo_years(ctx: SourceContext) -> pd.Series:
    """Year each state became party to the Palermo trafficking protocol (COW ccode index)."""
    h = hti(ctx)
    from_hti = h.dropna(subset=["unp_rat"]).groupby("ccode")["unp_rat"].min().dt.year
    from_kelley = kelley_tiers(ctx).dropna(subset=["palermo_year"]).groupby("ccode")["palermo_year"].min()
    return from_hti.combine_first(from_kelley).astype(float)


def trafficking(ctx: SourceContext, years: pd.DataFrame) -> pd.DataFrame:
    """Columns ``COLUMNS`` for every ``ccode, year`` in ``years``."""
    h = hti(ctx)[["ccode", "year", *HTI_COLUMNS]].rename(columns=HTI_COLUMNS)
    k = (
        kelley_tiers(ctx)[["ccode", "year", *TIER_COLUMNS]]
        .rename(columns=TIER_COLUMNS)
        .assign(tip_tier_source="kelley_tip")
    )
    recent = tip_tiers_recent(ctx)[["ccode", "year", *RECENT_TIER_COLUMNS]].rename(columns=RECENT_TIER_COLUMNS)
    k = pd.concat([k, recent.assign(tip_tier_source="tip_tiers_recent")], ignore_index=True)  # years do not overlap
    out = (
        years[["ccode", "year"]]
        .merge(h, on=["ccode", "year"], how="left")
        .merge(k, on=["ccode", "year"], how="left", validate="one_to_one")
    )
    out["tip_special_case"] = out["tip_special_case"].astype("boolean")
    out["palermo_year"] = out["ccode"].map(palermo_years(ctx))
    party = (out["year"] >= out["palermo_year"]).astype(float)
    known = out["palermo_year"].notna() | (out["year"] <= PALERMO_KNOWN_UNTIL)
    out["palermo_party"] = party.where(known)
    return out[["ccode", "year", *COLUMNS]]
