"""Witnessing (C2SP tlog-witness / tlog-cosignature): `audit witness` submits checkpoints with
consistency proofs to a minimal witness, the cosignatures check out with an independent verifier,
and `audit verify` enforces a k-of-n cosignature policy and catches a fork."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert, select, update
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.registry import audit, cases, merkle
from peacewatch.registry import checkpoint as cp
from peacewatch.registry.errors import AuditProblem
from peacewatch.registry.models import AuditEntry
from peacewatch.registry.translog import witness_client
from peacewatch.registry.translog.witness_server import Witness

from . import rfc9162 as rfc
from .conftest import TCC_A

runner = CliRunner()
URL = "http://testserver"


def _add_cases(registry, people, n):
    for i in range(n):
        with registry.as_user(people.tokens["inv"]) as (s, u):
            cases.create_case(s, u, mission="UNMISS", tcc_ccode=TCC_A, category="sexual_abuse", summary=f"case {i}")


def _audit(database_url, *args):
    r = runner.invoke(app, ["registry", "audit", *args, "--db", database_url])
    return r.exit_code, r.output.strip()


@pytest.fixture
def setup(registry, people, tmp_path, monkeypatch):
    """A log with a few entries, a witness directory, and one witness trusting the log's key."""
    witness_dir = tmp_path / "witness-copies"
    monkeypatch.setenv("PEACEWATCH_AUDIT_WITNESS_DIR", str(witness_dir))
    _add_cases(registry, people, 2)
    log_key = cp.load_signer(create=False).verifier_key()
    w = Witness(
        cp.Cosigner("witness.test/w1", cp.Ed25519PrivateKey.generate()),
        {log_key.split("+")[0]: [cp.Verifier.parse(log_key)]},
        state_file=tmp_path / "w1-state.json",
    )
    client = TestClient(w.app())
    monkeypatch.setattr(witness_client, "http_client", lambda: client)
    return w, log_key, w.cosigner.verifier_key(), witness_dir


def test_witness_cosigns_and_verify_with_a_1_of_1_policy_passes(registry, people, database_url, setup):
    w, log_key, wkey, witness_dir = setup
    code, out = _audit(database_url, "witness", "--url", URL, "--witness-key", wkey)
    assert code == 0 and "cosigned by 1 of 1 witnesses" in out, out
    newest = max(witness_dir.glob("*.checkpoint"))
    note = newest.read_text()
    assert rfc.note_signed_by(note, log_key) and rfc.cosignature_valid(note, wkey) is not None
    first_size = int(note.splitlines()[1])
    assert (w.state_file.stat().st_mode & 0o777) == 0o600
    # The log grows; the witness (at first_size) gets a consistency proof from its size (after a 409).
    _add_cases(registry, people, 3)
    code, out = _audit(database_url, "witness", "--url", URL, "--witness-key", wkey)
    assert code == 0, out
    assert w.latest[log_key.split("+")[0]][0] > first_size
    code, out = _audit(database_url, "verify", "--key", log_key, "--witness-key", wkey, "--witnesses", "1")
    assert code == 0 and "cosignature policy 1 of 1 witnesses met" in out, out


def test_missing_cosignature_fails_the_policy(registry, people, database_url, setup, tmp_path):
    _w, log_key, wkey, _dir = setup
    code, out = _audit(database_url, "verify", "--key", log_key, "--witness-key", wkey)
    assert code == 1 and "no checkpoint carries valid cosignatures of 1 of the 1" in out
    assert _audit(database_url, "witness", "--url", URL, "--witness-key", wkey)[0] == 0
    plain = tmp_path / "plain.checkpoint"
    assert _audit(database_url, "checkpoint", "--out", str(plain))[0] == 0
    code, out = _audit(database_url, "verify", "--key", log_key, "--witness-key", wkey, "--checkpoint", str(plain))
    assert code == 1 and "carries valid cosignatures of 0 of the 1 pinned witnesses" in out
    # A cosignature by another key under the witness's name does not count.
    impostor = cp.Cosigner("witness.test/w1", cp.Ed25519PrivateKey.generate())
    note = plain.read_text()
    plain.write_text(cp.add_signatures(note, impostor.cosign(note, 1_700_000_000)))
    code, out = _audit(database_url, "verify", "--key", log_key, "--witness-key", wkey, "--checkpoint", str(plain))
    assert code == 1 and "0 of the 1" in out


