"""Layout on a phone (390 px) and a laptop (1366 px), and axe-core's accessibility rules.

Every page type is opened at 390 px and must not be wider than the viewport (wide tables scroll
inside their own focusable region instead). axe-core (vendored under ``tests/web/vendor`` from the
assets' lock file) is injected into the main pages by the test only; the app never serves it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

PUBLIC_PAGES = [
    "/?year=2004",
    "/?year=2004&metric=tier",
    "/country",
    "/country/41",
    "/country/490",
    "/missions",
    "/mission/MINUSTAH",
    "/mission/UNMIK",
    "/scorecards/hosts?year=2010",
    "/scorecards/tccs",
    "/scorecards/missions",
    "/scorecards/hosts/41",
    "/model",
    "/model/predict?personnel=5000&duration=1&tccs=20",
    "/report",
    "/report/follow-up",
    "/registry/login",
    "/country/nowhere",
]
STAFF_PAGES = [
    "/registry/cases",
    "/registry/cases/new",
    "/registry/intake",
    "/registry/vetting",
    "/registry/compliance",
    "/registry/training",
    "/registry/training?year=2025",
    "/registry/vetting/screenings",
    "/registry/referrals/escalation",
    "/registry/referrals/escalation?as_of=2099-01-01",
    "/registry/cases/999999",
    "/registry/users",
]

WIDTH = "() => ({doc: document.documentElement.scrollWidth, view: window.innerWidth})"
# Tables that are wider than their region must sit in a focusable, labelled scroll region.
UNWRAPPED = """() => [...document.querySelectorAll('table')].filter(t => {
  const w = t.closest('.table-wrap');
  return !w || w.getAttribute('tabindex') !== '0' || w.getAttribute('role') !== 'region' ||
    !w.getAttribute('aria-label');
}).map(t => t.id || t.className || t.querySelector('caption, th')?.textContent)"""
# A table cut by its region must show the text hint next to it.
CUT_WITHOUT_HINT = """() => [...document.querySelectorAll('.table-wrap')].filter(w =>
  w.scrollWidth > w.clientWidth + 1 &&
  !(w.previousElementSibling && w.previousElementSibling.classList.contains('scroll-hint') &&
    getComputedStyle(w.previousElementSibling).display !== 'none')).map(w => w.getAttribute('aria-label'))"""


def _login(page, username, password):
    page.goto("/registry/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/registry/(cases|compliance)"))


def _staff_pages(page, seeded) -> list[str]:
    """Registry pages of every type, with a screening and an anonymous report to show."""
    pages = STAFF_PAGES + [f"/registry/cases/{seeded['cases']['overdue_a']}"]
    page.goto("/registry/vetting")  # the form's CSRF token, sent the way the browser sends the form
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    r = page.request.post(
        "/registry/vetting/screenings",
        headers={"Origin": origin},
        multipart={
            "roster_text": "name,date_of_birth,nationality\nMohammed Asif Khan,1984-03-02,770\n",
            "threshold": "0.8",
            "csrf_token": token,
        },
    )
    assert r.ok, r.status
    pages.append(re.search(r"/registry/vetting/screenings/\d+", r.url).group(0))
    reports = page.request.get("/registry/intake?format=json").json()["reports"]
    if reports:
        pages.append(f"/registry/intake/{reports[0]['id']}")
    return pages


@pytest.fixture()
def phone(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844}, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def _check_widths(page, paths) -> list[str]:
    problems = []
    for path in paths:
        page.goto(path)
        page.wait_for_function("() => [...document.querySelectorAll('[data-chart]')].every(el => el.dataset.ready)")
        w = page.evaluate(WIDTH)
        if w["doc"] > w["view"]:
            problems.append(f"{path}: page {w['doc']} px wide in a {w['view']} px viewport")
        unwrapped = page.evaluate(UNWRAPPED)
        if unwrapped:
            problems.append(f"{path}: tables outside a focusable scroll region: {unwrapped}")
        cut = page.evaluate(CUT_WITHOUT_HINT)
        if cut:
            problems.append(f"{path}: tables cut without a hint: {cut}")
    return problems


def test_no_page_is_wider_than_a_phone(phone, seeded, shot):
    problems = _check_widths(phone, PUBLIC_PAGES)
    # The report receipt (a POST answer) too.
    phone.goto("/report")
    phone.get_by_label("What happened?").fill("Layout check report.")
    phone.get_by_role("button", name="Send report").click()
    w = phone.evaluate(WIDTH)
    if w["doc"] > w["view"]:
        problems.append(f"receipt: page {w['doc']} px wide")
    shot(phone, "20-phone-receipt")
    _login(phone, "cora.coordinator", seeded["password"])
    problems += _check_widths(phone, _staff_pages(phone, seeded))
    assert not problems, "\n".join(problems)
    phone.goto("/country/41")
    shot(phone, "21-phone-country-haiti")


def test_tables_cut_on_a_laptop_say_so(page, seeded):
    page.set_viewport_size({"width": 1366, "height": 900})
    problems = _check_widths(page, ["/country/41", "/scorecards/hosts?year=2010", "/scorecards/tccs", "/missions"])
    _login(page, "cora.coordinator", seeded["password"])
    problems += _check_widths(page, ["/registry/compliance", "/registry/cases"])
    assert [p for p in problems if "wide in a" not in p] == []


def test_a_wide_table_scrolls_inside_its_region_with_a_visible_hint(phone):
    phone.goto("/country/41")
    wrap = phone.locator(".table-wrap[aria-label='Year-by-year table']")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    assert phone.locator(".scroll-hint.shown").first.is_visible()
    wrap.focus()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function(
        "() => document.querySelector(\".table-wrap[aria-label='Year-by-year table']\").scrollLeft > 0"
    )


def test_dates_do_not_wrap_in_the_mission_list(phone):
    phone.goto("/missions")
    # Each date's text lays out on one line (one client rectangle), however narrow the screen.
    lines = phone.evaluate("""() => [...document.querySelectorAll('#missions-table td.date')].map(td => {
        const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; })""")
    assert len(lines) > 50 and set(lines) == {1}


def test_chart_legends_keep_clear_of_axis_names(page):
    """Legends scroll on one line at the top; axis names sit along their axis, not under the legend."""
    for path in ("/country/41", "/mission/MINUSTAH", "/model"):
        for width in (390, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(path)
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-chart]')].every(el => el.dataset.ready === 'true')"
            )
            options = page.evaluate("() => Object.values(window.peacewatchCharts || {}).map(c => c.getOption())")
            for opt in options:
                if not opt.get("legend"):
                    continue
                assert opt["legend"][0]["type"] == "scroll", path
                for axis in opt.get("yAxis", []):
                    if axis.get("name"):
                        assert axis["nameLocation"] == "middle", (path, axis["name"])


def test_minustah_zoom_slider_is_inside_its_chart(page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/mission/MINUSTAH")
    page.wait_for_selector("#mission-size[data-ready='true']")
    # The slider's box (ECharts' own layout) must end inside the canvas.
    box = page.evaluate("""() => { const c = peacewatchCharts['mission-size'];
        const dz = c.getModel().getComponent('dataZoom', 1); const v = c.getViewOfComponentModel(dz);
        const r = v.group.getBoundingRect(); const t = v.group.transform || [1,0,0,1,0,0];
        return {bottom: r.y * t[3] + t[5] + r.height * t[3], height: c.getHeight()}; }""")
    assert box["bottom"] <= box["height"]


def _axe(page, path) -> list[str]:
    page.goto(path)
    page.wait_for_function("() => [...document.querySelectorAll('[data-chart]')].every(el => el.dataset.ready)")
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    return [f"{path}: {v}" for v in result]


def test_axe_finds_no_violations_on_the_main_pages(browser, base_url, seeded):
    # The content security policy forbids injected scripts; this context lifts it for axe only.
    context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    violations = []
    for path in [
        "/?year=2004",
        "/country/41",
        "/missions",
        "/mission/MINUSTAH",
        "/scorecards/hosts?year=2010",
        "/scorecards/hosts/41",
        "/model",
        "/model/predict?personnel=5000&duration=1&tccs=20",
        "/report",
    ]:
        violations += _axe(page, path)
    _login(page, "cora.coordinator", seeded["password"])
    for path in [
        "/registry/cases",
        "/registry/compliance",
        "/registry/vetting",
        "/registry/cases/new",
        f"/registry/cases/{seeded['cases']['overdue_a']}",
        "/registry/training",
        "/registry/vetting/screenings",
        "/registry/referrals/escalation?as_of=2099-01-01",
        "/registry/intake",
        "/registry/users",
    ]:
        violations += _axe(page, path)
    context.close()
    assert violations == []


def test_receipt_copy_button_on_a_phone(phone):
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    phone.goto("/report")
    phone.get_by_label("What happened?").fill("Copy button check.")
    phone.get_by_role("button", name="Send report").click()
    receipt = phone.locator("#receipt").get_attribute("data-receipt")
    phone.get_by_role("button", name="Copy the receipt number").click()
    phone.wait_for_function("() => document.getElementById('copy-status').textContent.startsWith('Copied')")
    copied = phone.evaluate("() => navigator.clipboard.readText()")
    assert copied.replace(" ", "") == receipt and len(receipt) == 20
    w = phone.evaluate(WIDTH)
    assert w["doc"] <= w["view"]
