"""What an outsider runs on the log's proofs: no database, no server code.

Depends only on :mod:`peacewatch.registry.merkle` (RFC 6962 hashing, RFC 9162 proof verification)
and :mod:`peacewatch.registry.checkpoint` (C2SP signed notes), so these three files can be shipped
alone. The inputs are the JSON documents of ``peacewatch registry audit prove`` and ``audit
consistency`` and the verifier key the auditor pinned (never one read from the server).
"""

from __future__ import annotations

from typing import Any

from peacewatch.registry import checkpoint as cp
from peacewatch.registry import merkle
from peacewatch.registry.errors import AuditProblem


def _hashes(items: list[str], what: str) -> list[bytes]:
    try:
        out = [bytes.fromhex(h) for h in items]
    except (TypeError, ValueError) as exc:
        raise AuditProblem(f"{what}: not a list of hex hashes") from exc
    if any(len(h) != 32 for h in out):
        raise AuditProblem(f"{what}: every hash must be 32 bytes")
    return out


def _open(note: str, verifier: cp.Verifier | list[cp.Verifier], source: str) -> cp.Checkpoint:
    keys = [verifier] if isinstance(verifier, cp.Verifier) else verifier
    return cp.open_checkpoint_any(note, keys, source)


def check_inclusion(proof: dict[str, Any], verifier: cp.Verifier | list[cp.Verifier]) -> cp.Checkpoint:
    """Check a ``prove`` document: its checkpoint is signed by ``verifier`` (or one of several pinned
    keys), and the leaf rebuilt from ``leaf_data`` is leaf ``leaf_index`` of that checkpoint's tree.
    Returns the checkpoint."""
    if not proof.get("checkpoint"):
        raise AuditProblem(
            f"the proof is for tree size {proof.get('tree_size')}, which has no signed checkpoint; "
            "ask for one against a checkpoint's size (--size)"
        )
    head = _open(proof["checkpoint"], verifier, "proof checkpoint")
    leaf = merkle.leaf_hash(proof["leaf_data"].encode("utf-8"))
    try:
        merkle.verify_inclusion(
            leaf, int(proof["leaf_index"]), head.size, _hashes(proof["inclusion_path"], "inclusion_path"), head.root
        )
    except merkle.InvalidProof as exc:
        raise AuditProblem(f"entry {proof.get('seq')}: {exc}") from exc
    return head


def check_consistency(
    proof: dict[str, Any], verifier: cp.Verifier | list[cp.Verifier]
) -> tuple[cp.Checkpoint, cp.Checkpoint]:
    """Check a ``consistency`` document: both checkpoints are signed by ``verifier`` and the newer
    tree extends the older one."""
    if not proof.get("first_checkpoint") or not proof.get("second_checkpoint"):
        raise AuditProblem("the consistency proof lacks a signed checkpoint at one of its sizes")
    old = _open(proof["first_checkpoint"], verifier, "older checkpoint")
    new = _open(proof["second_checkpoint"], verifier, "newer checkpoint")
    check_extends(old, new, _hashes(proof["consistency_path"], "consistency_path"))
    return old, new


def check_extends(old: cp.Checkpoint, new: cp.Checkpoint, path: list[bytes]) -> None:
    """Raise :class:`AuditProblem` unless checkpoint ``new`` extends ``old`` by the RFC 9162 ``path``."""
    try:
        merkle.verify_consistency(old.size, new.size, old.root, new.root, path)
    except merkle.InvalidProof as exc:
        raise AuditProblem(
            f"checkpoint of {new.size} entries does not extend the checkpoint of {old.size} entries: {exc}"
        ) from exc
