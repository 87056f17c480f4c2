"""PostgreSQL: anonymous rows are rewritten so that neither their transaction id nor their place in
the table orders them against staff actions.

Every PostgreSQL row carries the id of the transaction that wrote it (``xmin``, handed out in the
order transactions first write) and sits where it was written (``ctid``); staff audit entries are
timed to the microsecond, so an anonymous row written in its own transaction would be placed between
two staff actions by either. :func:`reseal` rewrites the anonymous rows of today and yesterday
(intake reports and messages, the held audit entries of today: the first batch of a day releases
the older ones) and every unshown receipt handle in the current transaction, one row at a time in
the order of their random keys: afterwards they all carry this transaction's id, and their new
places follow the random keys, not the order they were written in.

It runs in every transaction that writes anonymous rows (so the newest one cannot be told from the
others of its two days) and, at most once a minute per process, in a batch of the sequencer whatever
happened (so the days' rows soon carry the id of an arbitrary later batch, which says nothing of when
anyone reported). SQLite needs none of it: its rowid tables are stored in the order of their random
ids and the others are ``WITHOUT ROWID``.

Limits: until the next reseal, a copy of the database shows the transaction of the latest anonymous
write (not which row it wrote); a new version may stay on its row's page when the page has room
(pages can then group rows written close together); and the replaced versions stay in the pages,
readable only with raw page access (``pageinspect``), until VACUUM removes them.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Column, Table, bindparam, select, update
from sqlalchemy.engine import Connection

from peacewatch.registry.models import AuditAnonymous, IntakeMessage, IntakeReport, ReceiptHandle

_REPORTS = cast(Table, IntakeReport.__table__)
_MESSAGES = cast(Table, IntakeMessage.__table__)
_HELD = cast(Table, AuditAnonymous.__table__)
_HANDLES = cast(Table, ReceiptHandle.__table__)


def _rewrite(conn: Connection, table: Table, key: Column[object], since: object | None) -> int:
    """Rewrite ``table``'s rows (those of days since ``since``, or all) one by one in key order."""
    stmt = select(key).order_by(key)
    if since is not None:
        day = table.c.day if "day" in table.c else table.c.received_on
        stmt = stmt.where(day >= since)
    keys = conn.execute(stmt).scalars().all()
    if keys:
        # key = key: a new version of the row, written by this transaction. One statement per row,
        # in key order: a single UPDATE would write the new versions in the old physical order, and
        # a fixed order keeps two concurrent reseals from deadlocking on each other's rows.
        conn.execute(
            update(table).where(key == bindparam("k")).values({key.name: bindparam("k")}),
            [{"k": k} for k in keys],
        )
    return len(keys)


def reseal(conn: Connection, today: dt.date) -> int:
    """Rewrite the intake rows of ``today`` and the day before, the held entries of ``today`` and
    every receipt handle, in
    ``conn``'s transaction (PostgreSQL only; nothing elsewhere). Returns the rows rewritten.

    Call it before taking the audit log's lock: it waits for the row locks of a staff writer, which
    takes that lock at its own commit."""
    if conn.dialect.name != "postgresql":
        return 0
    yesterday = today - dt.timedelta(days=1)
    return (
        _rewrite(conn, _REPORTS, _REPORTS.c.id, yesterday)
        + _rewrite(conn, _MESSAGES, _MESSAGES.c.id, yesterday)
        # held entries of today only: older ones are the sequencer's to release (it deletes them under
        # the log's lock and must not wait for rows a reseal holds while waiting for that lock)
        + _rewrite(conn, _HELD, _HELD.c.key, today.isoformat())
        + _rewrite(conn, _HANDLES, _HANDLES.c.key, None)
    )
