"""Who is asking: the registry user behind the ``pw_token`` cookie (or a Bearer token).

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
from sqlalchemy.orm import Session

from peacewatch.registry.api import COOKIE
from peacewatch.registry.errors import Unauthorized
from peacewatch.registry.models import User
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
def user_session(request: Request) -> Iterator[tuple[Session, User]]:
    """A registry transaction and the calling user (commit on success)."""
    registry = request.app.state.registry
    try:
        with registry.as_user(token_of(request)) as (s, u):
            yield s, u
    except Unauthorized:
        if wanted_format(request) == "html":
            raise LoginRequired(request.url.path) from None
        raise


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    return RedirectResponse(f"/registry/login?next={quote(exc.next_url)}", status_code=303)


def user_view(u: User) -> dict:
    return {"username": u.username, "role": u.role, "tcc_ccode": u.tcc_ccode}
