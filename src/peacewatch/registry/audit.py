"""The audit log: what callers record, and the registry's own check of the whole log.

Every read of a case and every write appends one *leaf* (format:
:mod:`peacewatch.registry.translog.leaf`), hashed as an RFC 6962 leaf; after each batch a
checkpoint (tree size, root hash, time; :mod:`peacewatch.registry.checkpoint`) is signed.
:func:`record` is the only call domain code makes; the log itself is the component
:mod:`peacewatch.registry.translog` (appender, sequencer, witness copies, proofs, tiles, verifier),
which :class:`~peacewatch.registry.service.Registry` drives explicitly around each commit.
:func:`verify` recomputes the tree and, given checkpoints kept off the server, proves with
consistency proofs that today's log extends each of them, so a rolled back, truncated or rewritten
log is caught.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from peacewatch.registry import checkpoint as cp
from peacewatch.registry import merkle
from peacewatch.registry.errors import AuditProblem
from peacewatch.registry.translog import entries as E
from peacewatch.registry.translog import proofs
from peacewatch.registry.translog.appender import PG_LOCK_KEY, BatchResult
from peacewatch.registry.translog.entries import (
    ANON,
    ANONYMOUS,
    CHECKPOINTS,
    LOG,
    TREE,
    Pending,
)
from peacewatch.registry.translog.leaf import leaf_bytes
from peacewatch.registry.translog.sequencer import (
    Sequencer,
    Ticket,
    settle,
)
from peacewatch.registry.translog.store import SqlLeaves
from peacewatch.registry.translog.witness import witness_dir

__all__ = [
    "ANON",
    "ANONYMOUS",
    "CHECKPOINTS",
    "LOG",
    "PG_LOCK_KEY",
    "TREE",
    "BatchResult",
    "Pending",
    "Sequencer",
    "Ticket",
    "VerifyResult",
    "canonical",
    "latest_checkpoint",
    "prove",
    "prove_consistency",
    "record",
    "settle",
    "verify",
    "witness_dir",
]

#: The bytes a leaf hashes (leaf format 1, RFC 8785 canonical JSON; see translog.leaf).
canonical = leaf_bytes


def _legacy_digest(
    prev_hash: str, seq: int, at: str, actor: str, action: str, entity: str, entity_id: str, detail: str
) -> str:
    """Link hash of the hash chain used before migration 0002 (to check the sealed chain)."""
    import hashlib

    return hashlib.sha256(
        (prev_hash + canonical(seq, at, actor, action, entity, entity_id, detail).decode()).encode()
    ).hexdigest()


def record(
    session: Session, actor: str, action: str, entity: str, entity_id: object, detail: dict[str, Any] | None = None
) -> Pending:
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
    if "pw_read_only" not in session.info:
        # Only Registry.session appends a session's entries; anywhere else they would be lost.
        raise RuntimeError("audit entries can only be recorded in a session of Registry.session()")
    now = E.now()
    at = now.date().isoformat() if actor == ANONYMOUS else now.isoformat(timespec="microseconds")
    entry = Pending(
        at,
        actor,
        action,
        entity,
        str(entity_id),
        json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), default=str),
    )
    session.info.setdefault("audit_entries", []).append(entry)
    return entry


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


def _conn(session_or_conn: Session | Connection) -> Connection:
    return session_or_conn.connection() if isinstance(session_or_conn, Session) else session_or_conn


def verify(
    session: Session | Connection,
    checkpoints: Sequence[cp.Checkpoint] = (),
    batch: int = 5000,
    verifier: cp.Verifier | Sequence[cp.Verifier] | None = None,
) -> VerifyResult:
    """Recompute the tree from every entry and check it against the tree head, the stored signed
    checkpoints and the given (exported, signature-checked) checkpoints.

    ``verifier``: the pinned key(s) that every stored checkpoint must be signed by (one of them);
    ``None`` uses the key file beside the database (the server's self-check only), an empty
    sequence checks no signature.

    For each given checkpoint of size ``m`` the log must still hold at least ``m`` entries, its
    first ``m`` entries must hash to the signed root, and a consistency proof from ``m`` to today's
    size must verify: a rollback, a truncated tail or a rewritten entry each fails here.
    """
    conn = _conn(session)
    if verifier is None:
        local = _local_verifier()
        keys: list[cp.Verifier] = [local] if local else []
    else:
        keys = [verifier] if isinstance(verifier, cp.Verifier) else list(verifier)
    stored = conn.execute(
        select(CHECKPOINTS.c.size, CHECKPOINTS.c.root, CHECKPOINTS.c.note).order_by(CHECKPOINTS.c.size)
    ).all()
    interest = {r.size for r in stored} | {c.size for c in checkpoints}
    seal = conn.execute(
        select(LOG.c.seq, LOG.c.detail)
        .where(LOG.c.action == "seal_chain", LOG.c.entity == "audit_log")
        .order_by(LOG.c.seq)
        .limit(1)
    ).first()
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
                return VerifyResult(
                    False, frontier.size, expected, f"entry {expected} is missing (next stored is {e.seq})"
                )
            data = canonical(e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail)
            lh = merkle.leaf_hash(data)
            if lh.hex() != e.leaf_hash:
                return VerifyResult(
                    False,
                    frontier.size,
                    e.seq,
                    f"entry {e.seq}: stored hash does not match the entry's contents (it was rewritten)",
                )
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
            return fail(
                n + 1, f"a stored checkpoint covers {r.size} entries but only {n} are stored (the tail was removed)"
            )
        if roots.get(r.size, b"").hex() != r.root:
            return fail(
                None, f"the first {r.size} entries no longer hash to the root of the stored checkpoint of that size"
            )
        if keys:
            try:
                opened = cp.open_checkpoint_any(r.note, keys, f"stored checkpoint {r.size}")
            except AuditProblem as exc:
                return fail(None, str(exc))
            if opened.size != r.size or opened.root.hex() != r.root:
                return fail(None, f"stored checkpoint {r.size}: signed text does not match its columns")
    head = conn.execute(select(TREE.c.size, TREE.c.root)).first()
    if (head is None and n) or (head is not None and head.size != n):
        have = f"{head.size} entries" if head else "no tree head"
        return fail(
            n + 1 if head and head.size > n else None,
            f"the tree head ({have}) does not match the {n} stored entries (entries were removed from the end, "
            "or the head was edited)",
        )
    if head is not None and head.root != root.hex():
        return fail(
            None,
            f"the tree head's root does not match the root recomputed from the {n} stored entries "
            "(an entry was rewritten, or the head was edited)",
        )
    if stored and stored[-1].size != n:
        return fail(None, f"the newest stored checkpoint covers {stored[-1].size} entries, the log has {n}")
    # Every checkpoint's root is recomputed from the entries above, which already proves that today's
    # tree extends it; the RFC 9162 consistency proof is checked once, from the largest of them (a
    # witness directory holds one file per batch: a proof each would cost a pass over the log each).
    newest = max((c for c in checkpoints if 0 < c.size < n), key=lambda c: c.size, default=None)
    for c in checkpoints:
        label = f"checkpoint of {c.size} entries" + (f" signed {c.time}" if c.time else "")
        if c.size > n:
            return fail(
                n + 1,
                f"{label}: the log now holds only {n} entries, so entries {n + 1}-{c.size} are gone "
                "(the database was rolled back to an older copy or its tail was truncated)",
            )
        if roots.get(c.size, merkle.EMPTY_ROOT if c.size == 0 else b"") != c.root:
            return fail(
                None,
                f"{label}: the first {c.size} entries no longer hash to its signed root "
                "(an entry up to that point was rewritten, removed or reordered)",
            )
        if c is newest:
            leaves = SqlLeaves(conn, n).all()
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


def prove(session: Session | Connection, seq: int, size: int | None = None) -> dict[str, Any]:
    """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``size`` entries (default: newest);
    see :func:`peacewatch.registry.translog.proofs.prove_inclusion`."""
    return proofs.prove_inclusion(_conn(session), seq, size)


def prove_consistency(session: Session | Connection, old: int, new: int | None = None) -> dict[str, Any]:
    """RFC 9162 consistency proof from ``old`` to ``new`` entries (default: newest); see
    :func:`peacewatch.registry.translog.proofs.prove_consistency`."""
    return proofs.prove_consistency(_conn(session), old, new)
