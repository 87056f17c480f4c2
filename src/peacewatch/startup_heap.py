"""Keep the garbage collector from pausing a server: freeze what start-up built.

A server process holds a great many long-lived objects once it has started (modules, FastAPI
routes, pydantic schemas, SQLAlchemy mappers, cached data). CPython's full collection walks all of
them and holds the interpreter lock while it does: on the registry API under load one full
collection paused every thread, and the queue it left multiplied the p99 latency (measurements in
BENCHMARKS.md, Registry). ``gc.freeze()`` moves the objects alive at the
end of start-up into a permanent generation that collections skip; objects made afterwards are
collected as before. The same technique Instagram and others use for forked web servers.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect once, then exempt every surviving object from later collections.

    Call it when a server has finished starting (each worker process calls it for itself).
    Returns how many objects are now frozen.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def thaw_heap() -> None:
    """Undo :func:`freeze_startup_heap` when a server stops, so that what it leaves behind can be
    collected (a test process starts and stops many apps)."""
    gc.unfreeze()
