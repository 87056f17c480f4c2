"""RFC 6962 hashing of the audit tree, its compact range, RFC 9162 proofs and signed checkpoints."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from pymerkle import InmemoryTree

from peacewatch.registry import checkpoint as cp
from peacewatch.registry import merkle
from peacewatch.registry.errors import AuditProblem

from . import rfc9162 as rfc

# Test vectors of the RFC 6962 reference implementation (certificate-transparency merkle_tree_test):
# the leaf inputs and the root hash of the tree of the first n of them.
LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_frontier_reproduces_the_rfc6962_roots():
    f = merkle.Frontier()
    assert f.root().hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for leaf, root in zip(LEAVES, ROOTS):
        f.append(merkle.leaf_hash(bytes.fromhex(leaf)))
        assert f.root().hex() == root
        # Stored as text and read back, it goes on producing the same roots.
        f = merkle.Frontier.loads(f.size, f.dumps())


def test_frontier_agrees_with_pymerkle_at_every_size():
    tree, f = InmemoryTree(), merkle.Frontier()
    for i in range(1, 70):
        data = f"entry {i}".encode()
        tree.append_entry(data)
        f.append(merkle.leaf_hash(data))
        assert f.root() == tree.get_root(i), i
        assert len(f.hashes) == bin(i).count("1")


def test_proofs_of_every_size_agree_with_the_independent_rfc9162_verifier():
    leaves = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(1, 41)]
    for n in range(1, 41):
        root = rfc.mth(leaves[:n])
        assert merkle.root_of(leaves, 0, n) == root
        for i in range(n):
            proof = merkle.inclusion_proof(leaves, i, n)
            assert rfc.verify_inclusion(i, n, leaves[i], proof, root), (i, n)
            merkle.verify_inclusion(leaves[i], i, n, proof, root)
        for m in range(1, n):
            proof = merkle.consistency_proof(leaves, m, n)
            assert rfc.verify_consistency(m, n, rfc.mth(leaves[:m]), root, proof), (m, n)
            merkle.verify_consistency(m, n, rfc.mth(leaves[:m]), root, proof)


def test_consistency_proofs_catch_a_changed_prefix():
    leaves = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(1, 20)]
    old_root = merkle.root_of(leaves, 0, 7)
    merkle.verify_consistency(7, 19, old_root, merkle.root_of(leaves), merkle.consistency_proof(leaves, 7, 19))
    forged = list(leaves)
    forged[2] = merkle.leaf_hash(b"forged")
    with pytest.raises(merkle.InvalidProof):
        merkle.verify_consistency(7, 19, old_root, merkle.root_of(forged), merkle.consistency_proof(forged, 7, 19))
    with pytest.raises(merkle.InvalidProof):
        merkle.verify_inclusion(leaves[3], 3, 19, merkle.inclusion_proof(leaves, 4, 19), merkle.root_of(leaves))


def test_signed_note_round_trip_and_tampering(tmp_path, monkeypatch):
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(tmp_path))
    signer = cp.load_signer()
    assert (tmp_path / cp.SIGNING_KEY_FILE).stat().st_mode & 0o777 == 0o600
    root = bytes(range(32))
    note = signer.sign(cp.checkpoint_text(signer.name, 12, root, dt.datetime(2026, 12, 1, 8, 0, 0)))
    lines = note.split("\n")
    # C2SP tlog-checkpoint body, blank line, one signed-note signature line.
    assert lines[:4] == [signer.name, "12", base64.b64encode(root).decode(), "time 2026-12-01T08:00:00Z"]
    assert lines[4] == "" and lines[5].startswith(f"\u2014 {signer.name} ")
    verifier = cp.Verifier.parse(signer.verifier_key())
    opened = cp.open_checkpoint(note, verifier)
    assert (opened.size, opened.root, opened.time) == (12, root, "2026-12-01T08:00:00Z")
    with pytest.raises(AuditProblem, match="altered"):
        cp.open_checkpoint(note.replace("\n12\n", "\n13\n"), verifier)
    other = cp.Signer(signer.name, cp.Ed25519PrivateKey.generate())
    with pytest.raises(AuditProblem, match="no signature by key"):
        cp.open_checkpoint(other.sign(cp.checkpoint_text(signer.name, 12, root, dt.datetime(2026, 12, 1))), verifier)
    with pytest.raises(AuditProblem, match="malformed"):
        cp.Verifier.parse("nonsense")
