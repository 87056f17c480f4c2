"""Post/redirect/get on the registry's web forms: a form that succeeds answers 303 to a GET page,
which shows a one-time message; fetching that page again (a browser's reload) repeats nothing and
no longer shows the message."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from peacewatch.registry.models import MisconductRecord, TrainingModule

from .conftest import CASE_BODY, TCC_A


def _csrf(web) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get("/registry/login").text).group(1)


def _post_then_reload(web, headers, path: str, data: dict, message: str) -> str:
    """POST ``data``; the answer must be a 303 whose page shows ``message`` once. Returns the page URL."""
    r = web.post(path, data={**data, "csrf_token": _csrf(web)}, headers=headers)
    assert r.status_code == 303, (path, r.status_code, r.text[-600:])
    where = r.headers["location"]
    first = web.get(where, headers=headers)
    assert first.status_code == 200 and message in first.text, (path, where)
    reload = web.get(where, headers=headers)
    assert reload.status_code == 200 and message not in reload.text, f"{where}: the message came back on reload"
    return where


def _count(registry, model) -> int:
    with registry.session(read_only=True) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_vetting_import_redirects_and_a_reload_imports_nothing(web, people, registry):
    coord = people.headers("coord")
    records = "full_name,date_of_birth,nationality,category\nMuhammad Asif Khan,1984-03-02,770,sexual_exploitation\n"
    where = _post_then_reload(
        web,
        coord,
        "/registry/vetting/records",
        {"records_text": records},
        "Imported 1 misconduct record from misconduct records.",
    )
    assert where == "/registry/vetting"
    assert _count(registry, MisconductRecord) == 1
    # One imported person gives one hit, however often the page after the import is reloaded.
    roster = "name,date_of_birth,nationality\nMohammed Asif Khan,1984-03-02,770\n"
    r = web.post("/registry/vetting/screenings", data={"roster_text": roster, "csrf_token": _csrf(web)}, headers=coord)
    hits = web.get(r.headers["location"], headers={**coord, "Accept": "application/json"}).json()["hits"]
    assert len(hits) == 1


def test_training_module_compliance_case_and_reply_forms_redirect(web, people, registry):
    coord = people.headers("coord")
    _post_then_reload(
        web,
        coord,
        "/registry/training/modules",
        {"code": "SEA-101", "title": "Preventing sexual exploitation", "audience": "all"},
        "Module defined.",
    )
    assert _count(registry, TrainingModule) == 1
    _post_then_reload(
        web,
        coord,
        "/registry/compliance",
        {"nation_ccode": str(TCC_A), "year": "2024", "training": "met"},
        "National report of Pakistan for 2024 saved.",
    )
    body = {k: v for k, v in CASE_BODY.items() if k != "victim"}
    where = _post_then_reload(web, coord, "/registry/cases/new", {k: str(v) for k, v in body.items()}, "recorded.")
    case_id = int(where.rsplit("/", 1)[1])
    _post_then_reload(
        web,
        coord,
        f"/registry/cases/{case_id}/transition",
        {"to_status": "under_investigation"},
        f"Case #{case_id} is now “under investigation”.",
    )


def test_escalate_redirects_to_the_escalation_page_with_the_cases_once(web, people, registry):
    coord = people.headers("coord")
    r = web.post("/registry/referrals/escalate", data={"csrf_token": _csrf(web)}, headers=coord)
    assert r.status_code == 303 and r.headers["location"] == "/registry/referrals/escalation"
    page = web.get(r.headers["location"], headers=coord).text
    assert "Nothing new to escalate today" in page
    assert "Nothing new to escalate today" not in web.get(r.headers["location"], headers=coord).text
    # JSON callers still get the escalations themselves.
    j = web.post("/registry/referrals/escalate?format=json", data={"csrf_token": _csrf(web)}, headers=coord)
    assert j.status_code == 200 and j.json()["escalations"] == []


def test_a_forged_or_foreign_message_cookie_is_ignored(web, people):
    coord = people.headers("coord")
    web.cookies.set("pw_flash", "eyJtZXNzYWdlIjoiaGkifQ.bad.sig", path="/registry")
    page = web.get("/registry/cases", headers=coord)
    assert page.status_code == 200 and 'id="flash"' not in page.text
