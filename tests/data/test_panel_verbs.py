"""The panel's verbs are listed once (peacewatch.panel.verbs.registry.VERBS): every verb there is a
Panel method, part of add_all and a choice of ``peacewatch panel build --add``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from peacewatch import create_country_years
from peacewatch.cli import app
from peacewatch.panel.core import Panel
from peacewatch.panel.verbs.registry import NAMES, VERBS

HAITI = 41


def test_every_verb_is_a_documented_panel_method():
    assert len(VERBS) == len(NAMES) == 6
    for spec in VERBS:
        method = getattr(Panel, spec.method)
        assert method.__name__ == spec.method and method.__doc__ == spec.doc


def test_add_all_applies_every_verb_in_order():
    panel = create_country_years(2004, 2004).add_all()
    assert [step.verb for step in panel.steps] == [spec.method for spec in VERBS]
    haiti = panel.df.set_index("ccode").loc[HAITI]
    assert haiti["un_troops"] == 6008 and haiti["un_mission_names"] == "MINUSTAH"  # IPI, December 2004
    assert set(panel.sources_used) >= {source for spec in VERBS for source in spec.sources}


def test_a_method_and_its_name_give_the_same_columns():
    by_method = create_country_years(2004, 2004).add_democracy()
    by_name = create_country_years(2004, 2004).add("democracy")
    assert by_method.df.equals(by_name.df) and by_method.steps == by_name.steps
    with pytest.raises(ValueError, match="unknown panel verb 'nope'; choose from un, nonun, us"):
        create_country_years(2004, 2004).add("nope")


def test_every_verb_is_reachable_from_the_cli(tmp_path):
    runner = CliRunner()
    help_text = runner.invoke(app, ["panel", "build", "--help"], terminal_width=200).output
    assert all(name in help_text for name in NAMES)
    adds = [arg for name in NAMES for arg in ("--add", name)]
    result = runner.invoke(app, ["panel", "build", "--start", "2004", "--end", "2004", *adds,
                                 "--format", "csv", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["verbs"] == [spec.method for spec in VERBS]
    bad = runner.invoke(app, ["panel", "build", "--add", "nope", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--add: unknown verb(s) nope; choose from un, nonun, us" in bad.output
