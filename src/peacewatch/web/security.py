"""Request safety shared by the web app and the standalone registry API.

* ``Cache-Control: no-store`` and ``Vary: Accept`` on every registry and intake response (except the
  public audit-log checkpoint and tiles under ``/api/registry/log``, which are hashes only and cacheable);
* forwarding headers (``X-Forwarded-For``) believed only from configured proxies;
* a size limit on every request body (a larger one for the CSV upload routes), answered with a
  413 that says what the limit is, whether the body announces its length or streams past it;
* CSRF protection of every state-changing form: a signed double-submit token (itsdangerous) bound
  to a random ``pw_csrf`` cookie, plus an Origin/Referer check, login included.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException, Request, Response
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from peacewatch.registry.errors import Forbidden
from peacewatch.registry.settings import SecuritySettings

#: Renders an error for a browser: ``page(request, status, title, message)`` (the web app's error page).
ErrorPage = Callable[[Request, int, str, str], Response]
#: Paths whose responses are private: never stored by a browser or a shared cache.
PRIVATE_PREFIXES = ("/registry", "/api/registry", "/report")
#: Public, cacheable reads under a private prefix: the audit log's checkpoint and tiles (hashes only).
PUBLIC_PREFIXES = ("/api/registry/log",)
CSRF_COOKIE = "pw_csrf"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 12 * 3600


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def is_private(path: str) -> bool:
    return _under(path, PRIVATE_PREFIXES) and not _under(path, PUBLIC_PREFIXES)


def too_large_message(settings: SecuritySettings) -> str:
    return (
        f"the request is too large: at most {settings.max_body_bytes:,} bytes, or {settings.max_upload_bytes:,} "
        "bytes for a CSV upload; split the file into smaller parts"
    )


def install_body_limit(app: FastAPI, settings: SecuritySettings, page: ErrorPage | None = None) -> None:
    """Add the body-size limit. Call it before adding any other middleware: it must be the
    innermost, so the error it raises while a body streams in reaches the route's error handling
    unchanged (``@app.middleware("http")`` layers would wrap it in an exception group).

    ``page(request, status, title, message)`` renders the refusal for a browser (the web app passes
    its error page); without it, and for API and JSON requests, the refusal is JSON."""
    app.add_middleware(BodyLimit, settings=settings, page=page)


def install_request_safety(app: FastAPI, settings: SecuritySettings) -> None:
    """Add the private-response headers and, when configured, the trusted-proxy middleware
    (call it after every other middleware: the proxy middleware must be the outermost)."""
    app.state.security = settings

    app.add_middleware(PrivateResponses)
    proxies = settings.proxy_list()
    if proxies:
        # Outermost, so every limit and log sees the address the trusted proxy reports.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)


def _too_large(request: Request, settings: SecuritySettings, page: ErrorPage | None):
    from fastapi.responses import JSONResponse

    from peacewatch.web.negotiate import wanted_format

    message = too_large_message(settings)
    if page is None or request.url.path.startswith("/api/") or wanted_format(request) == "json":
        return JSONResponse({"detail": message}, status_code=413)
    return page(request, 413, "Too large", message)


class PrivateResponses:
    """Pure ASGI middleware (no extra task per request): ``Cache-Control: no-store`` and
    ``Vary: Accept`` on every response under :data:`PRIVATE_PREFIXES`."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not is_private(scope.get("path", "")):
            return await self.app(scope, receive, send)

        async def send_private(msg):
            if msg["type"] == "http.response.start":
                headers = [(k, v) for k, v in msg.get("headers", []) if k.lower() != b"cache-control"]
                vary = [v for k, v in headers if k.lower() == b"vary"]
                if not any(b"accept" in [p.strip().lower() for p in v.split(b",")] for v in vary):
                    headers.append((b"vary", b"Accept"))
                headers.append((b"cache-control", b"no-store"))
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, send_private)


#: Routes that take CSV files (rosters, misconduct records): they get ``max_upload_bytes``.
UPLOAD_PREFIXES = ("/registry/vetting", "/api/registry/vetting")


class TooLarge(HTTPException):
    """The body passed the limit while it was being read."""

    def __init__(self, message: str):
        super().__init__(status_code=413, detail=message)


