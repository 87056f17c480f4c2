"""The scorecard methods page and the models report, served by the web app.

Both are the same self-contained HTML files ``peacewatch scorecards`` and ``peacewatch report`` write
(:func:`peacewatch.scorecards.report.to_html`, :func:`peacewatch.models.report.write_report`), made
once per process and kept: the methods page from the rule sets (milliseconds), the models report
from the fitted models (seconds, so the first visitor waits once). The site's header (its main
navigation, the same template as every page's) is added at the top of the served copy.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(prefix="/methods")

_lock = threading.Lock()
#: The site header of the served copies: the brand, the main navigation of every page (the same
#: template, ``_site_nav.html``) and the two methods pages. Styled here: the reports carry their own
#: stylesheet, not the app's.
HEADER_STYLE = (
    "<style>header.site{background:#0b2e4f;padding:.5rem 1rem;margin:0 0 1.5em;font-family:system-ui,sans-serif}"
    "header.site a{color:#fff;display:inline-block;padding:.35rem 0}"
    "header.site .brand{font-weight:700;font-size:1.2rem}"
    "header.site ul{display:flex;flex-wrap:wrap;gap:0 1.25rem;list-style:none;margin:0;padding:0}"
    "header.site p{margin:.25rem 0 0;color:#fff}header.site a[aria-current]{border-bottom:3px solid #ffbf47}</style>"
)


def site_header(current: str) -> str:
    """The header put at the top of a served report (``current``: its own path, marked as the page)."""
    from markupsafe import Markup

    from peacewatch.web.templating import templates

    nav = templates.env.get_template("_site_nav.html").render(section="methods")

    def link(path: str, text: str) -> Markup:
        mark = Markup(' aria-current="page"') if path == current else Markup("")
        return Markup('<a href="{}"{}>{}</a>').format(path, mark, text)

    methods = Markup(" · ").join(
        [link("/methods/scorecards", "Scorecard methods"), link("/methods/models", "Models report")]
    )
    return (
        '<header class="site"><a class="brand" href="/">peacewatch</a>'
        + nav
        + f'<nav aria-label="Methods"><p>Methods: {methods}</p></nav></header>'
    )


def _with_header(page: str, current: str) -> str:
    head, sep, body = page.partition("<body>")
    if not sep:
        return page
    return head.replace("</head>", HEADER_STYLE + "</head>", 1) + sep + site_header(current) + body


def _kept(request: Request, name: str, make) -> str:
    state = request.app.state
    pages = state.__dict__.setdefault("methods_pages", {})
    if name not in pages:
        with _lock:  # one build, however many visitors arrive while it runs
            if name not in pages:
                pages[name] = _with_header(make(), f"/methods/{name}")
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
