"""Helpers shared by the registry screens: form parsing, safe redirects, login guard."""

from __future__ import annotations

import datetime as dt
import functools

from fastapi import Request

from peacewatch.registry.errors import ValidationFailed
from peacewatch.web.routes.session import LoginRequired, login_redirect


def names(request: Request) -> dict[int, str]:
    """COW code -> country name, for showing TCCs and nations by name."""
    return request.app.state.store.country_names


def safe_next(url: str | None) -> str | None:
    # Only local paths: never redirect a freshly logged-in user to another site.
    return url if url and url.startswith("/") and not url.startswith("//") else None


def int_or_none(value, field: str) -> int | None:
    """A form field as an integer (empty -> None); a clear error names the field otherwise."""
    value = (value or "").strip() if isinstance(value, str) else value
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(f"{field} must be a whole number, got {value!r}") from None


def date_or_none(value: str | None, field: str) -> dt.date | None:
    """A form field as an ISO date (empty -> None)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{field} must be a date like 2024-03-31, got {value!r}") from None


def guard(handler):
    """Turn :class:`LoginRequired` into a redirect to the login form (HTML only)."""
    @functools.wraps(handler)
    async def wrapper(*args, **kwargs):
        try:
            return await handler(*args, **kwargs)
        except LoginRequired as exc:
            return login_redirect(exc)
    return wrapper
