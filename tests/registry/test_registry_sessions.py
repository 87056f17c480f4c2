"""Sessions and accounts (issue: registry hardening): expiry, logout, several sessions per user,
deactivation, the same work for unknown users at login, password policy and look-alike usernames."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from alembic import command
from sqlalchemy import text
from support.sessions import login

from peacewatch.registry import auth, policy
from peacewatch.registry import operations as ops
from peacewatch.registry.db import alembic_config, make_engine
from peacewatch.registry.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from peacewatch.registry.models import AuditEntry, UserSession, utcnow
from tests.registry.conftest import API, PASSWORD_TAIL


def _pw(name: str) -> str:
    return f"{name}-{PASSWORD_TAIL}"


def test_logout_revokes_the_token_on_the_server(client, people):
    token = client.post(f"{API}/login", json={"username": "inv", "password": _pw("inv")}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/me", headers=bearer).status_code == 200
    client.cookies.clear()
    assert client.post(f"{API}/logout", headers=bearer).status_code == 200
    r = client.get(f"{API}/me", headers=bearer)
    assert r.status_code == 401 and "log in again" in r.json()["detail"]
    # The user's other session (the script token) is untouched.
    assert client.get(f"{API}/me", headers=people.headers("inv")).status_code == 200


def test_several_sessions_per_user_stay_valid(registry, people):
    with registry.session() as s:
        first = login(s, "inv", _pw("inv")).token
        second = login(s, "inv", _pw("inv")).token
    with registry.session() as s:
        for tok in (first, second, people.tokens["inv"]):
            assert auth.user_for_token(s, tok).username == "inv"
        assert s.query(UserSession).filter_by(user_id=people.users["inv"].id).count() == 3


def test_idle_and_absolute_expiry(registry, people, monkeypatch):
    monkeypatch.setenv("PEACEWATCH_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("PEACEWATCH_SESSION_ABSOLUTE_HOURS", "12")
    t0 = dt.datetime(2026, 3, 2, 8, 0)
    with registry.session() as s:
        token = login(s, "inv", _pw("inv"), now=t0).token
    with registry.session() as s:
        # Active every 20 minutes: alive until the absolute limit.
        t = t0
        while t + dt.timedelta(minutes=20) < t0 + dt.timedelta(hours=12):
            t += dt.timedelta(minutes=20)
            assert auth.user_for_token(s, token, now=t).username == "inv"
        with pytest.raises(Unauthorized, match="expired"):
            auth.user_for_token(s, token, now=t0 + dt.timedelta(hours=12))
    with registry.session() as s:
        idle = login(s, "inv", _pw("inv"), now=t0).token
    with registry.session() as s:
        assert auth.user_for_token(s, idle, now=t0 + dt.timedelta(minutes=29)).username == "inv"
        with pytest.raises(Unauthorized, match="expired"):
            auth.user_for_token(s, idle, now=t0 + dt.timedelta(minutes=29 + 31))


def test_reading_keeps_a_session_alive_without_a_write_lock(registry, people, monkeypatch):
    """Regression: GET requests use read-only sessions; recording activity there must not fail, and
    a user who only reads must not be logged out as idle."""
    monkeypatch.setenv("PEACEWATCH_SESSION_IDLE_MINUTES", "30")
    t0 = dt.datetime(2026, 3, 2, 8, 0)
    with registry.session() as s:
        token = login(s, "inv", _pw("inv"), now=t0).token
    for minutes in (20, 40, 60):  # each read more than a minute after the last one
        with registry.session(read_only=True) as s:
            assert auth.user_for_token(s, token, now=t0 + dt.timedelta(minutes=minutes)).username == "inv"
    with registry.session(read_only=True) as s:
        seen = s.query(UserSession).filter_by(token_hash=auth.token_hash(token)).one().last_seen_at
    assert seen == t0 + dt.timedelta(minutes=60)


def test_a_read_records_activity_after_closing_with_one_connection_only(registry, people):
    """Regression: a read-only request used to open a second connection for its activity touch while
    holding its first; under load every request of a busy token did so at once, the pool ran dry
    and the server stalled for the pool timeout (30 s)."""
    t0 = dt.datetime(2026, 3, 2, 8, 0)
    with registry.session() as s:
        token = login(s, "inv", _pw("inv"), now=t0).token
    later = t0 + dt.timedelta(minutes=5)
    with registry.session(read_only=True) as s:
        assert auth.user_for_token(s, token, now=later).username == "inv"
        assert registry.engine.pool.checkedout() == 1  # no second connection while this one is held
        with registry.engine.connect() as other:
            assert other.execute(text("SELECT max(last_seen_at) FROM sessions")).scalar() is not None
    with registry.session(read_only=True) as s:
        row = s.query(UserSession).filter_by(token_hash=auth.token_hash(token)).one()
        assert row.last_seen_at == later  # written once the session had closed
    # Reads that follow within the minute see the fresh activity and write nothing.
    calls = []
    real = auth.touch_session
    try:
        auth.touch_session = lambda *a: calls.append(a) or real(*a)
        for _ in range(5):
            with registry.session(read_only=True) as s:
                auth.user_for_token(s, token, now=later + dt.timedelta(minutes=3))
    finally:
        auth.touch_session = real
    with registry.session(read_only=True) as s:
        row = s.query(UserSession).filter_by(token_hash=auth.token_hash(token)).one()
        assert row.last_seen_at == later + dt.timedelta(minutes=3) and len(calls) == 1


def test_deactivation_ends_every_session_and_blocks_login(registry, people):
    with registry.session() as s:
        web = login(s, "inv", _pw("inv")).token
    with registry.session() as s, pytest.raises(Forbidden):
        policy.Actor(s, people.users["analyst"], False)(ops.users.deactivate_user, "inv")
    with registry.session() as s:
        coord = auth.user_for_token(s, people.tokens["coord"])
        assert auth.deactivate_user(s, coord, "inv").active is False
    with registry.session() as s:
        for tok in (web, people.tokens["inv"]):
            with pytest.raises(Unauthorized):
                auth.user_for_token(s, tok)
        with pytest.raises(Unauthorized, match="wrong username or password"):
            login(s, "inv", _pw("inv"))
    with registry.session() as s:
        coord = auth.user_for_token(s, people.tokens["coord"])
        auth.reactivate_user(s, coord, "inv")
    with registry.session() as s:
        assert auth.user_for_token(s, login(s, "inv", _pw("inv")).token).username == "inv"
        with pytest.raises(Unauthorized):  # old sessions stay ended
            auth.user_for_token(s, web)
        actions = [(e.actor, e.action) for e in s.query(AuditEntry).filter(AuditEntry.entity == "user")]
        assert ("coord", "deactivate") in actions and ("coord", "reactivate") in actions


def test_last_coordinator_cannot_be_deactivated(registry, people):
    with registry.session() as s:
        coord = auth.user_for_token(s, people.tokens["coord"])
        with pytest.raises(Conflict, match="last active coordinator"):
            auth.deactivate_user(s, coord, "coord")


def test_login_does_the_same_work_for_unknown_known_and_deactivated_users(registry, people, monkeypatch):
    with registry.session() as s:
        coord = auth.user_for_token(s, people.tokens["coord"])
        auth.deactivate_user(s, coord, "analyst")
    calls: list[tuple] = []
    real = hashlib.scrypt

    def counting(password, *, salt, n, r, p, dklen, **kw):
        calls.append((n, r, p, dklen))
        return real(password, salt=salt, n=n, r=r, p=p, dklen=dklen, **kw)

    with registry.session() as s, pytest.raises(Unauthorized):
        login(s, "warm-up-nobody", "x")  # builds the cached dummy hash
    monkeypatch.setattr(hashlib, "scrypt", counting)
    seen = {}
    for username, password in [
        ("nobody-here", "guess-guess-1"),
        ("inv", "guess-guess-1"),
        ("analyst", _pw("analyst")),
        ("іnv", "guess-guess-1"),
    ]:
        calls.clear()
        with registry.session() as s, pytest.raises(Unauthorized, match="^wrong username or password$"):
            login(s, username, password)
        seen[username] = list(calls)
    assert len({tuple(v) for v in seen.values()}) == 1 and len(seen["inv"]) == 1


@pytest.mark.parametrize(
    "password", ["12345678", "aaaaaaaa", "aaaaaaaaaaaa", "password1234", "123456789012", "qwertyuiopas"]
)
def test_weak_passwords_are_refused_with_the_reason(registry, password):
    with registry.session() as s, pytest.raises(ValidationFailed, match="password") as err:
        auth.create_user(s, "newcomer", password, auth.ANALYST)
    assert "at least 12 characters" in str(err.value) or "too easy to guess" in str(err.value)


def test_password_containing_the_username_is_weaker(registry):
    with registry.session() as s, pytest.raises(ValidationFailed, match="too easy to guess"):
        auth.create_user(s, "kowalczyk", "kowalczyk2026", auth.ANALYST)
    with registry.session() as s:
        assert auth.create_user(s, "kowalczyk", "lantern-ferry-orchid", auth.ANALYST).user.username == "kowalczyk"


def test_weak_password_over_the_api_is_422(client, people):
    r = client.post(
        f"{API}/users",
        headers=people.headers("coord"),
        json={"username": "newcomer", "password": "aaaaaaaaaaaa", "role": "analyst"},
    )
    assert r.status_code == 422 and any("too easy to guess" in p["msg"] for p in r.json()["detail"])


@pytest.mark.parametrize(
    "username, why",
    [
        ("\u0456nv1", "mixes scripts"),  # Cyrillic і
        ("inv1\u200b", "U\\+200B"),  # zero-width space
        ("in\u200dv1", "U\\+200D"),  # zero-width joiner
        ("inv 1", "U\\+0020"),
        ("\u202einv1", "U\\+202E"),  # right-to-left override
        ("p\u0430ypal", "mixes scripts"),  # Cyrillic а
    ],
)
def test_look_alike_usernames_are_refused(registry, people, username, why):
    with registry.session() as s, pytest.raises(ValidationFailed, match=why):
        auth.create_user(s, username, "lantern-ferry-orchid", auth.ANALYST)


@pytest.mark.parametrize("username", ["INV", "Inv", "\uff49\uff4e\uff56"])  # full-width ｉｎｖ
def test_usernames_are_unique_after_normalisation(registry, people, username):
    with registry.session() as s, pytest.raises(Conflict, match="taken"):
        auth.create_user(s, username, "lantern-ferry-orchid", auth.ANALYST)


def test_single_script_non_latin_usernames_are_fine(registry):
    with registry.session() as s:
        assert auth.create_user(s, "иван.петров", "lantern-ferry-orchid", auth.ANALYST).user.username == "иван.петров"
        assert auth.create_user(s, "Ｊｏｓé", "lantern-ferry-orchid", auth.ANALYST).user.username == "José"
    with registry.session() as s:
        assert login(s, "josé", "lantern-ferry-orchid").user.username == "José"


def test_cli_deactivate_and_reactivate(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from peacewatch.cli import app

    runner = CliRunner()
    monkeypatch.delenv("PEACEWATCH_SECRET_KEY")
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["registry", "init", "--password-stdin"], input="first-coordinator\n")
    token = (tmp_path / "out" / "registry-coordinator.txt").read_text().split("token: ")[1].strip()
    monkeypatch.setenv("PEACEWATCH_TOKEN", token)
    r = runner.invoke(
        app,
        ["registry", "users", "create", "ines", "--role", "investigator", "--password-stdin"],
        input="lantern-ferry-orchid\n",
    )
    assert r.exit_code == 0, r.output
    ines = r.output.split('"token": "')[1].split('"')[0]
    r = runner.invoke(app, ["registry", "users", "deactivate", "ines"])
    assert r.exit_code == 0 and '"active": false' in r.output
    r = runner.invoke(app, ["registry", "cases", "list", "--token", ines])
    assert r.exit_code == 2 and "revoked" in r.output
    r = runner.invoke(app, ["registry", "users", "deactivate", "nobody"])
    assert r.exit_code == 2 and "no user named 'nobody'" in r.output
    r = runner.invoke(app, ["registry", "users", "reactivate", "ines"])
    assert r.exit_code == 0 and '"active": true' in r.output


def test_upgrade_keeps_existing_tokens_working(tmp_path):
    """A database created before sessions existed: each user's token becomes a script session."""
    eng = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    cfg = alembic_config(eng)
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO users (username, password_hash, role, token_hash, active, created_at) "
                "VALUES ('old.timer', 'x', 'coordinator', :h, 1, :t)"
            ),
            {"h": auth.token_hash("legacy-token"), "t": utcnow()},
        )
        conn.execute(text("INSERT INTO personnel VALUES (1, 'SN-1', 'A B', 770, 'all', 2026)"))
        conn.execute(text("INSERT INTO training_modules VALUES (1, 'THB-1', 'T', 'all')"))
        conn.execute(text("INSERT INTO training_completions VALUES (1, 1, 1, '2026-02-01', 90.0)"))
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    from sqlalchemy.orm import Session

    with Session(eng) as s:
        user = auth.user_for_token(s, "legacy-token")
        assert user.username == "old.timer"
        assert (
            s.execute(text("SELECT username_key FROM users WHERE id = :i"), {"i": user.id}).scalar_one() == "old.timer"
        )
        # personnel were rebuilt (key per nation) without losing the completions that reference them
        assert s.execute(text("SELECT person_id, score FROM training_completions")).all() == [(1, 90.0)]
        s.execute(text("INSERT INTO personnel VALUES (2, 'SN-1', 'C D', 771, 'all', 2026)"))
        s.rollback()
    with eng.begin() as conn:  # and back: the live token returns to the users table
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        assert conn.execute(text("SELECT token_hash FROM users")).scalar_one() == auth.token_hash("legacy-token")
    eng.dispose()


def test_init_keeps_the_first_coordinators_secrets_off_the_terminal(tmp_path, monkeypatch):
    """`registry init` writes the generated password and the token to a 0600 file and prints its path."""
    from typer.testing import CliRunner

    from peacewatch.cli import app

    monkeypatch.delenv("PEACEWATCH_SECRET_KEY")
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "secret" / "first.txt"
    r = CliRunner().invoke(app, ["registry", "init", "--admin", "cora", "--credentials", str(target)])
    assert r.exit_code == 0, r.output
    text = target.read_text()
    password = text.split("password: ")[1].split("\n")[0]
    token = text.split("token: ")[1].strip()
    assert "username: cora" in text and len(password) >= 12 and len(token) >= 20
    assert password not in r.output and token not in r.output
    assert f"password and token in {target} (mode 0600" in r.output
    assert target.stat().st_mode & 0o777 == 0o600
    from peacewatch.registry.service import Registry

    reg = Registry()
    try:
        with reg.session() as s:
            assert login(s, "cora", password).user.role == auth.COORDINATOR
    finally:
        reg.dispose()