def test_a_forked_log_is_refused_by_the_witness_and_fails_verify(registry, people, database_url, setup):
    _w, log_key, wkey, _dir = setup
    assert _audit(database_url, "witness", "--url", URL, "--witness-key", wkey)[0] == 0
    # An attacker with the database and the signing key rewrites entry 2 and re-signs the head.
    with registry.session() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor="someone-else"))
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
    _add_cases(registry, people, 1)
    code, out = _audit(database_url, "witness", "--url", URL, "--witness-key", wkey)
    assert code == 1 and "refused" in out and "422" in out, out
    # The re-signed checkpoint of the cosigned size did not replace the cosigned copy: both are kept.
    code, out = _audit(database_url, "verify", "--key", log_key, "--witness-key", wkey)
    assert code == 1 and "different roots" in out and "forked" in out, out
    forks = list(_dir.glob("*.fork-*.checkpoint"))
    assert len(forks) == 1
    forks[0].unlink()  # even without the fork copy, the cosigned checkpoint no longer matches the log
    code, out = _audit(database_url, "verify", "--key", log_key, "--witness-key", wkey)
    assert code == 1 and "no longer hash to its signed root" in out, out


def _body(old, proof, note):
    return "\n".join([f"old {old}", *(base64.b64encode(h).decode() for h in proof)]) + "\n\n" + note


def test_witness_protocol_answers(registry, setup):
    w, _log_key, _wkey, _dir = setup
    http = TestClient(w.app())
    signer = cp.load_signer(create=False)
    with registry.read_connection() as conn:
        from peacewatch.registry.translog import store

        note, size = store.checkpoint_note(conn), store.head_size(conn)
    r = http.post("/add-checkpoint", content=_body(0, [], note))
    assert r.status_code == 200 and r.text.startswith("\u2014 witness.test/w1 ")
    again = http.post("/add-checkpoint", content=_body(0, [], note))
    assert again.status_code == 409 and again.headers["content-type"].startswith("text/x.tlog.size")
    assert again.text == f"{size}\n"
    # Same size, other root: a fork.
    fork = signer.sign(cp.checkpoint_text(signer.name, size, bytes(32), audit.E.now()))
    assert http.post("/add-checkpoint", content=_body(size, [], fork)).status_code == 409
    bigger = signer.sign(cp.checkpoint_text(signer.name, size + 3, bytes(32), audit.E.now()))
    assert http.post("/add-checkpoint", content=_body(size, [bytes(32)], bigger)).status_code == 422
    assert http.post("/add-checkpoint", content=_body(size + 9, [], note)).status_code == 400
    other = cp.Signer("other.example/log", cp.Ed25519PrivateKey.generate())
    unknown = other.sign(cp.checkpoint_text(other.name, 1, bytes(32), audit.E.now()))
    assert http.post("/add-checkpoint", content=_body(0, [], unknown)).status_code == 404
    stranger = cp.Signer(signer.name, cp.Ed25519PrivateKey.generate())
    forged = stranger.sign(cp.checkpoint_text(signer.name, size + 1, bytes(32), audit.E.now()))
    assert http.post("/add-checkpoint", content=_body(size, [], forged)).status_code == 403
    assert http.post("/add-checkpoint", content="nonsense").status_code == 400
    # The state survives a restart of the witness.
    again = Witness(w.cosigner, w.logs, state_file=w.state_file)
    assert again.latest == w.latest


def test_a_damaged_witness_state_file_is_refused_not_reset(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{not json")
    with pytest.raises(AuditProblem, match="restore it from a backup"):
        Witness(cp.Cosigner("w", cp.Ed25519PrivateKey.generate()), {}, state_file=state)
