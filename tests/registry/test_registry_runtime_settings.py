"""The registry's runtime tuning comes from one module (issue 19, item 3): the engine, the SQLite
connections, the thread pools, the hashing slots and the screening workers take their settings
from ``peacewatch.registry.runtime``. Each test changes a setting there and sees the change
arrive, so a copy of the value kept elsewhere would fail it."""

from __future__ import annotations

from peacewatch.registry import auth, runtime
from peacewatch.registry.api.deps import Deps
from peacewatch.registry.db import make_engine
from peacewatch.registry.screening_jobs import ScreeningJobs
from peacewatch.registry.throttle import Throttle
from peacewatch.settings import security


def test_the_sqlite_engine_takes_its_pool_from_runtime(tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    try:
        assert engine.pool.size() == runtime.SQLITE_POOL == 48
        assert engine.pool._max_overflow == runtime.SQLITE_OVERFLOW == 24
        assert engine.pool._pool.use_lifo is True
    finally:
        engine.dispose()
    monkeypatch.setattr(runtime, "SQLITE_POOL", 7)
    monkeypatch.setattr(runtime, "SQLITE_OVERFLOW", 2)
    engine = make_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
    try:
        assert (engine.pool.size(), engine.pool._max_overflow) == (7, 2)
    finally:
        engine.dispose()


def test_sqlite_connections_run_runtimes_pragmas(tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    try:
        with engine.connect() as conn:
            got = {
                p: conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("journal_mode", "synchronous", "busy_timeout")
            }
            assert got == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 30_000}  # 2 is FULL
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
    monkeypatch.setattr(runtime, "SQLITE_PRAGMAS", (*runtime.SQLITE_PRAGMAS, "busy_timeout=1234"))
    engine = make_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    finally:
        engine.dispose()


def test_the_postgres_engine_takes_its_pool_from_runtime():
    # No server needed: SQLAlchemy connects on first use only.
    engine = make_engine("postgresql://nobody@127.0.0.1:9/none")
    try:
        assert engine.pool.size() == runtime.POSTGRES_POOL == 20
        assert engine.pool._max_overflow == runtime.POSTGRES_OVERFLOW == 20
        assert engine.pool._pool.use_lifo is True
    finally:
        engine.dispose()


def test_threads_hashing_and_screening_come_from_runtime(registry):
    deps = Deps(registry, Throttle(), security())
    assert deps.threads is runtime.request_threads() and deps.login_threads is runtime.login_threads()
    assert runtime.request_threads()._max_workers == runtime.REQUEST_THREADS == 8
    assert runtime.login_threads()._max_workers == runtime.LOGIN_THREADS == 4
    assert auth._HASHING._initial_value == runtime.HASHING_SLOTS >= 1
    jobs = ScreeningJobs(registry)
    try:
        assert jobs._pool._max_workers == runtime.SCREENING_WORKERS == 1
    finally:
        jobs.shutdown()
