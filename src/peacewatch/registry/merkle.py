"""RFC 6962 / RFC 9162 Merkle tree of the audit log.

Hashing is the one of Certificate Transparency: a leaf hash is ``SHA-256(0x00 || data)``, an
interior node ``SHA-256(0x01 || left || right)``, and the tree of ``n`` leaves splits at the largest
power of two below ``n``.

Two pieces:

* :class:`Frontier` -- the *compact range* of a tree (one hash per set bit of its size). The
  sequencer keeps it in one database row, so appending a batch and computing the new root costs
  O(batch + log n) hashes, never a pass over the whole log.
* :class:`SqlTree` -- a `pymerkle <https://pymerkle.readthedocs.io>`_ tree whose leaves are the
  ``leaf_hash`` column of ``audit_log``. pymerkle (RFC 9162 compatible) computes historical roots,
  inclusion proofs and consistency proofs; it reads leaf hashes from SQL in ranges.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

from pymerkle import verify_consistency, verify_inclusion
from pymerkle.core import BaseMerkleTree
from pymerkle.proof import InvalidProof, MerkleProof
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

__all__ = [
    "EMPTY_ROOT", "Frontier", "InvalidProof", "MerkleProof", "SqlTree", "leaf_hash", "node_hash",
    "verify_consistency", "verify_inclusion",
]

#: Root of the empty tree: SHA-256 of the empty string (RFC 6962, section 2.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The compact range ``[0, size)``: roots of the perfect subtrees along the right edge.

    ``hashes[i]`` is the root of the i-th perfect subtree, largest first; there is one per set bit
    of ``size``. That is all that is needed to append further leaves and to compute the root.
    """

    __slots__ = ("size", "hashes")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()):
        self.size = size
        self.hashes = list(hashes)
        if len(self.hashes) != bin(size).count("1"):
            raise ValueError(f"a tree of {size} leaves has {bin(size).count('1')} frontier hashes, not {len(self.hashes)}")

    def append(self, leaf: bytes) -> None:
        """Append one leaf hash."""
        node, s = leaf, self.size
        # Each trailing 1-bit of the old size is a perfect subtree that the new leaf completes.
        while s & 1:
            node = node_hash(self.hashes.pop(), node)
            s >>= 1
        self.hashes.append(node)
        self.size += 1

    def root(self) -> bytes:
        """Root hash of the tree of ``size`` leaves."""
        if not self.hashes:
            return EMPTY_ROOT
        node = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            node = node_hash(h, node)
        return node

    def dumps(self) -> str:
        """Hex text of the hashes (64 characters each) for storage in one column."""
        return "".join(h.hex() for h in self.hashes)

    @classmethod
    def loads(cls, size: int, text: str) -> "Frontier":
        """Inverse of :meth:`dumps`."""
        return cls(size, [bytes.fromhex(text[i:i + 64]) for i in range(0, len(text), 64)])


class SqlTree(BaseMerkleTree):
    """Read-only pymerkle tree over the ``leaf_hash`` column of ``audit_log`` (leaf ``i`` = ``seq`` ``i``).

    Parameters
    ----------
    conn
        An open connection; all reads happen in its transaction, so they see one snapshot.
    table
        The ``audit_log`` table (a SQLAlchemy ``Table``).
    size
        Number of leaves to consider (default: the highest stored ``seq``).
    """

    def __init__(self, conn: Connection, table, size: int | None = None):
        super().__init__("sha256", disable_cache=False)
        self._conn, self._t = conn, table
        self._size = size if size is not None else int(conn.execute(select(func.coalesce(func.max(table.c.seq), 0))).scalar_one())

    def _encode_entry(self, data):  # pragma: no cover - leaves are appended by the sequencer
        raise NotImplementedError("the audit log is appended by its sequencer, not through pymerkle")

    def _store_leaf(self, data, digest):  # pragma: no cover
        raise NotImplementedError("the audit log is appended by its sequencer, not through pymerkle")

    def _get_leaf(self, index):
        value = self._conn.execute(select(self._t.c.leaf_hash).where(self._t.c.seq == index)).scalar_one_or_none()
        if value is None:
            raise KeyError(f"audit entry {index} is missing")
        return bytes.fromhex(value)

    def _get_leaves(self, offset, width):
        rows = self._conn.execute(
            select(self._t.c.leaf_hash).where(self._t.c.seq > offset, self._t.c.seq <= offset + width)
            .order_by(self._t.c.seq)
        ).scalars().all()
        if len(rows) != width:
            raise KeyError(f"audit entries {offset + 1}-{offset + width} are not all stored")
        return [bytes.fromhex(h) for h in rows]

    def _get_size(self):
        return self._size
