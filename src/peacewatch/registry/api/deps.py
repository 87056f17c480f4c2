"""What every API route shares: the registry, the throttle, the acting user, error responses.

``Deps.acting`` gives each route a :class:`Caller`; the route awaits ``acting("module.operation", ...)``,
which performs the operation through :func:`peacewatch.registry.policy.perform` on one of the
registry's request threads: one transaction as the calling user (read-only for an operation that
only reads), committed (rolled back on any error) before the response is sent. Login and the anonymous
intake operations open their own transaction after their rate limits are checked.

Routes are ``async`` and hand their work to a small pool of their own (``runtime.REQUEST_THREADS``)
rather than being sync routes on FastAPI's pool of 40: FastAPI runs a sync route and then the
validation of its return value in two separate thread calls, and 40 threads contending for one
interpreter lock kept the thread that held SQLite's write lock waiting for its turn, so every
writer queued behind it (write-lock hold times many times the work done; BENCHMARKS.md, Registry).

Why not a dependency that yields the session: FastAPI runs a sync generator dependency and a sync
route in separate worker-thread calls. A writing request then held SQLite's write lock (taken at
its first statement) while it waited for a free worker thread for its route, and under load every
worker thread could be waiting for that lock: the server stalled under load. With
``Caller.run`` the transaction lives inside the route's own thread call, from first statement to
commit.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from peacewatch.registry import policy
from peacewatch.registry.errors import RegistryError, ValidationFailed
from peacewatch.registry.runtime import login_threads, request_threads
from peacewatch.registry.service import Registry
from peacewatch.registry.settings import SecuritySettings
from peacewatch.registry.throttle import DEVICE_COOKIE, Throttle

log = logging.getLogger("peacewatch.registry")
T = TypeVar("T")

# The request and login thread pools and their sizes: registry.runtime.


async def on_threads(threads: ThreadPoolExecutor, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Await ``function(*args, **kwargs)`` run on one of ``threads``."""
    return await asyncio.get_running_loop().run_in_executor(threads, functools.partial(function, *args, **kwargs))


COOKIE = "pw_token"
_bearer = HTTPBearer(auto_error=False, description="API token from /login or `peacewatch registry users create`")
_cookie = APIKeyCookie(name=COOKIE, auto_error=False, description="Same token, set by /login for the web UI")


async def token(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> str | None:
    """The caller's token: the Bearer header, else the ``pw_token`` cookie."""
    if bearer is not None and bearer.credentials:
        return bearer.credentials
    return cookie


def client_address(request: Request) -> str | None:
    """The client address, used only as an in-memory rate-limit key (never stored).

    Forwarding headers are applied (or not) by the proxy-headers middleware the app installs
    when trusted proxies are configured; here the connecting address is final.
    """
    return request.client.host if request.client else None


class Caller:
    """Who is calling (the token); :meth:`run` performs an operation as that user."""

    __slots__ = ("registry", "token", "threads")

    def __init__(self, registry: Registry, token: str | None, threads: ThreadPoolExecutor):
        self.registry, self.token, self.threads = registry, token, threads

    async def __call__(self, operation: Callable[..., T], *args: Any) -> T:
        """:meth:`run` on one of the request threads, awaited (what every route does)."""
        return await on_threads(self.threads, self.run, operation, *args)

    def run(self, operation: Callable[..., T], *args: Any) -> T:
        """Perform ``operation`` (a function declared in :data:`peacewatch.registry.policy.TABLE`)
        in one transaction as the calling user: :func:`peacewatch.registry.policy.perform`.

        Raises :class:`~peacewatch.registry.errors.Unauthorized` for a missing, expired or revoked
        token. Operations that only read use a read-only session that never takes the database
        write lock; their audit entries are batched by the sequencer (see :mod:`peacewatch.registry.audit`).
        """
        return policy.perform(self.registry, self.token, operation, *args)


#: Life of the known-device cookie (a year: the device stays known between logins).
DEVICE_MAX_AGE = 365 * 86400


def secure_cookies(request: Request) -> bool:
    """Whether cookies must be ``Secure``: the web app's ``--secure-cookies`` (its settings), or
    a request that arrived over HTTPS."""
    settings = getattr(request.app.state, "settings", None)
    return bool(getattr(settings, "secure_cookies", False)) or request.url.scheme == "https"


def set_login_cookies(response: Response, request: Request, device: str | None, token: str | None = None) -> None:
    """The session cookie (``pw_token``, when ``token``) and the known-device cookie of a login,
    both ``HttpOnly``, ``SameSite=Strict`` and ``Secure`` under ``--secure-cookies``."""
    secure = secure_cookies(request)
    if token is not None:
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure)
    if device:
        response.set_cookie(
            DEVICE_COOKIE, device, max_age=DEVICE_MAX_AGE, httponly=True, samesite="strict", secure=secure, path="/"
        )


