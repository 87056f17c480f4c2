"""Errors a page can end in, rendered as HTML or JSON like the page itself."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from peacewatch.registry.api import problems_response, registry_error_response, validation_problems
from peacewatch.registry.errors import RegistryError
from peacewatch.web.data import NotFoundError
from peacewatch.web.security import too_large_message
from peacewatch.web.templating import render

log = logging.getLogger("peacewatch.web")


def error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    *,
    links: list[dict] | None = None,
    extra: dict | None = None,
):
    """An error as a page (or JSON, like the page itself); ``links`` (``href``, ``text``) say where to go
    instead, ``extra`` adds fields to the JSON (e.g. the valid years)."""
    data = {"error": title, "detail": message, "status": status, **(extra or {})}
    if links:
        data["links"] = links
    return render(request, "error.html", data, status_code=status)


_error = error_page


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into error pages."""
    from fastapi.exception_handlers import http_exception_handler
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from peacewatch.web.negotiate import wanted_format

    def _api_or_json(request: Request) -> bool:
        # The registry API keeps FastAPI's own JSON errors; pages answer in their format.
        return request.url.path.startswith("/api/") or wanted_format(request) == "json"

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 413:
            message = too_large_message(request.app.state.security)
            if _api_or_json(request):
                return JSONResponse({"detail": message}, status_code=413)
            return _error(request, 413, "Too large", message)
        if _api_or_json(request):
            return await http_exception_handler(request, exc)
        title = {404: "Not found", 405: "Not allowed"}.get(exc.status_code, "Request refused")
        detail = "There is no page at this address." if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, title, detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        # Never the submitted values: only where the problem is and what is wrong.
        problems = validation_problems(exc)
        if _api_or_json(request):
            return problems_response(problems)
        text = "; ".join(f"{'.'.join(str(x) for x in p['loc'][1:])}: {p['msg']}" for p in problems)
        return _error(request, 422, "Please check the address", text)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError):
        links = None
        if exc.suggestions:
            store = request.app.state.store
            links = [
                {"href": f"/country/{c}", "text": f"Did you mean {store.country_name(c)}?"} for c in exc.suggestions
            ]
            links.append({"href": "/country", "text": "All countries"})
        return _error(request, 404, "Not found", str(exc), links=links)

    @app.exception_handler(RegistryError)
    async def _registry(request: Request, exc: RegistryError):
        if _api_or_json(request):
            return registry_error_response(exc)
        titles = {
            401: "Please log in",
            403: "Not allowed",
            404: "Not found",
            409: "Conflict",
            422: "Please check the form",
            429: "Too many requests",
        }
        if exc.status_code >= 500:
            log.error("registry error %s: %s", type(exc).__name__, exc)  # details for the operator only
            return _error(
                request,
                503,
                "Not available right now",
                "The registry cannot do this right now; the operator has been told in the server log.",
            )
        response = _error(request, exc.status_code, titles.get(exc.status_code, "Request refused"), str(exc))
        retry = getattr(exc, "retry_after", None)
        if retry:
            response.headers["Retry-After"] = str(max(1, int(retry + 0.999)))
        return response
