"""Deactivating and reactivating accounts through every door: the API, the web users screen and
the CLI (tested in test_registry_sessions) all go through ``operations.users`` and agree."""

from __future__ import annotations

import re

from .conftest import API, PASSWORD_TAIL


def _csrf(web, path: str = "/registry/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get(path).text).group(1)


def test_api_deactivation_ends_sessions_at_once_and_reactivation_allows_login(client, people):
    coord = people.headers("coord")
    assert client.get(f"{API}/me", headers=people.headers("inv")).status_code == 200
    r = client.post(f"{API}/users/inv/deactivate", headers=coord)
    assert r.status_code == 200 and r.json() == {**r.json(), "username": "inv", "active": False}
    assert client.get(f"{API}/me", headers=people.headers("inv")).status_code == 401
    login = {"username": "inv", "password": f"inv-{PASSWORD_TAIL}"}
    assert client.post(f"{API}/login", json=login).status_code == 401
    assert client.post(f"{API}/users/inv/reactivate", headers=coord).json()["active"] is True
    assert client.post(f"{API}/login", json=login).status_code == 200
    assert client.get(f"{API}/me", headers=people.headers("inv")).status_code == 401  # old sessions stay ended
    listed = {u["username"]: u["active"] for u in client.get(f"{API}/users", headers=coord).json()}
    assert listed["inv"] is True


def test_api_refusals_are_clear(client, people):
    assert client.post(f"{API}/users/inv/deactivate", headers=people.headers("analyst")).status_code == 403
    r = client.post(f"{API}/users/nobody/deactivate", headers=people.headers("coord"))
    assert r.status_code == 404 and "no user named 'nobody'" in r.json()["detail"]
    r = client.post(f"{API}/users/coord/deactivate", headers=people.headers("coord"))
    assert r.status_code == 409 and "last active coordinator" in r.json()["detail"]
    assert client.post(f"{API}/users/{'x' * 81}/deactivate", headers=people.headers("coord")).status_code == 422


def test_web_users_screen_deactivates_and_reactivates(web, people):
    coord = people.headers("coord")
    page = web.get("/registry/users", headers=coord)
    assert page.status_code == 200 and 'data-user="inv"' in page.text and "Deactivate inv" in page.text
    assert 'href="/registry/users"' in page.text  # the coordinator's registry navigation links the screen
    token = _csrf(web)
    r = web.post("/registry/users/inv/deactivate", data={"csrf_token": token}, headers=coord)
    assert r.status_code == 303 and r.headers["location"] == "/registry/users/inv"
    assert web.get("/api/registry/me", headers=people.headers("inv")).status_code == 401
    page = web.get(r.headers["location"], headers=coord)
    assert "inv can no longer log in" in page.text and "Reactivate inv" in page.text
    # The message is shown once: a reload of the page after the redirect no longer has it.
    assert "inv can no longer log in" not in web.get(r.headers["location"], headers=coord).text
    r = web.post("/registry/users/inv/reactivate", data={"csrf_token": token}, headers=coord)
    assert r.status_code == 303 and r.headers["location"] == "/registry/users/inv"
    assert "inv can log in again" in web.get(r.headers["location"], headers=coord).text


def test_web_users_screen_is_for_coordinators_and_explains_refusals(web, people):
    page = web.get("/registry/users", headers=people.headers("inv"))
    assert page.status_code == 403 and "/registry/cases" in page.text  # the registry navigation stays
    assert 'href="/registry/users"' not in web.get("/registry/cases", headers=people.headers("inv")).text
    token = _csrf(web)
    r = web.post("/registry/users/coord/deactivate", data={"csrf_token": token}, headers=people.headers("coord"))
    assert r.status_code == 409 and "last active coordinator" in r.text and "<h1>User coord</h1>" in r.text


def test_the_operation_refuses_a_username_the_api_would_refuse(registry, people):
    """The CLI and the web reach the operation without FastAPI's path check: it checks itself."""
    import pytest

    from peacewatch.registry import operations as ops
    from peacewatch.registry import policy
    from peacewatch.registry.errors import ValidationFailed

    with registry.session() as s:
        coord = s.merge(people.users["coord"])
        for bad in ("x" * 81, "inv\x00", "", None):
            with pytest.raises(ValidationFailed, match="1 to 80 characters"):
                policy.Actor(s, coord, False)(ops.users.deactivate_user, bad)


def _audit_actions(registry, entity_id: int) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from peacewatch.registry.models import AuditEntry

    registry.sequencer.sync()
    with registry.session(read_only=True) as s:
        rows = s.execute(
            select(AuditEntry.actor, AuditEntry.action).where(
                AuditEntry.entity == "user", AuditEntry.entity_id == str(entity_id)
            )
        ).all()
    return [tuple(r) for r in rows]


def test_web_creates_an_account_that_can_log_in(web, people, registry):
    coord = people.headers("coord")
    token = _csrf(web)
    body = {
        "csrf_token": token,
        "username": "new.liaison",
        "role": "tcc_liaison",
        "tcc_ccode": "770",
        "password": "a long enough password",
    }
    r = web.post("/registry/users", data=body, headers=coord)
    assert r.status_code == 303 and r.headers["location"] == "/registry/users"
    page = web.get("/registry/users", headers=coord).text
    assert "Account new.liaison created" in page and 'data-user="new.liaison"' in page
    login = {"username": "new.liaison", "password": "a long enough password"}
    me = web.post("/api/registry/login", json=login)
    assert me.status_code == 200 and me.json()["tcc_ccode"] == 770
    # A second submission of the same form is refused, and the form comes back without the password.
    again = web.post("/registry/users", data=body, headers=coord)
    assert again.status_code == 409 and "is taken" in again.text and "a long enough password" not in again.text
    assert 'value="new.liaison"' in again.text
    short = web.post("/registry/users", data={**body, "username": "other", "password": "short"}, headers=coord)
    assert short.status_code == 422 and "Password:" in short.text and 'id="password-error"' in short.text


def test_web_resets_a_password_and_revokes_sessions_through_the_one_door(web, people, registry):
    coord = people.headers("coord")
    token = _csrf(web)
    assert web.get("/api/registry/me", headers=people.headers("inv")).status_code == 200
    r = web.post(
        "/registry/users/inv/password", data={"csrf_token": token, "password": "brand new secret phrase"}, headers=coord
    )
    assert r.status_code == 303 and r.headers["location"] == "/registry/users/inv"
    page = web.get("/registry/users/inv", headers=coord).text
    assert "New password set for inv" in page and "1 session ended" in page
    assert web.get("/api/registry/me", headers=people.headers("inv")).status_code == 401
    assert (
        web.post("/api/registry/login", json={"username": "inv", "password": f"inv-{PASSWORD_TAIL}"}).status_code == 401
    )
    fresh = web.post("/api/registry/login", json={"username": "inv", "password": "brand new secret phrase"})
    assert fresh.status_code == 200
    bearer = {"Authorization": f"Bearer {fresh.json()['token']}"}
    assert web.get("/api/registry/me", headers=bearer).status_code == 200
    r = web.post("/registry/users/inv/revoke-sessions", data={"csrf_token": token}, headers=coord)
    assert r.status_code == 303
    assert "Every session and script token of inv has ended" in web.get(r.headers["location"], headers=coord).text
    assert web.get("/api/registry/me", headers=bearer).status_code == 401
    # Still active: the password works again.
    assert (
        web.post("/api/registry/login", json={"username": "inv", "password": "brand new secret phrase"}).status_code
        == 200
    )
    inv_id = people.users["inv"].id
    assert [a for a in _audit_actions(registry, inv_id) if a[1] in ("reset_password", "revoke_sessions")] == [
        ("coord", "reset_password"),
        ("coord", "revoke_sessions"),
    ]


def test_api_reset_and_revoke_are_for_coordinators_only(client, people):
    for who in ("inv", "analyst", "liaison_a"):
        h = people.headers(who)
        assert (
            client.post(
                f"{API}/users/inv/password", json={"password": "brand new secret phrase"}, headers=h
            ).status_code
            == 403
        )
        assert client.post(f"{API}/users/inv/revoke-sessions", headers=h).status_code == 403
    coord = people.headers("coord")
    r = client.post(f"{API}/users/inv/password", json={"password": "short"}, headers=coord)
    assert r.status_code == 422
    r = client.post(f"{API}/users/inv/revoke-sessions", headers=coord)
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1 and r.json()["active"] is True
    assert client.post(f"{API}/users/nobody/revoke-sessions", headers=coord).status_code == 404
