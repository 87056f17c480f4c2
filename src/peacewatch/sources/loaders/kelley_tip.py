"""TIP tiers, Cho 3P index, criminalisation and Palermo ratification (Kelley; Kelley & Simmons).

Tier coding kept distinct: 1, 2, 2.5 (= Tier 2 Watch List), 3; 666 = special case; 555 = not in the
report. Sources, in order of precedence: ``tierupdated`` of the criminalization-cho-tiers file
(1999-2014, State Department tiers as updated by Kelley) and ``tiers_2015.csv`` for the 2015 report
(country names mapped through the crosswalk). Kelley's own codes for units without a COW code are
mapped where the unit is a COW state (Serbia 1003 -> 345, Kosovo 1001 -> 347; ``kelley:`` in
``country_overrides.yml``); Hong Kong (1000) and Macau (1002) keep their codes. The Cho 3P index
(prosecution, protection, prevention, each 1-5, overall 3-15) covers 2000-2013; ``crimlevel`` is
anti-trafficking criminalisation (0 none,
1 partial, 2 full). Palermo protocol: the first year the Kelley & Simmons replication file codes
``ratproto2000`` = 1 (its ``protocoldate`` is not used: 2012 there means "not ratified by 2011").
"""

from __future__ import annotations

import pandas as pd

from peacewatch.sources.context import Reader, SourceContext
from peacewatch.sources.defaults import default_context
from peacewatch.sources.errors import DuplicateKeyError

TIER_LABELS = {
    1.0: "Tier 1",
    2.0: "Tier 2",
    2.5: "Tier 2 Watch List",
    3.0: "Tier 3",
    666.0: "Special Case",
    555.0: "Not rated",
}


def kelley_tiers(ctx: SourceContext | None = None) -> pd.DataFrame:
    """Country-year TIP tiers 1999-2015 with 3P and criminalisation.

    Returns ``ccode, year, name, tier_code`` (1, 2, 2.5, 3, 666, 555), ``tier`` (numeric tier, missing
    for special case / not rated), ``tier_label``, ``special_case``, ``p3_prosecution``,
    ``p3_protection``, ``p3_prevention``, ``p3_overall``, ``crim_level``, ``palermo_year``.
    """
    ctx = ctx or default_context()
    cw = ctx.crosswalk

    def build(read: Reader) -> pd.DataFrame:
        cho = read("cho_tiers")
        base = pd.DataFrame(
            {
                # Kelley codes Serbia 1003 and Kosovo 1001 (no COW code in her files); Hong Kong 1000
                # and Macau 1002 keep their codes (territories, outside the COW panel)
                "ccode": cho["ccode"].astype("int64").map(cw.kelley_to_cow),
                "year": cho["year"].astype("int64"),
                "name": cho["name"].astype(str),
                "tier_code": cho["tierupdated"].astype(float),
                "p3_prosecution": cho["prosecution"].astype(float),
                "p3_protection": cho["protection"].astype(float),
                "p3_prevention": cho["prevention"].astype(float),
                "p3_overall": cho["p"].astype(float),
                "crim_level": cho["crimlevel"].astype(float),
            }
        )
        t15 = read("tiers_2015")
        t15 = t15.assign(countryname=t15["countryname"].str.strip())
        # unknown names raise; territories (Hong Kong, Aruba ...) are left out of the mapping by design
        names = cw.names_to_cow(t15["countryname"], "kelley_tip (tiers_2015.csv countryname)")
        t15 = t15[t15["countryname"].isin(names.keys())]
        y2015 = pd.DataFrame(
            {
                "ccode": t15["countryname"].map(names).astype("int64"),
                "year": 2015,
                "name": t15["countryname"],
                "tier_code": t15["tier"].astype(float),
            }
        )
        out = pd.concat([base, y2015], ignore_index=True)
        dup = out[out.duplicated(["ccode", "year"], keep=False)]
        if len(dup):
            raise DuplicateKeyError(
                "kelley_tip: duplicate country-years "
                f"{dup[['name', 'ccode', 'year']].values.tolist()[:10]}; fix the name mapping in country_overrides.yml"
            )
        # ``protocoldate`` is 2012 both for states that ratified in 2010-11 and for states that had not
        # ratified by 2011 (the file's last year; e.g. Japan, Iran): a censoring code, not a date. The
        # yearly 0/1 ``ratproto2000`` is reliable, so the first year it is 1 is the ratification year.
        ks = read("ks_replication", columns=["cowcode", "year", "ratproto2000"])  # 3 of 155 columns
        ratified = ks[ks["ratproto2000"] == 1]
        palermo = ratified.assign(y=pd.to_datetime(ratified["year"]).dt.year).groupby("cowcode")["y"].min()
        out["palermo_year"] = out["ccode"].map(palermo)
        out["tier_label"] = out["tier_code"].map(TIER_LABELS)
        out["special_case"] = out["tier_code"].eq(666.0)
        out["tier"] = out["tier_code"].where(out["tier_code"].isin([1.0, 2.0, 2.5, 3.0]))
        return out.sort_values(["ccode", "year"]).reset_index(drop=True)

    return ctx.cached("kelley_tip", ["cho_tiers", "tiers_2015", "ks_replication"], "tiers-v3", build)
