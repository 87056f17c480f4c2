"""The audit log: a Merkle-tree transparency log (RFC 6962/9162) with a group-commit sequencer.

Every read of a case and every write appends one *leaf*: the canonical JSON of
``[seq, at, actor, action, entity, entity_id, detail]``, hashed as an RFC 6962 leaf. After each
batch the sequencer signs a checkpoint (tree size, root hash, time; see
:mod:`peacewatch.registry.checkpoint`). ``verify`` recomputes the tree and, given checkpoints kept
off the server, proves with consistency proofs that today's log extends each of them, so a rolled
back, truncated or rewritten log is caught.

How an entry travels (:func:`record` is the only call callers make):

* In a **writing** session the entries are appended as leaves inside the caller's own transaction,
  just before it commits: they commit (or roll back) atomically with the data change, with no
  second durable commit. The writer holds the log's lock for that moment only: on SQLite it holds
  the database write lock anyway (``BEGIN IMMEDIATE``), on PostgreSQL it takes a transaction-scoped
  advisory lock right before its commit.
* In a **read-only** session (``Registry.session(read_only=True)``) nothing is written by the
  request; after the read, the entries go to the :class:`Sequencer` in memory, and the request
  waits, with no connection held, until a batch has made them durable leaves: a request is
  acknowledged only then.
* The sequencer batches everything queued by concurrent requests of its process into one
  transaction and one durable commit (group commit). Across processes (``serve --workers N``)
  batches and writers are serialised by the database (``BEGIN IMMEDIATE`` on SQLite, the
  advisory lock on PostgreSQL), never by an in-process lock alone.
* **Anonymous** actions carry the date only and are held in ``audit_anonymous`` (random key, no
  time, no order) until their day is over; the first sequencer batch of a later day appends all of
  a day's anonymous entries together, in random order.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, delete, event, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from peacewatch.registry import checkpoint as cp
from peacewatch.registry import merkle
from peacewatch.registry.errors import AuditProblem
from peacewatch.registry.files import write_private
from peacewatch.registry.models import (
    AuditAnonymous,
    AuditCheckpoint,
    AuditEntry,
    AuditTree,
    utcnow,
)
from peacewatch.registry.translog import proofs
from peacewatch.registry.translog.leaf import leaf_bytes
from peacewatch.registry.translog.store import SqlLeaves

log = logging.getLogger(__name__)

ANONYMOUS = "anonymous"
LOG = AuditEntry.__table__
ANON = AuditAnonymous.__table__
TREE = AuditTree.__table__
CHECKPOINTS = AuditCheckpoint.__table__
#: Key of PostgreSQL's transaction-scoped advisory lock that serialises batches ("pwaudit").
PG_LOCK_KEY = 0x7077617564697400
_SHUFFLE = secrets.SystemRandom()


def _now() -> dt.datetime:
    """Current UTC time (a function so tests can move the clock)."""
    return utcnow()


#: The bytes a leaf hashes (leaf format 1, RFC 8785 canonical JSON; see translog.leaf).
canonical = leaf_bytes


def _legacy_digest(prev_hash: str, seq: int, at: str, actor: str, action: str, entity: str, entity_id: str,
                   detail: str) -> str:
    """Link hash of the hash chain used before migration 0002 (to check the sealed chain)."""
    import hashlib
    return hashlib.sha256((prev_hash + canonical(seq, at, actor, action, entity, entity_id, detail).decode()).encode()).hexdigest()


@dataclass
class Pending:
    """An entry recorded but not yet a leaf."""

    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: str

    def row(self) -> dict:
        return {"at": self.at, "actor": self.actor, "action": self.action, "entity": self.entity,
                "entity_id": self.entity_id, "detail": self.detail}

    def anonymous_row(self) -> dict:
        return {"key": secrets.token_hex(16), "day": self.at[:10], "action": self.action, "entity": self.entity,
                "entity_id": self.entity_id, "detail": self.detail}


def record(session: Session, actor: str, action: str, entity: str, entity_id: object,
           detail: dict | None = None) -> Pending:
    """Record one audit entry for the caller's transaction.

    Parameters
    ----------
    session
        The open session; the entry is kept only if the session commits.
    actor
        Username, or ``"anonymous"`` for whistleblower intake (stored with the date only).
    action
        Verb such as ``read``, ``create``, ``transition``.
    entity, entity_id
        What was touched, e.g. ``case`` and ``12``.
    detail
        Small JSON-serialisable context; never put victim details here.
    """
    now = _now()
    at = now.date().isoformat() if actor == ANONYMOUS else now.isoformat(timespec="microseconds")
    entry = Pending(at, actor, action, entity, str(entity_id),
                    json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), default=str))
    session.info.setdefault("audit_entries", []).append(entry)
    return entry


# --- session hooks: write entries with the data, hand the rest to the sequencer ----------------

@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    entries = session.info.pop("audit_entries", None)
    if not entries:
        return
    if session.info.get("pw_read_only"):
        session.info["audit_memory"] = entries
        return
    # A writing transaction holds the write lock already (SQLite BEGIN IMMEDIATE) or takes the
    # log's advisory lock now (PostgreSQL, until its commit): it appends its own entries as one
    # batch, so they commit atomically with the data and cost no second durable commit.
    conn = session.connection()
    _lock_log(conn)
    now = _now()
    anonymous = [e.anonymous_row() for e in entries if e.actor == ANONYMOUS]
    if anonymous:
        conn.execute(_INSERT_ANON, anonymous)
    leaves = sequencer_for(session.get_bind()).release_due(conn, now)
    leaves += [(e.at, e.actor, e.action, e.entity, e.entity_id, e.detail) for e in entries if e.actor != ANONYMOUS]
    if leaves:
        session.info["audit_signed"] = _append(conn, leaves, now)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    signed = session.info.pop("audit_signed", None)
    if signed is not None and signed.note:
        _send_to_witness(signed.size, signed.note)
    memory = session.info.pop("audit_memory", None)
    if not memory:
        return
    seq = sequencer_for(session.get_bind())
    if not session.info.get("pw_settle_after_close"):
        # A read-only session not made by Registry (none in this code base): wait right here, so
        # that no queued ticket is left without a thread to lead its batch.
        seq.wait(seq.submit(memory))
        return
    # Registry.session waits once the connection is back in the pool.
    session.info["audit_ticket"] = seq.submit(memory)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous) -> None:
    for key in ("audit_entries", "audit_memory", "audit_signed"):
        session.info.pop(key, None)


def _lock_log(conn: Connection) -> None:
    """Serialise appends across processes: PostgreSQL advisory lock until the transaction ends
    (SQLite writers hold the database write lock from ``BEGIN IMMEDIATE`` already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK, {"k": PG_LOCK_KEY})


