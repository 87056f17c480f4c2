"""audit log as a Merkle-tree transparency log; seal the old hash chain into it

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 08:00:00

The hash chain of revision 0001 (``prev_hash``/``hash`` per row, head in ``audit_head``) becomes
the first leaves of the new tree:

1. every old entry keeps its sequence number and fields and gets ``leaf_hash``, the RFC 6962 leaf
   hash of the same canonical JSON the chain hashed;
2. one more leaf, ``system seal_chain audit_log <n>``, records the old head (``chain_head_seq``,
   ``chain_head_hash``) and whether the chain verified when it was sealed (``chain_verified``,
   ``first_bad_seq``);
3. ``prev_hash``, ``hash`` and ``audit_head`` are dropped: the chain hashes are a function of the
   entries, so ``peacewatch registry audit verify`` recomputes the chain up to the seal and checks
   it reproduces the sealed head. Anyone who kept an old head hash can match it against the seal.

The first signed checkpoint is made by the first sequencer batch after the upgrade (the migration
does not need the signing key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _canonical(seq: int, at: str, actor: str, action: str, entity: str, entity_id: str, detail: str) -> str:
    return json.dumps([seq, at, actor, action, entity, entity_id, detail], separators=(",", ":"), ensure_ascii=False)


def _leaf(data: str) -> bytes:
    return hashlib.sha256(b"\x00" + data.encode()).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def upgrade() -> None:
    op.create_table(
        "audit_anonymous",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("audit_anonymous", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_anonymous_day"), ["day"], unique=False)
    op.create_table(
        "audit_tree",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("size", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("size"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaf_hash", sa.String(length=64), nullable=True))

    conn = op.get_bind()
    log = sa.table(
        "audit_log",
        *(
            sa.column(c)
            for c in ("seq", "at", "actor", "action", "entity", "entity_id", "detail", "prev_hash", "hash", "leaf_hash")
        ),
    )
    rows = conn.execute(sa.select(log).order_by(log.c.seq)).all()
    head = conn.execute(sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
    # Check the old chain once more, and record the result in the seal rather than refuse to migrate:
    # a broken chain is evidence, and it must survive the upgrade.
    chain, first_bad, expected = "0" * 64, None, 1
    hashes: list[bytes] = []
    for r in rows:
        data = _canonical(r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.detail)
        digest = hashlib.sha256((chain + data).encode()).hexdigest()
        if first_bad is None and (r.seq != expected or r.prev_hash != chain or r.hash != digest):
            first_bad = r.seq
        chain, expected = digest, r.seq + 1
        leaf = _leaf(data)
        hashes.append(leaf)
        conn.execute(sa.update(log).where(log.c.seq == r.seq).values(leaf_hash=leaf.hex()))
    if head is not None and (head.seq != len(rows) or head.hash != chain) and first_bad is None:
        first_bad = len(rows) + 1
    if rows or (head is not None and head.seq):
        seq = (rows[-1].seq if rows else 0) + 1
        at = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
        detail = json.dumps(
            {
                "chain_head_seq": seq - 1,
                "chain_head_hash": chain,
                "chain_verified": first_bad is None,
                "first_bad_seq": first_bad,
                "recorded_head_seq": head.seq if head else None,
                "recorded_head_hash": head.hash if head else None,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        data = _canonical(seq, at, "system", "seal_chain", "audit_log", str(seq - 1), detail)
        leaf = _leaf(data)
        hashes.append(leaf)
        conn.execute(
            sa.insert(log).values(
                seq=seq,
                at=at,
                actor="system",
                action="seal_chain",
                entity="audit_log",
                entity_id=str(seq - 1),
                detail=detail,
                prev_hash=chain,
                hash=hashlib.sha256((chain + data).encode()).hexdigest(),
                leaf_hash=leaf.hex(),
            )
        )
    # Frontier (compact range) of the new tree, so the sequencer appends without rereading the log.
    frontier: list[bytes] = []
    for i, leaf in enumerate(hashes):
        node, s = leaf, i
        while s & 1:
            node = _node(frontier.pop(), node)
            s >>= 1
        frontier.append(node)
    root = hashlib.sha256(b"").digest()
    if frontier:
        root = frontier[-1]
        for h in reversed(frontier[:-1]):
            root = _node(h, root)
    tree = sa.table("audit_tree", sa.column("id"), sa.column("size"), sa.column("root"), sa.column("frontier"))
    conn.execute(
        sa.insert(tree).values(id=1, size=len(hashes), root=root.hex(), frontier="".join(h.hex() for h in frontier))
    )

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("leaf_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("hash")
    op.drop_table("audit_head")


def downgrade() -> None:
    """Back to the hash chain: recompute ``prev_hash``/``hash`` over every entry (the seal and later
    entries included) and the head row; checkpoints and held anonymous entries are dropped."""
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    log = sa.table(
        "audit_log",
        *(sa.column(c) for c in ("seq", "at", "actor", "action", "entity", "entity_id", "detail", "prev_hash", "hash")),
    )
    chain, n = "0" * 64, 0
    for r in conn.execute(sa.select(log).order_by(log.c.seq)).all():
        digest = hashlib.sha256(
            (chain + _canonical(r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.detail)).encode()
        ).hexdigest()
        conn.execute(sa.update(log).where(log.c.seq == r.seq).values(prev_hash=chain, hash=digest))
        chain, n = digest, r.seq
    conn.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :s, :h)"), {"s": n, "h": chain})
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("leaf_hash")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_tree")
    with op.batch_alter_table("audit_anonymous", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_anonymous_day"))
    op.drop_table("audit_anonymous")
