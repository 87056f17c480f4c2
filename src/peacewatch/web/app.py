"""The app factory: one FastAPI object for ``peacewatch serve``, the tests and the benchmarks."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from peacewatch.registry.api import build_router
from peacewatch.registry.service import Registry
from peacewatch.registry.settings import SecuritySettings
from peacewatch.registry.throttle import Throttle
from peacewatch.resources import package_path
from peacewatch.scorecards.indicators import CARDS
from peacewatch.settings import security as current_security
from peacewatch.startup_heap import freeze_startup_heap, thaw_heap
from peacewatch.web import errors
from peacewatch.web.analysis import AnalysisCache, ModelCache, ScorecardCache
from peacewatch.web.data import DataStore
from peacewatch.web.head import HeadAsGet
from peacewatch.web.routes import (
    explore,
    intake_pages,
    methods_pages,
    model_pages,
    registry_audit,
    registry_compliance,
    registry_pages,
    registry_users,
    registry_vetting,
    scorecard_pages,
)
from peacewatch.web.security import install_body_limit, install_request_safety
from peacewatch.web.settings import WebSettings

STATIC_DIR = package_path("peacewatch.web", "static")


class CachedStatic(StaticFiles):
    """Static files with a cache lifetime: vendored assets never change under one version."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers.setdefault("Cache-Control", "public, max-age=86400")
        return response


#: Sent with every response. The content security policy also makes the browser itself refuse any
#: script, style, font or request to another origin: pages work from this server alone.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """Pure ASGI middleware: add :data:`SECURITY_HEADERS` to every response that does not set them.

    (An ``@app.middleware("http")`` function ran every request, API calls included, through an extra
    task and in-memory streams: a tenth of the server's CPU per registry API call.)
    """

    _headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                missing = [(k, v) for k, v in self._headers if k not in present]
                if missing:
                    message = {**message, "headers": [*message.get("headers", []), *missing]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: WebSettings | None = None, security: SecuritySettings | None = None) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    settings
        Years, registry database and cookie options; default :class:`WebSettings()`.
    security
        Body and upload limits, rate limits, trusted proxies, CSRF secret; default from the
        environment (:class:`peacewatch.registry.settings.SecuritySettings`).

    Returns
    -------
    fastapi.FastAPI
        Pages at ``/`` (map), ``/country/{ccode}``, ``/missions``, ``/mission/{name}``,
        ``/scorecards/{card}``, ``/model``, ``/methods/scorecards`` and ``/methods/models`` (the methods
        page and the models report), ``/report`` (anonymous intake) and ``/registry/...``;
        the registry JSON API at ``/api/registry``; static assets at ``/static``.
    """
    settings = settings or WebSettings()
    security = security or current_security()
    store = DataStore(settings)
    registry = Registry(settings.db_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        registry.engine  # noqa: B018 - migrate the registry schema once at start-up
        if settings.preload:
            store.warm()
            app.state.analysis.warm_in_background()  # model fits and density table: seconds, not blocking
        freeze_startup_heap()
        yield
        thaw_heap()
        registry.dispose()

    # No /docs or /redoc: FastAPI's pages load Swagger UI and ReDoc from a CDN, and nothing here may
    # come from the internet. The schema itself is served at /openapi.json.
    app = FastAPI(
        title="peacewatch",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Peace operations x human trafficking: maps, country and mission pages, "
        "scorecards, the risk model and the accountability registry.",
    )
    app.state.settings = settings
    app.state.store = store
    analysis = AnalysisCache(store)
    app.state.analysis = analysis
    app.state.scorecards = ScorecardCache(registry)
    app.state.models = ModelCache(analysis)
    analysis.warmers += [
        app.state.models.regression,
        app.state.models.risk_curve,
        lambda: app.state.models.marginal_effect("duration"),
        lambda: app.state.models.marginal_effect("tccs"),
        *[(lambda card=card: app.state.scorecards.table(card)) for card in CARDS],
    ]
    app.state.registry = registry
    # One set of rate limits for the API and the web forms: a client cannot double its budget by
    # switching doors.
    app.state.throttle = Throttle(security)
    install_body_limit(app, security, page=errors.error_page)  # innermost middleware
    app.add_middleware(GZipMiddleware, minimum_size=2048, compresslevel=5)
    app.add_middleware(HeadAsGet)  # HEAD is GET up to the last byte, then the body is dropped
    app.add_middleware(SecurityHeaders)  # outside HeadAsGet: HEAD answers carry the headers too
    app.mount("/static", CachedStatic(directory=str(STATIC_DIR)), name="static")
    app.include_router(build_router(registry, throttle=app.state.throttle, settings=security), prefix="/api/registry")
    for module in (
        explore,
        scorecard_pages,
        model_pages,
        methods_pages,
        intake_pages,
        registry_pages,
        registry_vetting,
        registry_compliance,
        registry_users,
        registry_audit,
    ):
        app.include_router(module.router)
    errors.install(app)
    install_request_safety(app, security)
    return app
