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
    assert r.status_code == 303 and r.headers["location"] == "/registry/users?done=deactivated&who=inv"
    assert web.get("/api/registry/me", headers=people.headers("inv")).status_code == 401
    page = web.get(r.headers["location"], headers=coord)
    assert "inv can no longer log in" in page.text and "Reactivate inv" in page.text
    r = web.post("/registry/users/inv/reactivate", data={"csrf_token": token}, headers=coord)
    assert r.status_code == 303 and "done=reactivated" in r.headers["location"]


def test_web_users_screen_is_for_coordinators_and_explains_refusals(web, people):
    page = web.get("/registry/users", headers=people.headers("inv"))
    assert page.status_code == 403 and "/registry/cases" in page.text  # the registry navigation stays
    assert 'href="/registry/users"' not in web.get("/registry/cases", headers=people.headers("inv")).text
    token = _csrf(web)
    r = web.post("/registry/users/coord/deactivate", data={"csrf_token": token}, headers=people.headers("coord"))
    assert r.status_code == 409 and "last active coordinator" in r.text and 'data-user="coord"' in r.text


def test_the_operation_refuses_a_username_the_api_would_refuse(registry, people):
    """The CLI and the web reach the operation without FastAPI's path check: it checks itself."""
    import pytest

    from peacewatch.registry import operations as ops
    from peacewatch.registry.errors import ValidationFailed

    with registry.session() as s:
        coord = s.merge(people.users["coord"])
        for bad in ("x" * 81, "inv\x00", "", None):
            with pytest.raises(ValidationFailed, match="1 to 80 characters"):
                ops.users.deactivate_user(s, coord, bad)
