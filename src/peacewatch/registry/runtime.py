"""How the registry runs in one process: pools, SQLite pragmas, the writers' queue, threads, the
collector and statements built once. Every figure behind these choices is in BENCHMARKS.md
(Registry); this module says what each setting is for, and the rest of the registry takes its
settings from here (:mod:`.db` the engine's, :mod:`.api.deps` the threads', :mod:`.auth` the
hashing slots, the API app the collector's).

None of it decides what is stored or who may see it: a setting here changes how fast the registry
answers under load, never what it answers. (``BEGIN IMMEDIATE`` for writers, in :mod:`.db`, is
what excludes a second writer; the queue here only keeps writers from sleeping in SQLite's busy
handler.)
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from peacewatch.memo import memoize
from peacewatch.startup_heap import freeze_startup_heap, thaw_heap

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: SQLite's busy handler queues writers of other processes
    fcntl = None

T = TypeVar("T")

__all__ = [
    "HASHING_SLOTS",
    "LOGIN_THREADS",
    "POSTGRES_CONNECT_TIMEOUT",
    "POSTGRES_OVERFLOW",
    "POSTGRES_POOL",
    "REQUEST_THREADS",
    "SCREENING_WORKERS",
    "SQLITE_BUSY_TIMEOUT",
    "SQLITE_OVERFLOW",
    "SQLITE_POOL",
    "SQLITE_PRAGMAS",
    "WriterLock",
    "freeze_startup_heap",
    "login_threads",
    "postgres_engine_options",
    "prebuilt",
    "request_threads",
    "sqlite_engine_options",
    "thaw_heap",
]

# --- connection pools -------------------------------------------------------------------------
#: Kept SQLite connections: one for each thread that may hold one at once (the web pages' sync
#: handlers on anyio's threads, up to 40; the API's request and login threads) plus the sequencer.
#: With SQLAlchemy's default of 5 (+10 overflow) the connections above 5 were closed on return
#: and opened again, and opening one (file, WAL and pragmas) took a large share of the CPU.
SQLITE_POOL = 48
#: Connections opened beyond the pool when every kept one is out (closed again on return).
SQLITE_OVERFLOW = SQLITE_POOL // 2
#: Seconds pysqlite waits for a lock before it gives up (its own busy timeout).
SQLITE_BUSY_TIMEOUT = 30
#: Kept PostgreSQL connections: the request threads, the web pages' and the sequencer share a
#: server whose own processes compete for the same cores, so fewer than on SQLite.
POSTGRES_POOL = 20
#: Connections opened beyond :data:`POSTGRES_POOL` when every kept one is out.
POSTGRES_OVERFLOW = 20
#: Seconds to wait for a PostgreSQL server that does not answer, so a command fails instead of hanging.
POSTGRES_CONNECT_TIMEOUT = 10

#: Pragmas run on every new SQLite connection, in this order. WAL lets readers run beside the one
#: writer; ``synchronous=FULL`` makes a commit durable even if the process is killed right after
#: it; foreign keys are enforced; SQLite's own busy handler (a fallback: writers queue on
#: :class:`WriterLock` first) waits as long as pysqlite does; ``secure_delete`` overwrites deleted
#: rows (held anonymous audit entries leave no trace in free pages).
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=FULL",
    "foreign_keys=ON",
    f"busy_timeout={SQLITE_BUSY_TIMEOUT * 1000}",
    "secure_delete=ON",
)


def sqlite_engine_options() -> dict[str, Any]:
    """``create_engine`` options of a SQLite registry.

    The pool is LIFO: the connection used last goes out first, so a request gets one whose page
    cache is warm (FIFO rotated through all of them and SQLite re-read its pages). Connections are
    shared between threads (a request thread may return one that the sequencer then takes).
    """
    return {
        "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
        "pool_size": SQLITE_POOL,
        "max_overflow": SQLITE_OVERFLOW,
        "pool_use_lifo": True,
    }


def postgres_engine_options(backend: str) -> dict[str, Any]:
    """``create_engine`` options of a server database (``backend`` as SQLAlchemy names it).

    LIFO here too: psycopg prepares a statement on a connection after it ran there a few times, so
    the connection used last is the one that has it prepared. A connection is checked before use
    (a server restart must not fail the next request).
    """
    return {
        "pool_pre_ping": True,
        "pool_size": POSTGRES_POOL,
        "max_overflow": POSTGRES_OVERFLOW,
        "pool_use_lifo": True,
        "connect_args": {"connect_timeout": POSTGRES_CONNECT_TIMEOUT} if backend == "postgresql" else {},
    }


# --- the writers' queue -----------------------------------------------------------------------
class WriterLock:
    """The writers' queue of one SQLite database: a thread lock, plus an flock across processes.

    Writers queue here before ``BEGIN IMMEDIATE``: SQLite's own busy handler sleeps and retries with
    growing pauses and starved some writers under load. In one process a plain lock; across
    processes (``serve --workers N``) an exclusive flock on ``<database>-writer.lock``, whose waiters
    the kernel wakes as soon as it is released. Correctness never depends on either (``BEGIN
    IMMEDIATE`` is what serialises writers); both are held from BEGIN to the connection's return to
    the pool, never by readers, and nothing waits for the audit sequencer while holding them.

    Without ``path`` (an in-memory database) or without ``fcntl`` (Windows) only the thread lock is
    used and other processes fall back to SQLite's busy handler.
    """

    def __init__(self, path: Path | None):
        self._threads = threading.Lock()
        self._fd = None
        if path is not None and fcntl is not None:
            self._fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
            weakref.finalize(self, os.close, self._fd)  # closed with the engine that holds this lock

    def acquire(self) -> None:
        """Wait for this database's write turn (thread lock, then the file lock)."""
        self._threads.acquire()
        if self._fd is not None:
            try:
                assert fcntl is not None  # _fd is opened only where fcntl exists
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # releases the GIL while it waits
            except BaseException:
                self._threads.release()
                raise

    def release(self) -> None:
        """Hand the write turn to the next writer."""
        try:
            if self._fd is not None:
                assert fcntl is not None  # _fd is opened only where fcntl exists
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


