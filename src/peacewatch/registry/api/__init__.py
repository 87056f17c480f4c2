"""FastAPI JSON API of the registry.

``build_router()`` returns every route (mount it under ``/api/registry``); ``create_app()`` is the
standalone app. Authentication: ``Authorization: Bearer <token>`` or the ``pw_token`` cookie.
Each route adapts the request to one :mod:`peacewatch.registry.operations` function, which
validates, checks the role and writes the audit entry; routes do nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from peacewatch.registry.api import auth_routes, case_routes, intake_routes, log_routes, nation_routes, vetting_routes
from peacewatch.registry.api.deps import (
    COOKIE,
    Deps,
    client_address,
    install_error_handlers,
    problems_response,
    registry_error_response,
    set_login_cookies,
    validation_problems,
)
from peacewatch.registry.runtime import freeze_startup_heap, thaw_heap
from peacewatch.registry.service import Registry
from peacewatch.registry.settings import SecuritySettings
from peacewatch.registry.throttle import Throttle
from peacewatch.settings import security

#: What the web app uses besides the router: the client's address and the API's error answers.
__all__ = [
    "COOKIE",
    "build_router",
    "client_address",
    "create_app",
    "problems_response",
    "registry_error_response",
    "set_login_cookies",
    "validation_problems",
]


def build_router(
    registry: Registry | None = None,
    database_url: str | None = None,
    throttle: Throttle | None = None,
    settings: SecuritySettings | None = None,
) -> APIRouter:
    """All JSON routes of the registry, one router per resource.

    Parameters
    ----------
    registry
        Service object to use; default: a new :class:`Registry` for ``database_url``.
    database_url
        Database URL when ``registry`` is not given (default env ``PEACEWATCH_DB_URL``).
    throttle
        Rate limits, shared with the web forms when the web app mounts this router (default: new).
    settings
        Upload size limit of the vetting routes (default :class:`SecuritySettings` from the environment).

    Returns
    -------
    fastapi.APIRouter
        Mount it with ``app.include_router(router, prefix="/api/registry")`` and install the error
        handlers (:func:`peacewatch.registry.api.deps.install_error_handlers`) on the app.
    """
    settings = settings or security()
    deps = Deps(registry or Registry(database_url), throttle or Throttle(settings), settings)
    router = APIRouter()
    for module in (auth_routes, case_routes, intake_routes, vetting_routes, nation_routes, log_routes):
        router.include_router(module.router(deps))
    router.registry = deps.registry  # type: ignore[attr-defined]  # for the web app and tests
    router.throttle = deps.throttle  # type: ignore[attr-defined]
    return router


def create_app(
    database_url: str | None = None,
    registry: Registry | None = None,
    throttle: Throttle | None = None,
    settings: SecuritySettings | None = None,
) -> FastAPI:
    """Standalone FastAPI app with the registry router at ``/api/registry``.

    The schema is migrated at start-up if it is missing or behind. Request-size limits, trusted
    proxies and the response headers of :mod:`peacewatch.web.security` apply as in the web app.
    """
    from peacewatch.web.security import install_body_limit, install_request_safety

    reg = registry or Registry(database_url)
    settings = settings or security()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        reg.engine  # noqa: B018 - runs migrations once at start-up
        freeze_startup_heap()
        yield
        thaw_heap()
        reg.dispose()

    app = FastAPI(
        title="peacewatch registry",
        version="1",
        lifespan=lifespan,
        description="Accountability registry: cases, referral clocks, anonymous intake, vetting, "
        "compliance and training.",
    )
    app.state.registry = reg
    app.state.throttle = throttle or Throttle(settings)
    app.include_router(build_router(reg, throttle=app.state.throttle, settings=settings), prefix="/api/registry")
    install_error_handlers(app)
    install_body_limit(app, settings)
    install_request_safety(app, settings)
    return app
