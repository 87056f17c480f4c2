"""Registry commands as a conduct officer meets them (issue 24, item 6): listings as tables with --json
for scripts, passwords from a hidden prompt or standard input only, a no-hit screening CSV with its header."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from peacewatch.cli import app

runner = CliRunner()


def run(*args, **kw):
    return runner.invoke(app, ["registry", *args], **kw)


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("init", "--password-stdin", input="first-coordinator-pass\n")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "out" / "registry-coordinator.txt").read_text()
    assert "first-coordinator-pass" not in text  # a given password is not written to the file
    monkeypatch.setenv("PEACEWATCH_TOKEN", text.split("token: ")[1].strip())
    return tmp_path


def test_passwords_never_come_from_a_plain_option(cli_env):
    for args in (
        ["init", "--password", "secret-secret-1"],
        ["users", "create", "ana", "--role", "analyst", "--password", "secret-secret-1"],
    ):
        r = run(*args)
        assert r.exit_code == 2 and "No such option" in r.output
    hidden = run("users", "create", "ana", "--role", "analyst", input="harbour-amber-77\nharbour-amber-77\n")
    assert hidden.exit_code == 0, hidden.output
    assert "harbour-amber-77" not in hidden.output  # the prompt does not echo what is typed
    piped = run("users", "create", "ben", "--role", "analyst", "--password-stdin", input="lantern-ferry-99\n")
    assert piped.exit_code == 0 and json.loads(piped.stdout)["username"] == "ben"
    empty = run("users", "create", "cy", "--role", "analyst", "--password-stdin", input="")
    assert empty.exit_code == 2 and "standard input held no password" in empty.output


def test_listings_are_tables_by_default_and_json_on_request(cli_env):
    assert (
        run(
            "users",
            "create",
            "liaison",
            "--role",
            "tcc_liaison",
            "--tcc",
            "Pakistan",
            "--password-stdin",
            input="liaison-amber-harbour\n",
        ).exit_code
        == 0
    )
    table = run("users", "list")
    assert table.exit_code == 0
    header = table.stdout.splitlines()[0].split()
    assert header[:3] == ["username", "role", "tcc"] and "(COW" in header
    assert "liaison" in table.stdout and "770" in table.stdout and not table.stdout.lstrip().startswith("[")
    rows = json.loads(run("users", "list", "--json").stdout)
    assert {"username": "liaison", "role": "tcc_liaison", "tcc_ccode": 770, "active": True} in rows
    for listing in (
        ["cases", "list"],
        ["referrals", "list"],
        ["referrals", "overdue"],
        ["intake", "list"],
        ["compliance", "reports"],
        ["training", "modules"],
    ):
        plain, as_json = run(*listing), run(*listing, "--json")
        assert plain.exit_code == 0 and plain.stdout.strip() == "(no rows)", listing
        assert as_json.exit_code == 0 and json.loads(as_json.stdout) == [], listing


def test_a_screening_without_hits_writes_the_header(cli_env):
    (cli_env / "records.csv").write_text(
        "full_name,date_of_birth,nationality,category\nЮрий Иванов,1970-05-06,365,trafficking_related\n",
        encoding="utf-8",
    )
    assert run("vetting", "import-records", "records.csv").exit_code == 0
    (cli_env / "roster.csv").write_text(
        "name,date_of_birth,nationality\nAnna Berg,1990-01-01,Sweden\n", encoding="utf-8"
    )
    r = run("vetting", "screen", "roster.csv", "--out", "hits.csv")
    assert r.exit_code == 0 and "0 hits" in r.output, r.output
    hits = pd.read_csv(cli_env / "hits.csv")
    assert len(hits) == 0
    assert list(hits.columns)[:3] == ["hit_id", "row_number", "roster_name"] and "proposed_by" in hits.columns
