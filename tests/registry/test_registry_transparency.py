"""The audit transparency log against an exported checkpoint: rollback, truncation and rewrite are
caught even when the attacker also rebuilds the tree head and re-signs with the server's key; many
threads keep one tree; the old hash chain is sealed by migration 0002."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading

import pytest
from alembic import command
from sqlalchemy import delete, insert, select, text, update

from peacewatch.registry import audit, cases, merkle
from peacewatch.registry import checkpoint as cp
from peacewatch.registry.db import alembic_config, make_engine
from peacewatch.registry.models import AuditEntry
from peacewatch.registry.service import Registry

from .conftest import TCC_A


def _add_cases(registry, people, n):
    ids = []
    for i in range(n):
        with registry.as_user(people.tokens["inv"]) as (s, u):
            ids.append(
                cases.create_case(
                    s, u, mission="UNMISS", tcc_ccode=TCC_A, category="sexual_abuse", summary=f"case {i}"
                ).id
            )
    return ids


def _export(registry) -> cp.Checkpoint:
    """What an outside party keeps: the newest signed checkpoint, checked with the verifier key."""
    with registry.session(read_only=True) as s:
        note = audit.latest_checkpoint(s)
    return cp.open_checkpoint(note, _verifier())


def _verifier() -> cp.Verifier:
    return cp.Verifier.parse(cp.load_signer(create=False).verifier_key())


def _forge_head(registry) -> None:
    """An administrator with the database and the signing key makes the log agree with itself again."""
    with registry.session() as s:
        f = merkle.Frontier()
        for e in s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
            e.leaf_hash = merkle.leaf_hash(
                audit.canonical(e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.detail)
            ).hex()
            f.append(bytes.fromhex(e.leaf_hash))
        s.execute(delete(audit.CHECKPOINTS))
        s.execute(delete(audit.TREE))
        s.execute(insert(audit.TREE).values(id=1, size=f.size, root=f.root().hex(), frontier=f.dumps()))
    registry.sequencer.sync()


def _verify(registry, *checkpoints):
    with registry.session(read_only=True) as s:
        return audit.verify(s, checkpoints, verifier=_verifier())


def test_log_extends_an_older_checkpoint(registry, people):
    _add_cases(registry, people, 3)
    old = _export(registry)
    _add_cases(registry, people, 4)
    r = _verify(registry, old)
    assert r.ok, r.problem
    assert r.checkpoints_checked == 1 and r.entries == old.size + 4


def test_truncated_tail_is_caught_by_the_exported_checkpoint(registry, people):
    _add_cases(registry, people, 4)
    kept = _export(registry)
    with registry.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq > :n"), {"n": kept.size - 2})
    _forge_head(registry)
    assert _verify(registry).ok  # the database alone agrees with itself
    r = _verify(registry, kept)
    assert not r.ok and r.first_bad_seq == kept.size - 1
    assert f"holds only {kept.size - 2} entries" in r.problem and "truncated" in r.problem


def test_rewritten_entry_is_caught_by_the_exported_checkpoint(registry, people):
    _add_cases(registry, people, 3)
    kept = _export(registry)
    _add_cases(registry, people, 2)
    with registry.session() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="someone-else"))
    _forge_head(registry)
    assert _verify(registry).ok
    r = _verify(registry, kept)
    assert not r.ok and "no longer hash to its signed root" in r.problem and "rewritten" in r.problem


def test_database_rolled_back_to_an_older_copy_is_caught(tmp_path, people, registry, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("file copy of a SQLite database; PostgreSQL rollback is the truncation test's situation")
    _add_cases(registry, people, 2)
    db_file = database_url.removeprefix("sqlite:///")
    _copy(db_file, tmp_path / "backup.sqlite")
    old_size = _export(registry).size
    _add_cases(registry, people, 3)
    kept = _export(registry)
    registry.dispose()
    _copy(tmp_path / "backup.sqlite", db_file)
    restored = Registry(database_url)
    assert _verify(restored).ok
    r = _verify(restored, kept)
    restored.dispose()
    assert not r.ok and f"holds only {old_size} entries" in r.problem and "rolled back" in r.problem


def _copy(src, dst) -> None:
    """Consistent copy through SQLite's backup API (what a backup tool or a restore does)."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


