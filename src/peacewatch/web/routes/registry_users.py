"""Accounts screens (coordinators): every user with role, nation and status; create an account;
and for one account: set a new password, end its sessions, deactivate or reactivate it.

The work is the registry's (:mod:`peacewatch.registry.operations.users`, performed through
:mod:`peacewatch.registry.policy`: role check, validation, audit); this module only adapts forms and
pages. Every form answers with a redirect (post/redirect/get) and a one-time message; a refused
form comes back filled in (never the password).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request

from peacewatch.registry import operations as ops
from peacewatch.registry import policy
from peacewatch.registry.errors import Conflict, NotFound, ValidationFailed
from peacewatch.web import flash
from peacewatch.web.routes.forms import (
    FormFields,
    blanks_to_none,
    echo,
    field_errors,
    form_text,
    guard,
    int_or_none,
    labelled,
    names,
)
from peacewatch.web.routes.session import acting, user_view
from peacewatch.web.templating import render

router = APIRouter(prefix="/registry")
Username = Annotated[str, Path(min_length=1, max_length=80)]
USER_LABELS = {"username": "Username", "password": "Password", "role": "Role", "tcc_ccode": "Nation (TCC liaisons)"}


def _users_page(
    request: Request,
    *,
    form: dict | None = None,
    error: str | None = None,
    errors: dict | None = None,
    status_code: int = 200,
):
    with acting(request, read_only=True) as act:
        user = user_view(act)
        users = act(ops.users.list_users)
    data = {"user": user, "users": users, **({"error": error} if error else {})}
    context = {
        "section": "registry",
        "names": names(request),
        "roles": policy.ROLES,
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "registry/users.html", data, context=context, status_code=status_code)


@router.get("/users", summary="Accounts: create, deactivate or reactivate users (coordinators)")
@guard
def users_page(request: Request):
    return _users_page(request)


@router.post("/users", summary="Create an account (coordinators)")
@guard
def users_create(request: Request, form: FormFields):
    f = form_text(form)
    try:
        body = blanks_to_none({k: f.get(k) for k in ("username", "password", "role")})
        ccode = int_or_none(f.get("tcc_ccode"), "Nation (TCC liaisons)")
        if ccode is not None:
            body["tcc_ccode"] = ccode
        with acting(request, read_only=False) as act:
            out = act(ops.users.create_user, body)
    except (ValidationFailed, Conflict) as exc:
        errors = field_errors(exc) if isinstance(exc, ValidationFailed) and exc.problems else {}
        message = labelled(exc, USER_LABELS) if isinstance(exc, ValidationFailed) and exc.problems else str(exc)
        return _users_page(request, form=echo(form, 1000), error=message, errors=errors, status_code=exc.status_code)
    return flash.redirect(
        request,
        "/registry/users",
        f"Account {out['username']} created. Give the password to its owner in person; they can log in now.",
    )


def _user_page(
    request: Request, username: str, *, error: str | None = None, errors: dict | None = None, status_code: int = 200
):
    with acting(request, read_only=True) as act:
        user = user_view(act)
        key = username.casefold()
        found = [x for x in act(ops.users.list_users) if x["username"].casefold() == key]
    if not found:
        raise NotFound(f"no user named {username!r}")
    data = {"user": user, "account": found[0], **({"error": error} if error else {})}
    return render(
        request,
        "registry/user.html",
        data,
        status_code=status_code,
        context={"section": "registry", "names": names(request), "errors": errors or {}},
    )


@router.get("/users/{username}", summary="One account: password, sessions, status (coordinators)")
@guard
def user_page(request: Request, username: Username):
    return _user_page(request, username)


def _back(username: str) -> str:
    return f"/registry/users/{quote(username, safe='')}"


def _change(request: Request, username: str, call, message: str, *args):
    try:
        with acting(request, read_only=False) as act:
            out = act(call, username, *args)
    except (ValidationFailed, Conflict) as exc:
        errors = field_errors(exc) if isinstance(exc, ValidationFailed) and exc.problems else {}
        text = labelled(exc, USER_LABELS) if isinstance(exc, ValidationFailed) and exc.problems else str(exc)
        return _user_page(request, username, error=text, errors=errors, status_code=exc.status_code)
    ended = out.get("sessions_ended")
    detail = "" if ended is None else f" {ended} session{'s' if ended != 1 else ''} ended."
    return flash.redirect(request, _back(out["username"]), message.format(out["username"]) + detail)


@router.post("/users/{username}/deactivate", summary="Deactivate a user (coordinators)")
@guard
def users_deactivate(request: Request, username: Username, form: FormFields):
    return _change(
        request, username, ops.users.deactivate_user, "{} can no longer log in; every session it held has ended."
    )


@router.post("/users/{username}/reactivate", summary="Reactivate a user (coordinators)")
@guard
def users_reactivate(request: Request, username: Username, form: FormFields):
    return _change(
        request, username, ops.users.reactivate_user, "{} can log in again (with a new login; old sessions stay ended)."
    )


@router.post("/users/{username}/password", summary="Set a new password for a user (coordinators)")
@guard
def users_reset_password(request: Request, username: Username, form: FormFields):
    body = blanks_to_none({"password": form_text(form).get("password")})
    return _change(
        request, username, ops.users.reset_password, "New password set for {}. Give it to them in person.", body
    )


@router.post("/users/{username}/revoke-sessions", summary="End every session of a user (coordinators)")
@guard
def users_revoke_sessions(request: Request, username: Username, form: FormFields):
    return _change(
        request,
        username,
        ops.users.revoke_sessions,
        "Every session and script token of {} has ended; they can log in again with their password.",
    )
