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
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import SourceContext
from peacewatch.sources.loaders import hti, kelley_tiers

PALERMO_KNOWN_UNTIL = 2011
HTI_COLUMNS = {"pdest": "hti_pdest", "psource": "hti_psource", "ptransit": "hti_ptransit", "pinternal": "hti_pinternal",
               "destination": "hti_destination", "source": "hti_origin", "transit": "hti_transit", "tier": "hti_tier"}
TIER_COLUMNS = {"tier": "tip_tier", "tier_label": "tip_tier_label", "special_case": "tip_special_case",
                "p3_overall": "p3_overall", "p3_prosecution": "p3_prosecution", "p3_protection": "p3_protection",
                "p3_prevention": "p3_prevention", "crim_level": "crim_level"}
COLUMNS = [*HTI_COLUMNS.values(), *TIER_COLUMNS.values(), "palermo_year", "palermo_party"]


def palermo_years(ctx: SourceContext) -> pd.Series:
    """Year each state became party to the Palermo trafficking protocol (COW ccode index)."""
    h = hti(ctx)
    from_hti = h.dropna(subset=["unp_rat"]).groupby("ccode")["unp_rat"].min().dt.year
    from_kelley = kelley_tiers(ctx).dropna(subset=["palermo_year"]).groupby("ccode")["palermo_year"].min()
    return from_hti.combine_first(from_kelley).astype(float)


def trafficking(ctx: SourceContext, years: pd.DataFrame) -> pd.DataFrame:
    """Columns ``COLUMNS`` for every ``ccode, year`` in ``years``."""
    h = hti(ctx)[["ccode", "year", *HTI_COLUMNS]].rename(columns=HTI_COLUMNS)
    k = kelley_tiers(ctx)[["ccode", "year", *TIER_COLUMNS]].rename(columns=TIER_COLUMNS)
    out = years[["ccode", "year"]].merge(h, on=["ccode", "year"], how="left").merge(k, on=["ccode", "year"], how="left")
    out["tip_special_case"] = out["tip_special_case"].astype("boolean")
    out["palermo_year"] = out["ccode"].map(palermo_years(ctx))
    party = (out["year"] >= out["palermo_year"]).astype(float)
    known = out["palermo_year"].notna() | (out["year"] <= PALERMO_KNOWN_UNTIL)
    out["palermo_party"] = party.where(known)
    return out[["ccode", "year", *COLUMNS]]
