"""What one :class:`~peacewatch.registry.service.Registry` keeps in memory about its database.

Each Registry owns one :class:`DatabaseCaches` (``Registry.caches``), so two registries on two
databases in one process never see each other's state, and dropping a Registry drops its caches
(tests need no global reset). Domain code reaches the caches of the session it was handed through
:func:`of`; a session opened outside a Registry gets fresh, empty ones (nothing is kept).

Process-wide memory that depends on no database stays where it is, each with a one-line comment
saying so: statements built once (:func:`peacewatch.registry.runtime.prebuilt`), the name folding
of the vetting matcher, the TR39 confusables table of user names, the catalogued missions, the
dummy password hash and the parsed signing key (keyed by its file, which belongs to the output
directory, not to a database).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from peacewatch.registry.translog.tiles import TileCache

if TYPE_CHECKING:
    from peacewatch.registry.matching import RecordIndex


class RecentTouches:
    """Sessions whose activity was written lately: requests of one busy session that arrive
    together write its ``last_seen_at`` once, not once each (bounded: forgetting one only costs a
    redundant write)."""

    def __init__(self, limit: int = 10_000):
        self._seen: dict[int, dt.datetime] = {}
        self._limit = limit
        self._lock = threading.Lock()

    def claim(self, session_id: int, now: dt.datetime, every: dt.timedelta) -> bool:
        """True when the caller should write the touch of ``session_id`` at ``now`` (none was
        claimed within ``every`` before it); the claim is recorded."""
        with self._lock:
            last = self._seen.get(session_id)
            if last is not None and dt.timedelta(0) <= now - last < every:
                return False
            if len(self._seen) > self._limit:
                self._seen.clear()
            self._seen[session_id] = now
            return True


class KeptRecordIndex:
    """The vetting screen's index of the misconduct records, with the (record count, highest id) it
    was built at; :func:`peacewatch.registry.vetting.record_index` reads and replaces it under
    ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.built: tuple[int, int, RecordIndex] | None = None


class DatabaseCaches:
    """The in-memory state one Registry keeps about its database.

    Attributes
    ----------
    touches
        Session activity recently written (:func:`peacewatch.registry.auth.touch_session`).
    record_index
        The vetting screen's record index, extended as records are added.
    tiles
        Full hash tiles of the audit log served at ``/log/tile`` (they never change).
    """

    def __init__(self) -> None:
        self.touches = RecentTouches()
        self.record_index = KeptRecordIndex()
        self.tiles = TileCache()


#: Key of ``Session.info`` under which a Registry's sessions carry its caches.
INFO_KEY = "pw_caches"


def of(session: Session) -> DatabaseCaches:
    """The caches of the Registry that opened ``session`` (fresh, unkept ones for any other session)."""
    caches = session.info.get(INFO_KEY)
    return caches if isinstance(caches, DatabaseCaches) else DatabaseCaches()
