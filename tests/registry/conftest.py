"""Fixtures of the registry tests: every database test runs on SQLite and, when
``PEACEWATCH_TEST_PG_URL`` is set (CI), on PostgreSQL too."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from peacewatch.registry import auth
from peacewatch.registry.api import create_app
from peacewatch.registry.db import make_engine, upgrade
from peacewatch.registry.models import Base
from peacewatch.registry.service import Registry

PG_URL = os.environ.get("PEACEWATCH_TEST_PG_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason="PEACEWATCH_TEST_PG_URL not set")],
    ),
]

#: Test passwords are "<username>-" + this (long and strong enough for the policy).
PASSWORD_TAIL = "amber-harbour-7"

TCC_A = 770  # Pakistan
TCC_B = 771  # Bangladesh


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    monkeypatch.setenv("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(tmp_path / "out"))
    for var in ("PEACEWATCH_DB_URL", "PEACEWATCH_TOKEN", "PEACEWATCH_MIN_CELL"):
        monkeypatch.delenv(var, raising=False)
    # Cheap scrypt in tests only; the stored hash records its parameters, so checks still work.
    monkeypatch.setattr(auth, "_SCRYPT", {"n": 2**4, "r": 8, "p": 1})


def _pg_database() -> tuple[str, callable]:
    name = f"pw_registry_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated database per backend for the whole session (emptied before each test)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'registry.sqlite'}"
        drop = lambda: None  # noqa: E731
    else:
        url, drop = _pg_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    drop()


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    with eng.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    yield eng
    eng.dispose()


@pytest.fixture
def registry(engine):
    return Registry(engine=engine)


class People:
    """One user per role (two TCC liaisons), with their tokens."""

    def __init__(self, registry: Registry):
        self.tokens: dict[str, str] = {}
        self.users = {}
        with registry.session() as s:
            for name, role, tcc in [
                ("rep", auth.REPORTER, None),
                ("inv", auth.INVESTIGATOR, None),
                ("coord", auth.COORDINATOR, None),
                ("liaison_a", auth.TCC_LIAISON, TCC_A),
                ("liaison_b", auth.TCC_LIAISON, TCC_B),
                ("analyst", auth.ANALYST, None),
            ]:
                new = auth.create_user(s, name, f"{name}-{PASSWORD_TAIL}", role, tcc)
                self.tokens[name] = new.token
                self.users[name] = new.user

    def headers(self, name: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


@pytest.fixture
def people(registry) -> People:
    return People(registry)


@pytest.fixture
def client(registry):
    with TestClient(create_app(registry=registry)) as c:
        yield c


API = "/api/registry"

CASE_BODY = {
    "mission": "MINUSTAH",
    "tcc_ccode": TCC_A,
    "category": "sexual_exploitation",
    "summary": "Exchange of food for sex reported near the Cite Soleil base",
    "subject_name": "Sgt. Imran Qureshi",
    "incident_date": "2026-01-05",
    "victim": {"name": "Marie-Claire Joseph", "age": 16, "contact": "via NGO"},
}

NAMES = ["Imran Qureshi", "Marie-Claire Joseph", "Qureshi", "Joseph"]


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour)


class _Names:
    """Stands in for the web app's data store: the registry screens only need country names."""

    country_names = {TCC_A: "Pakistan", TCC_B: "Bangladesh"}


def web_app(database_url, **security):
    """The whole web app on the test database (no data panel), with security settings overridden."""
    from peacewatch.registry.settings import SecuritySettings
    from peacewatch.web.app import create_app as create_web_app
    from peacewatch.web.settings import WebSettings

    app = create_web_app(WebSettings(db_url=database_url, preload=False), SecuritySettings(**security))
    app.state.store = _Names()
    return app


@pytest.fixture
def web(database_url, engine):
    """A test client of the web app (redirects not followed)."""
    with TestClient(web_app(database_url), follow_redirects=False) as c:
        yield c
