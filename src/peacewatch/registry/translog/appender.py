"""The appender: turns entries into leaves after the tree head, updates the head, signs a checkpoint.

:class:`~peacewatch.registry.service.Registry` calls it explicitly around each commit (no event
listener): :func:`stage` before the commit, :func:`committed` after it, :func:`discard` on rollback.

* A **writing** session appends its entries as leaves inside its own transaction, just before it
  commits: they commit (or roll back) atomically with the data change, with no second durable
  commit. The writer holds the log's lock for that moment only: on SQLite it holds the database
  write lock anyway (``BEGIN IMMEDIATE``), on PostgreSQL it takes a transaction-scoped advisory lock.
* A **read-only** session writes nothing: its entries go to the sequencer in memory after the
  commit, and the request waits (with no connection held) until a batch made them durable leaves.
* **Anonymous** entries are held in ``audit_anonymous`` until their day is over; on PostgreSQL the
  transaction that writes them rewrites the days' anonymous rows (:mod:`.reseal`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from peacewatch.registry import checkpoint as cp
from peacewatch.registry import merkle
from peacewatch.registry.translog import entries as E
from peacewatch.registry.translog import reseal, witness
from peacewatch.registry.translog.leaf import leaf_bytes


class Sequencer(Protocol):
    """What the appender needs of :class:`peacewatch.registry.translog.sequencer.Sequencer` (which
    imports this module, so the appender names its interface instead of importing it)."""

    def release_due(self, conn: Connection, now: dt.datetime) -> list[E.LeafFields]: ...

    def submit(self, entries: Sequence[E.Pending]) -> object: ...


#: Key of PostgreSQL's transaction-scoped advisory lock that serialises batches ("pwaudit").
PG_LOCK_KEY = 0x7077617564697400
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
# Built once, they run in every batch (peacewatch.registry.runtime.prebuilt says why).
_SELECT_TREE = select(E.TREE).where(E.TREE.c.id == 1)
_INSERT_LOG = insert(E.LOG)
INSERT_ANON = insert(E.ANON)
_INSERT_CHECKPOINT = insert(E.CHECKPOINTS)
# The SET clause comes from the parameters' keys (size, root, frontier): one cached statement.
_UPDATE_TREE = update(E.TREE).where(E.TREE.c.id == 1)


@dataclass
class BatchResult:
    """What one batch appended."""

    appended: int = 0
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    note: str | None = None


def lock_log(conn: Connection) -> None:
    """Serialise appends across processes: PostgreSQL advisory lock until the transaction ends
    (SQLite writers hold the database write lock from ``BEGIN IMMEDIATE`` already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK, {"k": PG_LOCK_KEY})


def append(conn: Connection, leaves: list[E.LeafFields], now: dt.datetime) -> BatchResult:
    """Append ``leaves`` (at, actor, action, entity, entity_id, detail) after the current tree head,
    update the head and store a signed checkpoint, in ``conn``'s transaction (the log is locked)."""
    state = conn.execute(_SELECT_TREE).first()
    frontier = merkle.Frontier.loads(state.size, state.frontier) if state else merkle.Frontier()
    rows = []
    for at, actor, action, entity, entity_id, detail in leaves:
        seq = frontier.size + 1
        lh = merkle.leaf_hash(leaf_bytes(seq, at, actor, action, entity, entity_id, detail))
        frontier.append(lh)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "detail": detail,
                "leaf_hash": lh.hex(),
            }
        )
    if rows:
        conn.execute(_INSERT_LOG, rows)
    root = frontier.root()
    head = {"size": frontier.size, "root": root.hex(), "frontier": frontier.dumps()}
    if state is None:
        conn.execute(insert(E.TREE), [{"id": 1, **head}])
    elif rows:
        conn.execute(_UPDATE_TREE, head)
    # Every append is signed; with nothing appended, sign only a head left unsigned (after
    # migration 0002).
    unsigned = bool(rows) or (
        frontier.size > 0 and conn.execute(select(func.max(E.CHECKPOINTS.c.size))).scalar_one() != frontier.size
    )
    note = None
    if unsigned:
        signer = cp.load_signer()
        note = signer.sign(cp.checkpoint_text(signer.name, frontier.size, root, now))
        conn.execute(
            _INSERT_CHECKPOINT,
            [{"size": frontier.size, "root": root.hex(), "at": now.isoformat(timespec="seconds"), "note": note}],
        )
    return BatchResult(len(rows), frontier.size, root, note)


def stage(session: Session, sequencer: Sequencer) -> None:
    """Before ``session`` commits: append its entries in its transaction (writing session) or keep
    them for ``sequencer`` (read-only session)."""
    pending = session.info.pop("audit_entries", None)
    if not pending:
        return
    if session.info.get("pw_read_only"):
        session.info["audit_memory"] = pending
        return
    conn = session.connection()
    now = E.now()
    anonymous = [e.anonymous_row() for e in pending if e.actor == E.ANONYMOUS]
    if anonymous:
        session.flush()  # the intake rows of this transaction too
        conn.execute(INSERT_ANON, anonymous)
        reseal.reseal(conn, now.date())  # before the log's lock: it may wait for a staff writer's rows
    lock_log(conn)
    leaves = sequencer.release_due(conn, now)
    leaves += [e.leaf_fields() for e in pending if e.actor != E.ANONYMOUS]
    if leaves:
        session.info["audit_signed"] = append(conn, leaves, now)


def committed(session: Session, sequencer: Sequencer) -> None:
    """After ``session`` committed: copy its checkpoint to the witness; queue its in-memory entries
    (the ticket is waited for by :func:`peacewatch.registry.translog.sequencer.settle`)."""
    signed = session.info.pop("audit_signed", None)
    if signed is not None and signed.note:
        witness.send(signed.size, signed.note)
    memory = session.info.pop("audit_memory", None)
    if memory:
        session.info["audit_ticket"] = sequencer.submit(memory)


def discard(session: Session) -> None:
    """After a rollback: forget the entries of ``session`` (they were never durable)."""
    for key in ("audit_entries", "audit_memory", "audit_signed"):
        session.info.pop(key, None)