# --- threads ----------------------------------------------------------------------------------
#: Threads that run the API's database work in one process: enough to overlap SQLite's and
#: PostgreSQL's waits (I/O, locks, the audit batch) on two cores, few enough that the thread
#: holding the write lock is not kept waiting for the interpreter lock (FastAPI's pool of 40 did).
REQUEST_THREADS = 8
#: Threads for logins: a password check is deliberately slow scrypt, so a burst of logins waits
#: here and never holds a request thread.
LOGIN_THREADS = 4
#: scrypt runs released from the GIL on at most this many threads at once (half the cores): a
#: burst of simultaneous logins would otherwise take every core from the other requests.
HASHING_SLOTS = max(1, (os.cpu_count() or 2) // 2)
#: Background screenings of one registry run one at a time: they queue rather than compete for the
#: cores with the requests.
SCREENING_WORKERS = 1

_pools: dict[str, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(name: str, size: int) -> ThreadPoolExecutor:
    with _pools_lock:
        if name not in _pools:
            _pools[name] = ThreadPoolExecutor(size, thread_name_prefix=f"registry-{name}")
        return _pools[name]


def request_threads() -> ThreadPoolExecutor:
    """The process's pool of request threads, shared by every registry router (made on first use).

    Process-wide on purpose: the bound is on threads competing for this process's interpreter
    lock, whichever registry they serve.
    """
    return _pool("request", REQUEST_THREADS)


def login_threads() -> ThreadPoolExecutor:
    """The process's pool of login threads (password checks), apart from the request threads."""
    return _pool("login", LOGIN_THREADS)


# --- statements built once --------------------------------------------------------------------
def prebuilt(build: Callable[..., T]) -> Callable[..., T]:
    """Decorator: build a statement of one shape once per process and reuse it; values go in as
    bound parameters.

    Building a SQLAlchemy statement and its cache key cost more than running it on the hot paths,
    so statements that run on every request are module constants built at import (the token
    lookup, the case read) and the ones with a few shapes (the case list's filters) are built
    through this on first use. A statement depends only on the code's tables, never on a database,
    so one per process is right.
    """
    return memoize()(build)


# --- the collector ----------------------------------------------------------------------------
# freeze_startup_heap and thaw_heap live in the base layer (peacewatch.startup_heap) because the web
# app, which may not import registry internals, freezes its heap the same way; the registry's API app
# takes them from here.
