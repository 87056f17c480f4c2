"""Every internal link from the home page answers, no public page shows a raw column name or
internal key, and every page type passes axe-core and fits a phone (issue 21, "Done when").

Two crawls (:mod:`tests.web.crawl`): the full one fetches every address over plain HTTP (marked
``slow``: some 16,000 addresses); the sample, a few addresses of each shape, covers every page type
for the browser checks (axe-core, width), which would take hours on every address. Every tab of
every scorecard year also has its own test (``test_scorecard_years.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.web.crawl import crawl, shape, visible_text

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: Pages no link leads to (a form's answer, a choice, a not-found) but readers reach all the same.
EXTRA_STARTS = [
    "/model/predict?personnel=5000&duration=1&tccs=20",
    "/country?key=Congo",
    "/country?key=Frnce",
    "/scorecards/missions?year=2025",
    "/scorecards/tccs?year=2099",
    "/scorecards/nations",
]
#: Text on a page that is for a machine, not a reader, and says so: a file name to save a download
#: as (``<code class="file">``) and BibTeX entries for reference managers (``<pre class="... bibtex">``).
MACHINE_TEXT = re.compile(r'<code class="file">.*?</code>|<pre class="[^"]*\bbibtex\b[^"]*">.*?</pre>', re.DOTALL)
#: Words that are code, not language: snake_case names, and keys the issue found on pages.
RAW = re.compile(
    r"\b[A-Za-z]+_[A-Za-z0-9_]+\b|\bpolity2\b|\btccs\b|\bgeo_pko\b|no data for no component|min coverage"
    r"|coverage: min|\bhosts-default\b|\btccs-default\b"
)


@pytest.fixture(scope="module")
def crawled(base_url, seeded):
    """Every page reached from the home page (and the :data:`EXTRA_STARTS`), with the registry's
    test cases in place so the TCC card has registry rows."""
    with httpx.Client(base_url=base_url, timeout=120) as client:
        pages = crawl(client, base_url)
        for start in EXTRA_STARTS:
            pages.update({k: v for k, v in crawl(client, base_url, start).items() if k not in pages})
    return pages


def raw_words(page: str) -> list[str]:
    """The raw names and internal keys a reader sees on ``page``."""
    return sorted(set(RAW.findall(visible_text(MACHINE_TEXT.sub(" ", page)))))


def _html(pages):
    return {p: r for p, r in pages.items() if "text/html" in r.headers.get("content-type", "")}


def test_every_internal_link_answers(crawled):
    expected_404 = {
        "/country?key=Frnce",
        "/scorecards/missions?year=2025",
        "/scorecards/tccs?year=2099",
        "/scorecards/nations",
    }
    bad = {}
    for path, r in crawled.items():
        if path in expected_404:
            assert r.status_code == 404, path
        elif r.status_code in (303, 307) and r.headers["location"].startswith("/"):
            continue  # deliberate redirects (/registry -> login, /scorecards -> hosts); targets are crawled too
        elif r.status_code != 200:
            bad[path] = r.status_code
    assert bad == {}
    kinds = {shape(p)[:2] for p in crawled}
    for kind in [
        ("", 1),
        ("country", "*"),
        ("mission", "*"),
        ("missions", 1),
        ("scorecards", "hosts"),
        ("scorecards", "tccs"),
        ("scorecards", "missions"),
        ("model", 1),
        ("methods", "scorecards"),
        ("methods", "models"),
        ("report", 1),
        ("country", 1),
    ]:
        assert kind in kinds, kind
    assert any(re.fullmatch(r"/scorecards/tccs/\d+\?year=\d+", p) for p in crawled)
    assert len(crawled) > 80


def test_no_public_page_shows_raw_names_or_internal_keys(crawled):
    found, checked = {}, set()
    for path, r in _html(crawled).items():
        if path.startswith("/registry"):
            continue  # registry pages: their own test
        checked.add(path)
        words = raw_words(r.text)
        if words:
            found[path] = words
    assert found == {}
    assert {"/methods/scorecards", "/methods/models"} <= checked  # the reports are pages like any other


#: Bound of the full crawl: reaching it means links multiply without end (a test failure, not a cut).
FULL_CRAWL_LIMIT = 60_000


@pytest.mark.slow  # every address: several minutes (the count and the time are in BENCHMARKS.md)
def test_every_address_reachable_from_the_home_page_answers_in_words(base_url, seeded):
    """The full crawl over plain HTTP: every internal link reachable from the home page (and the
    :data:`EXTRA_STARTS`), not a sample, answers 200 or a deliberate redirect, and no public page
    shows a raw name (issue 21, "Done when": the sample of a few addresses per shape could miss a
    year or a sort order that fails)."""
    expected_404 = {
        "/country?key=Frnce",
        "/scorecards/missions?year=2025",
        "/scorecards/tccs?year=2099",
        "/scorecards/nations",
    }
    raw = {}

    def read(path, r):
        if "text/html" in r.headers.get("content-type", "") and not path.startswith("/registry"):
            words = raw_words(r.text)
            if words:
                raw[path] = words

    with httpx.Client(base_url=base_url, timeout=120) as client:
        pages = crawl(client, base_url, ["/", *EXTRA_STARTS], None, FULL_CRAWL_LIMIT, on_page=read)
    assert len(pages) < FULL_CRAWL_LIMIT
    bad = {}
    for path, r in pages.items():
        if path in expected_404:
            ok = r.status_code == 404
        elif r.status_code in (303, 307):
            ok = r.headers["location"].startswith("/")  # deliberate redirects, targets crawled too
        else:
            ok = r.status_code == 200
        if not ok:
            bad[path] = r.status_code
    print(f"full crawl: {len(pages)} addresses")  # the count for BENCHMARKS.md (pytest -s)
    assert bad == {}
    assert raw == {}
    sample = {shape(p)[:2] for p in pages}
    assert ("methods", "models") in sample and ("scorecards", "tccs") in sample
    assert len(pages) > 1000  # every year, card, tab and sort order, not a sample of them


def _page_types(crawled) -> list[str]:
    """One address per kind of page (path pattern), the first the crawl reached."""
    chosen: dict[tuple, str] = {}
    for path, r in _html(crawled).items():
        if r.status_code not in (200, 404):
            continue
        kind = shape(path)[:3] + (r.status_code,)
        chosen.setdefault(kind, path)
    return sorted(chosen.values())


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_type_passes_axe_and_fits(browser, base_url, crawled, width):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    problems = []
    try:
        for path in _page_types(crawled):
            page.goto(path)
            page.wait_for_function("() => [...document.querySelectorAll('[data-chart]')].every(el => el.dataset.ready)")
            w = page.evaluate("() => ({doc: document.documentElement.scrollWidth, view: window.innerWidth})")
            if w["doc"] > w["view"]:
                problems.append(f"{path}: {w['doc']} px wide at {w['view']}")
            page.add_script_tag(content=AXE.read_text())
            serious = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""")
            problems += [f"{path} at {width}: {v}" for v in serious]
    finally:
        context.close()
    assert problems == []