def _append(conn: Connection, leaves: list[tuple], now: dt.datetime) -> BatchResult:
    """Append ``leaves`` (at, actor, action, entity, entity_id, detail) after the current tree head,
    update the head and store a signed checkpoint, in ``conn``'s transaction (the log is locked)."""
    state = conn.execute(_SELECT_TREE).first()
    frontier = merkle.Frontier.loads(state.size, state.frontier) if state else merkle.Frontier()
    rows = []
    for at, actor, action, entity, entity_id, detail in leaves:
        seq = frontier.size + 1
        lh = merkle.leaf_hash(canonical(seq, at, actor, action, entity, entity_id, detail))
        frontier.append(lh)
        rows.append({"seq": seq, "at": at, "actor": actor, "action": action, "entity": entity,
                     "entity_id": entity_id, "detail": detail, "leaf_hash": lh.hex()})
    if rows:
        conn.execute(_INSERT_LOG, rows)
    root = frontier.root()
    head = {"size": frontier.size, "root": root.hex(), "frontier": frontier.dumps()}
    if state is None:
        conn.execute(insert(TREE), [{"id": 1, **head}])
    elif rows:
        conn.execute(_UPDATE_TREE, head)
    # Every append is signed; with nothing appended, sign only a head left unsigned (after
    # migration 0002).
    unsigned = bool(rows) or (frontier.size > 0 and
                              conn.execute(select(func.max(CHECKPOINTS.c.size))).scalar_one() != frontier.size)
    note = None
    if unsigned:
        signer = cp.load_signer()
        note = signer.sign(cp.checkpoint_text(signer.name, frontier.size, root, now))
        conn.execute(_INSERT_CHECKPOINT, [{"size": frontier.size, "root": root.hex(),
                                            "at": now.isoformat(timespec="seconds"), "note": note}])
    return BatchResult(len(rows), frontier.size, root, note)


