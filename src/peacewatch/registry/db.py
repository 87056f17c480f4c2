"""Engine, sessions and schema migrations of the registry.

SQLite is the default (a file under ``out/``); PostgreSQL works through ``postgresql+psycopg://``.
On SQLite a writing transaction starts with ``BEGIN IMMEDIATE`` (it takes the write lock before it
reads, so it never works on a stale snapshot); a read-only one (``Registry.session(read_only=True)``,
an engine with execution option ``pw_read_only``) starts with a plain ``BEGIN`` and, thanks to WAL
mode, never waits for writers. ``synchronous=FULL`` makes a commit durable even if the process is
killed right after it; ``secure_delete`` overwrites deleted rows (held anonymous audit entries).
The database file is created 0600 and an existing one readable by others is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from peacewatch.registry import runtime
from peacewatch.registry.config import database_url
from peacewatch.registry.errors import DatabaseProblem
from peacewatch.registry.files import check_private, check_sqlite_files, create_private
from peacewatch.resources import package_path

if TYPE_CHECKING:
    import sqlite3

MIGRATIONS_DIR = package_path("peacewatch.registry", "migrations")


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: :func:`peacewatch.registry.config.database_url`).

    Parameters
    ----------
    url
        SQLAlchemy database URL. For SQLite files the parent directory is created.
    """
    url = normalize_url(database_url(url))
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        lock_file = None
        if parsed.database and parsed.database != ":memory:":
            db_file = Path(parsed.database)
            check_sqlite_files(db_file)
            create_private(db_file)  # SQLite gives -wal and -shm the mode of the database file
            lock_file = Path(f"{db_file}-writer.lock")
            check_private(lock_file)
            create_private(lock_file)
        # Pool and connection options: registry.runtime (why each).
        engine = create_engine(url, **runtime.sqlite_engine_options())
        _configure_sqlite(engine, lock_file)
        return engine
    return create_engine(url, **runtime.postgres_engine_options(parsed.get_backend_name()))


