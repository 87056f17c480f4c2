"""Who is asking: the registry user behind the ``pw_token`` cookie (or a Bearer token).

Screens reach the registry the way the API does: through its dispatcher
(:func:`peacewatch.registry.policy.acting`), which resolves the user from the token and checks the
role and the input of every operation. A screen that only reads opens a read-only transaction.
HTML pages send an anonymous visitor to the login form; JSON callers get HTTP 401 with the
registry's message. The cookie is the same token the registry API accepts, so a logged-in browser
can call ``/api/registry`` too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from peacewatch.registry import policy
from peacewatch.registry.api import COOKIE
from peacewatch.registry.errors import Unauthorized
from peacewatch.web.negotiate import wanted_format


class LoginRequired(Exception):
    """An HTML request without a valid token: answered with a redirect to the login form."""

    def __init__(self, next_url: str):
        self.next_url = next_url


def token_of(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.cookies.get(COOKIE)


@contextmanager
def acting(request: Request, *, read_only: bool) -> Iterator[policy.Actor]:
    """The calling user in one registry transaction (committed on success): call it with an
    operation and its input. ``read_only`` for screens that only read (GET pages)."""
    registry = request.app.state.registry
    try:
        with policy.acting(registry, token_of(request), read_only=read_only) as actor:
            yield actor
    except Unauthorized:
        if wanted_format(request) == "html":
            raise LoginRequired(request.url.path) from None
        raise


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    return RedirectResponse(f"/registry/login?next={quote(exc.next_url)}", status_code=303)


def user_view(actor: policy.Actor) -> dict:
    u = actor.user
    return {"username": u.username, "role": u.role, "tcc_ccode": u.tcc_ccode}
