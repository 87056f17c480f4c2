"""Jinja2 environment and the one ``render`` helper every page handler ends with."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from peacewatch.resources import package_path
from peacewatch.web import labels, registry_labels
from peacewatch.web.negotiate import jsonable, wanted_format

TEMPLATES_DIR = package_path("peacewatch.web", "templates")
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def _yesno(value: Any) -> str:
    if value is None:
        return "—"
    return "yes" if float(value) >= 0.5 else "no"


def _tojson_script(value: Any) -> Markup:
    """JSON safe to put inside <script type="application/json">."""
    text = json.dumps(jsonable(value), separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


templates.env.filters["num"] = labels.number
templates.env.filters["yesno"] = _yesno
templates.env.filters["value"] = labels.evidence_value
templates.env.filters["label"] = labels.variable
templates.env.filters["component"] = labels.component
templates.env.filters["source"] = labels.source
templates.env.filters["plain"] = labels.plain
templates.env.filters["ruleset"] = labels.ruleset_name
templates.env.filters["json_script"] = _tojson_script


def _tcc_ruleset():
    from peacewatch.web.grade_words import ruleset

    return ruleset("tccs")


templates.env.filters["suspension_count"] = lambda key: labels.suspension_count(key, _tcc_ruleset())


def _suspension_rule_words() -> dict | None:
    from peacewatch.web.grade_words import suspension_rule

    return suspension_rule(_tcc_ruleset())


templates.env.globals["suspension_rule_words"] = _suspension_rule_words
registry_labels.install(templates.env)


def csv_response(rows: list[dict], columns: list[str], filename: str) -> Response:
    """``rows`` (dicts) as a CSV download with the given column order (missing values empty)."""
    import csv
    import io

    from peacewatch.csvsafe import safe_row

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    # Counts as integers (7406, not 7406.0), other numbers rounded (labels.csv_value); cells are
    # user text too: neutralise formulas (=, +, -, @ ...) so spreadsheets show, not run, them.
    writer.writerows(safe_row({k: labels.csv_value(r.get(k)) for k in columns}) for r in rows)
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def render(
    request: Request,
    template: str,
    data: dict,
    *,
    status_code: int = 200,
    context: dict | None = None,
    headers: dict | None = None,
) -> Response:
    """Serve ``data`` as JSON or the HTML ``template`` (see :mod:`peacewatch.web.negotiate`).

    ``context`` holds what only the HTML needs (chart options, form state); JSON is ``data`` alone.
    """
    if wanted_format(request) == "json":
        return JSONResponse(jsonable(data), status_code=status_code, headers=headers)
    from peacewatch.web import flash
    from peacewatch.web.security import csrf_token, set_csrf_cookie

    ctx = {"data": data, "csrf_token": lambda: csrf_token(request), "flash": flash.take(request), **(context or {})}
    lang = None
    if template.startswith("report/"):  # the anonymous report pages speak the reporter's language
        from peacewatch.web import i18n

        lang = i18n.language_of(request)
        ctx.update(i18n.context(lang))
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code, headers=headers)
    set_csrf_cookie(request, response)  # the page's forms carry a token for this browser's cookie
    flash.clear(request, response)  # a message after a redirect is shown once
    if lang:
        i18n.remember(request, response, lang)
        response.headers["Content-Language"] = lang
        response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), "Accept-Language", "Cookie"]))
    return response
