"""The panel against known values of the real data (see each dataset's PROVENANCE.md)."""

from __future__ import annotations

import pytest

from peacewatch import create_country_years

HAITI = 41


def _row(panel, ccode: int, year: int):
    df = panel.df
    return df[(df["ccode"] == ccode) & (df["year"] == year)].iloc[0]


@pytest.mark.parametrize(
    ("year", "troops", "police", "personnel", "tccs"),
    [(2004, 6008, 1398, 7406, 41), (2009, 7032, 2025, 9057, 47)],
)
def test_minustah_december_values_from_ipi(full_panel, year, troops, police, personnel, tccs):
    row = _row(full_panel, HAITI, year)
    assert row["un_troops"] == troops
    assert row["un_police"] == police
    assert row["un_personnel"] == personnel
    assert row["un_tccs"] == tccs
    assert row["un_mission_names"] == "MINUSTAH"


def test_monthly_rules_differ_as_documented():
    # MINUSTAH arrived in June 2004: the annual mean counts the empty months as 0.
    mean = _row(create_country_years(2004, 2004).add_un_deployments("mean"), HAITI, 2004)
    peak = _row(create_country_years(2004, 2004).add_un_deployments("max"), HAITI, 2004)
    assert peak["un_troops"] == 6008
    assert mean["un_troops"] == pytest.approx(25004 / 12)
    with pytest.raises(ValueError, match="december"):
        create_country_years(2004, 2004).add_un_deployments("median")


def test_haiti_tip_tier_sequence_2001_2007(full_panel):
    labels = [_row(full_panel, HAITI, y)["tip_tier_label"] for y in range(2001, 2008)]
    assert labels == ["Tier 2", "Tier 2", "Tier 3", "Special Case", "Tier 2 Watch List", "Special Case", "Special Case"]
    hti = [_row(full_panel, HAITI, y)["hti_tier"] for y in range(2001, 2008)]
    assert hti == ["Tier 2/2 Watch List"] * 2 + [
        "Tier 3",
        "Special Case",
        "Tier 2/2 Watch List",
        "Special Case",
        "Special Case",
    ]
    # numeric tier is only for rated years; the special case is not a number
    assert _row(full_panel, HAITI, 2005)["tip_tier"] == 2.5
    assert _row(full_panel, HAITI, 2004)["tip_special_case"]
    assert _row(full_panel, HAITI, 2004)["tip_tier"] != _row(full_panel, HAITI, 2004)["tip_tier"]  # NaN


def test_haiti_destination_and_palermo(full_panel):
    assert _row(full_panel, HAITI, 2003)["hti_pdest"] == 1
    assert _row(full_panel, HAITI, 2010)["palermo_year"] == 2011  # HTI: ratified 19 Apr 2011
    assert _row(full_panel, HAITI, 2010)["palermo_party"] == 0
    assert _row(full_panel, HAITI, 2011)["palermo_party"] == 1


@pytest.mark.parametrize(("ccode", "polity2"), [(140, 8), (780, 5), (165, 10), (790, -6)])
def test_polity5_2004_brazil_sri_lanka_uruguay_nepal(full_panel, ccode, polity2):
    assert _row(full_panel, ccode, 2004)["polity2"] == polity2


def test_freedom_house_2004(full_panel):
    haiti = _row(full_panel, HAITI, 2004)
    assert (haiti["fh_pr"], haiti["fh_cl"], haiti["fh_status"]) == (7, 6, "Not Free")


def test_historical_states_are_continuous(full_panel):
    df = full_panel.df
    serbia = df[df["ccode"] == 345]
    assert serbia["year"].min() == 1990 and serbia["year"].max() == 2020 and len(serbia) == 31
    assert df[df["ccode"] == 626]["year"].min() == 2011  # South Sudan
    assert df[df["ccode"] == 625]["year"].max() == 2020  # Sudan continues
    assert _row(full_panel, 345, 2000)["nato_personnel"] == 42500  # KFOR, Bara-Hultman
    assert _row(full_panel, 345, 2010)["polity2"] == 8  # Polity's Serbia (342) mapped onto COW 345


def test_non_un_deployments(full_panel):
    # MIFH (Haiti, Mar-Jun 2004) left before December: present in the year, 0 in December.
    row = _row(full_panel, HAITI, 2004)
    assert row["nonun_mission_names"] == "MIFH" and row["nonun_personnel"] == 0
    assert _row(full_panel, 700, 2004)["nato_personnel"] == 8500  # ISAF
    assert _row(full_panel, HAITI, 1994)["nonun_mission_names"] == "Uphold Dem."


def test_controls(full_panel):
    haiti = _row(full_panel, HAITI, 2004)
    assert haiti["population"] == pytest.approx(9.12e6, rel=0.01)  # WDI
    assert haiti["gdppc"] > 1000
    assert haiti["conflict"] == 1  # UCDP: Haiti 2004
    assert _row(full_panel, 2, 2004)["population_source"] == "WDI"


