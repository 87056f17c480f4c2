"""``peacewatch score tccs`` and the registry (issue 24, item 2): a registry asked for and not readable is an
error, the default registry is read when it exists (and said so), a year without units says why."""

from __future__ import annotations

import datetime as dt
import io
import socket

import pandas as pd
import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from peacewatch.cli import app

runner = CliRunner()
THIS_YEAR = dt.date.today().year
LAST_YEAR = THIS_YEAR - 1  # the registry publishes ended years only


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A fresh registry at the default place (out/peacewatch.sqlite) holding one national report of
    Pakistan (COW 770) for last year, all six provisions met."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(tmp_path / "out"))
    monkeypatch.delenv("PEACEWATCH_DB_URL", raising=False)
    assert runner.invoke(app, ["registry", "init"]).exit_code == 0
    token = (tmp_path / "out" / "registry-coordinator.txt").read_text().split("token: ")[1].strip()
    met = [
        x
        for p in ("ratification", "training", "legislation", "reporting", "whistleblower-policy", "misconduct-database")
        for x in (f"--{p}", "met")
    ]
    r = runner.invoke(
        app, ["registry", "compliance", "submit", "--nation", "770", "--year", str(LAST_YEAR), *met, "--token", token]
    )
    assert r.exit_code == 0, r.output
    return tmp_path / "out" / "peacewatch.sqlite"


def _csv(result) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(result.stdout))


def test_the_registry_given_with_db_grades_a_year_after_the_deployment_data(registry):
    r = runner.invoke(
        app, ["score", "tccs", "--year", str(LAST_YEAR), "--format", "csv", "--db", f"sqlite:///{registry}"]
    )
    assert r.exit_code == 0, r.output
    row = _csv(r).set_index("key").loc[770]
    assert row["year_national_compliance"] == LAST_YEAR
    assert row["s_national_compliance"] == pytest.approx(10.0)  # six of six provisions met: the top score


def test_the_default_registry_is_read_when_it_exists_and_a_note_says_so(registry):
    r = runner.invoke(app, ["score", "tccs", "--year", str(LAST_YEAR), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert f"reading the registry at {registry}" in r.stderr
    assert 770 in set(_csv(r)["key"])


def test_db_url_is_a_deprecated_spelling_of_db(registry):
    r = runner.invoke(
        app, ["score", "tccs", "--year", str(LAST_YEAR), "-f", "csv", "--db-url", f"sqlite:///{registry}"]
    )
    assert r.exit_code == 0, r.output
    assert "--db-url is deprecated; use --db" in r.stderr
    assert "--db-url" not in runner.invoke(app, ["score", "tccs", "--help"]).output


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_a_registry_that_cannot_be_read_is_an_error_in_every_format(tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = runner.invoke(
        app, ["score", "tccs", "--year", "2012", "-f", fmt, "--db", f"postgresql://pw:x@127.0.0.1:{port}/r"]
    )
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert "the connection was refused" in r.stderr and "bug" not in r.stderr


def test_a_typo_in_db_is_an_error_and_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["score", "tccs", "--year", "2012", "--db", "sqlite:///typo/registry.sqlite"])
    assert r.exit_code == 2 and "no registry at typo/registry.sqlite" in r.output
    assert not (tmp_path / "typo").exists()


def test_a_year_without_units_says_why_instead_of_an_empty_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PEACEWATCH_DB_URL", raising=False)
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(tmp_path / "out"))
    r = runner.invoke(app, ["score", "tccs", "--year", str(THIS_YEAR), "-f", "csv"])
    assert r.exit_code == 2, r.output
    assert f"no units in {THIS_YEAR}" in r.output and "pass --db" in r.output
    # the Geo-PKO dashboard's TCCMap (issue 23) carries contributors to 2024 (the raw Geo-PKO maps end 2020)
    assert "2001 to 2024" in r.output


def test_a_process_with_a_registry_ends_without_noise(registry, tmp_path):
    """A real process reading the registry: no "Exception ignored" from connections finalised at exit."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"), "NO_COLOR": "1"}
    r = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::ResourceWarning",
            "-m",
            "peacewatch",
            "score",
            "tccs",
            "--year",
            str(LAST_YEAR),
            "-f",
            "csv",
            "--db",
            f"sqlite:///{registry}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "Exception ignored" not in r.stderr and "Traceback" not in r.stderr, r.stderr
