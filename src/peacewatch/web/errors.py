"""Errors a page can end in, rendered as HTML or JSON like the page itself."""

from __future__ import annotations

from fastapi import FastAPI, Request

from peacewatch.registry.errors import RegistryError
from peacewatch.web.data import NotFoundError
from peacewatch.web.templating import render


class ModuleUnavailable(RuntimeError):
    """A page needs a peacewatch module (models, scorecards) that is missing or incomplete.

    Served as HTTP 503 with the explanation: the page never shows made-up numbers instead.
    """

    def __init__(self, what: str, detail: str):
        super().__init__(f"{what} is not available: {detail}")
        self.what, self.detail = what, detail


def _error(request: Request, status: int, title: str, message: str):
    data = {"error": title, "detail": message, "status": status}
    return render(request, "error.html", data, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into error pages."""
    from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from peacewatch.web.negotiate import wanted_format

    def _api_or_json(request: Request) -> bool:
        # The registry API keeps FastAPI's own JSON errors; pages answer in their format.
        return request.url.path.startswith("/api/") or wanted_format(request) == "json"

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if _api_or_json(request):
            return await http_exception_handler(request, exc)
        title = {404: "Not found", 405: "Not allowed"}.get(exc.status_code, "Request refused")
        detail = "There is no page at this address." if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, title, detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        if _api_or_json(request):
            return await request_validation_exception_handler(request, exc)
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return _error(request, 422, "Please check the address", problems)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError):
        return _error(request, 404, "Not found", str(exc))

    @app.exception_handler(ModuleUnavailable)
    async def _unavailable(request: Request, exc: ModuleUnavailable):
        return _error(request, 503, f"{exc.what} is not available", exc.detail)

    @app.exception_handler(RegistryError)
    async def _registry(request: Request, exc: RegistryError):
        titles = {401: "Please log in", 403: "Not allowed", 404: "Not found", 409: "Conflict",
                  422: "Please check the form", 429: "Too many requests"}
        return _error(request, exc.status_code, titles.get(exc.status_code, "Request refused"), str(exc))


def require(module: str, *names: str):
    """Import ``module`` and return the named attributes, or raise :class:`ModuleUnavailable`."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise ModuleUnavailable(module, f"the module could not be imported ({exc}).") from exc
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        raise ModuleUnavailable(module, f"it does not provide {', '.join(missing)}.")
    return [getattr(mod, n) for n in names] if len(names) != 1 else getattr(mod, names[0])