def _configure_sqlite(engine: Engine, lock_file: Path | None = None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(
        dbapi_conn: sqlite3.Connection,  # pragma: no cover - exercised by every test
        _record: ConnectionPoolEntry,
    ) -> None:
        # Let SQLAlchemy (not pysqlite) decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in runtime.SQLITE_PRAGMAS:  # registry.runtime says what each is for
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    # Writers queue before ``BEGIN IMMEDIATE`` (see runtime.WriterLock); readers never do.
    writers = runtime.WriterLock(lock_file)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:  # pragma: no cover
        if conn.get_execution_options().get("pw_read_only", False):
            conn.exec_driver_sql("BEGIN")
            return
        record = conn.connection._connection_record
        if record is not None and not record.info.get("pw_writer"):
            writers.acquire()
            record.info["pw_writer"] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if record is not None and record.info.pop("pw_writer", False):
                writers.release()
            raise

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_conn: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:  # pragma: no cover
        if record is not None and record.info.pop("pw_writer", False):
            writers.release()

    @event.listens_for(engine.pool, "invalidate")
    def _on_invalidate(
        _dbapi_conn: DBAPIConnection,
        record: ConnectionPoolEntry,  # pragma: no cover
        _exc: BaseException | None,
    ) -> None:
        if record is not None and record.info.pop("pw_writer", False):
            writers.release()


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    cfg = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Apply every pending migration to ``engine``'s database (idempotent)."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def schema_is_current(engine: Engine) -> bool:
    """Return True when the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current == head


def ensure_schema(engine: Engine) -> None:
    """Run the migrations when the schema is missing or behind."""
    if not schema_is_current(engine):
        upgrade(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


URL_FORMS = "sqlite:///path/to/registry.sqlite or postgresql://user@host/database"
POSTGRES_HINT = "install the PostgreSQL driver with `pip install 'peacewatch[postgres]'`"


def normalize_url(url: str) -> str:
    """``url`` with PostgreSQL's common spellings (``postgresql://``, ``postgres://``) mapped to the
    psycopg 3 driver peacewatch uses; raise :class:`DatabaseProblem` for a URL that cannot be parsed,
    an unknown database kind or a missing driver."""
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseProblem(f"--db {_shown(url)!r} is not a database URL; use {URL_FORMS}") from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise DatabaseProblem(f"{_shown(url)} is a PostgreSQL database: {POSTGRES_HINT}") from None
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseProblem(
            f"--db {_shown(url)}: peacewatch keeps its registry in SQLite or PostgreSQL; use {URL_FORMS}"
        )
    return parsed.render_as_string(hide_password=False)


def _shown(url: str) -> str:
    """``url`` as it may be printed (password hidden when it parses)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL may hold a password: show only its start
        return url.split("@")[-1] if "@" in url else url


def describe_database_error(exc: BaseException, url: str | None) -> DatabaseProblem | None:
    """One-line :class:`DatabaseProblem` for an error met while opening or using the database at ``url``
    (refused connection, wrong password, missing database, unreadable file), else ``None``."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    if isinstance(exc, DatabaseProblem):
        return exc
    where = _shown(url) if url else "the registry database"
    if isinstance(exc, ArgumentError):
        return DatabaseProblem(f"--db {where!r} is not a database URL; use {URL_FORMS}")
    if isinstance(exc, NoSuchModuleError):
        return DatabaseProblem(f"--db {where}: unknown kind of database; use {URL_FORMS}")
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("psycopg"):
        return DatabaseProblem(f"{where} is a PostgreSQL database: {POSTGRES_HINT}")
    if not isinstance(exc, DBAPIError):
        return None
    text = " ".join(str(exc.orig if exc.orig is not None else exc).split()).lower()
    for needle, problem in (
        (
            "password authentication failed",
            "the password (or user name) was refused; check the user and password in --db",
        ),
        ("no password supplied", "the server wants a password; put it in --db (user:password@host)"),
        ("role", "the user name was refused (the server has no such user); check the user in --db"),
        ("does not exist", "the database does not exist; create it (`createdb NAME`) or fix the name in --db"),
        ("connection refused", "the connection was refused; is the database server running on that host and port?"),
        ("timeout expired", "the database server did not answer in time; check the host and port in --db"),
        ("could not translate host name", "the host name is unknown; check the host in --db"),
        ("failed to resolve host", "the host name is unknown; check the host in --db"),
        ("name or service not known", "the host name is unknown; check the host in --db"),
        (
            "unable to open database file",
            "the database file cannot be opened; check the path and its folder's permissions",
        ),
        ("file is not a database", "that file is not a database; check the path in --db"),
        ("is not a database", "that file is not a database; check the path in --db"),
        ("permission denied", "permission denied; check the user's rights on the database"),
        ("readonly database", "the database is read-only for this user; check the file's permissions"),
    ):
        if needle in text:
            return DatabaseProblem(f"{where}: {problem}")
    if exc.connection_invalidated:
        return DatabaseProblem(f"{where}: the connection failed ({text[:200]})")
    return None


def open_existing(url: str | None = None) -> Engine:
    """An engine on an existing, up-to-date peacewatch registry: never creates a file, a table or a
    migration (commands other than ``registry init`` use this, so a typo in ``--db`` is an error, not a
    new empty registry). Raises :class:`DatabaseProblem` with the fix otherwise."""
    url = normalize_url(database_url(url))
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not Path(parsed.database).is_file()
    ):
        raise DatabaseProblem(
            f"no registry at {parsed.database}: check the path in --db, or create a registry "
            f"there with `peacewatch registry init --db {shown}`"
        )
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    except Exception as exc:  # noqa: BLE001 - described in one line when it is the database's answer
        engine.dispose()
        raise (describe_database_error(exc, url) or exc) from None
    if current is None:
        engine.dispose()
        raise DatabaseProblem(
            f"{shown} is not a peacewatch registry (no registry tables): run "
            f"`peacewatch registry init --db {shown}` to create one there"
        )
    if current != head:
        engine.dispose()
        raise DatabaseProblem(
            f"the registry at {shown} has an older schema than this peacewatch: run "
            f"`peacewatch registry init --db {shown}` to migrate it (back it up first)"
        )
    return engine
