"""The command line's error boundary: every user mistake listed in issue 12 ends in one line and exit 2.

Each case is run through the real ``peacewatch`` app (Typer's CliRunner), before any data is read
where the option alone is wrong, and checks that nothing was written.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.sources.catalog import Catalog

runner = CliRunner()


def _fails(args: list[str], message: str, env: dict | None = None):
    """Run ``peacewatch args``; assert exit 2 and exactly one output line containing ``message``."""
    result = runner.invoke(app, args, env=env)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and message in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2020", "--end", "1990"], "--start 2020 is after --end 1990"),
        (["--system", "xyz"], "--system: 'xyz' is not one of cow, gw"),
        (["--agg", "foo"], "--agg: 'foo' is not one of december, mean, max"),
        (["--format", "xlsx"], "--format: 'xlsx' is not one of csv, parquet, datapackage, dta, rds"),
        (["--start", "1800", "--end", "1805"], "--start: 1800 is outside 1816 to 2025"),
        (["--add", "bogus"], "--add: unknown verb(s) bogus"),
    ],
)
def test_panel_build_refuses_bad_options_before_writing(tmp_path, args, message):
    out = tmp_path / "panel"
    _fails(["panel", "build", *args, "--out", str(out)], message)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--personnel", "10000", "--control", "polity2=abc"], "--control polity2: 'abc' is not a number"),
        (["--personnel", "nan"], "--personnel: nan is not a number"),
        (["--personnel", "1e12"], "--personnel: 1,000,000,000,000 is outside 0 to 200,000"),
        (["--personnel", "5000", "--control", "polity2=99"], "--control polity2: 99 is outside -10 to 10"),
        (
            ["--personnel", "5000", "--control", "democracy=1"],
            "unknown control 'democracy'; use one of polity2, conflict, gdppc, population",
        ),
        (["--personnel", "5000", "--control", "polity2"], "use NAME=VALUE"),
        (["--personnel", "5000", "--method", "guess"], "--method: 'guess' is not one of delta, simulation"),
        (["--country", "99999"], "--country: no state has COW code 99999"),
        (["--country", "Hati"], "did you mean Haiti (41, HTI)"),
        ([], "give --personnel (a planned mission) or --country"),
    ],
)
def test_model_predict_refuses_bad_inputs(args, message):
    _fails(["model", "predict", *args], message)


def test_model_predict_accepts_a_country_by_iso3_or_name():
    by_iso3 = runner.invoke(app, ["model", "predict", "--country", "HTI"])
    by_name = runner.invoke(app, ["model", "predict", "--country", "haiti"])
    assert by_iso3.exit_code == 0, by_iso3.output
    assert by_iso3.output == by_name.output
    rows = [line.split() for line in by_iso3.output.splitlines()[1:]]
    assert rows and {r[0] for r in rows} == {"41"}  # Haiti's COW code in every row
    assert [int(r[1]) for r in rows] == list(range(2001, 2012))


def test_serve_refuses_a_port_out_of_range_at_once():
    _fails(["serve", "--port", "99999"], "--port: 99999 is outside 1 to 65535")


def test_serve_refuses_a_port_in_use():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        _fails(["serve", "--port", str(port)], f"--port: cannot listen on 127.0.0.1:{port}")


def test_score_explain_takes_iso3_and_names_and_refuses_unknown_units():
    hti = runner.invoke(app, ["score", "hosts", "--year", "2004", "--explain", "HTI"])
    assert hti.exit_code == 0, hti.output
    assert hti.output.startswith("Haiti (41), 2004: Grade C")
    assert runner.invoke(app, ["score", "hosts", "--year", "2004", "--explain", "Haiti"]).output == hti.output
    line = _fails(["score", "hosts", "--year", "2004", "--explain", "99999"], "--explain: no state has COW code 99999")
    assert "grade_table" not in line
    _fails(
        ["score", "missions", "--year", "2004", "--explain", "NOPE"], "NOPE is not on the missions scorecard in 2004"
    )
    _fails(["score", "hosts", "--year", "2030"], "--year: 2030 is outside 2001 to 2025")
    _fails(["score", "missions", "--year", "2025"], "--year: 2025 is outside 2001 to 2024")
    _fails(["score", "hosts", "--year", "2004", "--ruleset", "nope"], "nope: ruleset: not found")


def test_incidence_and_typology_take_any_country_form():
    by_name = runner.invoke(app, ["model", "incidence", "--country", "Haiti"])
    by_code = runner.invoke(app, ["model", "incidence", "--country", "41"])
    assert by_name.exit_code == 0 and by_name.output == by_code.output
    assert len(by_name.output.splitlines()) == 1 + 11  # header + 2001-2011
    _fails(["model", "incidence", "--country", "Narnia"], "--country: no state called 'Narnia'")
    _fails(["model", "typology", "--host", "XYZ"], "--host: no state called 'XYZ'")


def test_missing_data_lists_every_file_and_three_ways(tmp_path, monkeypatch):
    empty = tmp_path / "empty-data"
    empty.mkdir()
    env = {"PEACEWATCH_DATA_DIR": str(empty)}
    every = [f.path for s in Catalog() for f in s.files.values()]
    for args in (["panel", "build", "--out", str(tmp_path / "panel")], ["run", "--out", str(tmp_path / "out")]):
        line = _fails(args, f"{len(every)} of {len(every)} data files are missing from {empty}", env=env)
        assert all(path in line for path in every)
        assert "../shared/data" in line and "PEACEWATCH_DATA_DIR" in line and "peacewatch sources fetch" in line
    assert not (tmp_path / "out").exists() and not (tmp_path / "panel").exists()


def test_unexpected_errors_print_one_line_and_how_to_debug(monkeypatch, tmp_path):
    import peacewatch.panel.build as build

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug\nsecond line")

    monkeypatch.setattr(build, "build_panel", broken)
    result = runner.invoke(app, ["panel", "build", "--out", str(tmp_path / "p")])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1 and len(lines) == 1, result.output
    assert "unexpected RuntimeError: simulated bug second line" in lines[0]
    assert "--debug" in lines[0] and "PEACEWATCH_DEBUG=1" in lines[0]
    debug = runner.invoke(app, ["--debug", "panel", "build", "--out", str(tmp_path / "p")])
    assert isinstance(debug.exception, RuntimeError)  # the traceback is there for whoever asks
    by_env = runner.invoke(app, ["panel", "build", "--out", str(tmp_path / "p")], env={"PEACEWATCH_DEBUG": "1"})
    assert isinstance(by_env.exception, RuntimeError)


def test_no_internal_document_numbers_reach_readers():
    """Works are cited by author and year (peacewatch.works), never by internal numbers."""
    import re
    from pathlib import Path

    from peacewatch.works import WORKS, cite

    root = Path(__file__).resolve().parents[1]
    internal = re.compile(r"seeds?[\s#*\"]+0\d\d", re.IGNORECASE)  # e.g. the numbering of the requirement files
    files = [
        p
        for d in ("src", "docs")
        for p in (root / d).rglob("*")
        if p.is_file() and p.suffix in {".py", ".md", ".yml", ".html"} and "vendor" not in p.parts
    ]
    hits = [
        str(p.relative_to(root)) for p in [*files, root / "README.md"] if internal.search(p.read_text(errors="ignore"))
    ]
    assert hits == []
    assert cite("bell2018") == "Bell et al. 2018" and len(WORKS) == 5
    # Connections 6(3), Fall 2007: the essay evaluates the NATO policy up to the summer of 2007
    assert cite("ballesteros2007") == "Ballesteros 2007" and "6(3), 2007" in WORKS["ballesteros2007"].reference
    for work in WORKS.values():  # the short citation's year is the reference's
        assert work.short.split()[-1] in work.reference, work.short
    density = runner.invoke(app, ["model", "density", "--io", "UN", "--year", "2004"])
    assert density.exit_code == 0 and "Smith 2012 (2004)" in density.output.splitlines()[0]


def test_an_output_path_that_cannot_be_written_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    _fails(
        [
            "panel",
            "build",
            "--start",
            "2004",
            "--end",
            "2004",
            "--add",
            "un",
            "--format",
            "csv",
            "--out",
            str(blocker / "panel"),
        ],
        f"{blocker / 'panel'}: Not a directory",
    )


def test_serve_refuses_an_unknown_log_level():
    _fails(["serve", "--log-level", "loud"], "--log-level: 'loud' is not one of critical, error, warning")


def test_unknown_sources_are_one_line():
    _fails(["sources", "verify", "nope"], "unknown source(s) nope; known: ")
    _fails(["sources", "fetch", "nope", "--dest", "/nonexistent-never-created"], "unknown source(s) nope")
