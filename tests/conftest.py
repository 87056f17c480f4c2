"""Suite-wide settings: a private parquet cache per test session, so that tests never read or write a
user's cache and the first build in a session exercises the cold path (a cache directory already
named by ``PEACEWATCH_CACHE_DIR`` is kept)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory):
    """``PEACEWATCH_CACHE_DIR`` set to a fresh directory for the session, restored afterwards."""
    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get("PEACEWATCH_CACHE_DIR"):
            mp.setenv("PEACEWATCH_CACHE_DIR", str(tmp_path_factory.mktemp("peacewatch-test-cache")))
        yield os.environ["PEACEWATCH_CACHE_DIR"]
