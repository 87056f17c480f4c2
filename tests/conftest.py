"""Suite-wide settings: a private parquet cache per test session, so that tests never read or write a
user's cache and the first build in a session exercises the cold path."""

from __future__ import annotations

import os
import tempfile

_SESSION_CACHE = tempfile.mkdtemp(prefix="peacewatch-test-cache-")
os.environ.setdefault("PEACEWATCH_CACHE_DIR", _SESSION_CACHE)