def settle(session: Session) -> None:
    """Wait until the audit entries of ``session`` (committed, closed) are durable leaves."""
    ticket = session.info.pop("audit_ticket", None)
    if ticket is not None:
        sequencer_for(session.get_bind()).wait(ticket)


# --- the sequencer -----------------------------------------------------------------------------

@dataclass
class Ticket:
    """One request's wait for a batch; ``entries`` are in-memory entries (may be empty)."""

    entries: list[Pending]
    done: bool = False
    lead: bool = False
    error: BaseException | None = None
    event: threading.Event = field(default_factory=threading.Event)


@dataclass
class BatchResult:
    """What one batch appended."""

    appended: int = 0
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    note: str | None = None


class Sequencer:
    """Group commit of audit entries for one engine (one per process and database).

    A waiting request that finds no batch running becomes the leader and runs one batch with
    everything queued; the others sleep on their own event. When a batch is durable, the leader
    wakes exactly its members and hands the leadership to the oldest request still queued (which
    then commits everything that queued up meanwhile), so no thread is woken for nothing.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._lock = threading.Lock()
        self._queue: list[Ticket] = []
        self._leading = False
        self.batches = 0
        self.last = BatchResult()
        self._held_checked = -1e9
        self._held_day = ""

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
            raise AuditProblem(f"the audit log could not be written, so the request was not confirmed: {ticket.error}") \
                from ticket.error

    def sync(self) -> BatchResult:
        """Run one batch now: release finished days of anonymous entries, sign an unsigned head."""
        ticket = self.submit([])
        self.wait(ticket)
        return self.last

    def release_due(self, conn: Connection, now: dt.datetime) -> list[tuple]:
        """Take the held anonymous entries of days before ``now``'s, shuffled, as leaves to append
        in ``conn``'s transaction (the log is locked). Looks at most once a minute per process."""
        today, mono = now.date().isoformat(), time.monotonic()
        if mono - self._held_checked < 60 and self._held_day == today:
            return []
        self._held_checked, self._held_day = mono, today
        due = conn.execute(select(ANON).where(ANON.c.day < today)).all()
        if not due:
            return []
        _SHUFFLE.shuffle(due)
        for chunk in _chunks([r.key for r in due], 500):
            conn.execute(delete(ANON).where(ANON.c.key.in_(chunk)))
        return [(r.day, ANONYMOUS, r.action, r.entity, r.entity_id, r.detail) for r in due]

    def _run_batch(self, memory: list[Pending]) -> None:
        now = _now()
        with self.engine.connect() as conn, conn.begin():  # SQLite: BEGIN IMMEDIATE (see db.py)
            _lock_log(conn)
            held = [e.anonymous_row() for e in memory if e.actor == ANONYMOUS]
            if held:
                conn.execute(_INSERT_ANON, held)
            leaves = self.release_due(conn, now)
            leaves += [(e.at, e.actor, e.action, e.entity, e.entity_id, e.detail) for e in memory if e.actor != ANONYMOUS]
            result = _append(conn, leaves, now)
        self.batches += 1
        self.last = result
        if result.note:
            _send_to_witness(result.size, result.note)


_PG_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
# Built once: constructing a statement and its cache key on every batch cost more than running it.
_SELECT_TREE = select(TREE).where(TREE.c.id == 1)
_INSERT_LOG = insert(LOG)
_INSERT_ANON = insert(ANON)
_INSERT_CHECKPOINT = insert(CHECKPOINTS)
# The SET clause comes from the parameters' keys (size, root, frontier): one cached statement.
_UPDATE_TREE = update(TREE).where(TREE.c.id == 1)


