"""The panel's verbs are listed once (peacewatch.panel.verbs.registry.VERBS): every verb there is a
Panel method and a choice of ``peacewatch panel build --add``; those marked ``in_all`` make add_all."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from peacewatch import create_country_years
from peacewatch.cli import app
from peacewatch.panel import core
from peacewatch.panel.core import Panel
from peacewatch.panel.verbs.registry import ALL_NAMES, NAMES, VERBS, Verb

HAITI = 41


def test_every_verb_is_a_documented_panel_method():
    assert len(VERBS) == len(NAMES) == len(set(NAMES)) and {"un", "trafficking", "democracy"} <= set(NAMES)
    for spec in VERBS:
        method = getattr(Panel, spec.method)
        assert method.__name__ == spec.method and method.__doc__ == spec.doc


def test_joining_add_all_is_an_explicit_choice_of_each_verb():
    in_all = {f.name: f for f in dataclasses.fields(Verb)}["in_all"]
    assert in_all.default is dataclasses.MISSING and in_all.default_factory is dataclasses.MISSING
    assert tuple(spec.name for spec in VERBS if spec.in_all) == ALL_NAMES


def test_add_all_applies_only_the_verbs_that_opted_in(monkeypatch):
    monkeypatch.setattr(core, "ALL_NAMES", ("democracy", "un"))  # as if the others had in_all=False
    panel = create_country_years(2004, 2004).add_all()
    assert [step.verb for step in panel.steps] == ["add_democracy", "add_un_deployments"]


def test_add_all_applies_every_verb_in_order():
    panel = create_country_years(2004, 2004).add_all()
    assert [step.verb for step in panel.steps] == [spec.method for spec in VERBS if spec.in_all]
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
    result = runner.invoke(
        app, ["panel", "build", "--start", "2004", "--end", "2004", *adds, "--format", "csv", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["verbs"] == [spec.method for spec in VERBS]
    bad = runner.invoke(app, ["panel", "build", "--add", "nope", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--add: unknown verb(s) nope; choose from un, nonun, us" in bad.output
