"""Leaf format of the audit log (version 1), specified byte for byte in ``docs/registry.md``.

The leaf of entry ``seq`` (leaf index ``seq - 1``) is the RFC 8785 (JCS) canonical JSON, encoded
as UTF-8, of the array ``[seq, at, actor, action, entity, entity_id, detail]``: ``seq`` a JSON
integer, the six others JSON strings exactly as stored (``detail`` is the stored JSON *text*, not
an object). For an array of one integer below 2^53 and strings, JCS is Python's compact
``json.dumps(..., separators=(",", ":"), ensure_ascii=False)``: strings keep non-ASCII characters as
raw UTF-8 and escape only ``"``, ``\\`` and control characters (``\\b \\t \\n \\f \\r``, the others as
``\\u00xx``, lower-case hex). The test vectors in ``tests/registry/leaf_vectors.json`` are checked
against the ``rfc8785`` package; this module uses the C ``json`` encoder because every append
hashes its leaves.
"""

from __future__ import annotations

import json

#: Version of the leaf format; leaves of every stored entry use it (there has been no other).
LEAF_FORMAT = 1
FIELDS = ("seq", "at", "actor", "action", "entity", "entity_id", "detail")
_MAX_SAFE = 2**53 - 1


def leaf_bytes(seq: int, at: str, actor: str, action: str, entity: str, entity_id: str, detail: str) -> bytes:
    """The bytes whose RFC 6962 leaf hash is stored for entry ``seq`` (see the module docstring)."""
    if type(seq) is not int or not 1 <= seq <= _MAX_SAFE:
        raise ValueError(f"leaf sequence number {seq!r} must be an integer from 1 to 2^53-1")
    fields = (at, actor, action, entity, entity_id, detail)
    if any(type(f) is not str for f in fields):
        raise ValueError("leaf fields at, actor, action, entity, entity_id and detail must be strings")
    # Strict UTF-8: a lone surrogate has no UTF-8 form (and JCS refuses it) -> UnicodeEncodeError.
    return json.dumps([seq, *fields], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
