"""Geo-PKO dashboard TCCMap v2.3 (contributors per mission-year to 2024), against the raw file read
here with plain pandas and string splitting (issue 23)."""

from __future__ import annotations

import pandas as pd
import pytest

from peacewatch.sources.catalog import Catalog
from peacewatch.sources.loaders.geo_pko import geo_pko_tcc_map, geo_pko_tcc_map_coverage, parse_tcc_overview


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """One row per location-contributor, split independently of the loader ("Name (n), Name (n)")."""
    t = pd.read_csv(Catalog().path("geo_pko", "tcc_map"))
    rows = []
    for r in t.itertuples(index=False):
        for item in str(r[6]).split("), "):
            name, _, size = item.rstrip(")").rpartition(" (")
            rows.append((r[0], r[1], r[2], name, None if size == "size unknown" else int(size)))
    return pd.DataFrame(rows, columns=["mission", "year", "location", "name", "troops"])


def _troops(raw: pd.DataFrame, mission: str, year: int, name: str) -> float:
    return raw.loc[(raw["mission"] == mission) & (raw["year"] == year) & (raw["name"] == name), "troops"].sum()


def test_parse_handles_nested_parentheses_and_unknown_sizes():
    assert parse_tcc_overview("Korea (ROK) (150), Sri Lanka (950)") == [("Korea (ROK)", 150.0), ("Sri Lanka", 950.0)]
    assert parse_tcc_overview("Nepal (size unknown)") == [("Nepal", None)]
    with pytest.raises(ValueError, match="cannot parse"):
        parse_tcc_overview("Brazil 1950")


def test_contributors_reach_2024(raw):
    t = geo_pko_tcc_map()
    assert t["year"].max() == 2024 == raw["year"].max()
    m = t[(t["mission"] == "MINUSCA") & (t["year"] == 2024)].set_index("tcc_ccode")
    assert m.loc[435, "troops"] == _troops(raw, "MINUSCA", 2024, "Mauritania") > 0  # Mauritania
    assert m.loc[790, "troops"] == _troops(raw, "MINUSCA", 2024, "Nepal")
    minustah = t[(t["mission"] == "MINUSTAH") & (t["year"] == 2004)].set_index("tcc_name")
    assert minustah.loc["Brazil", "troops"] == 1985 and minustah.loc["Brazil", "locations"] == 2
    assert pd.isna(minustah.loc["Guatemala", "troops"])  # "size unknown" is missing, never 0
    assert len(minustah) == 11
    # UK / United Kingdom / Britain and Korea (ROK) / South Korea are one state each per mission-year
    assert not t.duplicated(["mission", "year", "tcc_ccode"]).any()
    states = raw[~raw["name"].isin(["Multinational", "CARICOM", "TCC name unknown", "Un"])]
    known = states.dropna(subset=["troops"]).groupby("year")["troops"].sum()
    assert t.groupby("year")["troops"].sum().loc[2021:2024].tolist() == known.loc[2021:2024].tolist()


def test_coverage_says_what_is_missing_each_year(raw):
    c = geo_pko_tcc_map_coverage().set_index("year")
    assert c.loc[2024, "mission_names"] == "MINURSO;MINUSCA;MINUSMA;MONUSCO;UNDOF;UNFICYP;UNIFIL;UNISFA;UNMISS"
    not_state = raw[raw["name"].isin(["Multinational", "CARICOM", "TCC name unknown", "Un"])].groupby("year").size()
    assert c.loc[2024, "entries_not_a_state"] == not_state[2024]
    assert "troops only" in c.loc[2024, "note"] and "9 missions" in c.loc[2024, "note"]
    assert list(c.index) == list(range(1994, 2025))


def test_tcc_and_mission_cards_reach_2024(raw):
    from peacewatch.scorecards.frames import mission_frame, tcc_frame

    tccs, _ = tcc_frame(2023, 2024)
    nepal = tccs[(tccs["key"] == 790) & (tccs["year"] == 2024)].iloc[0]
    expected = raw[(raw["year"] == 2024) & (raw["name"] == "Nepal")]["troops"].sum()
    assert nepal["deployed"] == expected and nepal["deployed_source"] == "geo_pko"
    missions, _ = mission_frame(2023, 2024)
    unmiss = missions[(missions["key"] == "UNMISS") & (missions["year"] == 2023)].iloc[0]
    assert unmiss["personnel"] == raw[(raw["mission"] == "UNMISS") & (raw["year"] == 2023)]["troops"].sum()
    assert unmiss["host_ccode"] == 626 and unmiss["personnel__source"] == "geo_pko (TCCMap)"
    assert missions.loc[missions["key"] == "MINURSO", "host_ccode"].eq(600).all()  # as in IPI


def test_the_cards_say_what_the_contributor_data_lack():
    from typer.testing import CliRunner

    from peacewatch.cli import app
    from peacewatch.scorecards.frames import contributor_note

    assert contributor_note("tccs", 2012) is None and contributor_note("missions", 2016) is None
    assert "9 missions" in contributor_note("tccs", 2023) and "troops only" in contributor_note("missions", 2023)
    assert contributor_note("tccs", 2026) == "2026: no contributor data (the Geo-PKO TCCMap ends 2024)"
    res = CliRunner().invoke(app, ["score", "missions", "--year", "2024", "--format", "csv"])
    assert res.exit_code == 0 and "coverage: 2024: contributors from the Geo-PKO TCCMap" in res.stderr
    assert "UNMISS" in res.stdout and "coverage: 2024" not in res.stdout
