"""Registry screens that guide the work: deadline countdowns, escalation preview, readable timeline,
no risky defaults, the mission list, forms that keep their input, training, past screenings,
report previews and aggregate tables (issue: "registry screens that guide the work")."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import httpx
import pytest

from .conftest import post_form

TODAY = dt.datetime.now(dt.UTC).date()  # the registry's clock (UTC)


def _close_afresh(registry, year: int) -> None:
    """Close ``year`` for publication with the data a test just added. Published figures are frozen
    when a year closes (issue 20), and the shared test server may have closed it before this test's
    data existed; a real registry closes a year once, after its data are in."""
    from sqlalchemy import delete

    from peacewatch.registry import publication
    from peacewatch.registry.models import PublishedPeriod

    with registry.session() as s:
        s.execute(delete(PublishedPeriod).where(PublishedPeriod.year == year))
        publication.close_period(s, year)


@pytest.fixture()
def login_as(server):
    """Log a client in with a fresh session token of the user (the login form itself is tested in
    test_registry_screens; this keeps the many logins here clear of the login rate limit)."""
    from sqlalchemy import select

    from peacewatch.registry import auth
    from peacewatch.registry.api import COOKIE
    from peacewatch.registry.models import User

    def login(client: httpx.Client, username: str) -> None:
        with server["app"].state.registry.session() as s:
            uid = s.execute(select(User.id).where(User.username == username)).scalar_one()
            token = auth.issue_token(s, uid).token
        client.cookies.set(COOKIE, token)

    return login


def _days(n: int) -> str:
    return f"{abs(n)} day{'s' if abs(n) != 1 else ''} {'left' if n > 0 else 'late'}" if n else "due today"


def _make_case(
    server,
    *,
    tcc=770,
    mission="MINUSTAH",
    days_ago=0,
    steps=("under_investigation", "substantiated", "referred_to_tcc"),
    repatriated=None,
):
    """A case created through the service with a known referral day (``days_ago`` before now)."""
    from sqlalchemy import select

    from peacewatch.registry import cases
    from peacewatch.registry.models import User

    registry = server["app"].state.registry
    when = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=days_ago)
    with registry.session() as s:
        inv = s.execute(select(User).where(User.username == "ines.investigator")).scalar_one()
        c = cases.create_case(
            s, inv, mission=mission, tcc_ccode=tcc, category="sexual_abuse", summary="Guided case", now=when
        )
        for st in steps:
            cases.transition_case(
                s, inv, c.id, st, now=when, repatriated=repatriated if st == "substantiated" else None
            )
        return c.id, (c.referral.officer_due if c.referral else None), (c.referral.outcome_due if c.referral else None)


def test_case_views_count_down_to_each_deadline(http, server, seeded, login_as):
    fresh, officer_due, outcome_due = _make_case(server)
    late, late_officer, late_outcome = _make_case(server, days_ago=95)
    login_as(http, "cora.coordinator")
    page = http.get(f"/registry/cases/{fresh}").text
    assert _days((officer_due - TODAY).days) in page and "90 days left" in page
    first_late = min(officer_due, outcome_due) + dt.timedelta(days=1)
    assert re.search(rf'Next escalation</th><td>to the mission head from <span class="date">{first_late}</span>', page)
    page = http.get(f"/registry/cases/{late}").text
    assert _days((late_outcome - TODAY).days) == "5 days late" and "5 days late" in page
    assert f"{(TODAY - late_officer).days} days late" in page
    # The case list shows the same clocks; the extension shows "(extended)".
    listed = http.get("/registry/cases").text
    row = re.search(rf'<tr [^>]*data-case="{fresh}">.*?</tr>', listed, re.S).group(0)
    assert "90 days left" in row and "escalates to the mission head from" in row
    case = http.get(f"/registry/cases/{late}", params={"format": "json"}).json()
    assert case["clock"]["outcome"]["text"] == "5 days late"
    r = post_form(http, f"/registry/referrals/{case['case']['referral']['id']}/extend", {"days": "120"})
    assert r.status_code == 200 and '<span class="tag">(extended)</span>' in r.text and "25 days left" in r.text


def test_escalation_preview_as_of_a_date_then_escalate(http, server, seeded, login_as):
    fresh, officer_due, outcome_due = _make_case(server, tcc=771, mission="UNMISS")
    login_as(http, "cora.coordinator")
    today = http.get("/registry/referrals/escalation").text
    assert f'href="/registry/cases/{fresh}"' not in today
    ahead = (outcome_due + dt.timedelta(days=1)).isoformat()
    page = http.get("/registry/referrals/escalation", params={"as_of": ahead})
    assert page.status_code == 200 and f'<a href="/registry/cases/{fresh}">Case #{fresh}</a>' in page.text
    assert "Bangladesh" in page.text and "mission head (level 1)" in page.text
    data = http.get("/registry/referrals/escalation", params={"as_of": ahead, "format": "json"}).json()
    assert any(e["case_id"] == fresh and e["mission"] == "UNMISS" for e in data["escalations"])
    # Read-only: the case is not escalated by the preview.
    assert (
        http.get(f"/registry/cases/{fresh}", params={"format": "json"}).json()["case"]["referral"]["escalation_level"]
        == 0
    )
    bad = http.get("/registry/referrals/escalation", params={"as_of": "31/12/2026"})
    assert bad.status_code == 422 and "give a date like" in bad.text and 'aria-label="Registry"' in bad.text
    # The escalate action lists cases with links, not referral ids.
    _late, *_ = _make_case(server, days_ago=40)
    done = post_form(http, "/registry/referrals/escalate")
    assert f'<a href="/registry/cases/{_late}">Case #{_late}</a>' in done.text
    assert "Referral</th>" not in done.text
    assert done.headers["cache-control"] == "no-store" and "Accept" in done.headers["vary"]


def test_timeline_reads_as_words(http, server, seeded, login_as):
    cid, *_ = _make_case(server, repatriated=True)
    login_as(http, "cora.coordinator")
    page = http.get(f"/registry/cases/{cid}").text
    timeline = page[page.index("<h2>Timeline</h2>") : page.index("<h2>Next step</h2>")]
    assert "mission: MINUSTAH; TCC: Pakistan; category: sexual abuse" in timeline
    assert "repatriated: Yes" in timeline
    for raw in ("tcc ccode", "tcc_ccode", "sexual_abuse", "True", "mission_head"):
        assert raw not in timeline
    post_form(http, "/registry/referrals/escalate")
    late, *_ = _make_case(server, days_ago=30)
    post_form(http, "/registry/referrals/escalate")
    timeline = http.get(f"/registry/cases/{late}").text
    assert "sent to: mission head" in timeline and "mission_head" not in timeline


def test_outcome_has_no_preselected_value_and_is_required(http, server, seeded, login_as):
    cid, *_ = _make_case(server)
    login_as(http, "cora.coordinator")
    assert f'href="/registry/cases/{cid}/move?to=outcome_reported"' in http.get(f"/registry/cases/{cid}").text
    page = http.get(f"/registry/cases/{cid}/move", params={"to": "outcome_reported"}).text
    select = re.search(r'<select id="outcome" name="outcome" required>(.*?)</select>', page, re.S).group(1)
    assert select.startswith('<option value="">Choose…</option>') and "selected" not in select
    r = post_form(
        http, f"/registry/cases/{cid}/transition", {"to_status": "outcome_reported", "note": "Court martial pending"}
    )
    assert r.status_code == 422
    assert '<p class="field-error" id="outcome-error">choose the outcome the TCC reported</p>' in r.text
    assert 'value="Court martial pending"' in r.text and 'aria-label="Registry"' in r.text
    assert http.get(f"/registry/cases/{cid}", params={"format": "json"}).json()["case"]["status"] == "referred_to_tcc"


def test_new_allegation_chooses_mission_and_category(http, seeded, login_as):
    login_as(http, "ines.investigator")
    page = http.get("/registry/cases/new").text
    category = re.search(r'<select id="category" name="category" required[^>]*>(.*?)</select>', page, re.S).group(1)
    assert category.strip().startswith('<option value="">Choose…</option>') and "selected" not in category
    assert '<option value="MINUSTAH" >MINUSTAH</option>' in page and 'value="__other__"' in page
    # A missing category: the form comes back filled in, the error beside the field.
    r = post_form(
        http, "/registry/cases/new", {"mission": "MINUSTAH", "tcc_ccode": "770", "summary": "Allegation typed once"}
    )
    assert r.status_code == 422 and '<p class="field-error" id="category-error">is required</p>' in r.text
    assert "Allegation typed once</textarea>" in r.text and '<option value="770" selected>' in r.text
    # "Other": typed, stored in canonical form; the filter is case- and accent-insensitive.
    r = post_form(
        http,
        "/registry/cases/new",
        {
            "mission": "__other__",
            "mission_other": "  unmíl ",
            "tcc_ccode": "770",
            "category": "sexual_abuse",
            "summary": "Other mission",
        },
    )
    assert r.status_code == 200
    cid = int(str(r.url).rsplit("/", 1)[1])
    assert http.get(f"/registry/cases/{cid}", params={"format": "json"}).json()["case"]["mission"] == "UNMIL"
    found = http.get("/registry/cases", params={"mission": "Unmil", "format": "json"}).json()["cases"]
    assert [c["id"] for c in found] == [cid]
    found = http.get("/registry/cases", params={"mission": "minustah", "format": "json"}).json()["cases"]
    assert found and {c["mission"] for c in found} == {"MINUSTAH"}
    missing = post_form(
        http,
        "/registry/cases/new",
        {"mission": "__other__", "tcc_ccode": "770", "category": "sexual_abuse", "summary": "No mission typed"},
    )
    assert missing.status_code == 422 and 'id="mission_other-error"' in missing.text


def test_bad_roster_comes_back_filled_in_inside_the_registry(http, seeded, login_as):
    login_as(http, "cora.coordinator")
    pasted = "name;born;country\nJohn <b>Doe</b>;1980;770\n"
    r = post_form(http, "/registry/vetting/screenings", {"roster_text": pasted, "threshold": "0.9"})
    assert r.status_code == 422 and 'aria-label="Registry"' in r.text
    assert html_lib.escape(pasted, quote=False) + "</textarea>" in r.text
    assert 'id="roster_text-error"' in r.text and 'value="0.9"' in r.text
    # A refused request (another TCC's case) keeps the registry navigation too.
    login_as(http, "liaison.pakistan")
    other = seeded["cases"]["referred_b"]
    r = http.get(f"/registry/cases/{other}")
    assert r.status_code == 404 and 'aria-label="Registry"' in r.text and f"no case {other} visible to you" in r.text
    assert r.headers["cache-control"] == "no-store"


def test_past_screenings_and_review_counts(http, seeded, login_as):
    login_as(http, "cora.coordinator")
    records = "full_name,date_of_birth,nationality,category\nAmadou Ba Diallo,1981-05-05,433,sexual_abuse\n"
    post_form(http, "/registry/vetting/records", {"records_text": records})
    roster = (
        "name,date_of_birth,nationality\n"
        "Amadou Ba Diallo,1981-05-05,433\nPeter Smith,1990-01-01,2\nAnna Berg,1985-02-02,380\n"
    )
    r = post_form(http, "/registry/vetting/screenings", {"roster_text": roster, "threshold": "0.8"})
    sid = int(str(r.url).rsplit("/", 1)[1])
    assert "3 rows screened, 2 cleared, 1 flagged</strong> (1 awaiting a decision)" in r.text
    listing = http.get("/registry/vetting/screenings").text
    row = re.search(rf'<tr data-screening="{sid}">.*?</tr>', listing, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[0] == TODAY.isoformat() and cells[1] == "cora.coordinator"
    assert cells[3:] == ["3", "2", "1", "1", "0"]
    assert f'href="/registry/vetting/screenings/{sid}"' in row
    hit = re.search(r"/registry/vetting/hits/(\d+)/decision", r.text).group(1)
    post_form(http, f"/registry/vetting/hits/{hit}/decision", {"decision": "not_a_match"})
    row = re.search(rf'<tr data-screening="{sid}">.*?</tr>', http.get("/registry/vetting/screenings").text, re.S).group(
        0
    )
    assert re.findall(r"<td[^>]*>(.*?)</td>", row)[3:] == ["3", "3", "1", "0", "0"]


def test_anonymous_report_list_shows_escaped_previews(base_url, http, seeded, login_as):
    message = "<script>alert(1)</script> Soldiers at checkpoint 4 ask girls for sex in exchange for food; " * 3
    with httpx.Client(base_url=base_url, follow_redirects=True) as reporter:
        assert reporter.post("/report", data={"message": message}).status_code == 200
    login_as(http, "ines.investigator")
    page = http.get("/registry/intake").text
    expected = html_lib.escape(" ".join(message.split())[:80].rstrip(), quote=True) + "…"
    assert f'<td class="preview">{expected}</td>' in page
    assert "<script>alert" not in page


def test_training_screen_records_and_shows_completion(http, server, seeded, login_as):
    from sqlalchemy import select

    from peacewatch.registry import training
    from peacewatch.registry.models import User

    registry = server["app"].state.registry
    last_year = TODAY.year - 1
    with registry.session() as s:
        coord = s.execute(select(User).where(User.username == "cora.coordinator")).scalar_one()
        if "THB-1" not in {m.code for m in training.list_modules(s)}:  # other tests may define modules too
            training.add_module(s, coord, "THB-1", "Trafficking awareness")
        for i in range(6):  # six people of Ghana (452) in an ended year, five trained
            p = training.add_person(s, coord, f"GH-{i}", f"Person {i}", 452, last_year)
            if i < 5:
                training.record_completion(s, coord, p.service_number, "THB-1", dt.date(last_year, 3, 1))
        for i in range(3):  # three of Kenya (501), none trained: a small cell
            training.add_person(s, coord, f"KE-{i}", f"Person {i}", 501, last_year)
    _close_afresh(registry, last_year)
    login_as(http, "cora.coordinator")
    dup = post_form(http, "/registry/training/modules", {"code": "THB-1", "title": "Second awareness course"})
    assert dup.status_code == 409 and "module code 'THB-1' exists" in html_lib.unescape(dup.text)
    assert 'value="Second awareness course"' in dup.text
    login_as(http, "liaison.pakistan")
    r = post_form(
        http,
        "/registry/training/personnel",
        {"service_number": "PK-77", "full_name": "Ali Raza", "deployment_year": str(TODAY.year)},
    )
    assert r.status_code == 200 and "Person registered." in r.text
    r = post_form(
        http,
        "/registry/training/completions",
        {"service_number": "PK-77", "module_code": "THB-1", "completed_on": TODAY.isoformat()},
    )
    assert r.status_code == 200 and "Completion recorded." in r.text
    again = post_form(
        http,
        "/registry/training/completions",
        {"service_number": "PK-77", "module_code": "THB-1", "completed_on": TODAY.isoformat(), "score": "88"},
    )
    assert again.status_code == 409 and "already completed THB-1" in again.text
    assert 'value="PK-77"' in again.text and 'value="88"' in again.text and 'aria-label="Registry"' in again.text
    missing = post_form(
        http, "/registry/training/completions", {"service_number": "PK-77", "completed_on": TODAY.isoformat()}
    )
    assert missing.status_code == 422 and 'id="module_code-error"' in missing.text
    login_as(http, "ana.analyst")
    page = http.get("/registry/training", params={"year": last_year}).text
    table = re.search(r'<table id="training-table">.*?</table>', page, re.S).group(0)
    headers = re.findall(r'<th scope="col">(.*?)</th>', table)
    assert headers == ["Nation", "Year", "Personnel registered", "Fully trained", "Completion rate"]
    ghana = re.search(r'<tr><th scope="row">Ghana</th>(.*?)</tr>', table).group(1)
    # 6 registered, 5 trained: "trained" would reveal 1 untrained person, so it is suppressed.
    assert re.findall(r"<td[^>]*>(.*?)</td>", ghana) == [str(last_year), "6", "suppressed", "suppressed"]
    kenya = re.search(r'<tr><th scope="row">Kenya</th>(.*?)</tr>', table).group(1)
    # Three registered (a small cell), none trained: 0 identifies nobody and stays (the rule of stats).
    assert re.findall(r"<td[^>]*>(.*?)</td>", kenya) == [str(last_year), "suppressed", "0", "suppressed"]
    assert "fewer than 5" in page and "not applicable" in page


def test_aggregate_tables_have_words_counts_and_two_kinds_of_blank(http, server, seeded, login_as):
    from sqlalchemy import select

    from peacewatch.registry import cases
    from peacewatch.registry.models import User

    registry = server["app"].state.registry
    last_year = dt.datetime(TODAY.year - 1, 6, 1)
    with registry.session() as s:
        inv = s.execute(select(User).where(User.username == "ines.investigator")).scalar_one()
        for _ in range(6):  # Uruguay (165): six allegations, none referred
            cases.create_case(
                s, inv, mission="MONUSCO", tcc_ccode=165, category="sexual_abuse", summary="x", now=last_year
            )
        for _ in range(2):  # Nepal (790): two, a small cell
            cases.create_case(
                s, inv, mission="UNMISS", tcc_ccode=790, category="sexual_abuse", summary="x", now=last_year
            )
    _close_afresh(registry, last_year.year)
    login_as(http, "ana.analyst")
    page = http.get("/registry/compliance", params={"year": TODAY.year - 1}).text
    table = re.search(r'aria-label="TCC accountability table">(.*?)</table>', page, re.S).group(1)
    headers = re.findall(r'<th scope="col">(.*?)</th>', table)
    assert headers[:4] == ["TCC", "Year", "Allegations", "Referrals"] and "tcc ccode" not in page.lower()
    uruguay = re.findall(r"<td[^>]*>(.*?)</td>", re.search(r'<th scope="row">Uruguay</th>(.*?)</tr>', table).group(1))
    assert uruguay[:3] == [str(TODAY.year - 1), "6", "0"] and uruguay[3:] == ["n/a"] * 4
    nepal = re.findall(r"<td[^>]*>(.*?)</td>", re.search(r'<th scope="row">Nepal</th>(.*?)</tr>', table).group(1))
    assert nepal[1] == "suppressed" and "0.0" not in table
    assert "suppressed / n.a." not in page and "fewer than 5" in page


def test_refused_report_and_reply_keep_what_was_typed(base_url, http, seeded, login_as):
    login_as(http, "liaison.bangladesh")
    sent = {"year": "2021", "training": "met", "notes": "Training cascaded to all battalions"}
    assert post_form(http, "/registry/compliance", sent).status_code == 200
    again = post_form(http, "/registry/compliance", {**sent, "training": "partial"})
    assert again.status_code == 409 and 'aria-label="Registry"' in again.text
    assert "Training cascaded to all battalions</textarea>" in again.text and 'value="2021"' in again.text
    assert re.search(
        r'<select id="prov-training" name="training"><option value="">unknown</option>\s*'
        r'<option value="met" >met</option><option value="partial" selected>',
        again.text,
    )
    with httpx.Client(base_url=base_url, follow_redirects=True) as reporter:
        reporter.post("/report", data={"message": "Reply test report"})
    login_as(http, "ines.investigator")
    report_id = max(r["id"] for r in http.get("/registry/intake", params={"format": "json"}).json()["reports"])
    r = post_form(
        http, f"/registry/intake/{report_id}/reply", {"message": "We are looking into it", "case_id": "99999"}
    )
    assert r.status_code == 404 and "We are looking into it</textarea>" in r.text
    assert '<p class="field-error" id="case_id-error">no case 99999 to link</p>' in r.text


def test_mission_in_canonical_form_whichever_door(http, seeded, login_as):
    from peacewatch.registry.schemas import canonical_mission  # re-exported from registry.reference

    assert canonical_mission("  Mínustah \t ii ") == "MINUSTAH II"
    login_as(http, "ines.investigator")
    body = {"mission": "  monusco ", "tcc_ccode": 770, "category": "sexual_abuse", "summary": "Through the API"}
    r = http.post("/api/registry/cases", json=body)
    assert r.status_code == 201 and r.json()["mission"] == "MONUSCO"
    # Folding may lengthen a name ("ß" -> "SS"): refused with a clear message, never a database error.
    r = http.post("/api/registry/cases", json={**body, "mission": "ß" * 21})
    assert r.status_code == 422 and "longer than 40 characters" in r.text and "Value error" not in r.text