class BodyLimit:
    """Pure ASGI middleware: refuse bodies over the limit before or while they are read."""

    def __init__(self, app, settings: SecuritySettings, page: ErrorPage | None = None):
        self.app, self.settings, self.page = app, settings, page

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        upload = any(path == p or path.startswith(p + "/") for p in UPLOAD_PREFIXES)
        limit = self.settings.max_upload_bytes if upload else self.settings.max_body_bytes
        message = too_large_message(self.settings)
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await _too_large(Request(scope, receive), self.settings, self.page)(scope, receive, send)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise TooLarge(message)
            return msg

        async def tracking_send(msg):
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except TooLarge:
            if started:
                raise
            await _too_large(Request(scope, receive), self.settings, self.page)(scope, receive, send)


# --- CSRF ---------------------------------------------------------------------------------------
class CsrfFailed(Forbidden):
    """A state-changing form without a valid token, or posted from another site."""


def _secret(request: Request) -> str:
    # The configured secret, or one made per process (tokens then end with the process).
    app_state = request.app.state
    if getattr(app_state, "form_secret", None) is None:
        settings: SecuritySettings = app_state.security
        app_state.form_secret = settings.csrf_secret or secrets.token_urlsafe(32)
    return app_state.form_secret


def signer(request: Request, salt: str) -> URLSafeTimedSerializer:
    """A serializer signing with the app's form secret under ``salt`` (one purpose per salt)."""
    return URLSafeTimedSerializer(_secret(request), salt=salt)


def _serializer(request: Request) -> URLSafeTimedSerializer:
    app_state = request.app.state
    if getattr(app_state, "csrf_serializer", None) is None:
        app_state.csrf_serializer = signer(request, "peacewatch-form")
    return app_state.csrf_serializer


def csrf_token(request: Request) -> str:
    """The token to put into this page's forms (creates the browser's ``pw_csrf`` value if needed)."""
    value = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not value:
        value = secrets.token_urlsafe(24)
        request.state.new_csrf = value  # set as a cookie on the response by set_csrf_cookie
    return _serializer(request).dumps(value)


def set_csrf_cookie(request: Request, response) -> None:
    """Send the ``pw_csrf`` cookie when this request created it."""
    value = getattr(request.state, "new_csrf", None)
    if value:
        response.set_cookie(
            CSRF_COOKIE,
            value,
            httponly=True,
            samesite="strict",
            path="/",
            secure=bool(getattr(request.app.state.settings, "secure_cookies", False))
            if hasattr(request.app.state, "settings")
            else False,
        )


def _same_origin(request: Request, url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) and parts.netloc.lower() == (request.headers.get("host") or "").lower()


def check_same_origin(request: Request, allow_opaque: bool = False) -> None:
    """Refuse a post whose Origin (or, when a browser sends none, Referer) names another site.

    ``allow_opaque`` accepts ``Origin: null``, which browsers send from pages served with
    ``Referrer-Policy: no-referrer`` (the anonymous report pages); the registry's own pages send
    their real origin, so there ``null`` (e.g. a sandboxed frame elsewhere) is refused.
    """
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin is not None and origin != "null":
        if not _same_origin(request, origin):
            raise CsrfFailed("this form was sent from another site; open the page here and submit it again")
    elif (origin == "null" and not allow_opaque) or (referer and not _same_origin(request, referer)):
        raise CsrfFailed("this form was sent from another site; open the page here and submit it again")


def check_csrf(request: Request, form: dict) -> None:
    """Refuse a form post from another site or without this browser's token.

    The Origin header (or, when a browser sends none, the Referer) must name this host; the
    ``csrf_token`` field must be a token this server signed, less than 12 hours old, for the
    value in this browser's ``pw_csrf`` cookie.
    """
    check_same_origin(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    token = form.get(CSRF_FIELD)
    if not cookie or not isinstance(token, str) or not token:
        raise CsrfFailed("the form has expired or cookies are blocked; reload the page and submit it again")
    try:
        signed = _serializer(request).loads(token, max_age=CSRF_MAX_AGE)
    except SignatureExpired:
        raise CsrfFailed("the form has expired; reload the page and submit it again") from None
    except BadSignature:
        raise CsrfFailed("the form has expired or cookies are blocked; reload the page and submit it again") from None
    if not isinstance(signed, str) or not hmac.compare_digest(signed, cookie):
        raise CsrfFailed("the form has expired or cookies are blocked; reload the page and submit it again")
