"""Helpers shared by the registry screens: form parsing, safe redirects, login guard."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated

from fastapi import Depends, Path, Request

from peacewatch.registry.errors import RegistryError, ValidationFailed
from peacewatch.web.negotiate import wanted_format
from peacewatch.web.routes.session import LoginRequired, login_redirect
from peacewatch.web.security import CSRF_FIELD, check_csrf, check_same_origin

#: A path id on every registry screen: bounded like the API's, so a huge number is a 422, never a 500.
PathId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def blanks_to_none(fields: dict) -> dict:
    """The non-blank fields of a form (a blank field means "not given")."""
    return {k: v for k, v in fields.items() if v is not None and not (isinstance(v, str) and not v.strip())}


def labelled(exc: ValidationFailed, labels: dict[str, str]) -> str:
    """The message of ``exc`` with the form's labels instead of the schema's field names."""
    parts = []
    for p in exc.problems:
        field = ".".join(str(x) for x in p["loc"] if x not in ("body", "query", "path"))
        parts.append(f"{labels.get(field, field.replace('_', ' '))}: {p['msg']}" if field else p["msg"])
    return "; ".join(parts)


def field_errors(exc: ValidationFailed, aliases: dict[str, str] | None = None) -> dict[str, str]:
    """``{form field: what is wrong}`` for the problems of ``exc`` that name a field, so a form can
    show each message beside its field (``aliases`` maps schema fields to form field names)."""
    out: dict[str, str] = {}
    for p in exc.problems or []:
        field = ".".join(str(x) for x in p["loc"] if x not in ("body", "query", "path"))
        if field:
            field = (aliases or {}).get(field, field)
            out.setdefault(field, p["msg"])
    return out


def echo(form: dict, limit: int = 5_000_000) -> dict[str, str]:
    """The text fields of a submitted form, to fill the form in again after an error (bounded,
    without NUL characters; never the CSRF token or a password)."""
    return {k: v[:limit].replace("\x00", "") for k, v in form_text(form).items() if k not in ("csrf_token", "password")}


#: Acronyms the mission data uses for a mission that is listed under another: IPI names the UN
#: Operation in Côte d'Ivoire by its French acronym ONUCI for 2005-06 and UNOCI otherwise.
MISSION_ALIASES = {"ONUCI": "UNOCI"}


def known_missions(request: Request) -> list[str]:
    """Mission acronyms of the panel's mission list (the missions pages' list), each mission once
    (:data:`MISSION_ALIASES`), sorted; empty when the mission data cannot be read (the forms then
    offer "Other" only)."""
    try:
        return sorted(
            {MISSION_ALIASES.get(str(m["mission"]), str(m["mission"])) for m in request.app.state.store.mission_index}
        )
    except Exception:  # noqa: BLE001 - the registry works without the research data
        return []


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


#: Page titles of refused registry requests (as on the site's error pages).
ERROR_TITLES = {403: "Not allowed", 404: "Not found", 409: "Conflict", 422: "Please check the form"}


def _registry_error_page(request: Request, exc: RegistryError):
    """A refused request as a registry page: the registry navigation of the user (when the token
    still works) around the message, so the user can go on from there."""
    from peacewatch.web.routes.session import acting, user_view
    from peacewatch.web.templating import render

    user = None
    try:
        with acting(request, read_only=True) as act:
            user = user_view(act)
    except (LoginRequired, RegistryError):
        pass
    data = {
        "user": user,
        "title": ERROR_TITLES.get(exc.status_code, "Request refused"),
        "detail": str(exc),
        "status": exc.status_code,
    }
    return render(
        request,
        "registry/error.html",
        data,
        status_code=exc.status_code,
        context={"section": "registry", "names": names(request)},
    )


def guard(handler):
    """Turn :class:`LoginRequired` into a redirect to the login form, and a refused request
    (403, 404, 409, 422) of an HTML page into a registry error page that keeps the navigation.

    JSON callers, rate limits (with their Retry-After) and server-side problems go on to the
    app's error handlers. Handlers are plain functions: FastAPI runs them in its thread pool, so
    database work and password hashing never block the event loop.
    """

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except LoginRequired as exc:
            return login_redirect(exc)
        except RegistryError as exc:
            request = kwargs.get("request")
            if request is None or exc.status_code not in ERROR_TITLES or wanted_format(request) != "html":
                raise
            return _registry_error_page(request, exc)

    return wrapper


async def _form_fields(request: Request) -> dict:
    # Parsed on the event loop (it is async), handed to the synchronous handler as a dict.
    form = dict((await request.form()).items())
    check_csrf(request, form)
    form.pop(CSRF_FIELD, None)
    return form


async def _public_form_fields(request: Request) -> dict:
    form = dict((await request.form()).items())
    check_same_origin(request, allow_opaque=True)
    return form


#: A handler parameter holding a submitted registry form (strings, and UploadFile for file
#: fields) whose CSRF token and origin have been checked.
FormFields = Annotated[dict, Depends(_form_fields)]
#: The anonymous forms: origin checked, no token (no cookie is set on a reporter's browser).
PublicFormFields = Annotated[dict, Depends(_public_form_fields)]


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