def test_witness_directory_receives_every_checkpoint(registry, people, tmp_path, monkeypatch):
    monkeypatch.setenv("PEACEWATCH_AUDIT_WITNESS_DIR", str(tmp_path / "witness"))
    _add_cases(registry, people, 2)
    files = sorted((tmp_path / "witness").glob("*.checkpoint"))
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    newest = cp.open_checkpoint(files[-1].read_text(), _verifier())
    assert newest.size == _export(registry).size


def test_inclusion_proof_verifies_against_the_signed_root(registry, people):
    _add_cases(registry, people, 5)
    with registry.session(read_only=True) as s:
        p = audit.prove(s, 4)
    head = _export(registry)
    assert p["tree_size"] == head.size and bytes.fromhex(p["root_hash"]) == head.root
    proof = [bytes.fromhex(h) for h in p["inclusion_path"]]
    merkle.verify_inclusion(merkle.leaf_hash(p["leaf_data"].encode()), 3, head.size, proof, head.root)
    with pytest.raises(merkle.InvalidProof):
        merkle.verify_inclusion(merkle.leaf_hash(b"something else"), 3, head.size, proof, head.root)


def test_many_threads_appending_keep_one_tree(registry, people):
    errors: list[str] = []
    case_id = _add_cases(registry, people, 1)[0]
    before = _verify(registry).entries

    def worker(k: int):
        try:
            for i in range(15):
                if i % 3:
                    with registry.as_user(people.tokens["coord"], read_only=True) as (s, u):
                        cases.get_case(s, u, case_id)
                else:
                    with registry.as_user(people.tokens["inv"]) as (s, u):
                        cases.create_case(
                            s,
                            u,
                            mission="UNMISS",
                            tcc_ccode=TCC_A,
                            category="sexual_abuse",
                            summary=f"thread {k} case {i}",
                        )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    r = _verify(registry)
    assert r.ok, r.problem
    assert r.entries == before + 8 * 15 and r.held_anonymous == 0
    with registry.session(read_only=True) as s:
        reads = s.execute(
            select(AuditEntry.seq).where(AuditEntry.action == "read", AuditEntry.entity_id == str(case_id))
        ).all()
    assert len(reads) == 8 * 10


def test_migration_0002_seals_the_old_hash_chain(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    # Three entries written the way revision 0001 wrote them.
    prev = "0" * 64
    with engine.begin() as conn:
        for seq in (1, 2, 3):
            fields = [seq, f"2026-11-0{seq}T10:00:00.000000", "inv", "read", "case", str(seq), "{}"]
            digest = hashlib.sha256((prev + json.dumps(fields, separators=(",", ":"))).encode()).hexdigest()
            conn.execute(
                text("INSERT INTO audit_log VALUES (:seq, :at, 'inv', 'read', 'case', :eid, '{}', :prev, :h)"),
                {"seq": seq, "at": fields[1], "eid": str(seq), "prev": prev, "h": digest},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET seq = 3, hash = :h"), {"h": prev})
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    reg = Registry(engine=engine)
    r = _verify(reg)
    assert r.ok and r.entries == 4, r.problem
    with reg.session(read_only=True) as s:
        seal = s.execute(select(AuditEntry).where(AuditEntry.seq == 4)).scalar_one()
    assert (seal.actor, seal.action, seal.entity, seal.entity_id) == ("system", "seal_chain", "audit_log", "3")
    assert json.loads(seal.detail)["chain_head_hash"] == prev and json.loads(seal.detail)["chain_verified"] is True
    # The sealed chain stays checked: rewriting an old entry (and its leaf hash) breaks the seal.
    with reg.session() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor="forger"))
    _forge_head(reg)
    r = _verify(reg)
    assert not r.ok and r.first_bad_seq == 4 and "sealed hash chain" in r.problem
    reg.dispose()


def test_read_only_session_refuses_writes_and_its_reads_are_still_audited(registry, people):
    case_id = _add_cases(registry, people, 1)[0]
    before = _verify(registry).entries
    with registry.as_user(people.tokens["coord"], read_only=True) as (s, u):
        cases.get_case(s, u, case_id)
    # Acknowledged means durable: the read is a leaf as soon as the session returned.
    with registry.session(read_only=True) as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    assert (last.seq, last.actor, last.action, last.entity_id) == (before + 1, "coord", "read", str(case_id))
    with (
        pytest.raises(RuntimeError, match="read-only registry session tried to write"),
        registry.as_user(people.tokens["inv"], read_only=True) as (s, u),
    ):
        cases.create_case(s, u, mission="UNMISS", tcc_ccode=TCC_A, category="sexual_abuse", summary="x")
    assert _verify(registry).entries == before + 1
