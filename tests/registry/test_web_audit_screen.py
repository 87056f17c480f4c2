"""The audit screen: coordinators see who read or changed what (victim details viewed included),
filtered by case, actor, action and dates, paged, as CSV through the CSV-safe writer, with the
state of the newest signed checkpoint; other roles are refused; reading the trail is audited."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from peacewatch.registry import cases
from peacewatch.registry.models import AuditEntry

from .conftest import TCC_A


def _case(registry, people, summary="Allegation for the audit screen") -> int:
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        return cases.create_case(
            s,
            inv,
            mission="MINUSCA",
            tcc_ccode=TCC_A,
            category="sexual_abuse",
            summary=summary,
            victim={"name": "Victim Name"},
        ).id


def _entries(registry) -> list:
    registry.sequencer.sync()
    with registry.session(read_only=True) as s:
        return s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()


def test_coordinator_sees_victim_details_viewed_for_one_case(web, people, registry):
    cid, other = _case(registry, people), _case(registry, people, "Another allegation")
    inv = people.headers("inv")
    assert web.get(f"/registry/cases/{cid}/victim", headers=inv).status_code == 200
    coord = people.headers("coord")
    page = web.get(f"/registry/audit?case={cid}", headers=coord)
    assert page.status_code == 200
    rows = page.text[page.text.index("<tbody>") : page.text.index("</tbody>")]
    # Written out from the log itself: every entry of this case, and nothing of the other case.
    expected = [e for e in _entries(registry) if e.entity in ("case", "victim_details") and e.entity_id == str(cid)]
    assert rows.count("<tr ") == len(expected) >= 2
    assert "victim details viewed" in rows and "allegation recorded" in rows and ">inv<" in rows
    assert f'href="/registry/cases/{cid}"' in rows and f'href="/registry/cases/{other}"' not in rows
    for raw in ("victim_details", "read</td>", "case_list"):
        assert raw not in rows
    data = web.get(f"/registry/audit?case={cid}&what=read:victim_details&format=json", headers=coord).json()
    assert [(e["actor"], e["action"], e["entity"], e["entity_id"]) for e in data["entries"]] == [
        ("inv", "read", "victim_details", str(cid))
    ]


def test_filters_by_actor_and_dates_and_pages(web, people, registry):
    for i in range(3):
        _case(registry, people, f"Allegation {i}")
    coord = people.headers("coord")
    everything = _entries(registry)
    by_inv = [e for e in everything if e.actor == "inv"]
    data = web.get("/registry/audit?actor=INV&format=json", headers=coord).json()
    assert data["total"] == len(by_inv) and {e["actor"] for e in data["entries"]} == {"inv"}
    first_day = everything[0].at[:10]
    none = web.get("/registry/audit?date_to=2000-01-01&format=json", headers=coord).json()
    assert none["total"] == 0
    today = web.get(f"/registry/audit?date_from={first_day}&date_to={first_day}&format=json", headers=coord).json()
    assert today["total"] >= len([e for e in everything if e.at[:10] == first_day])
    # Pages: newest first, no entry on two pages.
    from peacewatch.registry import operations as ops
    from peacewatch.registry import policy

    with registry.session(read_only=True) as s:
        from peacewatch.registry.models import User

        coord_user = s.get(User, people.users["coord"].id)
        p1 = policy.Actor(s, coord_user, False)(ops.audit_trail.entries, {"per_page": 2})
        p2 = policy.Actor(s, coord_user, False)(ops.audit_trail.entries, {"per_page": 2, "page": 2})
    seqs = [e["seq"] for e in p1["entries"] + p2["entries"]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 4
    page = web.get("/registry/audit?actor=inv", headers=coord).text
    assert "Older entries" not in page or "page=2" in page
    bad = web.get("/registry/audit?case=abc", headers=coord)
    assert bad.status_code == 422 and "Case number:" in bad.text


def test_csv_download_neutralises_formulas_and_uses_words(web, people, registry):
    people_ = people
    from peacewatch.registry import audit

    with registry.session() as s:  # text a spreadsheet would run as a formula, stored in an entry
        audit.record(s, "=SUM(1)", "create", "user", 99, {"username": "=cmd|x"})
    coord = people_.headers("coord")
    r = web.get("/registry/audit?format=csv&what=create:user", headers=coord)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == ["Entry", "When (UTC)", "Who", "What", "Record", "Details"]
    assert {row["What"] for row in rows} == {"account created"}
    assert ("'=SUM(1)", "username: =cmd|x") in {(row["Who"], row["Details"]) for row in rows}, rows
    assert not any("None" in row["Details"] for row in rows)


def test_checkpoint_status_and_check_on_request(web, people, registry):
    _case(registry, people)
    registry.sequencer.sync()
    coord = people.headers("coord")
    page = web.get("/registry/audit", headers=coord).text
    assert "The newest signed checkpoint covers" in page and "Check the whole log now" in page
    checked = web.get("/registry/audit?check=yes", headers=coord).text
    assert "Intact:</strong> all" in checked
    data = web.get("/registry/audit?check=yes&format=json", headers=coord).json()["checkpoint"]
    assert data["checked"] and data["ok"] and data["checkpoint"]["entries"] >= 1
    # Break the log: the screen says so.
    with registry.session() as s:
        last = (
            s.execute(select(AuditEntry).where(AuditEntry.action == "create").order_by(AuditEntry.seq))
            .scalars()
            .first()
        )
        last.detail = json.dumps({"rewritten": True})
    broken = web.get("/registry/audit?check=yes", headers=coord).text
    assert "Not intact" in broken and f"at entry {last.seq}" in broken


def test_only_coordinators_and_the_read_is_audited(web, people, registry):
    for who in ("inv", "analyst", "liaison_a"):
        assert web.get("/registry/audit", headers=people.headers(who)).status_code == 403
        assert web.get("/registry/audit?format=csv", headers=people.headers(who)).status_code == 403
    web.get("/registry/audit?actor=inv&check=yes", headers=people.headers("coord"))
    reads = [
        (e.actor, e.action, json.loads(e.detail) if e.detail else None)
        for e in _entries(registry)
        if e.entity == "audit_log"
    ]
    assert ("coord", "read", {"actor": "inv", "page": 1}) in reads and any(r[:2] == ("coord", "verify") for r in reads)
