"""A password login in one call, for tests that open sessions directly (the app itself checks the
password in a read-only session, then issues the token in a writing one: see ``operations.users.login``)."""

from __future__ import annotations

import datetime as dt

from peacewatch.registry import auth


def login(session, username: str, password: str, *, now: dt.datetime | None = None) -> auth.NewUser:
    """Check ``password`` and open a new session for ``username`` (its other sessions stay open)."""
    return auth.issue_token(session, auth.authenticate(session, username, password), now=now)
