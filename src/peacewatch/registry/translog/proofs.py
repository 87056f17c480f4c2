"""RFC 9162 proofs of the stored log for any earlier tree size, as plain JSON-ready dicts.

Hashes are lower-case hex, leaf indexes 0-based (entry ``seq`` is leaf ``seq - 1``), and proofs
are in RFC 9162 order: exactly what :func:`peacewatch.registry.merkle.verify_inclusion` and
:func:`~peacewatch.registry.merkle.verify_consistency`, or any RFC 9162 verifier, take.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from peacewatch.registry import merkle
from peacewatch.registry.errors import AuditProblem
from peacewatch.registry.translog.leaf import leaf_bytes
from peacewatch.registry.translog.store import (
    LOG,
    SqlLeaves,
    checkpoint_note,
    head_size,
)


def _size(conn: Connection, size: int | None, what: str) -> int:
    newest = head_size(conn)
    if newest == 0:
        raise AuditProblem("the audit log is empty: nothing to prove")
    if size is None:
        return newest
    if not 1 <= size <= newest:
        raise AuditProblem(f"{what} {size} is not a tree size of this log; pick one from 1 to {newest}")
    return size


def prove_inclusion(conn: Connection, seq: int, size: int | None = None) -> dict[str, Any]:
    """Inclusion proof of entry ``seq`` in the tree of ``size`` entries (default: the newest checkpoint).

    The result carries the entry, its leaf bytes and hash, the root of that tree (recomputed from
    the stored leaf hashes) and, when one was signed at exactly that size, the checkpoint.
    """
    size = _size(conn, size, "--size")
    if not 1 <= seq <= size:
        raise AuditProblem(f"entry {seq} is not in the tree of {size} entries; pick a sequence number from 1 to {size}")
    e = conn.execute(select(LOG).where(LOG.c.seq == seq)).first()
    if e is None:
        raise AuditProblem(f"entry {seq} is missing from the log; run `peacewatch registry audit verify`")
    leaves = SqlLeaves(conn, size).all()
    data = leaf_bytes(e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail)
    leaf = merkle.leaf_hash(data)
    if leaf != leaves[seq - 1]:
        raise AuditProblem(
            f"entry {seq}: stored hash does not match the entry's contents; run `peacewatch registry audit verify`"
        )
    root = merkle.root_of(leaves)
    proof = merkle.inclusion_proof(leaves, seq - 1, size)
    merkle.verify_inclusion(leaf, seq - 1, size, proof, root)
    return {
        "seq": seq,
        "leaf_index": seq - 1,
        "tree_size": size,
        "root_hash": root.hex(),
        "leaf_hash": leaf.hex(),
        "leaf_data": data.decode("utf-8"),
        "entry": {
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "entity": e.entity,
            "entity_id": e.entity_id,
            "detail": json.loads(e.detail),
        },
        "inclusion_path": [h.hex() for h in proof],
        "checkpoint": checkpoint_note(conn, size),
    }


def prove_consistency(conn: Connection, old: int, new: int | None = None) -> dict[str, Any]:
    """Consistency proof from the tree of ``old`` entries to the tree of ``new`` (default: newest)."""
    new = _size(conn, new, "--to")
    if not 1 <= old <= new:
        raise AuditProblem(f"--from {old} must be a tree size from 1 to {new} (the --to size)")
    leaves = SqlLeaves(conn, new).all()
    old_root, new_root = merkle.root_of(leaves, 0, old), merkle.root_of(leaves)
    proof = merkle.consistency_proof(leaves, old, new)
    merkle.verify_consistency(old, new, old_root, new_root, proof)
    return {
        "first": old,
        "second": new,
        "first_hash": old_root.hex(),
        "second_hash": new_root.hex(),
        "consistency_path": [h.hex() for h in proof],
        "first_checkpoint": checkpoint_note(conn, old),
        "second_checkpoint": checkpoint_note(conn, new),
    }
