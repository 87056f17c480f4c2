"""The registry service object: one database, its sessions, and lazily ensured schema.

Routes, CLI and the web dashboard all go through :class:`Registry` so they share the same
transaction and error handling.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from peacewatch.registry import audit, auth, caches
from peacewatch.registry.db import (
    describe_database_error,
    ensure_schema,
    make_engine,
    open_existing,
    session_factory,
)
from peacewatch.registry.models import User
from peacewatch.registry.translog import appender
from peacewatch.registry.translog.sequencer import Sequencer


class Registry:
    """Holds the engine and session factory of one registry database.

    Parameters
    ----------
    database_url
        SQLAlchemy URL; default from env ``PEACEWATCH_DB_URL`` or ``out/peacewatch.sqlite``.
    engine
        An existing engine (overrides ``database_url``).
    existing_only
        Open an existing, up-to-date registry only: never create the database or migrate it (the
        command line's commands other than ``registry init``). A database that cannot be opened
        raises :class:`peacewatch.registry.errors.DatabaseProblem` saying why and how to fix it.

    Everything the registry keeps in memory about its database belongs to this object: its audit
    sequencer and its :attr:`caches` (:class:`peacewatch.registry.caches.DatabaseCaches`). Two
    Registry objects never share them, even on one engine (the database, not a lock in memory, is
    what serialises their writers and audit batches).
    """

    def __init__(self, database_url: str | None = None, engine: Engine | None = None, existing_only: bool = False):
        self._url = database_url
        self._existing_only = existing_only
        self._engine = engine
        self._read_engine: Engine | None = None
        self._factory: sessionmaker[Session] | None = None
        self._sequencer: Sequencer | None = None
        self._lock = threading.Lock()
        #: What this registry keeps in memory about its database (see :mod:`peacewatch.registry.caches`).
        self.caches = caches.DatabaseCaches()

    @property
    def engine(self) -> Engine:
        self._ready()
        assert self._engine is not None  # set by _ready
        return self._engine

    @property
    def sequencer(self) -> Sequencer:
        """This registry's audit sequencer (group commit of its read-only sessions' entries)."""
        self._ready()
        assert self._sequencer is not None  # set by _ready
        return self._sequencer

    def _ready(self) -> None:
        if self._factory is not None:
            return
        with self._lock:
            if self._factory is None:
                engine = self._engine
                try:
                    if engine is None and self._existing_only:
                        engine = open_existing(self._url)
                    else:
                        engine = engine or make_engine(self._url)
                        ensure_schema(engine)
                except Exception as exc:
                    if engine is not None and self._engine is None:
                        engine.dispose()
                    problem = describe_database_error(exc, self._url or _configured_url())
                    if problem is None:
                        raise
                    raise problem from None
                self._sequencer = Sequencer(engine)
                # Sequence what a killed process left committed but unsequenced, and sign the head.
                self._sequencer.sync()
                self._engine = engine
                self._read_engine = engine.execution_options(pw_read_only=True)
                factory = session_factory(engine)
                # On this factory's sessions only, never on SQLAlchemy's Session class.
                event.listen(factory, "before_flush", _refuse_writes_in_read_only)
                self._factory = factory

    @contextmanager
    def session(self, read_only: bool = False) -> Iterator[Session]:
        """A transaction: commit on success, roll back on any exception.

        There is no process-wide lock: on SQLite a writing session takes the database write lock at
        its first statement (``BEGIN IMMEDIATE``), a ``read_only`` one never waits for writers.
        Audit entries recorded in the session are durable leaves of the audit log when this
        returns (the wait happens after the connection went back to the pool).

        Parameters
        ----------
        read_only
            The session only reads (its audit entries go to the sequencer in memory). Flushing a
            change in it raises ``RuntimeError``.
        """
        self._ready()
        # Set by _ready.
        assert self._engine is not None and self._factory is not None and self._sequencer is not None
        s = self._factory(bind=self._read_engine if read_only else self._engine)
        s.info["pw_read_only"] = read_only
        # A reader that must write once (publication closing a due year) opens its writer here.
        s.info["pw_registry"] = self
        s.info[caches.INFO_KEY] = self.caches
        try:
            yield s
            # The audit log's appender, called explicitly: a writing session's entries become
            # leaves in its own transaction, a read-only session's go to the sequencer.
            appender.stage(s, self._sequencer)
            s.commit()
            appender.committed(s, self._sequencer)
        except BaseException:
            s.rollback()
            appender.discard(s)
            raise
        finally:
            try:
                s.close()
            finally:
                # Always, once a commit queued a ticket: the sequencer may hand this ticket the lead.
                audit.settle(s, self._sequencer)
            touch = s.info.pop("pw_touch", None)
            if touch is not None:  # session activity seen by a read-only request (see auth.user_for_token)
                auth.touch_session(self._engine, self.caches.touches, *touch)

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A read-only transaction on a plain connection, for the public log endpoints (no user,
        no audit entry: they serve hashes only)."""
        self._ready()
        assert self._read_engine is not None  # set by _ready
        with self._read_engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def as_user(self, token: str | None, read_only: bool = False) -> Iterator[tuple[Session, User]]:
        """A transaction plus the user owning ``token`` (raises Unauthorized)."""
        with self.session(read_only=read_only) as s:
            yield s, auth.user_for_token(s, token)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def _configured_url() -> str | None:
    from peacewatch.registry.config import database_url

    try:
        return database_url()
    except OSError:  # the output folder cannot be made: name no URL
        return None


def _refuse_writes_in_read_only(session: Session, _context: UOWTransaction, _instances: object) -> None:
    if session.info.get("pw_read_only") and (session.new or session.dirty or session.deleted):
        raise RuntimeError("a read-only registry session tried to write; open it with read_only=False")
