"""What a user would write instead of peacewatch: a straightforward pandas script doing the same
merges for the 1990-2025 country-year panel (no caching, no checks, no lineage).

Used by ``panel_build.py`` as the comparison; also runnable alone: ``python panel_pandas_baseline.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data"
END = 2025


def build() -> pd.DataFrame:
    states = pd.read_csv(DATA / "peacesciencer/cow_states.csv")
    states.loc[states.endyear >= 2016, "endyear"] = END
    rows = [(int(r.ccode), y, r.statenme) for r in states.itertuples() for y in range(max(1990, int(r.styear)), min(END, int(r.endyear)) + 1)]
    panel = pd.DataFrame(rows, columns=["ccode", "year", "country"]).drop_duplicates(["ccode", "year"])

    codes = pd.read_csv(DATA / "countrycode/codelist.csv", low_memory=False)
    iso_to_cow = dict(zip(codes.iso3c, codes.cown))
    iso_to_cow.update({"SRB": 345, "ESH": 600})

    m = pd.read_csv(DATA / "ipi_peacekeeping/ppp_loader/data_mission.csv")
    m = m[m.Mission != "LBB"]
    m["ccode"] = m["Country of Mission ISO-3"].map(iso_to_cow)
    m["Date"] = pd.to_datetime(m["Date"])
    m["year"], m["month"] = m.Date.dt.year, m.Date.dt.month
    for c in ["Troops", "Police", "Observers"]:
        m[c] = m[c].fillna(0)
    dec = m[m.month == 12].groupby(["ccode", "year"]).agg(
        un_troops=("Troops", "sum"), un_police=("Police", "sum"), un_observers=("Observers", "sum"),
        un_tccs=("Number of Contributors", "max"), un_missions=("Mission", "nunique"))
    panel = panel.merge(dec.reset_index(), on=["ccode", "year"], how="left")
    first = m.groupby("ccode").year.min().rename("un_first_year")
    panel = panel.merge(first.reset_index(), on="ccode", how="left")
    panel["un_duration"] = np.where(panel.un_troops.notna(), panel.year - panel.un_first_year + 1, 0)

    bh = pd.read_stata(DATA / "bara_hultman_un_nonun_pko/UN and Non-UN Peacekeeping_v2-2019.dta")
    bh = bh[bh.org != 1].groupby(["ccode", "date", "mission"], as_index=False).totals_iepo.max()
    bh["year"], bh["month"] = bh.date.dt.year, bh.date.dt.month
    nonun = bh[bh.month == 12].groupby(["ccode", "year"]).totals_iepo.sum().rename("nonun_personnel")
    panel = panel.merge(nonun.reset_index(), on=["ccode", "year"], how="left")

    hti = pd.read_csv(DATA / "hti/HTI.csv", encoding="mac_roman")
    hti["hti_pdest"] = (hti.pdest == "Yes").astype(float)
    panel = panel.merge(hti[["ccode", "year", "hti_pdest", "tier"]], on=["ccode", "year"], how="left")

    cho = pd.read_stata(DATA / "kelley_scorecard_tip/criminalization-cho-tiers_jk_2015-08-10.dta")
    panel = panel.merge(cho[["ccode", "year", "tierupdated", "p"]], on=["ccode", "year"], how="left")

    # US troops abroad: troopdata's own ccode (no name check), duplicate spellings summed, US dropped
    us = pd.read_csv(DATA / "troopdata/troopdata_rebuild_country_year.csv", usecols=["ccode", "year", "troops_ad"])
    us = us[us.ccode != 2].groupby(["ccode", "year"], as_index=False).troops_ad.sum().rename(columns={"troops_ad": "us_troops"})
    panel = panel.merge(us, on=["ccode", "year"], how="left")

    # TIP tiers 2020-2025 (secondary copies): names through the codelist's English names only
    recent = pd.concat([pd.read_csv(DATA / f"tip_tiers_recent/{f}.csv") for f in
                        ("tip_tiers_complete_2020_2021_2023", "tip_tiers_watchlist_tier3_2022_2024_2025")])
    recent["ccode"] = recent.country.map(dict(zip(codes["country.name.en"], codes.cown)))
    recent = recent.dropna(subset=["ccode"]).drop_duplicates(["ccode", "report_year"]).rename(columns={"report_year": "year", "tier": "tip_recent"})
    panel = panel.merge(recent[["ccode", "year", "tip_recent"]], on=["ccode", "year"], how="left")

    pol = pd.read_csv(DATA / "polity5/p5v2018.csv")
    pol["ccode"] = pol.ccode.replace({342: 345, 347: 345, 348: 341, 525: 626, 626: 625})
    pol = pol.drop_duplicates(["ccode", "year"], keep="last")
    panel = panel.merge(pol[["ccode", "year", "polity2"]], on=["ccode", "year"], how="left")

    fh = pd.read_csv(DATA / "freedom_house/country_rating_status.csv")
    fh["ccode"] = fh.iso3c.map(iso_to_cow)
    fh = fh.dropna(subset=["ccode"]).drop_duplicates(["ccode", "year"])
    panel = panel.merge(fh[["ccode", "year", "political_rights", "civil_liberties"]], on=["ccode", "year"], how="left")

    pop = pd.read_csv(DATA / "wdi/API_SP.POP.TOTL_DS2_en_csv_v2.csv", skiprows=4)
    pop = pop.melt(id_vars=["Country Code"], value_vars=[str(y) for y in range(1960, 2017)], var_name="year", value_name="population")
    pop["year"] = pop.year.astype(int)
    pop["ccode"] = pop["Country Code"].map(iso_to_cow)
    pop = pop.dropna(subset=["ccode", "population"]).drop_duplicates(["ccode", "year"])
    panel = panel.merge(pop[["ccode", "year", "population"]], on=["ccode", "year"], how="left")

    gdp = pd.read_csv(DATA / "wdi/WDI_Extract_NYGDPPCAPKD2.csv")
    gdp["ccode"] = gdp["Country Code"].map(iso_to_cow)
    gdp = gdp.dropna(subset=["ccode", "Value"]).rename(columns={"Time": "year", "Value": "gdppc"}).drop_duplicates(["ccode", "year"])
    gdp["year"] = pd.to_numeric(gdp.year, errors="coerce")
    panel = panel.merge(gdp[["ccode", "year", "gdppc"]], on=["ccode", "year"], how="left")

    acd = pd.read_csv(DATA / "peacesciencer/ucdp_acd.csv").drop_duplicates(["conflict_id", "year"])
    acd = acd.assign(gwno_a=acd.gwno_a.astype(str).str.split(",")).explode("gwno_a")
    acd["ccode"] = pd.to_numeric(acd.gwno_a, errors="coerce").replace({340: 345, 678: 679, 260: 255})
    conflict = acd.groupby(["ccode", "year"]).intensity_level.max().rename("conflict_intensity")
    panel = panel.merge(conflict.reset_index(), on=["ccode", "year"], how="left")
    return panel


if __name__ == "__main__":
    print(build().shape)
