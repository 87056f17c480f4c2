"""The registry service object: one database, its sessions, and lazily ensured schema.

Routes, CLI and the web dashboard all go through :class:`Registry` so they share the same
transaction and error handling.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from peacewatch.registry import auth
from peacewatch.registry.db import ensure_schema, make_engine, session_factory
from peacewatch.registry.models import User


class Registry:
    """Holds the engine and session factory of one registry database.

    Parameters
    ----------
    database_url
        SQLAlchemy URL; default from env ``PEACEWATCH_DB_URL`` or ``out/peacewatch.sqlite``.
    engine
        An existing engine (overrides ``database_url``).
    """

    def __init__(self, database_url: str | None = None, engine: Engine | None = None):
        self._url = database_url
        self._engine = engine
        self._factory = None
        self._lock = threading.Lock()
        # SQLite allows one writer and every request writes (the audit log). Queueing writers on a
        # lock here is fairer than SQLite's sleep-and-retry busy handler, which starves some
        # requests for seconds under load. Re-entrant so nested sessions in one thread still work.
        self._sqlite_writers = threading.RLock()

    @property
    def engine(self) -> Engine:
        self._ready()
        return self._engine

    def _ready(self) -> None:
        if self._factory is not None:
            return
        with self._lock:
            if self._factory is None:
                engine = self._engine or make_engine(self._url)
                ensure_schema(engine)
                self._engine = engine
                self._factory = session_factory(engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commit on success, roll back on any exception."""
        self._ready()
        serialise = self._engine.dialect.name == "sqlite"
        if serialise:
            self._sqlite_writers.acquire()
        s = self._factory()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()
            if serialise:
                self._sqlite_writers.release()

    @contextmanager
    def as_user(self, token: str | None) -> Iterator[tuple[Session, User]]:
        """A transaction plus the user owning ``token`` (raises Unauthorized)."""
        with self.session() as s:
            yield s, auth.user_for_token(s, token)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
