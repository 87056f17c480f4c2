"""Case steps on the web: each step is confirmed on a page that says what it does, and a
substantiated allegation is referred to its TCC in one action that records every status on the
way (through ``operations.cases.refer_to_tcc``: role checks, events, audit, all or none)."""

from __future__ import annotations

import re

from sqlalchemy import select

from peacewatch.registry import cases
from peacewatch.registry.models import AuditEntry, CaseEvent

from .conftest import API, TCC_A


def _csrf(web) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get("/registry/login").text).group(1)


def _case(registry, people) -> int:
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        return cases.create_case(
            s, inv, mission="MONUSCO", tcc_ccode=TCC_A, category="sexual_exploitation", summary="Allegation to refer"
        ).id


def test_a_step_is_confirmed_on_its_own_page_before_anything_changes(web, people, registry):
    cid = _case(registry, people)
    inv = people.headers("inv")
    page = web.get(f"/registry/cases/{cid}", headers=inv).text
    assert f'href="/registry/cases/{cid}/move?to=under_investigation"' in page
    assert '<form method="post" action="/registry/cases/' not in page  # no one-click change on the case page
    confirm = web.get(f"/registry/cases/{cid}/move?to=under_investigation", headers=inv)
    assert confirm.status_code == 200 and "Confirm: Start the investigation" in confirm.text
    assert web.get(f"/api/registry/cases/{cid}", headers=inv).json()["status"] == "reported"  # nothing changed yet
    # A step that is not open (a closed case's step, or another role's) is refused with words.
    r = web.get(f"/registry/cases/{cid}/move?to=closed", headers=inv)
    assert r.status_code == 409 and "that step is not open to you now" in r.text
    assert (
        web.get(f"/registry/cases/{cid}/move?to=under_investigation", headers=people.headers("liaison_a")).status_code
        == 404
    )


def test_refer_to_the_tcc_in_one_action_records_each_status(web, people, registry):
    cid = _case(registry, people)
    inv = people.headers("inv")
    page = web.get(f"/registry/cases/{cid}/move?to=refer", headers=inv).text
    assert (
        "reported</strong>. After this step: <strong>under investigation → substantiated → referred to the TCC" in page
    )
    assert "10 working days" in page and "90 days" in page
    r = web.post(
        f"/registry/cases/{cid}/refer",
        data={"csrf_token": _csrf(web), "repatriated": "yes", "note": "Evidence from two witnesses"},
        headers=inv,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/registry/cases/{cid}"
    shown = web.get(r.headers["location"], headers=inv).text
    assert f"Case #{cid} is referred to the TCC: officer due" in shown
    with registry.session(read_only=True) as s:
        steps = s.execute(
            select(CaseEvent.from_status, CaseEvent.to_status)
            .where(CaseEvent.case_id == cid, CaseEvent.kind == "transition")
            .order_by(CaseEvent.id)
        ).all()
    assert [tuple(x) for x in steps] == [
        ("reported", "under_investigation"),
        ("under_investigation", "substantiated"),
        ("substantiated", "referred_to_tcc"),
    ]
    case = web.get(f"/api/registry/cases/{cid}", headers=inv).json()
    assert case["status"] == "referred_to_tcc" and case["repatriated"] is True and case["referral"]["officer_due"]
    registry.sequencer.sync()
    with registry.session(read_only=True) as s:
        audited = (
            s.execute(
                select(AuditEntry.action).where(
                    AuditEntry.entity == "case", AuditEntry.entity_id == str(cid), AuditEntry.action == "transition"
                )
            )
            .scalars()
            .all()
        )
    assert len(audited) == 3
    # Once referred, the path is closed.
    again = web.post(f"/registry/cases/{cid}/refer", data={"csrf_token": _csrf(web)}, headers=inv)
    assert again.status_code == 409


def test_refer_is_refused_to_roles_that_may_not_make_every_step(client, people, registry):
    cid = _case(registry, people)
    for who in ("rep", "analyst", "liaison_a"):
        assert client.post(f"{API}/cases/{cid}/refer", json={}, headers=people.headers(who)).status_code in (403, 404)
    assert client.get(f"{API}/cases/{cid}", headers=people.headers("inv")).json()["status"] == "reported"
    r = client.post(f"{API}/cases/{cid}/refer", json={"repatriated": False}, headers=people.headers("coord"))
    assert r.status_code == 200 and r.json()["status"] == "referred_to_tcc"


def test_extension_by_date_with_a_reason_through_the_api(client, people, registry):
    import datetime as dt

    cid = _case(registry, people)
    coord = people.headers("coord")
    case = client.post(f"{API}/cases/{cid}/refer", json={}, headers=coord).json()
    ref = case["referral"]
    referred = dt.date.fromisoformat(ref["referred_at"][:10])
    both = client.post(f"{API}/referrals/{ref['id']}/extend", json={"days": 120, "until": "2030-01-01"}, headers=coord)
    assert both.status_code == 422 and "either days after the referral or a date" in both.text
    early = (referred + dt.timedelta(days=90)).isoformat()
    r = client.post(f"{API}/referrals/{ref['id']}/extend", json={"until": early}, headers=coord)
    assert (
        r.status_code == 422
        and f"from {referred + dt.timedelta(days=91)} to {referred + dt.timedelta(days=180)}" in r.text
    )
    until = (referred + dt.timedelta(days=120)).isoformat()
    r = client.post(
        f"{API}/referrals/{ref['id']}/extend", json={"until": until, "reason": "Court recess"}, headers=coord
    )
    assert r.status_code == 200 and r.json()["outcome_due"] == until
    events = client.get(f"{API}/cases/{cid}", headers=coord).json()["events"]
    assert {"outcome_due": until, "reason": "Court recess"} in [e["detail"] for e in events if e["kind"] == "extension"]


def test_the_mission_list_names_the_cote_divoire_mission_once():
    """IPI lists the UN Operation in Côte d'Ivoire as ONUCI (2005-06) and UNOCI: one choice."""
    from types import SimpleNamespace

    from peacewatch.web.routes.forms import known_missions

    store = SimpleNamespace(mission_index=[{"mission": m} for m in ("UNOCI", "ONUCI", "MINUSCA", "ONUC")])
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(store=store)))
    assert known_missions(request) == ["MINUSCA", "ONUC", "UNOCI"]
