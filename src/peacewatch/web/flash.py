"""Post/redirect/get for the registry forms: a form that succeeds answers 303 to a GET page and
leaves a one-time message for it.

The message travels in a short-lived signed cookie (``pw_flash``, ``HttpOnly``, ``SameSite=Strict``,
path ``/registry``) that the next registry page shows once and deletes, so reloading that page
neither repeats the POST nor shows the message again. Nothing is stored on the server.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature

from peacewatch.web.security import signer

FLASH_COOKIE = "pw_flash"
#: A message older than this is dropped unread (the redirect is followed at once).
MAX_AGE_SECONDS = 120
_SALT = "peacewatch-flash"


def redirect(request: Request, url: str, message: str | None = None, **extra) -> RedirectResponse:
    """A 303 to ``url`` carrying ``message`` (and small JSON-ready ``extra`` values a page may show,
    such as the cases just escalated) for the next registry page to show once."""
    response = RedirectResponse(url, status_code=303)
    if message:
        secure = bool(getattr(request.app.state.settings, "secure_cookies", False))
        value = signer(request, _SALT).dumps({"message": message[:500], **extra})
        response.set_cookie(
            FLASH_COOKIE,
            value,
            max_age=MAX_AGE_SECONDS,
            httponly=True,
            samesite="strict",
            path="/registry",
            secure=secure,
        )
    return response


def take(request: Request) -> dict | None:
    """The message waiting for this request as ``{"message": ..., **extra}`` (None when there is
    none, it is too old or it was not signed by this app)."""
    value = request.cookies.get(FLASH_COOKIE)
    if not value:
        return None
    try:
        out = signer(request, _SALT).loads(value, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    return out if isinstance(out, dict) and isinstance(out.get("message"), str) else None


def clear(request: Request, response) -> None:
    """Delete the message cookie once a page has shown it."""
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path="/registry")
