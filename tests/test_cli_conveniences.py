"""What a new user tries first (issue 24, item 6): --version, -h, ``python -m peacewatch``, NO_COLOR,
warnings on one line, a full disk as a one-line error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peacewatch import __version__
from peacewatch.cli import app

runner = CliRunner()
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _python(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": SRC, **env},
    )


def test_version_and_short_help():
    assert runner.invoke(app, ["--version"]).stdout == f"peacewatch {__version__}\n"
    short, long = runner.invoke(app, ["-h"]), runner.invoke(app, ["--help"])
    assert short.exit_code == 0 and short.stdout == long.stdout and "[OPTIONS] COMMAND" in short.stdout
    sub = runner.invoke(app, ["sources", "fetch", "-h"])
    assert sub.exit_code == 0 and "sources fetch [OPTIONS]" in sub.stdout


def test_python_dash_m_peacewatch_is_the_same_command():
    r = _python("-m", "peacewatch", "--version")
    assert r.returncode == 0 and r.stdout == f"peacewatch {__version__}\n"
    r = _python("-m", "peacewatch", "registry", "users", "list", "--db", "xyz")
    assert r.returncode == 2 and r.stderr.startswith("error: --db 'xyz' is not a database URL")


@pytest.mark.parametrize(("no_color", "coloured"), [("1", False), ("", True)])
def test_errors_follow_no_color(monkeypatch, no_color, coloured):
    monkeypatch.setenv("NO_COLOR", no_color)
    r = runner.invoke(app, ["registry", "users", "list", "--db", "xyz"], color=True)
    assert r.exit_code == 2
    assert ("\x1b[" in r.stderr) is coloured


def test_a_warning_is_one_clean_line():
    """Python's default shows the warning's category, file, line and source line; the CLI shows one line."""
    code = (
        "import warnings\nfrom peacewatch.cli import app\n"
        "@app.command('warn-once')\ndef warn_once():\n    warnings.warn('first part\\nsecond part', UserWarning)\n"
        "app(['warn-once'])\n"
    )
    r = _python("-c", code, NO_COLOR="1")
    assert r.returncode == 0, r.stderr
    assert r.stderr == "warning: first part second part\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_a_one_line_error():
    r = runner.invoke(app, ["score", "replay-tip", "-o", "/dev/full"])
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert r.exit_code == 2, r.output
    assert lines == [
        ("error: cannot write: the disk is full (No space left on device); free some space or write elsewhere (--out)")
    ]
