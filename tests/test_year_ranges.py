"""One year-range check (peacewatch.bounds.check_year_range) behind the panel, the scorecards, the
models and the command line: the same one-line message, naming the argument, before any data is read."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from peacewatch import create_country_years
from peacewatch.cli import app
from peacewatch.errors import InputError
from peacewatch.models.incidence import HTI_YEARS
from peacewatch.scorecards.frames import check_years


def test_the_panel_refuses_reversed_or_outside_years():
    with pytest.raises(InputError, match=r"^start 2010 is after end 2005; give the earlier year first$"):
        create_country_years(2010, 2005)
    with pytest.raises(InputError, match=r"^start: 1800 is outside 1816 to 20\d\d$"):
        create_country_years(1800, 2000)
    with pytest.raises(InputError, match=r"^end: 3000 is outside 1816 to 20\d\d$"):
        create_country_years(2000, 3000)


def test_the_scorecards_use_the_same_check():
    check_years(2001, 2024, "missions")  # to 2024 from the Geo-PKO TCCMap (issue 23)
    with pytest.raises(InputError, match=r"^missions scorecard end year: 2025 is outside 2001 to 2024$"):
        check_years(2001, 2025, "missions")
    with pytest.raises(InputError, match=r"^hosts scorecard start year 2010 is after hosts scorecard end year 2005"):
        check_years(2010, 2005, "hosts")


def test_the_models_read_their_years_from_bounds():
    assert HTI_YEARS == (2001, 2011)


@pytest.mark.parametrize("command", [["panel", "build"], ["model", "typology"]])
def test_the_cli_names_the_option(command, tmp_path):
    result = CliRunner().invoke(app, [*command, "--start", "2012", "--end", "2003", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--start 2012 is after --end 2003; give the earlier year first" in result.output
    assert not (tmp_path / "x").exists()


def test_a_scorecard_year_is_checked_by_the_same_bounds():
    from peacewatch.scorecards.engine import grade

    with pytest.raises(InputError, match=r"^missions scorecard year: 2025 is outside 2001 to 2024$"):
        grade("missions", 2025)  # refused before any data is read