class Deps:
    """Dependencies bound to one registry and one throttle."""

    def __init__(self, registry: Registry, throttle: Throttle, settings: SecuritySettings):
        self.registry = registry
        self.throttle = throttle
        self.settings = settings
        self.threads = request_threads()
        self.login_threads = login_threads()

    async def acting(self, tok: Annotated[str | None, Depends(token)]) -> Caller:
        # async: it only reads the request, so it runs on the event loop, not in a worker thread.
        return Caller(self.registry, tok, threads=self.threads)

    async def call(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """An anonymous ``operation`` (logout, anonymous intake) performed through
        :func:`peacewatch.registry.policy.perform` on a request thread."""
        return await on_threads(self.threads, self._anonymous, operation, *args, **kwargs)

    async def call_login(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like :meth:`call` on a login thread (login checks a password)."""
        return await on_threads(self.login_threads, self._anonymous, operation, *args, **kwargs)

    def perform_now(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """An anonymous operation that touches neither the database nor a password hash (a login's
        rate limits), performed on the event loop itself."""
        return self._anonymous(operation, *args, **kwargs)

    def _anonymous(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return policy.perform(self.registry, None, operation, *args, **kwargs)


# --- errors -----------------------------------------------------------------------------------
class Problem(BaseModel):
    """One field that was refused (the submitted value is never repeated)."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    """Every HTTP 422 of the API, whether pydantic or the service layer refused the input."""

    detail: list[Problem]


class ErrorOut(BaseModel):
    """Every other error of the API."""

    detail: str


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given status codes (422 is added to every operation)."""
    text = {
        401: "Missing, invalid or revoked token",
        403: "Your role may not do this",
        404: "Not found, or not visible to you",
        409: "Conflicts with the current state",
        413: "Request body too large",
        429: "Too many requests; see the Retry-After header",
        503: "The registry cannot do this right now",
    }
    out: dict[int | str, dict[str, Any]] = {c: {"model": ErrorOut, "description": text[c]} for c in codes}
    out[422] = {"model": ValidationErrorOut, "description": "Input refused; each problem names its field"}
    return out


#: Status codes of a route that needs a token, and of one that reads or changes a given object.
AUTHED = (401, 403, 413, 429)
OBJECT = (*AUTHED, 404, 409)


def problems_response(problems: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"detail": problems}, status_code=422)


def registry_error_response(exc: RegistryError) -> JSONResponse:
    """The JSON answer to a service-layer error (one shape per status; internal details only logged)."""
    if isinstance(exc, ValidationFailed):
        return problems_response(exc.problems)
    headers = {}
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    retry = getattr(exc, "retry_after", None)
    if retry:
        headers["Retry-After"] = str(max(1, int(retry + 0.999)))
    if exc.status_code >= 500:
        # e.g. a missing key file: its path and the reason go to the server log, not to the caller.
        log.error("registry error %s: %s", type(exc).__name__, exc)
        return JSONResponse(
            {"detail": "the registry cannot do this right now; the operator has been told in the server log"},
            status_code=503,
            headers=headers,
        )
    return JSONResponse({"detail": str(exc)}, status_code=exc.status_code, headers=headers)


def validation_problems(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's request errors without the input (a password or a 10 MB body is never echoed)."""
    out: list[dict[str, Any]] = []
    for e in exc.errors():
        msg = (
            "must not contain NUL characters"
            if e.get("type") == "string_pattern_mismatch"
            else e.get("msg", "").removeprefix("Value error, ")
        )  # a validator's own words
        out.append(
            {
                "loc": [str(x) if not isinstance(x, int) else x for x in e.get("loc", ())],
                "msg": msg,
                "type": e.get("type", "value_error"),
            }
        )
    return out


def install_error_handlers(app: FastAPI) -> None:
    """Map registry errors and request validation errors to the API's two error shapes."""

    @app.exception_handler(RegistryError)
    async def _registry(_request: Request, exc: RegistryError) -> JSONResponse:
        return registry_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problems_response(validation_problems(exc))


__all__ = ["COOKIE", "Caller", "Deps", "install_error_handlers", "registry_error_response", "responses", "token"]
