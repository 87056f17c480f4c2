"""Hash-chained audit log: every read of a case and every write appends one link.

Each entry's hash is SHA-256 over the previous hash and a canonical JSON of its own fields, so
changing, inserting or deleting any row breaks the chain from that row on; :func:`verify` finds it.
Appending locks the single ``audit_head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL, the
``BEGIN IMMEDIATE`` write lock on SQLite), so concurrent writers cannot fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from peacewatch.registry.models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64


def _digest(prev_hash: str, seq: int, at: str, actor: str, action: str, entity: str, entity_id: str, detail: str) -> str:
    payload = json.dumps(
        [seq, at, actor, action, entity, entity_id, detail], separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def record(session: Session, actor: str, action: str, entity: str, entity_id: object, detail: dict | None = None) -> AuditEntry:
    """Append one audit entry in the caller's transaction.

    Parameters
    ----------
    session
        The open session; the entry commits (or rolls back) with the caller's change.
    actor
        Username, or ``"anonymous"`` for whistleblower intake.
    action
        Verb such as ``read``, ``create``, ``transition``.
    entity, entity_id
        What was touched, e.g. ``case`` and ``12``.
    detail
        Small JSON-serialisable context; never put victim details here.
    """
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    seq = head.seq + 1
    at = utcnow().isoformat(timespec="microseconds")
    detail_json = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), default=str)
    digest = _digest(head.hash, seq, at, actor, action, entity, str(entity_id), detail_json)
    entry = AuditEntry(
        seq=seq, at=at, actor=actor, action=action, entity=entity, entity_id=str(entity_id),
        detail=detail_json, prev_hash=head.hash, hash=digest,
    )
    session.add(entry)
    head.seq = seq
    head.hash = digest
    session.flush()
    return entry


@dataclass
class VerifyResult:
    """Outcome of :func:`verify`: ``ok`` and, when not, the first bad sequence number and why."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Recompute the whole chain and compare it with the stored hashes and the head row."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    last_seq = 0
    while True:
        cols = (AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity,
                AuditEntry.entity_id, AuditEntry.detail, AuditEntry.prev_hash, AuditEntry.hash)
        rows = session.execute(
            select(*cols).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return VerifyResult(False, count, expected_seq, f"entry {expected_seq} is missing (next stored is {e.seq})")
            if e.prev_hash != prev:
                return VerifyResult(False, count, e.seq, "prev_hash does not match the previous entry's hash")
            if _digest(prev, e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail) != e.hash:
                return VerifyResult(False, count, e.seq, "stored hash does not match the entry's contents")
            prev = e.hash
            expected_seq += 1
            count += 1
            last_seq = e.seq
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    if head is None or head.seq != count or head.hash != prev:
        return VerifyResult(False, count, count + 1, "the chain head does not match the last entry (entries were removed from the end?)")
    return VerifyResult(True, count)
