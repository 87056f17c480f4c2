"""Reads of the stored log for proofs and tiles: leaf hashes by index, checkpoints by size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from peacewatch.registry.errors import AuditProblem
from peacewatch.registry.models import AuditCheckpoint, AuditEntry

LOG = AuditEntry.__table__
CHECKPOINTS = AuditCheckpoint.__table__
_CHUNK = 4096


class SqlLeaves(Sequence[bytes]):
    """The stored leaf hashes of a tree of ``size`` leaves as a read-only sequence (index = seq - 1).

    Reads ``audit_log.leaf_hash`` in chunks of 4096 rows, in ``conn``'s transaction (one snapshot),
    keeping the last chunks read: proofs and tiles walk leaves in ascending ranges.
    """

    def __init__(self, conn: Connection, size: int):
        self._conn, self._size = conn, size
        self._chunks: dict[int, list[bytes]] = {}

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, i: int) -> bytes: ...

    @overload
    def __getitem__(self, i: slice) -> list[bytes]: ...

    def __getitem__(self, i: int | slice) -> bytes | list[bytes]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._size))]
        if not 0 <= i < self._size:
            raise IndexError(i)
        chunk = self._chunks.get(i // _CHUNK)
        if chunk is None:
            chunk = self._load(i // _CHUNK)
        return chunk[i % _CHUNK]

    def all(self) -> list[bytes]:
        """Every leaf hash, read in chunks (for proofs that walk the tree more than once)."""
        return [h for c in range((self._size + _CHUNK - 1) // _CHUNK) for h in self._load(c, keep=False)]

    def _load(self, c: int, keep: bool = True) -> list[bytes]:
        lo, hi = c * _CHUNK, min((c + 1) * _CHUNK, self._size)
        rows = self._conn.execute(
            select(LOG.c.seq, LOG.c.leaf_hash).where(LOG.c.seq > lo, LOG.c.seq <= hi).order_by(LOG.c.seq)
        ).all()
        if len(rows) != hi - lo or (rows and (rows[0].seq != lo + 1 or rows[-1].seq != hi)):
            raise AuditProblem(
                f"audit entries {lo + 1}-{hi} are not all stored; run `peacewatch registry audit verify`"
            )
        chunk = [bytes.fromhex(r.leaf_hash) for r in rows]
        if keep:
            if len(self._chunks) >= 4:
                self._chunks.pop(next(iter(self._chunks)))
            self._chunks[c] = chunk
        return chunk


def head_size(conn: Connection) -> int:
    """Size of the newest signed checkpoint (0 for an empty log)."""
    return int(conn.execute(select(func.coalesce(func.max(CHECKPOINTS.c.size), 0))).scalar_one())


def checkpoint_note(conn: Connection, size: int | None = None) -> str | None:
    """The signed checkpoint of exactly ``size`` entries (default: the newest), or None."""
    q = select(CHECKPOINTS.c.note)
    q = q.where(CHECKPOINTS.c.size == size) if size is not None else q.order_by(CHECKPOINTS.c.size.desc()).limit(1)
    return conn.execute(q).scalar_one_or_none()