def _chunks(items: list, n: int) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def witness_dir() -> Path | None:
    """Directory that receives a copy of every checkpoint (env ``PEACEWATCH_AUDIT_WITNESS_DIR``), if set."""
    raw = os.environ.get("PEACEWATCH_AUDIT_WITNESS_DIR", "").strip()
    return Path(raw) if raw else None


def _send_to_witness(size: int, note: str) -> None:
    target = witness_dir()
    if target is None:
        return
    try:
        write_private(target / f"{size:012d}.checkpoint", note.encode())
    except OSError as exc:
        # The entries are durable already; a witness that is unreachable must not undo that.
        log.warning("audit checkpoint %s not written to witness directory %s: %s", size, target, exc)


_sequencers: weakref.WeakKeyDictionary[object, Sequencer] = weakref.WeakKeyDictionary()
_sequencers_lock = threading.Lock()


def sequencer_for(bind) -> Sequencer:
    """The process's sequencer for ``bind``'s database (engines sharing a pool share one)."""
    engine = getattr(bind, "engine", bind)
    pool = engine.pool
    with _sequencers_lock:
        seq = _sequencers.get(pool)
        if seq is None:
            # The sequencer writes; never through a read-only option engine.
            base = getattr(engine, "_proxied", engine)
            seq = _sequencers[pool] = Sequencer(base)
        return seq


# --- verification ------------------------------------------------------------------------------

