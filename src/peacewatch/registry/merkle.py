"""RFC 6962 / RFC 9162 Merkle tree of the audit log: hashing, compact range and proofs.

Hashing is the one of Certificate Transparency: a leaf hash is ``SHA-256(0x00 || data)``, an
interior node ``SHA-256(0x01 || left || right)``, and the tree of ``n`` leaves splits at the largest
power of two below ``n``.

* :class:`Frontier` -- the *compact range* of a tree (one hash per set bit of its size). The
  sequencer keeps it in one database row, so appending a batch and computing the new root costs
  O(batch + log n) hashes, never a pass over the whole log.
* :func:`inclusion_proof`, :func:`consistency_proof` -- RFC 9162 section 2.1.3.1 / 2.1.4.1 proofs
  (plain lists of hashes, 0-based leaf index) over a list of leaf hashes, for any tree size.
* :func:`verify_inclusion`, :func:`verify_consistency` -- the RFC 9162 section 2.1.3.2 / 2.1.4.2
  verification algorithms.

This module reads no database and imports nothing of the project: an outside verifier can take it
as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "Frontier",
    "InvalidProof",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

#: Root of the empty tree: SHA-256 of the empty string (RFC 6962, section 2.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()


class InvalidProof(ValueError):
    """A proof that does not verify (or does not fit the sizes it is given for)."""


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

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()):
        self.size = size
        self.hashes = list(hashes)
        if len(self.hashes) != (size).bit_count():
            raise ValueError(
                f"a tree of {size} leaves has {(size).bit_count()} frontier hashes, not {len(self.hashes)}"
            )

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
    def loads(cls, size: int, text: str) -> Frontier:
        """Inverse of :meth:`dumps`."""
        return cls(size, [bytes.fromhex(text[i : i + 64]) for i in range(0, len(text), 64)])


def root_of(leaves: Sequence[bytes], lo: int = 0, hi: int | None = None) -> bytes:
    """Root hash (RFC 6962 ``MTH``) of the leaf hashes ``leaves[lo:hi]``."""
    f = Frontier()
    for i in range(lo, len(leaves) if hi is None else hi):
        f.append(leaves[i])
    return f.root()


def _split(n: int) -> int:
    """Largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of leaf ``index`` (0-based) in the tree of the first ``size`` leaves."""
    if not 0 <= index < size <= len(leaves):
        raise InvalidProof(f"leaf index {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    lo, hi, m = 0, size, index
    # RFC 6962 PATH(m, D[lo:hi]), unrolled: the sibling subtrees from the root down, then reversed.
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.append(root_of(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(root_of(leaves, lo, lo + k))
            lo, m = lo + k, m - k
    path.reverse()
    return path


def consistency_proof(leaves: Sequence[bytes], old: int, new: int) -> list[bytes]:
    """RFC 9162 consistency proof from the tree of ``old`` leaves to the tree of ``new`` leaves."""
    if not 0 <= old <= new <= len(leaves):
        raise InvalidProof(f"no consistency proof from {old} to {new} leaves (the log has {len(leaves)})")
    if old in (0, new):
        return []
    proof: list[bytes] = []
    lo, hi, m, whole = 0, new, old, True
    # RFC 6962 SUBPROOF(m, D[lo:hi], whole), unrolled like inclusion_proof.
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(root_of(leaves, lo + k, hi))
            hi = lo + k
        else:
            proof.append(root_of(leaves, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        proof.append(root_of(leaves, lo, hi))
    proof.reverse()
    return proof


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 section 2.1.3.2; raise :class:`InvalidProof` unless ``leaf`` is leaf ``index`` of ``root``."""
    if not 0 <= index < size:
        raise InvalidProof(f"leaf index {index} is not in a tree of {size} leaves")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise InvalidProof("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != root:
        raise InvalidProof(f"inclusion proof of leaf {index} does not lead to the root of the tree of {size} leaves")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 section 2.1.4.2; raise :class:`InvalidProof` unless the tree of ``new`` leaves with
    ``new_root`` extends the tree of ``old`` leaves with ``old_root``."""
    if not 0 <= old <= new:
        raise InvalidProof(f"a tree of {new} leaves cannot extend one of {old}")
    if old == new:
        if proof or old_root != new_root:
            raise InvalidProof(f"two different roots for the same size {old}")
        return
    if old == 0:
        if proof:
            raise InvalidProof("a consistency proof from the empty tree must be empty")
        return
    if not proof:
        raise InvalidProof("empty consistency proof")
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise InvalidProof("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old_root or sr != new_root:
        raise InvalidProof(f"the tree of {new} leaves does not extend the tree of {old} leaves")
