"""Accounts screen (coordinators): every user with role and nation, and a button that deactivates
an account (its sessions end at once) or lets it log in again. The work is the registry's
(:mod:`peacewatch.registry.operations.users`); this module only adapts forms and pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse

from peacewatch.registry import operations as ops
from peacewatch.registry.errors import Conflict, NotFound, ValidationFailed
from peacewatch.web.routes.forms import FormFields, guard, names
from peacewatch.web.routes.session import user_session, user_view
from peacewatch.web.templating import render

router = APIRouter(prefix="/registry")
Username = Annotated[str, Path(min_length=1, max_length=80)]
DONE = {"deactivated": "{} can no longer log in; every session it held has ended.",
        "reactivated": "{} can log in again (with a new login; old sessions stay ended)."}


def _users_page(request: Request, *, done: str | None = None, error: str | None = None, status_code: int = 200):
    with user_session(request) as (s, u):
        user = user_view(u)
        users = ops.users.list_users(s, u)
    data = {"user": user, "users": users, **({"done": done} if done else {}), **({"error": error} if error else {})}
    return render(request, "registry/users.html", data, context={"section": "registry", "names": names(request)},
                  status_code=status_code)


@router.get("/users", summary="Accounts: deactivate or reactivate users (coordinators)")
@guard
def users_page(request: Request, done: str | None = None, who: str | None = None):
    note = DONE[done].format(who) if done in DONE and who else None
    return _users_page(request, done=note)


def _change(request: Request, username: str, call, done: str):
    try:
        with user_session(request) as (s, u):
            out = call(s, u, username)
    except (ValidationFailed, NotFound, Conflict) as exc:
        return _users_page(request, error=str(exc), status_code=exc.status_code)
    return RedirectResponse(f"/registry/users?done={done}&who={out['username']}", status_code=303)


@router.post("/users/{username}/deactivate", summary="Deactivate a user (coordinators)")
@guard
def users_deactivate(request: Request, username: Username, form: FormFields):
    return _change(request, username, ops.users.deactivate_user, "deactivated")


@router.post("/users/{username}/reactivate", summary="Reactivate a user (coordinators)")
@guard
def users_reactivate(request: Request, username: Username, form: FormFields):
    return _change(request, username, ops.users.reactivate_user, "reactivated")
