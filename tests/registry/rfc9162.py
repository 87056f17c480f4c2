"""An outsider's RFC 6962 / RFC 9162 and C2SP signed-note checks, written from the specifications
for the tests and deliberately not using peacewatch's Merkle or checkpoint code.

RFC 9162 section 2.1.3.2 (inclusion) and 2.1.4.2 (consistency) are transcribed step by step; the
tree hash is RFC 6962 section 2.1's recursive MTH; signed notes follow c2sp.org/signed-note.
"""

from __future__ import annotations

import base64
import hashlib

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def leaf_of(seq, at, actor, action, entity, entity_id, detail) -> bytes:
    """The leaf bytes of docs/registry.md 'Leaf format', built with the rfc8785 package."""
    return rfc8785.dumps([seq, at, actor, action, entity, entity_id, detail])


def leaf_hash(data: bytes) -> bytes:
    return sha(b"\x00" + data)


def mth(hashes: list[bytes]) -> bytes:
    """RFC 6962 2.1: MTH of a list of leaf hashes (k = largest power of two < n)."""
    n = len(hashes)
    if n == 0:
        return sha(b"")
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return sha(b"\x01" + mth(hashes[:k]) + mth(hashes[k:]))


def verify_inclusion(
    leaf_index: int, tree_size: int, hash_: bytes, inclusion_path: list[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 2.1.3.2."""
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, hash_
    for p in inclusion_path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = sha(b"\x01" + p + r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, consistency_path: list[bytes]
) -> bool:
    """RFC 9162 2.1.4.2 (for 0 < first < second)."""
    if not 0 < first < second or not consistency_path:
        return False
    path = list(consistency_path)
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = sha(b"\x01" + c + fr)
            sr = sha(b"\x01" + c + sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = sha(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


def parse_vkey(vkey: str) -> tuple[str, bytes, Ed25519PublicKey]:
    """c2sp.org/signed-note verifier key ``<name>+<hex key id>+<base64(0x01 || key)>``."""
    name, key_id, b64 = vkey.strip().split("+", 2)
    raw = base64.b64decode(b64)
    assert raw[0] == 1 and len(raw) == 33
    assert sha(name.encode() + b"\n" + raw)[:4] == bytes.fromhex(key_id)
    return name, bytes.fromhex(key_id), Ed25519PublicKey.from_public_bytes(raw[1:])


def signatures(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """Split a signed note into its text and its (name, key id, signature) lines."""
    text, _, sigs = note.partition("\n\n")
    out = []
    for line in sigs.splitlines():
        dash, name, b64 = line.split(" ")
        assert dash == "\u2014"
        blob = base64.b64decode(b64)
        out.append((name, blob[:4], blob[4:]))
    return text + "\n", out


def note_signed_by(note: str, vkey: str) -> bool:
    name, key_id, key = parse_vkey(vkey)
    text, sigs = signatures(note)
    for n, kid, sig in sigs:
        if n == name and kid == key_id:
            try:
                key.verify(sig, text.encode())
                return True
            except InvalidSignature:
                return False
    return False


def open_checkpoint(note: str, vkey: str) -> tuple[str, int, bytes]:
    """c2sp.org/tlog-checkpoint: origin, size, root of a note signed by ``vkey`` (AssertionError if not)."""
    assert note_signed_by(note, vkey), "checkpoint not signed by the pinned key"
    lines = signatures(note)[0].split("\n")
    return lines[0], int(lines[1]), base64.b64decode(lines[2])


def cosignature_valid(note: str, witness_vkey: str) -> int | None:
    """c2sp.org/tlog-cosignature v1 (Ed25519, type 0x04): the timestamp of a valid cosignature by
    ``witness_vkey`` on ``note``, or None."""
    name, key_id, b64 = witness_vkey.strip().split("+", 2)
    raw = base64.b64decode(b64)
    assert raw[0] == 4 and sha(name.encode() + b"\n" + raw)[:4] == bytes.fromhex(key_id)
    key = Ed25519PublicKey.from_public_bytes(raw[1:])
    body, sigs = signatures(note)
    for n, kid, blob in sigs:
        if n != name or kid != bytes.fromhex(key_id) or len(blob) != 72:
            continue
        timestamp = int.from_bytes(blob[:8], "big")
        try:
            key.verify(blob[8:], f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode())
            return timestamp
        except InvalidSignature:
            continue
    return None
