"""Database mistakes on the command line (issue 24, item 1): one line naming the problem and the fix,
exit 2, never "a bug"; commands other than ``registry init`` never create or migrate a registry."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.registry.db import describe_database_error, normalize_url
from peacewatch.registry.errors import DatabaseProblem

runner = CliRunner()
PG_URL = os.environ.get("PEACEWATCH_TEST_PG_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="PEACEWATCH_TEST_PG_URL not set")


def _one_line_error(args: list[str], *needles: str) -> str:
    r = runner.invoke(app, ["registry", *args, "--token", "t"])
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert r.exit_code == 2, r.output
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    assert "bug" not in lines[0] and "Traceback" not in r.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("xyz", "is not a database URL; use sqlite:///"),
        ("foo://a/b", "peacewatch keeps its registry in SQLite or PostgreSQL"),
        ("mysql://u@h/db", "peacewatch keeps its registry in SQLite or PostgreSQL"),
    ],
)
def test_a_malformed_db_url_is_one_line(url, needle):
    _one_line_error(["users", "list", "--db", url], needle)


def test_a_refused_connection_names_the_server_and_hides_the_password():
    port = _closed_port()
    line = _one_line_error(
        ["users", "list", "--db", f"postgresql://pw:s3cret@127.0.0.1:{port}/registry"],
        "the connection was refused",
        f"127.0.0.1:{port}",
    )
    assert "s3cret" not in line


def test_postgresql_url_without_driver_name_uses_psycopg():
    assert normalize_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_url("postgres://u@h:5433/db") == "postgresql+psycopg://u@h:5433/db"
    assert normalize_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"


def test_postgresql_url_without_psycopg_installed_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    _one_line_error(["users", "list", "--db", "postgresql://u@127.0.0.1/db"], "pip install 'peacewatch[postgres]'")


@pytest.mark.parametrize(
    ("server_says", "needle"),
    [
        (
            (
                'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  password '
                'authentication failed for user "pw"'
            ),
            "the password (or user name) was refused",
        ),
        (
            (
                'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  database '
                '"registy" does not exist'
            ),
            "the database does not exist",
        ),
    ],
)
def test_server_refusals_read_as_what_to_fix(server_says, needle):
    """The messages libpq gives for a wrong password and a missing database (a live check of both runs
    with PEACEWATCH_TEST_PG_URL below)."""
    exc = OperationalError("connect", {}, Exception(server_says))
    problem = describe_database_error(exc, "postgresql+psycopg://pw:secret@127.0.0.1/registy")
    assert isinstance(problem, DatabaseProblem) and needle in str(problem) and "secret" not in str(problem)


def test_a_typo_in_a_sqlite_path_creates_nothing(tmp_path):
    typo = tmp_path / "typo_dir" / "x.sqlite"
    _one_line_error(["users", "list", "--db", f"sqlite:///{typo}"], f"no registry at {typo}", "registry init")
    assert not typo.parent.exists()


def test_the_default_registry_is_not_created_by_a_read_command(tmp_path):
    _one_line_error(["cases", "list"], "no registry at", "peacewatch registry init")
    assert not (tmp_path / "out" / "peacewatch.sqlite").exists()


def test_an_empty_sqlite_file_is_not_a_registry_and_stays_empty(tmp_path):
    db = tmp_path / "empty.sqlite"
    db.touch(mode=0o600)
    _one_line_error(
        ["cases", "list", "--db", f"sqlite:///{db}"], "is not a peacewatch registry", "run `peacewatch registry init"
    )
    engine = create_engine(f"sqlite:///{db}")
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_init_still_creates_the_registry(tmp_path):
    db = tmp_path / "new" / "registry.sqlite"
    r = runner.invoke(app, ["registry", "init", "--db", f"sqlite:///{db}"])
    assert r.exit_code == 0, r.output
    assert db.is_file()
    r = runner.invoke(app, ["registry", "users", "list", "--db", f"sqlite:///{db}", "--token", "wrong"])
    assert r.exit_code == 2 and "invalid or revoked token" in r.output


def test_no_exception_noise_at_exit(tmp_path):
    """A real process: init, then a read command; nothing is printed about connections finalised at exit."""
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
        "PEACEWATCH_OUT_DIR": str(tmp_path / "out"),
    }
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    subprocess.run(
        [sys.executable, "-m", "peacewatch.cli", "registry", "init", "--db", db],
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    token = (tmp_path / "out" / "registry-coordinator.txt").read_text().split("token: ")[1].strip()
    r = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::ResourceWarning",
            "-m",
            "peacewatch.cli",
            "registry",
            "users",
            "list",
            "--db",
            db,
            "--token",
            token,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "coordinator" in r.stdout
    assert "Exception ignored" not in r.stderr and "Traceback" not in r.stderr, r.stderr


# --- live PostgreSQL (the lead's CI sets PEACEWATCH_TEST_PG_URL) --------------------------------------


def _server_accepts(url: str) -> bool:
    """True when the server lets this URL in (trust authentication ignores the password)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001 - any refusal is what the caller wants to know
        return False
    finally:
        engine.dispose()


@needs_pg
def test_pg_wrong_password_and_missing_database():
    url = make_url(PG_URL)
    # A user the server does not know is refused whatever its authentication method (the tests'
    # throw-away server trusts every local user, so it checks no password).
    stranger = url.set(username=f"pw_nobody_{uuid.uuid4().hex[:8]}", password="x").render_as_string(hide_password=False)
    _one_line_error(["users", "list", "--db", stranger], "user name was refused")
    wrong = url.set(password="not-the-password").render_as_string(hide_password=False)
    if not _server_accepts(wrong):
        _one_line_error(["users", "list", "--db", wrong], "was refused")
    missing = url.set(database=f"pw_missing_{uuid.uuid4().hex[:8]}").render_as_string(hide_password=False)
    _one_line_error(["users", "list", "--db", missing], "the database does not exist")


@needs_pg
def test_pg_empty_database_gets_no_tables_from_a_read_command():
    name = f"pw_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        _one_line_error(["users", "list", "--db", url], "is not a peacewatch registry", "run `peacewatch registry init")
        engine = create_engine(url)
        assert inspect(engine).get_table_names() == []
        engine.dispose()
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_registry_behind_the_schema_is_not_migrated_by_a_read_command(tmp_path):
    db = tmp_path / "old.sqlite"
    assert runner.invoke(app, ["registry", "init", "--db", f"sqlite:///{db}"]).exit_code == 0
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    _one_line_error(
        ["users", "list", "--db", f"sqlite:///{db}"], "older schema than this peacewatch", "registry init --db"
    )
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0001"
    engine.dispose()
