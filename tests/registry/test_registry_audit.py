"""The audit transparency log: reads and writes are recorded; tampering is detected."""

from __future__ import annotations

from sqlalchemy import select, text, update

from peacewatch.registry import audit, merkle
from peacewatch.registry.models import AuditEntry

from .conftest import API, CASE_BODY


def _entries(registry):
    with registry.session() as s:
        return s.execute(
            select(
                AuditEntry.seq, AuditEntry.actor, AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id
            ).order_by(AuditEntry.seq)
        ).all()


def test_every_case_read_and_write_is_audited(client, people, registry):
    start = len(_entries(registry))
    cid = client.post(f"{API}/cases", json=CASE_BODY, headers=people.headers("inv")).json()["id"]
    client.get(f"{API}/cases/{cid}", headers=people.headers("coord"))
    client.get(f"{API}/cases", headers=people.headers("coord"))
    client.get(f"{API}/cases/{cid}/victim", headers=people.headers("inv"))
    client.post(
        f"{API}/cases/{cid}/transitions", json={"to_status": "under_investigation"}, headers=people.headers("inv")
    )
    new = [tuple(e[1:]) for e in _entries(registry)[start:]]
    assert new == [
        ("inv", "create", "case", str(cid)),
        ("coord", "read", "case", str(cid)),
        ("coord", "read", "case_list", "*"),
        ("inv", "read", "victim_details", str(cid)),
        ("inv", "transition", "case", str(cid)),
    ]
    # A refused write leaves no audit entry (the transaction rolled back) and no change.
    n = len(_entries(registry))
    client.post(f"{API}/cases/{cid}/transitions", json={"to_status": "closed"}, headers=people.headers("inv"))
    assert len(_entries(registry)) == n


def test_tampering_with_one_row_is_detected(client, people, registry):
    for _ in range(3):
        client.post(f"{API}/cases", json=CASE_BODY, headers=people.headers("inv"))
    n = len(_entries(registry))
    with registry.session() as s:
        ok = audit.verify(s)
        assert ok.ok and ok.entries == n
        target = ok.entries - 2
        s.execute(update(AuditEntry).where(AuditEntry.seq == target).values(actor="someone-else"))
    with registry.session() as s:
        bad = audit.verify(s)
    assert not bad.ok and bad.first_bad_seq == target and "rewritten" in bad.problem
    r = client.get(f"{API}/audit/verify", headers=people.headers("coord")).json()
    assert r["ok"] is False and r["first_bad_seq"] == target


def test_deleting_rows_is_detected(client, people, registry):
    for _ in range(3):
        client.post(f"{API}/cases", json=CASE_BODY, headers=people.headers("inv"))
    n = len(_entries(registry))
    with registry.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = :q"), {"q": 4})
    with registry.session() as s:
        r = audit.verify(s)
    assert not r.ok and r.first_bad_seq == 4 and "missing" in r.problem
    with registry.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq >= 4"))
    with registry.session() as s:
        r = audit.verify(s)
    assert not r.ok and "removed" in r.problem and r.first_bad_seq == 4 and n > 4


def test_rewriting_a_row_and_its_leaf_hash_breaks_the_stored_checkpoints(client, people, registry):
    for _ in range(2):
        client.post(f"{API}/cases", json=CASE_BODY, headers=people.headers("inv"))
    with registry.session() as s:
        e = s.get(AuditEntry, 3)
        e.actor = "forger"
        e.leaf_hash = merkle.leaf_hash(
            audit.canonical(e.seq, e.at, "forger", e.action, e.entity, e.entity_id, e.detail)
        ).hex()
    with registry.session() as s:
        r = audit.verify(s)
    assert not r.ok and "no longer hash" in r.problem


def test_concurrent_writers_never_fork_the_chain(registry, people):
    import threading

    from peacewatch.registry import cases

    errors = []

    def writer():
        try:
            for _ in range(8):
                with registry.as_user(people.tokens["inv"]) as (s, u):
                    cases.create_case(s, u, mission="UNMISS", tcc_ccode=770, category="sexual_abuse", summary="x")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    before = len(_entries(registry))
    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with registry.session() as s:
        r = audit.verify(s)
    assert r.ok, r.problem
    assert r.entries == before + 32
