"""Helpers shared by the registry screens: form parsing, safe redirects, login guard."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated

from fastapi import Depends, Request

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
    """Turn :class:`LoginRequired` into a redirect to the login form (HTML only).

    Handlers are plain functions: FastAPI runs them in its thread pool, so database work and
    password hashing never block the event loop.
    """
    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except LoginRequired as exc:
            return login_redirect(exc)
    return wrapper


async def _form_fields(request: Request) -> dict:
    # Parsed on the event loop (it is async), handed to the synchronous handler as a dict.
    return dict((await request.form()).items())


#: A handler parameter holding the submitted form (strings, and UploadFile for file fields).
FormFields = Annotated[dict, Depends(_form_fields)]


def form_text(form: dict) -> dict[str, str]:
    """The text fields of a form (file fields dropped)."""
    return {k: v for k, v in form.items() if isinstance(v, str)}


def upload_text(form: dict, field: str, label: str) -> tuple[str, str]:
    """CSV text from the file field ``field`` or, if no file was chosen, the ``<field>_text`` box."""
    upload = form.get(field)
    if upload is not None and not isinstance(upload, str):
        raw = upload.file.read()
        if raw:
            try:
                return raw.decode("utf-8"), upload.filename or label
            except UnicodeDecodeError:
                raise ValidationFailed(f"{upload.filename}: not UTF-8 text; save the CSV as UTF-8") from None
    text = str(form.get(field + "_text", "") or "")
    if not text.strip():
        raise ValidationFailed(f"choose a CSV file or paste the CSV text for the {label}")
    return text, label