@dataclass
class VerifyResult:
    """Outcome of :func:`verify`: ``ok`` and, when not, the first bad sequence number and why."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None
    root: str | None = None
    checkpoints_checked: int = 0
    held_anonymous: int = 0
    notes: list[str] = field(default_factory=list)


def _conn(session_or_conn) -> Connection:
    return session_or_conn.connection() if isinstance(session_or_conn, Session) else session_or_conn


def verify(session: Session | Connection, checkpoints: Sequence[cp.Checkpoint] = (), batch: int = 5000,
           verifier: cp.Verifier | None = None) -> VerifyResult:
    """Recompute the tree from every entry and check it against the tree head, the stored signed
    checkpoints and the given (exported, signature-checked) checkpoints.

    For each given checkpoint of size ``m`` the log must still hold at least ``m`` entries, its
    first ``m`` entries must hash to the signed root, and a consistency proof from ``m`` to today's
    size must verify: a rollback, a truncated tail or a rewritten entry each fails here.
    """
    conn = _conn(session)
    verifier = verifier or _local_verifier()
    stored = conn.execute(select(CHECKPOINTS.c.size, CHECKPOINTS.c.root, CHECKPOINTS.c.note)
                          .order_by(CHECKPOINTS.c.size)).all()
    interest = {r.size for r in stored} | {c.size for c in checkpoints}
    seal = conn.execute(select(LOG.c.seq, LOG.c.detail).where(LOG.c.action == "seal_chain", LOG.c.entity == "audit_log")
                        .order_by(LOG.c.seq).limit(1)).first()
    legacy_until = seal.seq - 1 if seal else 0
    chain = "0" * 64
    frontier = merkle.Frontier()
    roots: dict[int, bytes] = {}
    last = 0
    while True:
        rows = conn.execute(select(LOG).where(LOG.c.seq > last).order_by(LOG.c.seq).limit(batch)).all()
        if not rows:
            break
        for e in rows:
            expected = frontier.size + 1
            if e.seq != expected:
                return VerifyResult(False, frontier.size, expected, f"entry {expected} is missing (next stored is {e.seq})")
            data = canonical(e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail)
            lh = merkle.leaf_hash(data)
            if lh.hex() != e.leaf_hash:
                return VerifyResult(False, frontier.size, e.seq, f"entry {e.seq}: stored hash does not match the entry's contents (it was rewritten)")
            if e.seq <= legacy_until:
                chain = _legacy_digest(chain, e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail)
            frontier.append(lh)
            if frontier.size in interest:
                roots[frontier.size] = frontier.root()
            last = e.seq
    n, root = frontier.size, frontier.root()
    result = VerifyResult(True, n, root=root.hex())
    result.held_anonymous = int(conn.execute(select(func.count()).select_from(ANON)).scalar_one())

    def fail(seq: int | None, problem: str) -> VerifyResult:
        result.ok, result.first_bad_seq, result.problem = False, seq, problem
        return result

    if seal is not None:
        sealed = json.loads(seal.detail)
        if sealed.get("chain_head_seq") != legacy_until or sealed.get("chain_head_hash") != chain:
            return fail(seal.seq, "the entries before the seal no longer reproduce the sealed hash chain head")
    for r in stored:
        if r.size > n:
            return fail(n + 1, f"a stored checkpoint covers {r.size} entries but only {n} are stored (the tail was removed)")
        if roots.get(r.size, b"").hex() != r.root:
            return fail(None, f"the first {r.size} entries no longer hash to the root of the stored checkpoint of that size")
        if verifier is not None:
            try:
                opened = cp.open_checkpoint(r.note, verifier, f"stored checkpoint {r.size}")
            except AuditProblem as exc:
                return fail(None, str(exc))
            if opened.size != r.size or opened.root.hex() != r.root:
                return fail(None, f"stored checkpoint {r.size}: signed text does not match its columns")
    head = conn.execute(select(TREE.c.size, TREE.c.root)).first()
    if (head is None and n) or (head is not None and head.size != n):
        have = f"{head.size} entries" if head else "no tree head"
        return fail(n + 1 if head and head.size > n else None,
                    f"the tree head ({have}) does not match the {n} stored entries (entries were removed from the end, "
                    "or the head was edited)")
    if head is not None and head.root != root.hex():
        return fail(None, f"the tree head's root does not match the root recomputed from the {n} stored entries "
                          "(an entry was rewritten, or the head was edited)")
    if stored and stored[-1].size != n:
        return fail(None, f"the newest stored checkpoint covers {stored[-1].size} entries, the log has {n}")
    leaves: list[bytes] = []
    for c in checkpoints:
        label = f"checkpoint of {c.size} entries" + (f" signed {c.time}" if c.time else "")
        if c.size > n:
            return fail(n + 1, f"{label}: the log now holds only {n} entries, so entries {n + 1}-{c.size} are gone "
                                "(the database was rolled back to an older copy or its tail was truncated)")
        if roots.get(c.size, merkle.EMPTY_ROOT if c.size == 0 else b"") != c.root:
            return fail(None, f"{label}: the first {c.size} entries no longer hash to its signed root "
                              "(an entry up to that point was rewritten, removed or reordered)")
        if 0 < c.size < n:
            leaves = leaves or SqlLeaves(conn, n).all()
            try:
                merkle.verify_consistency(c.size, n, c.root, root, merkle.consistency_proof(leaves, c.size, n))
            except merkle.InvalidProof:
                return fail(None, f"{label}: no valid consistency proof from it to today's log of {n} entries")
        result.checkpoints_checked += 1
    return result


def _local_verifier() -> cp.Verifier | None:
    try:
        return cp.Verifier.parse(cp.load_signer(create=False).verifier_key())
    except AuditProblem:
        return None


def latest_checkpoint(session: Session | Connection) -> str | None:
    """The newest signed checkpoint note, or None when the log is empty."""
    conn = _conn(session)
    return conn.execute(select(CHECKPOINTS.c.note).order_by(CHECKPOINTS.c.size.desc()).limit(1)).scalar_one_or_none()


def prove(session: Session | Connection, seq: int, size: int | None = None) -> dict:
    """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``size`` entries (default: newest);
    see :func:`peacewatch.registry.translog.proofs.prove_inclusion`."""
    return proofs.prove_inclusion(_conn(session), seq, size)


def prove_consistency(session: Session | Connection, old: int, new: int | None = None) -> dict:
    """RFC 9162 consistency proof from ``old`` to ``new`` entries (default: newest); see
    :func:`peacewatch.registry.translog.proofs.prove_consistency`."""
    return proofs.prove_consistency(_conn(session), old, new)
