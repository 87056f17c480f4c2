"""The audit log checked as an outsider would: the leaf format's test vectors, the root recomputed
from raw rows, and the CLI's RFC 9162 proofs, all verified with tests/registry/rfc9162.py (written
from the RFCs, not on the project's Merkle code)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rfc8785
from sqlalchemy import text
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.registry import cases, merkle
from peacewatch.registry import checkpoint as cp
from peacewatch.registry.translog.leaf import leaf_bytes

from . import rfc9162 as rfc
from .conftest import TCC_A

VECTORS = Path(__file__).resolve().parents[2] / "docs" / "audit-leaf-vectors.json"
runner = CliRunner()


def _cli(database_url, *args):
    r = runner.invoke(app, ["registry", "audit", *args, "--db", database_url])
    return r


def _grow(registry, people, batches):
    """One checkpoint per request: create a case (writes) then read it (a read-only batch)."""
    for i in range(batches):
        with registry.as_user(people.tokens["inv"]) as (s, u):
            case = cases.create_case(
                s, u, mission="UNMISS", tcc_ccode=TCC_A, category="sexual_abuse", summary=f"case {i}"
            )
        with registry.as_user(people.tokens["inv"], read_only=True) as (s, u):
            cases.get_case(s, u, case.id)


def _raw_leaves(registry) -> list[bytes]:
    with registry.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT seq, at, actor, action, entity, entity_id, detail FROM audit_log ORDER BY seq")
        ).all()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    return [rfc.leaf_hash(rfc.leaf_of(*r)) for r in rows]


def _vkey() -> str:
    return cp.load_signer(create=False).verifier_key()


def test_leaf_vectors_are_rfc8785_and_the_code_writes_them():
    doc = json.loads(VECTORS.read_text(encoding="utf-8"))
    hashes = []
    for v in doc["vectors"]:
        e = v["entry"]
        fields = [e[k] for k in ("seq", "at", "actor", "action", "entity", "entity_id", "detail")]
        expected = bytes.fromhex(v["leaf_bytes_hex"])
        assert rfc8785.dumps(fields) == expected
        assert leaf_bytes(*fields) == expected
        assert expected.decode("utf-8") == v["leaf_utf8"]
        assert rfc.leaf_hash(expected).hex() == v["leaf_hash"] == merkle.leaf_hash(expected).hex()
        hashes.append(bytes.fromhex(v["leaf_hash"]))
        assert rfc.mth(hashes).hex() == v["root_after"] == merkle.root_of(hashes).hex()
        assert v["leaf_index"] == e["seq"] - 1
    assert doc["root"] == rfc.mth(hashes).hex() and doc["size"] == len(hashes) == 7
    # Non-ASCII is raw UTF-8 (2-, 3- and 4-byte sequences), control characters are escaped.
    raw = bytes.fromhex(doc["vectors"][4]["leaf_bytes_hex"])
    assert "\U0001f600".encode() in raw and b"\\u00e9" in raw
    assert b"\\u0001\\u001f\x7f\xe2\x80\xa8" in bytes.fromhex(doc["vectors"][6]["leaf_bytes_hex"])


def test_leaf_format_refuses_what_it_cannot_encode():
    with pytest.raises(ValueError, match="integer"):
        leaf_bytes(0, "a", "b", "c", "d", "e", "{}")
    with pytest.raises(ValueError, match="strings"):
        leaf_bytes(1, "a", "b", "c", "d", 5, "{}")
    with pytest.raises(UnicodeEncodeError):
        leaf_bytes(1, "a", "\ud800", "c", "d", "e", "{}")


def test_root_recomputed_from_raw_rows_matches_every_signed_checkpoint(registry, people):
    _grow(registry, people, 4)
    leaves = _raw_leaves(registry)
    with registry.engine.connect() as conn:
        notes = conn.execute(text("SELECT size, note FROM audit_checkpoints ORDER BY size")).all()
    assert len(notes) >= 8
    for size, note in notes:
        _origin, n, root = rfc.open_checkpoint(note, _vkey())
        assert n == size and root == rfc.mth(leaves[:size]), size
    assert notes[-1][0] == len(leaves)


def test_cli_proofs_verify_with_an_independent_rfc9162_verifier(registry, people, database_url):
    _grow(registry, people, 5)
    leaves = _raw_leaves(registry)
    n = len(leaves)
    with registry.engine.connect() as conn:
        sizes = [r[0] for r in conn.execute(text("SELECT size FROM audit_checkpoints ORDER BY size"))]
    older = sizes[len(sizes) // 2]
    assert 3 < older < n
    for size in (None, older):
        tree = n if size is None else size
        for seq in (1, (tree + 1) // 2, tree):
            args = ["prove", str(seq)] + ([] if size is None else ["--size", str(size)])
            r = _cli(database_url, *args)
            assert r.exit_code == 0, r.output
            p = json.loads(r.output)
            assert (p["leaf_index"], p["tree_size"]) == (seq - 1, tree)
            leaf = rfc.leaf_hash(p["leaf_data"].encode("utf-8"))
            assert leaf == leaves[seq - 1]
            root = rfc.mth(leaves[:tree])
            path = [bytes.fromhex(h) for h in p["inclusion_path"]]
            assert rfc.verify_inclusion(seq - 1, tree, leaf, path, root), (seq, tree)
            # The checkpoint of that size is in the proof and signs the same root.
            assert rfc.open_checkpoint(p["checkpoint"], _vkey())[1:] == (tree, root)
            if path:  # a tampered proof fails the same verifier
                bad = [bytes(32)] + path[1:]
                assert not rfc.verify_inclusion(seq - 1, tree, leaf, bad, root)
    pairs = [(1, 2), (1, n), (2, n), (3, 7), (4, 8), (5, 6), (7, n), (8, n), (older, n), (n - 1, n), (6, older)]
    for first, second in pairs:
        r = _cli(database_url, "consistency", "--from", str(first), "--to", str(second))
        assert r.exit_code == 0, r.output
        p = json.loads(r.output)
        path = [bytes.fromhex(h) for h in p["consistency_path"]]
        a, b = rfc.mth(leaves[:first]), rfc.mth(leaves[:second])
        assert (bytes.fromhex(p["first_hash"]), bytes.fromhex(p["second_hash"])) == (a, b)
        assert rfc.verify_consistency(first, second, a, b, path), (first, second)
        assert not rfc.verify_consistency(first, second, a, rfc.sha(b"other"), path)
    # Default --to is the newest checkpoint.
    p = json.loads(_cli(database_url, "consistency", "--from", str(older)).output)
    assert p["second"] == n and rfc.open_checkpoint(p["first_checkpoint"], _vkey())[1] == older


def test_proof_sizes_out_of_range_get_one_line_errors(registry, people, database_url):
    _grow(registry, people, 1)
    n = len(_raw_leaves(registry))
    r = _cli(database_url, "prove", "1", "--size", str(n + 5))
    assert r.exit_code == 2 and f"pick one from 1 to {n}" in r.output and "Traceback" not in r.output
    r = _cli(database_url, "prove", "4", "--size", "3")
    assert r.exit_code == 2 and "not in the tree of 3 entries" in r.output
    r = _cli(database_url, "consistency", "--from", "5", "--to", "4")
    assert r.exit_code == 2 and "--from 5" in r.output


def test_audit_check_verifies_proof_files_with_pinned_keys_and_no_database(registry, people, database_url, tmp_path):
    _grow(registry, people, 2)
    proof = tmp_path / "proof.json"
    proof.write_text(_cli(database_url, "prove", "3").output)
    consistency = tmp_path / "consistency.json"
    with registry.engine.connect() as conn:
        first = conn.execute(text("SELECT min(size) FROM audit_checkpoints")).scalar_one()
    consistency.write_text(_cli(database_url, "consistency", "--from", str(first)).output)
    keys = tmp_path / "keys"
    keys.write_text(_vkey() + "\n")
    for f in (proof, consistency):
        r = runner.invoke(app, ["registry", "audit", "check", str(f), "--trusted-keys", str(keys)])
        assert r.exit_code == 0, r.output
    doc = json.loads(proof.read_text())
    doc["leaf_data"] = doc["leaf_data"].replace('"read"', '"rewritten"').replace('"create"', '"rewritten"')
    proof.write_text(json.dumps(doc))
    r = runner.invoke(app, ["registry", "audit", "check", str(proof), "--trusted-keys", str(keys)])
    assert r.exit_code == 1 and "does NOT hold" in r.output and len(r.output.strip().splitlines()) == 1
    r = runner.invoke(app, ["registry", "audit", "check", str(consistency)])
    assert r.exit_code == 2 and "no pinned verifier key" in r.output
    proof.write_text("{}")
    r = runner.invoke(app, ["registry", "audit", "check", str(proof), "--trusted-keys", str(keys)])
    assert r.exit_code == 2 and "neither" in r.output
