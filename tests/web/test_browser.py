"""Browser tests: Playwright driving Debian's Chromium against the live app.

Each test saves screenshots under ``test-output/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _wait_for_charts(page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every(el => el.dataset.ready === 'true')"
    )


def test_map_loads_with_real_data_for_a_year(page, shot):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # A blocked resource (content security policy) or a failed request shows up as a console error.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/?year=2004")
    page.wait_for_selector("#world-map[data-ready='true']")
    # The drawn chart holds Haiti's real 2004 figures, keyed by ISO3 on the vendored world map.
    haiti = page.evaluate("""() => peacewatchCharts['world-map'].getOption().series[0].data
                                .find(d => d.name === 'HTI')""")
    assert haiti["personnel"] == 7406 and haiti["missions"] == "MINUSTAH"
    assert page.evaluate("() => echarts.getMap('world').geoJSON.features.length") > 150
    row = page.locator("#hosts-table tr[data-iso3='HTI']")
    assert row.locator("td").nth(2).inner_text() == "6,008"
    assert page.locator("canvas").count() >= 1 and not errors
    shot(page, "01-map-2004-deployments")

    # Keyboard only: skip link first, then choose another metric and submit.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Sex-trafficking destination (HTI)").check()
    page.get_by_role("button", name="Show").press("Enter")
    page.wait_for_url(re.compile(r"metric=destination"))
    page.wait_for_selector("#world-map[data-ready='true']")
    dest = page.evaluate(
        "() => peacewatchCharts['world-map'].getOption().series[0].data.find(d => d.name === 'HTI').value"
    )
    assert dest == 1
    shot(page, "02-map-2004-destinations")


def test_country_page_shows_haiti_deployments_2004_2011(page, shot):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/country/41")
    _wait_for_charts(page)
    expected = {
        2004: "6,008",
        2005: "7,286",
        2006: "6,684",
        2007: "7,047",
        2008: "7,016",
        2009: "7,032",
        2010: "8,744",
        2011: "8,065",
    }
    for year, troops in expected.items():
        cells = page.locator(f"#country-years tr[data-year='{year}'] td")
        assert cells.nth(0).inner_text() == "MINUSTAH"
        assert cells.nth(1).inner_text() == troops
    # The chart is drawn on the server (SVG); each year's column has its numbers as a tooltip.
    tips = page.locator("#deployments rect.hit title").all_text_contents()
    assert "2004: troops 6,008, police 1,398, observers 0; 41 TCCs" in tips
    assert page.locator("h1").inner_text().startswith("Haiti")
    assert page.get_by_text("Host-state grade").is_visible() and not errors
    shot(page, "03-country-haiti")


def test_planned_mission_form_returns_a_probability(page, shot):
    page.goto("/model")
    _wait_for_charts(page)
    shot(page, "04-model")
    page.get_by_label("Uniformed personnel (troops, police, observers)").fill("10000")
    page.get_by_label("Years since the host's first UN deployment (1 = first year)").fill("3")
    page.get_by_label("Number of troop- and police-contributing countries").fill("30")
    page.get_by_role("button", name="Predict risk").click()
    page.wait_for_selector("#risk-value")
    value = page.locator("#risk-value").inner_text()
    assert re.fullmatch(r"\d{1,3}\.\d%", value)
    from peacewatch.models.deployment_risk import predict_planned

    assert value == f"{predict_planned(10000, 3, 30)['risk'] * 100:.1f}%"
    shot(page, "05-planned-mission-prediction")


def test_anonymous_report_receipt_later_shows_a_reply(browser, base_url, seeded, shot):
    reporter = browser.new_context(base_url=base_url)
    staff = browser.new_context(base_url=base_url)
    try:
        r = reporter.new_page()
        r.goto("/report")
        r.get_by_label("What happened?").fill("A peacekeeper offered food for sex at the camp gate.")
        r.get_by_label("Mission (optional)").fill("MINUSTAH")
        r.get_by_role("button", name="Send report").click()
        receipt = r.locator("#receipt").get_attribute("data-receipt")
        assert receipt and re.fullmatch(r"\d{20}", receipt)
        assert reporter.cookies() == []  # nothing that could identify the reporter later
        shot(r, "06-anonymous-receipt")

        s = staff.new_page()
        s.goto("/registry/intake")  # redirected to the login form
        s.get_by_label("Username").fill("ines.investigator")
        s.get_by_label("Password").fill(seeded["password"])
        s.get_by_role("button", name="Log in").click()
        s.wait_for_url(re.compile(r"/registry/intake$"))
        s.locator("table a").first.click()
        s.get_by_label("Reply").fill("Thank you. An investigator has been assigned.")
        s.get_by_label("Set status").select_option("triaged")
        s.get_by_role("button", name="Send reply").click()
        s.wait_for_selector("text=An investigator has been assigned")
        shot(s, "07-staff-reply")

        r.goto("/report/follow-up")
        r.get_by_label("Receipt number").fill(" ".join(receipt[i : i + 4] for i in range(0, 20, 4)))
        r.get_by_role("button", name="Read replies").click()
        assert r.locator("#thread-status").inner_text() == "read by the conduct and discipline team"  # not "triaged"
        assert "Thank you. An investigator has been assigned." in r.locator("#messages").inner_text()
        shot(r, "08-receipt-follow-up-with-reply")
    finally:
        reporter.close()
        staff.close()


def test_tcc_liaison_cannot_open_another_tccs_case(page, seeded, shot):
    page.goto("/registry/login")
    page.get_by_label("Username").fill("liaison.pakistan")
    page.get_by_label("Password").fill(seeded["password"])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/registry/cases$"))
    own = seeded["cases"]["overdue_a"]
    assert page.locator(f"tr[data-case='{own}'].overdue .badge-overdue").first.is_visible()
    assert page.locator(f"tr[data-case='{seeded['cases']['referred_b']}']").count() == 0
    shot(page, "09-liaison-case-list-overdue")
    response = page.goto(f"/registry/cases/{seeded['cases']['referred_b']}")
    assert response.status == 404
    assert page.get_by_role("alert").inner_text().startswith(f"no case {seeded['cases']['referred_b']} visible to you")
    shot(page, "10-liaison-denied-other-tcc-case")


def test_screenshots_of_the_other_screens(page, seeded, shot):
    page.goto("/mission/MINUSTAH")
    _wait_for_charts(page)
    shot(page, "11-mission-minustah")
    page.goto("/scorecards/hosts?year=2010&sort=score&order=desc")
    page.get_by_role("link", name=re.compile(r"^Name")).click()
    sorted_by = page.locator("th[aria-sort]")
    assert sorted_by.inner_text().startswith("Name") and sorted_by.get_attribute("aria-sort") == "ascending"
    names = page.locator("#scorecard-table tbody th").all_inner_texts()
    from peacewatch.web.labels import fold

    assert names == sorted(names, key=fold)  # alphabetical, accents aside ("Côte" between "Congo" and "Cyprus")
    shot(page, "12-scorecard-hosts-2010")
    with page.expect_download() as download:
        page.locator("#csv-link").click()
    assert download.value.suggested_filename == "peacewatch-hosts-2010.csv"
    page.goto("/registry/login")
    page.get_by_label("Username").fill("ines.investigator")
    page.get_by_label("Password").fill(seeded["password"])
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/registry/cases/{seeded['cases']['overdue_a']}")
    shot(page, "13-case-detail-timeline")
    page.goto("/registry/vetting")
    shot(page, "14-vetting-upload")
    page.get_by_label("…or paste the records CSV").fill(
        "full_name,date_of_birth,nationality,category\nJean-Baptiste Moreau,1979-11-30,433,trafficking_related\n"
    )
    page.get_by_role("button", name="Import records").click()
    assert "Imported 1 misconduct record" in page.get_by_role("status").inner_text()
    page.get_by_label("…or paste the roster CSV").fill(
        "name,date_of_birth,nationality\nJean Baptiste Moreau,1979-11-30,433\nAmadou Diallo,1985-02-14,433\n"
    )
    page.get_by_role("button", name="Screen roster").click()
    page.wait_for_url(re.compile(r"/registry/vetting/screenings/\d+$"))
    assert page.get_by_role("heading", level=2).first.inner_text().startswith("Roster row 2: Jean Baptiste Moreau")
    shot(page, "15-vetting-review")


A11Y_CHECK = """() => {
  const problems = [];
  const controls = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')];
  for (const el of controls) {
    if (!el.labels || el.labels.length === 0) problems.push('no label: ' + (el.name || el.id));
  }
  if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count ' + document.querySelectorAll('h1').length);
  for (const el of document.querySelectorAll('[data-chart]')) {
    if (el.getAttribute('role') !== 'img' || !el.getAttribute('aria-label')) {
      problems.push('chart without a text alternative: ' + el.id);
    }
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length) problems.push('duplicate ids: ' + dupes.join(','));
  if (!document.querySelector('main#main') || !document.querySelector('a.skip[href="#main"]')) {
    problems.push('no main landmark / skip link');
  }
  if (document.documentElement.lang !== 'en') problems.push('no lang');
  return problems;
}"""


def test_pages_have_labels_headings_and_text_alternatives(page, seeded):
    public = [
        "/",
        "/country/41",
        "/missions",
        "/mission/MINUSTAH",
        "/scorecards/tccs",
        "/scorecards/hosts/41",
        "/model",
        "/model/predict?personnel=500&duration=1&tccs=5",
        "/report",
        "/report/follow-up",
        "/registry/login",
    ]
    for path in public:
        page.goto(path)
        assert page.evaluate(A11Y_CHECK) == [], path
    page.goto("/registry/login")
    page.get_by_label("Username").fill("cora.coordinator")
    page.get_by_label("Password").fill(seeded["password"])
    page.get_by_role("button", name="Log in").click()
    for path in [
        "/registry/cases",
        "/registry/cases/new",
        f"/registry/cases/{seeded['cases']['referred_b']}",
        "/registry/intake",
        "/registry/vetting",
        "/registry/compliance",
    ]:
        page.goto(path)
        assert page.evaluate(A11Y_CHECK) == [], path
