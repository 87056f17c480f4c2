"""The panel through 2025: new columns, real values, and no value outside its source's years."""

from __future__ import annotations

import math

import pytest

from peacewatch import create_country_years
from peacewatch.panel.coverage import year_coverage


@pytest.fixture(scope="module")
def panel():
    return create_country_years(1990, 2025).add_all()


def _row(panel, ccode, year):
    hit = panel.df[(panel.df["ccode"] == ccode) & (panel.df["year"] == year)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_panel_to_2025_keeps_the_invariants(panel):
    base = create_country_years(1990, 2025)
    assert len(panel.df) == len(base.df)
    assert not panel.df.duplicated(["ccode", "year"]).any()
    assert panel.df["year"].max() == 2025
    assert "add_us_deployments" in [s.verb for s in panel.steps]
    assert {"troopdata", "tip_tiers_recent"} <= set(panel.sources_used)
    assert "10.1177/07388942211030885" in panel.cite()
    assert any(x["source"] == "troopdata" and x["files"] for x in panel.lineage)
    recent = next(x for x in panel.lineage if x["source"] == "tip_tiers_recent")
    assert any("factbook/factbook.json" in u for u in recent["copies"]) and len(recent["files"]) == 2


def test_us_troops(panel):
    assert _row(panel, 255, 2004)["us_troops"] == 76058  # Germany
    assert _row(panel, 41, 1994)["us_troops"] == 17495  # Haiti
    assert _row(panel, 41, 1994)["us_deployed"] == 1
    assert _row(panel, 41, 1994)["ln_us_troops"] == pytest.approx(math.log1p(17495))
    assert math.isnan(_row(panel, 255, 2025)["us_troops"])  # troopdata ends 2024: no carry-forward
    assert _row(panel, 2, 2004)["us_troops"] == 0  # home-based personnel are not deployments abroad


def test_recent_tip_tiers(panel):
    assert _row(panel, 626, 2023)["tip_tier_label"] == "Tier 3"  # South Sudan
    assert _row(panel, 490, 2023)["tip_tier"] == 2.0  # DR Congo
    gb = _row(panel, 404, 2024)  # Guinea-Bissau
    assert (gb["tip_tier"], gb["tip_tier_label"], gb["tip_tier_source"]) == (
        2.5,
        "Tier 2 Watch List",
        "tip_tiers_recent",
    )
    assert gb["tip_tier_source_url"].startswith("https://github.com/factbook/")
    canada = _row(panel, 20, 2024)
    assert math.isnan(canada["tip_tier"]) and canada.isna()["tip_tier_label"]  # unknown, not Tier 1
    assert _row(panel, 20, 2023)["tip_tier_label"] == "Tier 1"
    assert _row(panel, 41, 2015)["tip_tier_source"] == "kelley_tip"
    gap = panel.df[panel.df["year"].between(2016, 2019)]
    assert gap["tip_tier"].isna().all() and gap["tip_tier_label"].isna().all()
    # in the partial years nobody is Tier 1 or Tier 2
    partial = panel.df[panel.df["year"].isin([2022, 2024, 2025])]
    assert not partial["tip_tier"].isin([1.0, 2.0]).any()


def test_no_column_outside_its_source_years(panel):
    df = panel.df
    last = {
        "un_personnel": 2016,
        "nonun_personnel": 2016,
        "us_troops": 2024,
        "hti_pdest": 2011,
        "p3_overall": 2014,
        "crim_level": 2014,
        "gdppc": 2020,
        "population": 2022,
        "conflict": 2024,
        "fh_pr": 2023,
    }
    for col, year in last.items():
        assert df.loc[df[col].notna(), "year"].max() == year, col


def test_year_coverage_note(panel):
    note = year_coverage(panel.df, 2024)
    known = {k["id"] for k in note["known"]}
    assert {"us", "tip", "conflict"} <= known
    assert {"un", "hti", "gdp"}.isdisjoint(known)
    assert year_coverage(panel.df, 2017)["text"].startswith("2017: known")
    assert "tip" not in {k["id"] for k in year_coverage(panel.df, 2017)["known"]}
