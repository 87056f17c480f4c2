"""The coordinator's registry workflows in a real browser (Debian's Chromium through Playwright):
a reload after a form repeats nothing, the audit trail, user administration, the case list on a
phone, and axe-core and the phone width on every registry page type (390 and 1280 px)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTH = "() => ({doc: document.documentElement.scrollWidth, view: window.innerWidth})"


def _login(page, username, password):
    page.goto("/registry/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/registry/(cases|compliance)"))


def _context(browser, base_url, width):
    return browser.new_context(
        base_url=base_url, viewport={"width": width, "height": 900}, bypass_csp=True, device_scale_factor=1
    )


def test_reload_after_import_repeats_nothing(page, seeded, shot):
    _login(page, "cora.coordinator", seeded["password"])
    page.goto("/registry/vetting")
    page.get_by_label("…or paste the records CSV").fill(
        "full_name,date_of_birth,nationality,category\nOusmane Reload Traore,1981-07-09,432,sexual_abuse\n"
    )
    page.get_by_role("button", name="Import records").click()
    page.wait_for_url(re.compile(r"/registry/vetting$"))
    assert "Imported 1 misconduct record" in page.locator("#flash").inner_text()
    page.reload()
    page.reload()
    assert page.locator("#flash").count() == 0  # shown once
    page.get_by_label("…or paste the roster CSV").fill(
        "name,date_of_birth,nationality\nOusmane Reload Traore,1981-07-09,432\n"
    )
    page.get_by_role("button", name="Screen roster").click()
    page.wait_for_url(re.compile(r"/registry/vetting/screenings/\d+$"))
    page.reload()
    hits = page.request.get(page.url + "?format=json").json()["hits"]
    assert [h["roster_name"] for h in hits] == ["Ousmane Reload Traore"], hits  # one person, one hit
    # Defining a training module, then reloading: the module is there once.
    page.goto("/registry/training")
    page.get_by_label("Code").first.fill("PRG-1")
    page.get_by_label("Title").first.fill("Reload check module")
    # For military police only: the other tests' completion counts (audience "all") stay as they are.
    page.get_by_label("Required of").select_option("military_police")
    page.get_by_role("button", name=re.compile("Define")).click()
    page.wait_for_url(re.compile(r"/registry/training$"))
    assert page.locator("#flash").inner_text().strip() == "Module defined."
    page.reload()
    assert page.content().count("Reload check module") == 1
    shot(page, "40-training-after-reload")


def test_audit_trail_shows_victim_details_viewed_and_exports_csv(page, seeded, shot):
    _login(page, "cora.coordinator", seeded["password"])
    cid = seeded["cases"]["fresh"]
    page.goto(f"/registry/cases/{cid}")
    page.get_by_role("link", name="Show victim details").click()
    page.goto(f"/registry/cases/{cid}")
    page.get_by_role("link", name="Who opened or changed this case").click()
    page.wait_for_url(re.compile(rf"/registry/audit\?case={cid}"))
    rows = page.locator("#audit-table tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any("victim details viewed" in t and "cora.coordinator" in t for t in texts), texts
    assert any("allegation recorded" in t and "ines.investigator" in t for t in texts), texts
    # Filter by what: only the victim details reads of this case.
    page.get_by_label("What").select_option(label="victim details viewed")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() >= 1 and all("victim details viewed" in rows.nth(i).inner_text() for i in range(rows.count()))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    table = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert (
        table
        and {r["What"] for r in table} == {"victim details viewed"}
        and {r["Record"] for r in table} == {f"case #{cid}"}
    )
    page.get_by_role("link", name="Check the whole log now").click()
    assert "Intact:" in page.locator("#log-state-box").inner_text()
    shot(page, "41-audit-trail")


def test_coordinator_creates_resets_and_ends_sessions(browser, base_url, page, seeded, shot):
    _login(page, "cora.coordinator", seeded["password"])
    page.goto("/registry/users")
    page.get_by_label("Username").fill("nadia.newcomer")
    page.get_by_label("Role").select_option(label="investigator")
    page.get_by_label("Password (at least 12 characters)").fill("violet harbour lantern 42")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/registry/users$"))
    assert "Account nadia.newcomer created" in page.locator("#flash").inner_text()
    page.reload()
    assert page.locator("tr[data-user='nadia.newcomer']").count() == 1  # the reload created nothing
    # The new user logs in elsewhere.
    other = browser.new_context(base_url=base_url)
    theirs = other.new_page()
    _login(theirs, "nadia.newcomer", "violet harbour lantern 42")
    page.get_by_role("link", name="nadia.newcomer").click()
    page.get_by_label("New password (at least 12 characters)").fill("copper meadow whistle 77")
    page.get_by_role("button", name="Set password").click()
    assert "New password set for nadia.newcomer" in page.locator("#flash").inner_text()
    theirs.goto("/registry/cases")
    assert "/registry/login" in theirs.url  # their session ended
    _login(theirs, "nadia.newcomer", "copper meadow whistle 77")
    page.get_by_role("button", name="End all sessions").click()
    assert "Every session and script token of nadia.newcomer has ended" in page.locator("#flash").inner_text()
    theirs.goto("/registry/cases")
    assert "/registry/login" in theirs.url
    page.get_by_role("button", name="Deactivate nadia.newcomer").click()
    assert "can no longer log in" in page.locator("#flash").inner_text()
    shot(page, "42-user-account")
    other.close()


def test_case_list_on_a_phone_shows_status_and_deadline(browser, base_url, seeded, shot):
    context = _context(browser, base_url, 390)
    page = context.new_page()
    _login(page, "cora.coordinator", seeded["password"])
    page.goto("/registry/cases")
    row = page.locator(f"tr[data-case='{seeded['cases']['overdue_a']}']")
    for cell in ("Status", "Deadlines"):
        box = row.locator(f"td[data-label='{cell}']").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (cell, box)
    assert "referred to the TCC" in row.inner_text() and "outcome by" in row.inner_text()
    link = row.get_by_role("link").bounding_box()
    assert link["width"] >= 44 and link["height"] >= 44, link
    w = page.evaluate(WIDTH)
    assert w["doc"] <= w["view"], w
    shot(page, "43-phone-case-list")
    context.close()


def _registry_pages(page, seeded) -> list[str]:
    """Every registry page type, with a screening, an anonymous report and a step to confirm."""
    cid = seeded["cases"]["overdue_a"]
    page.goto("/registry/vetting")
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    r = page.request.post(
        "/registry/vetting/screenings",
        headers={"Origin": origin},
        multipart={
            "roster_text": "name,date_of_birth,nationality\nMohammed Asif Khan,1984-03-02,Pakistan\n",
            "threshold": "0.8",
            "csrf_token": token,
        },
    )
    extra = [re.search(r"/registry/vetting/screenings/\d+", r.url).group(0)]
    reports = page.request.get("/registry/intake?format=json").json()["reports"]
    extra += [f"/registry/intake/{reports[0]['id']}"] if reports else []
    return extra + [
        f"/registry/cases/{seeded['cases']['fresh']}/move?to=refer",
        "/registry/cases",
        f"/registry/cases/{cid}",
        "/registry/cases/new",
        "/registry/intake",
        "/registry/vetting",
        "/registry/vetting/screenings",
        "/registry/compliance",
        "/registry/training",
        "/registry/users",
        "/registry/users/ines.investigator",
        "/registry/audit",
        f"/registry/audit?case={cid}&check=yes",
        "/registry/referrals/escalation",
        "/registry/referrals/escalation?as_of=2099-01-01",
        f"/registry/cases/{cid}/victim",
        "/registry/cases/999999",
    ]


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_and_width_on_every_registry_page(browser, base_url, seeded, width):
    context = _context(browser, base_url, width)
    page = context.new_page()
    _login(page, "cora.coordinator", seeded["password"])
    problems = []
    for path in _registry_pages(page, seeded) + ["/registry/login", "/report", "/report/follow-up"]:
        page.goto(path)
        page.add_script_tag(content=AXE.read_text())
        found = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
        )
        problems += [f"{path} at {width}: {v}" for v in found]
        if width == 390:
            w = page.evaluate(WIDTH)
            if w["doc"] > w["view"]:
                problems.append(f"{path}: {w['doc']} px wide at 390")
    context.close()
    assert problems == []
