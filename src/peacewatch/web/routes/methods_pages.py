"""The scorecard methods page and the models report, served by the web app.

Both are the same self-contained HTML files ``peacewatch scorecards`` and ``peacewatch report`` write
(:func:`peacewatch.scorecards.report.to_html`, :func:`peacewatch.models.report.write_report`), made
once per process and kept: the methods page from the rule sets (milliseconds), the models report
from the fitted models (seconds, so the first visitor waits once). A link back to the dashboard is
added at the top of the served copy.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(prefix="/methods")

_lock = threading.Lock()
BACK_LINK = (
    '<nav aria-label="peacewatch"><p><a href="/">peacewatch</a> · <a href="/scorecards/hosts">Scorecards</a>'
    ' · <a href="/model">Risk model</a> · <a href="/methods/scorecards">Scorecard methods</a>'
    ' · <a href="/methods/models">Models report</a></p></nav>'
)


def _with_back_link(page: str) -> str:
    head, sep, body = page.partition("<body>")
    return head + sep + BACK_LINK + body if sep else page


def _kept(request: Request, name: str, make) -> str:
    state = request.app.state
    pages = state.__dict__.setdefault("methods_pages", {})
    if name not in pages:
        with _lock:  # one build, however many visitors arrive while it runs
            if name not in pages:
                pages[name] = _with_back_link(make())
    return pages[name]


def _methods_html() -> str:
    from peacewatch.scorecards.report import methods_blocks, to_html

    return to_html(methods_blocks())


def _models_html() -> str:
    from peacewatch.models.report import write_report

    with tempfile.TemporaryDirectory(prefix="peacewatch-report-") as tmp:
        return Path(write_report(Path(tmp))).read_text(encoding="utf-8")


@router.get("", summary="Methods index")
def methods_index():
    from fastapi.responses import RedirectResponse

    return RedirectResponse("/methods/scorecards", status_code=303)


@router.get("/scorecards", response_class=HTMLResponse, summary="How the scorecards grade: rule sets and indicators")
def scorecard_methods(request: Request):
    return HTMLResponse(_kept(request, "scorecards", _methods_html))


@router.get("/models", response_class=HTMLResponse, summary="The models report: density, typology, risk models")
def models_report(request: Request):
    return HTMLResponse(_kept(request, "models", _models_html))
