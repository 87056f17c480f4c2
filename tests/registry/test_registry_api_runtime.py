"""How the API serves under load (issue: registry core, throughput): its operations run on the
registry's own request threads, and a running server keeps its start-up heap out of the collector."""

from __future__ import annotations

import dataclasses
import gc
import threading

from fastapi.testclient import TestClient

from peacewatch.registry import operations as ops
from peacewatch.registry import policy
from peacewatch.registry.api import create_app
from peacewatch.registry.runtime import REQUEST_THREADS
from tests.registry.conftest import API, CASE_BODY, PASSWORD_TAIL


def test_operations_run_on_the_request_threads_not_the_event_loop(client, people, monkeypatch):
    seen = []
    real_me = ops.users.me

    def me(session, user):
        seen.append(threading.current_thread().name)
        return real_me(session, user)

    monkeypatch.setitem(policy.TABLE, "users.me", dataclasses.replace(policy.TABLE["users.me"], function=me))
    for _ in range(3):
        r = client.get(f"{API}/me", headers=people.headers("inv"))
        assert r.status_code == 200 and r.json()["username"] == "inv"
    assert len(seen) == 3 and all(name.startswith("registry-request") for name in seen), seen
    # The pool is bounded: no more request threads than REQUEST_THREADS, however many requests came.
    names = {t.name for t in threading.enumerate() if t.name.startswith("registry-request")}
    assert 1 <= len(names) <= REQUEST_THREADS


def test_logins_check_passwords_on_their_own_threads_never_on_request_threads(client, people, monkeypatch):
    seen = []
    real_login = ops.users.login

    def login(*args, **kwargs):
        seen.append(threading.current_thread().name)
        return real_login(*args, **kwargs)

    monkeypatch.setitem(policy.TABLE, "users.login", dataclasses.replace(policy.TABLE["users.login"], function=login))
    ok = client.post(f"{API}/login", json={"username": "inv", "password": f"inv-{PASSWORD_TAIL}"})
    wrong = client.post(f"{API}/login", json={"username": "inv", "password": "not-the-password-at-all"})
    assert ok.status_code == 200 and ok.json()["token"] and wrong.status_code == 401
    # A burst of scrypt checks waits for the login threads; the request threads stay free.
    assert len(seen) == 2 and all(name.startswith("registry-login") for name in seen), seen


def test_routes_keep_their_status_codes_and_errors_through_the_request_threads(client, people):
    created = client.post(f"{API}/cases", json=CASE_BODY, headers=people.headers("inv"))
    assert created.status_code == 201 and created.json()["mission"] == "MINUSTAH"
    assert client.get(f"{API}/cases/{created.json()['id']}", headers=people.headers("rep")).status_code == 404
    assert client.get(f"{API}/me").status_code == 401
    bad = client.post(f"{API}/cases", json={**CASE_BODY, "mission": "M" * 41}, headers=people.headers("inv"))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "mission"


def test_a_running_server_freezes_its_start_up_heap_and_thaws_it_at_shutdown(registry):
    gc.unfreeze()
    with TestClient(create_app(registry=registry)):
        # Everything alive after start-up (routes, schemas, mappers: many thousands of objects)
        # is skipped by the collector while the server runs.
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0


def test_case_reads_show_the_referral_and_its_overdue_deadlines_with_the_mission(client, people, registry):
    """Case reads come from plain rows, not ORM objects: the referral, its deadlines (naming the
    mission) and the events must still all be there, in the list and in the single read."""
    from peacewatch.registry import cases
    from tests.registry.conftest import TCC_A, at

    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        c = cases.create_case(
            s, inv, mission="MINUSCA", tcc_ccode=TCC_A, category="sexual_abuse", summary="x", now=at("2026-01-02")
        )
        for status in ("under_investigation", "substantiated", "referred_to_tcc"):
            cases.transition_case(s, inv, c.id, status, now=at("2026-01-02"))
        case_id = c.id
    one = client.get(f"{API}/cases/{case_id}", headers=people.headers("coord")).json()
    listed = [x for x in client.get(f"{API}/cases", headers=people.headers("liaison_a")).json() if x["id"] == case_id]
    assert one["referral"]["officer_due"] == "2026-01-16" and one["referral"]["tcc_ccode"] == TCC_A
    # Referred on 2 January 2026: both deadlines have passed by now (the registry's clock, UTC).
    assert {(o["deadline"], o["mission"]) for o in one["overdue"]} == {("officer", "MINUSCA"), ("outcome", "MINUSCA")}
    assert [e["to_status"] for e in one["events"]] == [
        "reported",
        "under_investigation",
        "substantiated",
        "referred_to_tcc",
    ]
    # A liaison sees the referred case of its own TCC in the list, with the same referral.
    assert len(listed) == 1 and listed[0]["referral"] == one["referral"]
    assert client.get(f"{API}/cases", headers=people.headers("liaison_b")).json() == []