def test_duration_counts_years_since_first_deployment(full_panel):
    df = full_panel.df
    assert _row(full_panel, 352, 1990)["un_duration"] == 1990 - 1964 + 1  # UNFICYP, Cyprus since 1964
    assert _row(full_panel, HAITI, 2003)["un_duration"] == 0  # no UN mission in Haiti in 2003
    assert (df.loc[df["un_deployed"] == 0, "un_duration"] == 0).all()
    assert df.loc[df["year"] > 2016, "un_personnel"].isna().all()  # beyond IPI coverage: missing, not 0


def test_palermo_censoring_is_not_read_as_ratification(full_panel):
    # Kelley & Simmons code "not ratified by 2011" as protocoldate 2012 (Japan ratified only in 2017)
    japan = full_panel.df[full_panel.df["ccode"] == 740].set_index("year")
    assert japan.loc[2011, "palermo_party"] == 0
    assert japan["palermo_year"].isna().all()
    assert japan.loc[2012, "palermo_party"] != japan.loc[2012, "palermo_party"]  # unknown after 2011
    ireland = full_panel.df[full_panel.df["ccode"] == 205].set_index("year")
    assert ireland.loc[2010, "palermo_party"] == 1  # ratified 2010 (ratproto2000), not "2012"


# ---------------------------------------------------------------- Serbia, Kosovo, Montenegro (issue 23)
SERBIA, KOSOVO, MONTENEGRO = 345, 347, 341


def test_polity_kosovo_is_not_montenegro(full_panel):
    """Polity5 codes Kosovo 341 (2008-2018) and Montenegro 348; COW's 341 is Montenegro."""
    import pandas as pd

    from peacewatch.sources.catalog import Catalog

    raw = pd.read_csv(Catalog().path("polity5", "main"), usecols=["ccode", "country", "year", "polity2"])
    raw = raw.assign(country=raw["country"].str.strip())

    def polity2(country: str, year: int) -> float:
        (value,) = raw.loc[(raw["country"] == country) & (raw["year"] == year), "polity2"]
        return value

    assert set(raw.loc[raw["country"] == "Kosovo", "ccode"]) == {341}
    assert polity2("Kosovo", 2009) == 8 and polity2("Montenegro", 2009) == 9
    assert _row(full_panel, KOSOVO, 2009)["polity2"] == 8
    assert _row(full_panel, MONTENEGRO, 2009)["polity2"] == 9


def test_us_troops_in_kosovo_before_statehood_count_for_serbia(full_panel):
    """troopdata lists Kosovo from 1999 (5,427 in 2000); Kosovo joins the COW system in 2008, so
    before that its US personnel count for COW 345, the state UNMIK is credited to in those years."""
    import pandas as pd

    from peacewatch.sources.catalog import Catalog

    raw = pd.read_csv(Catalog().path("troopdata", "main"), usecols=["countryname", "year", "troops_ad"])
    by = raw.set_index(["countryname", "year"])["troops_ad"]
    assert by[("Kosovo", 2000)] == 5427
    row = _row(full_panel, SERBIA, 2000)
    assert row["us_troops"] == by[("Kosovo", 2000)] + by[("Yugoslavia", 2000)] == 5427
    assert "UNMIK" in row["un_mission_names"].split(";")
    assert _row(full_panel, KOSOVO, 2008)["us_troops"] == by[("Kosovo", 2008)] == 1239
    assert _row(full_panel, SERBIA, 2008)["us_troops"] == by[("Yugoslavia", 2008)]


def test_unmik_host_is_kosovo_from_2008(full_panel):
    import pandas as pd

    from peacewatch.sources.catalog import Catalog
    from peacewatch.sources.loaders.ipi import ipi_missions

    raw = pd.read_csv(Catalog().path("ipi_missions", "mission_month"))
    dec08 = raw[(raw["Mission"] == "UNMIK") & (raw["Date"] == "2008-12-31")].iloc[0]
    assert dec08["Country of Mission ISO-3"] == "SRB"  # IPI keeps Serbia as the host
    m = ipi_missions()
    unmik = m[m["mission"] == "UNMIK"]
    assert set(unmik.loc[unmik["year"] >= 2008, "ccode"]) == {KOSOVO}
    assert set(unmik.loc[unmik["year"] < 2008, "ccode"]) == {SERBIA}
    assert set(unmik.loc[unmik["year"] >= 2008, "host"]) == {"Kosovo"}
    k08 = _row(full_panel, KOSOVO, 2008)
    assert k08["un_mission_names"] == "UNMIK" and k08["un_personnel"] == dec08["Total"]
    assert "UNMIK" not in _row(full_panel, SERBIA, 2008)["un_mission_names"].split(";")
    assert "UNMIK" in _row(full_panel, SERBIA, 2007)["un_mission_names"].split(";")
