"""Scorecard tests never read a developer's registry: ``score tccs`` without ``--db`` reads
``out/peacewatch.sqlite`` when it exists, so each test gets its own empty output directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_default_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(tmp_path / "out"))
    monkeypatch.delenv("PEACEWATCH_DB_URL", raising=False)
