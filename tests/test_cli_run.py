"""``peacewatch run`` end to end on the real data, into a temporary directory: every output the README
lists is there, with known values, and the coordinator's credentials are in a 0600 file, not on screen;
``run --serve`` answers while the outputs are written."""

from __future__ import annotations

import json
import re
import stat

import pandas as pd
import pytest
from typer.testing import CliRunner

from peacewatch.cli import app


@pytest.fixture(scope="module")
def main_job(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    mp = pytest.MonkeyPatch()
    mp.setenv("PEACEWATCH_OUT_DIR", str(out))  # the registry follows the job's output directory
    for name in ("PEACEWATCH_DB_URL", "PEACEWATCH_SECRET_KEY"):
        mp.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["run", "--out", str(out)])
    mp.undo()
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.slow
def test_run_writes_the_panel_and_summary(main_job):
    out, _ = main_job
    panel = pd.read_csv(out / "panel" / "panel.csv")
    assert (panel["year"].min(), panel["year"].max()) == (1990, 2025)
    haiti = panel[(panel["ccode"] == 41) & (panel["year"] == 2004)].iloc[0]
    assert haiti["un_troops"] == 6008 and haiti["country"] == "Haiti"
    assert len(pd.read_parquet(out / "panel" / "panel.parquet")) == len(panel)
    package = json.loads((out / "panel" / "datapackage" / "datapackage.json").read_text())
    assert package["resources"][0]["path"] == "panel.csv"
    lineage = json.loads((out / "panel" / "lineage.json").read_text())
    assert {x["source"] for x in lineage} >= {"hti", "polity5", "ipi_missions"}
    assert "@techreport{frank2013hti" in (out / "panel" / "CITATION.bib").read_text()
    summary = (out / "summary.md").read_text()
    assert f"{len(panel):,} country-years" in summary and "## Largest UN deployments" in summary


@pytest.mark.slow
def test_run_writes_the_models_report(main_job):
    out, _ = main_job
    html = (out / "report" / "models-report.html").read_text()
    assert "<html" in html and "MINUSTAH" in html
    assert "Democratic density (Smith 2012)" in html and "International Studies Quarterly 62(3), 2018" in html


@pytest.mark.slow
def test_run_writes_the_replication_package(main_job):
    out, _ = main_job
    rep = out / "replication"
    for name in (
        "estimation.csv",
        "estimation.dta",
        "estimation.rds",
        "codebook.md",
        "estimates.csv",
        "replicate.R",
        "replicate.do",
    ):
        assert (rep / name).stat().st_size > 0, name
    est = pd.read_csv(rep / "estimates.csv")
    assert set(est["model"]) >= {"un_full", "us_comparison"} and "glm(f_un_full" in (rep / "replicate.R").read_text()


@pytest.mark.slow
def test_run_writes_the_three_scorecards_as_csv_and_json(main_job):
    out, _ = main_job
    cards = out / "scorecards"
    hosts = pd.read_csv(cards / "hosts.csv")
    haiti = hosts[(hosts["key"] == 41) & (hosts["year"] == 2004)].iloc[0]
    assert (haiti["grade"], haiti["published_tier"]) == ("Grade C", "Special Case")
    assert (hosts["year"].min(), hosts["year"].max()) == (2001, 2025)
    for card in ("hosts", "tccs", "missions"):
        table = pd.read_csv(cards / f"{card}.csv")
        doc = json.loads((cards / f"{card}.json").read_text())
        assert doc["card"] == card and len(doc["grades"]) == len(table) > 0
        assert table["year"].min() == doc["years"][0] == 2001 and table["year"].max() <= doc["years"][1]
    missions = json.loads((cards / "missions.json").read_text())["grades"]
    assert any(g["key"] == "MINUSTAH" and g["year"] == 2005 for g in missions)
    methods = (cards / "scorecards-methods.md").read_text()
    assert "## References" in methods and "| Kelley 2017 | Judith G. Kelley, Scorecard Diplomacy" in methods
    for name in ("scorecards-methods.html", "scorecards-methods.md", "tip_tier_counts.png", "palermo_parties.svg"):
        assert (cards / name).stat().st_size > 0, name


@pytest.mark.slow
def test_run_creates_the_registry_and_keeps_the_credentials_private(main_job):
    out, output = main_job
    from peacewatch.registry.service import Registry

    creds = out / "registry-coordinator.txt"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    values = dict(line.split(": ", 1) for line in creds.read_text().splitlines() if not line.startswith("#"))
    assert re.fullmatch(r"coordinator-[a-z2-9]{8}", values["username"])  # not guessable (issue 20)
    assert values["username"] not in output
    assert values["password"] not in output and values["token"] not in output  # never on screen or in a log
    assert str(creds) in output
    registry = Registry(f"sqlite:///{out / 'peacewatch.sqlite'}")
    try:
        with registry.as_user(values["token"]) as (_, user):
            assert user.username == values["username"] and user.role == "coordinator"
    finally:
        registry.dispose()


@pytest.mark.slow
def test_run_serve_answers_while_the_outputs_are_written(tmp_path):
    """``peacewatch run --serve`` as a user runs it: the map page answers, the outputs follow, the
    coordinator's secrets stay in their file."""
    import os
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    import peacewatch

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out, log = tmp_path / "out", tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if k not in ("PEACEWATCH_DB_URL", "PEACEWATCH_SECRET_KEY")}
    env.update(PYTHONPATH=str(Path(peacewatch.__file__).parents[1]), PEACEWATCH_OUT_DIR=str(out))
    with open(log, "w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "peacewatch.cli", "run", "--serve", "--out", str(out), "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 600
        page = None
        while page is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/", timeout=60)
                page = r if r.status_code == 200 else None
            except httpx.HTTPError:
                time.sleep(0.2)
        assert page is not None, log.read_text()
        assert "peacewatch" in page.text
        while "all outputs written" not in log.read_text() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
        text = log.read_text()
        assert "all outputs written" in text, text
        assert "still writing" not in httpx.get(f"http://127.0.0.1:{port}/", timeout=60).text
        assert (out / "scorecards" / "hosts.json").is_file() and (out / "report" / "models-report.html").is_file()
        creds = (out / "registry-coordinator.txt").read_text()
        token = next(line.split(": ", 1)[1] for line in creds.splitlines() if line.startswith("token: "))
        assert token not in text
    finally:
        proc.terminate()
        proc.wait(30)
