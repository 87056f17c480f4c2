"""The lint, format and type gates configured in pyproject.toml: ``ruff check src tests``,
``ruff format --check src tests`` and ``mypy``; the first test makes sure the lint gate is real."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install {module})")


def _run(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_the_ruff_gate_catches_what_it_is_configured_for(tmp_path):
    _tool("ruff")
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nimport sys\n\n\ndef f(x=[]):\n    return len(x)  # noqa: E731\n", encoding="utf-8")
    result = _run("ruff", "check", "--config", str(ROOT / "pyproject.toml"), "--output-format", "concise", str(bad))
    found = {line.split()[1] for line in result.stdout.splitlines() if line.startswith(str(bad))}
    assert {"F401", "B006", "RUF100"} <= found, result.stdout  # pyflakes, bugbear, and no stale noqa


def test_ruff_finds_nothing_in_src_and_tests():
    _tool("ruff")
    result = _run("ruff", "check", "src", "tests", "--output-format", "concise")
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_code_is_formatted_as_ruff_format_writes_it():
    _tool("ruff")
    result = _run("ruff", "format", "--check", "src", "tests")
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:] + "\nfix: ruff format src tests"


@pytest.mark.slow
def test_mypy_finds_nothing_in_the_package():
    _tool("mypy")
    result = _run("mypy")  # files and per-package strictness from [tool.mypy]
    assert result.returncode == 0, result.stdout[-4000:]
