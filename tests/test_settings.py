"""One settings module: every PEACEWATCH_ variable the code names is defined there, read there only,
documented from it, and printed (secrets masked) by ``peacewatch config``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from peacewatch import settings
from peacewatch.cli import app

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "peacewatch"
SETTINGS_FILE = SRC / "settings.py"


def _sources():
    return [p for p in SRC.rglob("*.py") if p != SETTINGS_FILE]


def test_every_peacewatch_name_in_the_source_is_a_setting():
    names = set(settings.env_names())
    files = [*_sources(), *SRC.rglob("*.html")]
    found = {m for p in files for m in re.findall(r"PEACEWATCH_[A-Z0-9_]+", p.read_text())}
    assert len(found) >= 20  # the search itself works
    prefixes = {n for n in found if n.endswith("_") and any(x.startswith(n) for x in names)}
    unknown = sorted(found - names - prefixes)
    assert unknown == [], f"define these in {SETTINGS_FILE}: {unknown}"


def test_no_module_but_settings_reads_the_environment():
    readers = re.compile(r"environ\.get\(|getenv\(|envvar=|environ\[[^\]]+\](?!\s*=)")
    hits = [
        f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
        for p in _sources()
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if readers.search(line)
    ]
    assert hits == [], "read settings through peacewatch.settings.current():\n" + "\n".join(hits)


def test_the_docs_page_is_generated_from_the_module():
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert page == settings.markdown(), "regenerate: peacewatch config --markdown > docs/configuration.md"
    for name in settings.env_names():
        assert f"`{name}`" in page


def test_settings_are_read_at_call_time(monkeypatch, tmp_path):
    from peacewatch.registry.config import ReferralPolicy, min_cell, out_dir
    from peacewatch.sources.catalog import data_dir

    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PEACEWATCH_MIN_CELL", "9")
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(tmp_path / "o"))
    assert data_dir() == tmp_path and min_cell() == 9 and out_dir(create=False) == tmp_path / "o"
    monkeypatch.setenv("PEACEWATCH_MIN_CELL", "2")
    assert min_cell() == 5  # never below 5
    monkeypatch.setenv("PEACEWATCH_REFERRAL_OUTCOME_DAYS", "")  # empty counts as unset
    assert ReferralPolicy.from_env().outcome_days == 90


@pytest.mark.parametrize(
    "name, value", [("PEACEWATCH_REFERRAL_OUTCOME_DAYS", "soon"), ("PEACEWATCH_SESSION_IDLE_MINUTES", "0")]
)
def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch, name, value):
    from peacewatch.registry.config import ReferralPolicy, SessionPolicy

    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingsError) as info:
        ReferralPolicy.from_env() if "REFERRAL" in name else SessionPolicy.from_env()
    message = str(info.value)
    assert name in message and "\n" not in message and "peacewatch config" in message


@pytest.mark.parametrize(
    "name", ["PEACEWATCH_INTAKE_OVERALL", "PEACEWATCH_INTAKE_QUIET_NETWORK", "PEACEWATCH_LOGIN_OVERALL"]
)
def test_a_malformed_rate_limit_is_one_line_naming_the_variable(monkeypatch, name):
    """A typo in a limit stopped `peacewatch serve` with "unexpected ValueError ... a bug": it is now
    refused with the other settings, naming the variable."""
    from typer.testing import CliRunner

    from peacewatch.cli import app
    from peacewatch.registry.throttle import Throttle

    monkeypatch.setenv(name, "bogus")
    with pytest.raises(settings.SettingsError) as info:
        Throttle()
    message = str(info.value)
    assert name in message and "'bogus' is not a rate limit" in message and "\n" not in message
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2 and name in result.output and "bug" not in result.output


def test_config_prints_every_setting_with_secrets_masked(monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("PEACEWATCH_SECRET_KEY", key)
    monkeypatch.setenv("PEACEWATCH_CSRF_SECRET", "form-secret-xyz")
    monkeypatch.setenv("PEACEWATCH_TOKEN", "tok-abc-123")
    monkeypatch.setenv("PEACEWATCH_DB_URL", "postgresql://reg:hunter2pw@db.example.org/peacewatch")
    monkeypatch.setenv("PEACEWATCH_MIN_CELL", "7")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0, result.output
    out = result.output
    for secret in (key, "form-secret-xyz", "tok-abc-123", "hunter2pw"):
        assert secret not in out
    assert "PEACEWATCH_MIN_CELL=7  (set; integer)" in out
    assert "PEACEWATCH_DB_URL=postgresql://reg:***@db.example.org/peacewatch  (set" in out
    assert "PEACEWATCH_SECRET_KEY=********  (set" in out
    for name in settings.env_names():
        assert f"{name}=" in out
