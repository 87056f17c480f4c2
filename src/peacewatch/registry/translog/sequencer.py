"""The sequencer: group commit of the entries of read-only requests, one per Registry object.

A read-only request's entries wait here in memory; the first waiting request becomes the leader
and runs one batch (one transaction, one durable commit) with everything queued, through
:func:`peacewatch.registry.translog.appender.append`. Across processes (``serve --workers N``)
batches and writers are serialised by the database (``BEGIN IMMEDIATE`` on SQLite, the advisory
lock on PostgreSQL), never by an in-process lock alone. The first batch of a later day appends the
held anonymous entries of finished days, shuffled. On PostgreSQL a batch rewrites the recent
anonymous rows at most once a minute (:mod:`peacewatch.registry.translog.reseal`).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Engine, delete, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from peacewatch.registry.errors import AuditProblem
from peacewatch.registry.translog import appender, reseal, witness
from peacewatch.registry.translog import entries as E
from peacewatch.registry.translog.entries import Pending

_SHUFFLE = secrets.SystemRandom()


@dataclass
class Ticket:
    """One request's wait for a batch; ``entries`` are in-memory entries (may be empty)."""

    entries: list[Pending]
    done: bool = False
    lead: bool = False
    error: BaseException | None = None
    event: threading.Event = field(default_factory=threading.Event)


class Sequencer:
    """Group commit of audit entries for one engine (each Registry owns one).

    A waiting request that finds no batch running becomes the leader and runs one batch with
    everything queued; the others sleep on their own event. When a batch is durable, the leader
    wakes exactly its members and hands the leadership to the oldest request still queued (which
    then commits everything that queued up meanwhile), so no thread is woken for nothing.
    """

    def __init__(self, engine: Engine):
        # The sequencer writes: never through a read-only option engine.
        self.engine = cast(Engine, getattr(engine, "_proxied", engine))
        self._lock = threading.Lock()
        self._queue: list[Ticket] = []
        self._leading = False
        self.batches = 0
        self.last = appender.BatchResult()
        self._held_checked = -1e9
        self._held_day = ""
        self._resealed = -1e9

    def submit(self, entries: Sequence[Pending]) -> Ticket:
        """Queue in-memory entries (none: just run a batch, e.g. to release finished anonymous days)."""
        ticket = Ticket(list(entries))
        with self._lock:
            self._queue.append(ticket)
        return ticket

    def wait(self, ticket: Ticket) -> None:
        """Block until ``ticket``'s batch committed; raise :class:`AuditProblem` if it failed."""
        with self._lock:
            if not ticket.done and not ticket.lead and not self._leading:
                self._leading = ticket.lead = True
        if not ticket.lead:
            ticket.event.wait()
        if not ticket.done:  # this thread leads the next batch
            with self._lock:
                batch, self._queue = self._queue, []
            error = None
            try:
                self._run_batch([e for t in batch for e in t.entries])
            except BaseException as exc:  # noqa: BLE001 - handed to every member of the batch
                error = exc
            with self._lock:
                for t in batch:
                    t.done, t.error = True, error
                    t.event.set()
                if self._queue:
                    successor = self._queue[0]
                    successor.lead = True
                    successor.event.set()
                else:
                    self._leading = False
        if ticket.error is not None:
            raise AuditProblem(
                f"the audit log could not be written, so the request was not confirmed: {ticket.error}"
            ) from ticket.error

    def sync(self) -> appender.BatchResult:
        """Run one batch now: release finished days of anonymous entries, sign an unsigned head."""
        ticket = self.submit([])
        self.wait(ticket)
        return self.last

    def release_due(self, conn: Connection, now: dt.datetime) -> list[E.LeafFields]:
        """Take the held anonymous entries of days before ``now``'s, shuffled, as leaves to append
        in ``conn``'s transaction (the log is locked). Looks at most once a minute per sequencer."""
        today, mono = now.date().isoformat(), time.monotonic()
        if mono - self._held_checked < 60 and self._held_day == today:
            return []
        self._held_checked, self._held_day = mono, today
        # SKIP LOCKED (PostgreSQL): never wait, holding the log's lock, for a row an anonymous writer's
        # reseal holds while it waits for that lock (at midnight); such rows go with a later batch.
        due = list(conn.execute(select(E.ANON).where(E.ANON.c.day < today).with_for_update(skip_locked=True)).all())
        if not due:
            return []
        _SHUFFLE.shuffle(due)
        for chunk in _chunks([r.key for r in due], 500):
            conn.execute(delete(E.ANON).where(E.ANON.c.key.in_(chunk)))
        return [(r.day, E.ANONYMOUS, r.action, r.entity, r.entity_id, r.detail) for r in due]

    def _run_batch(self, memory: list[Pending]) -> None:
        now = E.now()
        with self.engine.connect() as conn, conn.begin():  # SQLite: BEGIN IMMEDIATE (see db.py)
            held = [e.anonymous_row() for e in memory if e.actor == E.ANONYMOUS]
            if held:
                conn.execute(appender.INSERT_ANON, held)
            mono = time.monotonic()
            if held or mono - self._resealed >= 60:  # before the log's lock (see reseal.reseal)
                self._resealed = mono
                reseal.reseal(conn, now.date())
            appender.lock_log(conn)
            leaves = self.release_due(conn, now)
            leaves += [e.leaf_fields() for e in memory if e.actor != E.ANONYMOUS]
            result = appender.append(conn, leaves, now)
        self.batches += 1
        self.last = result
        if result.note:
            witness.send(result.size, result.note)


def _chunks(items: list[str], n: int) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def settle(session: Session, sequencer: Sequencer) -> None:
    """Wait until the audit entries of ``session`` (committed, closed) are durable leaves of
    ``sequencer``'s batches."""
    ticket = session.info.pop("audit_ticket", None)
    if ticket is not None:
        sequencer.wait(ticket)
