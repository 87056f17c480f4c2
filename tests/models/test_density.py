"""Democratic density on the real COW IGO, Polity5, Geo-PKO and IPI files."""

from __future__ import annotations

import pandas as pd
import pytest

from peacewatch.models.density import io_density, mission_density, mission_density_table
from peacewatch.models.errors import UnknownIOError, UnknownMissionError


def test_un_2004_with_correct_cow_codes():
    d = io_density("UN", 2004)
    # 191 members; Serbia & Montenegro (Polity 347 -> COW 345), Ethiopia (529 -> 530) and Vietnam
    # (818 -> 816) are scored; matching Polity codes as COW codes drops them and gives 3.43.
    assert (d.n_scored, d.n_unscored) == (159, 32)
    assert d.value == pytest.approx(535 / 159)
    assert round(d.value, 1) == 3.4  # Smith 2012
    assert {"Iceland", "Malta", "Iraq", "Afghanistan", "Bosnia and Herzegovina"} <= set(d.unscored)


def test_oas_2004_cuba_override():
    with_cuba = io_density("OAS", 2004)
    cow = io_density("OAS", 2004, overrides=False)
    assert (cow.n_scored, cow.n_unscored) == (25, 9)
    assert cow.value == pytest.approx(7.72)
    assert (with_cuba.n_scored, with_cuba.n_unscored) == (26, 9)
    assert with_cuba.value == pytest.approx(186 / 26)  # 7.15; Smith 2012: 7.1
    assert 40 in set(with_cuba.members["ccode"]) and any("Cuba" in n for n in with_cuba.notes)


def test_nato_2004_and_after_cow():
    d = io_density("NATO", 2004)
    assert (d.n_scored, d.n_unscored, d.unscored) == (25, 1, ["Iceland"])
    assert d.value == pytest.approx(9.64)
    later = io_density("NATO", 2020)
    assert {341, 343} <= set(later.members["ccode"]) and len(later.members) == 30
    assert 101 not in set(io_density("OAS", 2019).members["ccode"])


def test_minustah_2004_geo_pko():
    d = mission_density("MINUSTAH", 2004)
    assert d.source == "geo_pko" and (d.n_scored, d.n_unscored) == (11, 0)
    assert set(d.members["country"]) == {
        "Argentina",
        "Brazil",
        "Chile",
        "Guatemala",
        "Jordan",
        "Morocco",
        "Nepal",
        "Peru",
        "Spain",
        "Sri Lanka",
        "Uruguay",
    }
    assert d.value == pytest.approx(53 / 11)  # 4.82; Smith 2012: 4.6
    w = mission_density("MINUSTAH", 2004, weighted=True)
    # Guatemala's troops are "unknown" on the map: out of the weighted mean only
    assert w.value == pytest.approx(6.7071240105540895) and "Guatemala" in w.notes[0]


def test_minustah_2010_ipi_and_table():
    d = mission_density("MINUSTAH", 2010)
    assert d.source == "ipi" and d.n_scored + d.n_unscored == 57
    t = mission_density_table(range(2004, 2012), missions=["MINUSTAH"])
    assert list(t.columns[:7]) == ["mission", "year", "density", "density_weighted", "n_scored", "n_unscored", "n_tccs"]
    row = t.set_index("year").loc[2004]
    assert row["density"] == pytest.approx(53 / 11) and row["personnel"] == 7406
    assert t.set_index("year").loc[2010, "density"] == pytest.approx(d.value)


def test_errors_name_the_field():
    with pytest.raises(UnknownIOError, match="io='UNO'"):
        io_density("UNO", 2004)
    with pytest.raises(UnknownIOError, match=r"io='UN', year=1940: .*1945-2014, nearest: \[1945\]"):
        io_density("UN", 1940)
    with pytest.raises(UnknownMissionError, match="mission='MINUSTAH', year=1999"):
        mission_density("MINUSTAH", 1999)


def test_table_agrees_with_single_mission_calls():
    t = mission_density_table(range(2009, 2012), missions=["UNMIL", "MONUSCO", "UNIFIL"])
    assert len(t) >= 8
    for r in t.itertuples():
        d, w = mission_density(r.mission, r.year), mission_density(r.mission, r.year, weighted=True)
        assert (d.n_scored, d.n_unscored) == (r.n_scored, r.n_unscored)
        assert d.value == pytest.approx(r.density) and w.value == pytest.approx(r.density_weighted)


def test_un_2020_is_below_the_coverage_floor():
    """Polity5 ends 2018 (only the United States has 2019-2020 rows): the UN's 2020 density would be
    the US score alone, so it is refused: no value in JSON or on the command line, with the counts."""
    from typer.testing import CliRunner

    from peacewatch.cli import app
    from peacewatch.models.density import COVERAGE_FLOOR
    from peacewatch.sources.catalog import Catalog

    raw = pd.read_csv(Catalog().path("polity5", "main"), usecols=["ccode", "year", "polity2"])
    assert raw.loc[raw["year"] == 2020, "ccode"].tolist() == [2]  # the United States only
    d = io_density("UN", 2020)
    assert (d.n_scored, d.n_scored + d.n_unscored) == (1, 193)
    assert d.below_floor and d.coverage < COVERAGE_FLOOR and d.to_dict()["value"] is None
    assert not io_density("UN", 2004).below_floor  # 159 of 191
    out = CliRunner().invoke(app, ["model", "density", "--io", "UN", "--year", "2020"])
    assert out.exit_code == 0, out.output
    line = next(r for r in out.output.splitlines() if r.startswith("UN "))
    assert "n/a" in line and "5.00" not in out.output
    assert "1 of 193 members scored (1%; floor 50%)" in out.output


def test_mission_table_leaves_density_missing_below_the_floor():
    t = mission_density_table(range(2019, 2021), missions=["UNMISS"]).set_index("year")
    assert t.loc[2019, "n_scored"] == 0 and t.loc[2019, "n_tccs"] == 14 and pd.isna(t.loc[2019, "density"])
    t04 = mission_density_table([2004], missions=["MINUSTAH"]).iloc[0]
    assert t04["coverage"] == 1.0 and t04["density"] == pytest.approx(mission_density("MINUSTAH", 2004).value)
