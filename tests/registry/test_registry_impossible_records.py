"""Impossible registry records (issue 24, item 4) are refused through the one door: one line and exit 2
on the command line, 422 from the API, the same words from both; countries by code, ISO3 or name."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.registry import operations as ops
from peacewatch.registry import policy
from peacewatch.registry.errors import ValidationFailed

from .conftest import API, CASE_BODY, TCC_A

runner = CliRunner()
NEXT_YEAR = dt.date.today().year + 1
FUTURE = f"{NEXT_YEAR + 3}-03-01"


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["registry", "init"])
    assert r.exit_code == 0, r.output
    token = (tmp_path / "out" / "registry-coordinator.txt").read_text().split("token: ")[1].strip()
    monkeypatch.setenv("PEACEWATCH_TOKEN", token)


def _as(session, user):
    """The user acting through the registry's dispatcher (role check and validation) in ``session``."""
    return policy.Actor(session, user, False)


def _refused(args: list[str], *needles: str) -> str:
    r = runner.invoke(app, ["registry", *args])
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert r.exit_code == 2, r.output
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


CASE = ["cases", "create", "--mission", "MINUSTAH", "--tcc", "770", "--category", "sexual_abuse", "--summary", "s"]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["compliance", "submit", "--nation", "770", "--year", "2100"], ["year: 2100 is outside 1990 to"]),
        (["compliance", "submit", "--nation", "5", "--year", "2010"], ["nation_ccode: no state has COW code 5"]),
        (["compliance", "submit", "--nation", "Narnia", "--year", "2010"], ["no state called 'Narnia'"]),
        ([*CASE[:4], "--tcc", "1", *CASE[6:]], ["tcc_ccode: no state has COW code 1"]),
        (
            ["cases", "create", "--mission", "NOTAMISSION", *CASE[4:]],
            ["mission: 'NOTAMISSION' is not a UN mission in the catalogued data"],
        ),
        ([*CASE, "--incident-date", FUTURE], [f"incident_date: {FUTURE} is in the future"]),
        ([*CASE, "--incident-date", "1900-01-01"], ["before the first UN peacekeeping operation"]),
        (
            ["vetting", "add-record", "A B", "--category", "sexual_abuse", "--date-of-birth", FUTURE],
            ["is in the future"],
        ),
        (
            ["training", "add-person", "S1", "A B", "--nation", "770", "--deployment-year", str(NEXT_YEAR + 5)],
            [f"deployment_year: {NEXT_YEAR + 5} is outside 1990 to {NEXT_YEAR}"],
        ),
    ],
)
def test_the_cli_refuses_impossible_records(cli_env, args, needles):
    _refused(args, *needles)
    listed = runner.invoke(app, ["registry", "cases", "list", "--json"])
    assert listed.exit_code == 0 and listed.output.strip() == "[]"  # nothing was stored


def test_a_misspelt_mission_gets_suggestions(cli_env):
    _refused(["cases", "create", "--mission", "MINUSTHA", *CASE[4:]], "did you mean MINUSTAH")


def test_countries_by_iso3_or_name_on_the_cli(cli_env):
    r = runner.invoke(
        app, ["registry", "compliance", "submit", "--nation", "Pakistan", "--year", "2010", "--training", "met"]
    )
    assert r.exit_code == 0, r.output
    assert '"nation_ccode": 770' in r.output
    r = runner.invoke(app, ["registry", *CASE[:4], "--tcc", "BGD", *CASE[6:]])
    assert r.exit_code == 0, r.output
    assert '"tcc_ccode": 771' in r.output  # Bangladesh


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/compliance/reports", {"nation_ccode": 770, "year": 2100, "provisions": {}}, "year"),
        ("/compliance/reports", {"nation_ccode": 5, "year": 2010, "provisions": {}}, "nation_ccode"),
        ("/cases", {**CASE_BODY, "tcc_ccode": 1}, "tcc_ccode"),
        ("/cases", {**CASE_BODY, "mission": "NOTAMISSION"}, "mission"),
        ("/cases", {**CASE_BODY, "incident_date": FUTURE}, "incident_date"),
    ],
)
def test_the_api_answers_422_naming_the_field(client, people, path, body, field):
    r = client.post(f"{API}{path}", json=body, headers=people.headers("coord"))
    assert r.status_code == 422, r.text
    assert field in {str(p["loc"][-1]) for p in r.json()["detail"]}


def test_one_door_for_every_caller(registry, people):
    """The operation itself refuses (the web forms and the API call the same function)."""
    with registry.session() as s, pytest.raises(ValidationFailed, match="no state has COW code 5"):
        _as(s, people.users["coord"])(ops.nations.submit_report, {"nation_ccode": 5, "year": 2010, "provisions": {}})
    with registry.session() as s:
        ok = _as(s, people.users["coord"])(
            ops.nations.submit_report, {"nation_ccode": "PAK", "year": 2010, "provisions": {"training": "met"}}
        )
    assert ok["nation_ccode"] == TCC_A
