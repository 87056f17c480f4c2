"""What each role sees (issue: registry hardening): event visibility, who reported, internal
notes, and another nation's personnel answered exactly like a number nobody has."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from peacewatch.registry import auth, cases, training
from peacewatch.registry.errors import NotFound
from peacewatch.registry.models import CaseEvent
from tests.registry.conftest import API, TCC_A, TCC_B

WITNESS = "witness W-3 (the interpreter) confirmed the exchange"


def _user(s, people, name):
    return auth.user_for_token(s, people.tokens[name])


@pytest.fixture
def referred_case(registry, people):
    """A case reported by ``rep``, investigated with an internal note, referred to TCC A."""
    with registry.session() as s:
        rep, inv = _user(s, people, "rep"), _user(s, people, "inv")
        case = cases.create_case(
            s,
            rep,
            mission="MINUSTAH",
            tcc_ccode=TCC_A,
            category="sexual_exploitation",
            summary="Exchange of food for sex near the base",
        )
        cases.transition_case(s, inv, case.id, "under_investigation", note=WITNESS)
        cases.transition_case(s, inv, case.id, "substantiated")
        cases.transition_case(s, inv, case.id, "referred_to_tcc")
        cases.add_note(s, inv, case.id, "TCC asked to protect the interpreter", visibility="tcc")
        cases.add_note(s, inv, case.id, "Thank you, the case has been referred", visibility="reporter")
        return case.id


def _view(registry, people, name, case_id):
    with registry.session() as s:
        u = _user(s, people, name)
        return cases.case_dict(cases.get_case(s, u, case_id), u, s)


def test_liaison_never_sees_who_reported_nor_internal_notes(registry, people, referred_case):
    view = _view(registry, people, "liaison_a", referred_case)
    text = json.dumps(view)
    assert "W-3" not in text and "rep" not in [e["actor"] for e in view["events"]]
    created = view["events"][0]
    assert created["kind"] == "created" and created["actor"] is None
    assert [e["actor"] for e in view["events"] if e["kind"] == "transition"] == ["inv", "inv", "inv"]
    notes = [e["detail"]["text"] for e in view["events"] if e["kind"] == "note"]
    assert notes == ["TCC asked to protect the interpreter"]


def test_reporter_sees_progress_and_its_notes_only(registry, people, referred_case):
    view = _view(registry, people, "rep", referred_case)
    assert "W-3" not in json.dumps(view) and "protect the interpreter" not in json.dumps(view)
    assert [e["to_status"] for e in view["events"] if e["kind"] == "transition"] == [
        "under_investigation",
        "substantiated",
        "referred_to_tcc",
    ]
    assert [e["detail"]["text"] for e in view["events"] if e["kind"] == "note"] == [
        "Thank you, the case has been referred"
    ]
    assert all(e["actor"] is None for e in view["events"])


def test_investigator_sees_everything(registry, people, referred_case):
    view = _view(registry, people, "inv", referred_case)
    notes = [(e["detail"]["text"], e["visibility"]) for e in view["events"] if e["kind"] == "note"]
    assert notes == [
        (WITNESS, "internal"),
        ("TCC asked to protect the interpreter", "tcc"),
        ("Thank you, the case has been referred", "reporter"),
    ]
    assert view["events"][0]["actor"] == "rep"


def test_liaison_notes_are_shared_with_its_tcc(registry, people, referred_case):
    with registry.session() as s:
        ev = cases.add_note(s, _user(s, people, "liaison_a"), referred_case, "officer travels on Monday")
        assert ev.visibility == "tcc"
    assert "officer travels" in json.dumps(_view(registry, people, "liaison_a", referred_case))
    assert "officer travels" not in json.dumps(_view(registry, people, "rep", referred_case))


def test_notes_stored_inside_old_transition_events_stay_internal(registry, people, referred_case):
    with registry.session() as s:  # the shape written before notes were events of their own
        s.add(
            CaseEvent(
                case_id=referred_case,
                at=dt.datetime(2026, 1, 1),
                kind="transition",
                from_status="a",
                to_status="b",
                detail=json.dumps({"note": "old internal remark"}),
                visibility="tcc_and_reporter",
            )
        )
    for name in ("liaison_a", "rep"):
        assert "old internal remark" not in json.dumps(_view(registry, people, name, referred_case))


def test_unknown_visibility_is_refused(registry, people, referred_case):
    from peacewatch.registry.errors import ValidationFailed

    with registry.session() as s, pytest.raises(ValidationFailed, match="visibility 'public' is unknown"):
        cases.add_note(s, _user(s, people, "inv"), referred_case, "x", visibility="public")


def test_note_visibility_through_the_api(client, people, referred_case):
    r = client.post(
        f"{API}/cases/{referred_case}/notes",
        headers=people.headers("inv"),
        json={"text": "second witness named in annex", "visibility": "internal"},
    )
    assert r.status_code == 201 and "second witness" in r.text
    for name in ("liaison_a", "rep"):
        body = client.get(f"{API}/cases/{referred_case}", headers=people.headers(name)).text
        assert "second witness" not in body and "W-3" not in body
    body = client.get(f"{API}/cases/{referred_case}", headers=people.headers("liaison_a")).json()
    assert body["events"][0]["actor"] is None


# --- personnel of another nation -------------------------------------------------------------
@pytest.fixture
def personnel(registry, people):
    with registry.session() as s:
        coord = _user(s, people, "coord")
        training.add_module(s, coord, "THB-1", "Trafficking awareness")
        training.add_person(s, coord, "B-1001", "Rahim Uddin", TCC_B, 2026)
        training.add_person(s, coord, "A-2002", "Imran Ali", TCC_A, 2026)


def _message(fn):
    with pytest.raises(NotFound) as err:
        fn()
    return str(err.value)


def test_other_nations_personnel_look_exactly_like_unknown_numbers(registry, people, personnel):
    with registry.session() as s:
        liaison = _user(s, people, "liaison_a")
        other = _message(lambda: training.person_record(s, liaison, "B-1001"))
        missing = _message(lambda: training.person_record(s, liaison, "B-9999"))
        assert other.replace("B-1001", "X") == missing.replace("B-9999", "X")
        other = _message(lambda: training.record_completion(s, liaison, "B-1001", "THB-1", dt.date(2026, 2, 1)))
        missing = _message(lambda: training.record_completion(s, liaison, "B-9999", "THB-1", dt.date(2026, 2, 1)))
        assert other.replace("B-1001", "X") == missing.replace("B-9999", "X")
        assert training.person_record(s, liaison, "A-2002")["full_name"] == "Imran Ali"


def test_a_duplicate_does_not_reveal_another_nations_service_number(registry, people, personnel):
    with registry.session() as s:
        liaison = _user(s, people, "liaison_a")
        # B-1001 belongs to nation B; for nation A it is simply a new number.
        assert training.add_person(s, liaison, "B-1001", "Someone Else", TCC_A, 2026).nation_ccode == TCC_A
    with registry.session() as s:
        coord = _user(s, people, "coord")
        from peacewatch.registry.errors import ValidationFailed

        with pytest.raises(ValidationFailed, match="give the nation"):
            training.person_record(s, coord, "B-1001")
        assert training.person_record(s, coord, "B-1001", TCC_B)["full_name"] == "Rahim Uddin"
        assert training.person_record(s, _user(s, people, "liaison_a"), "B-1001")["full_name"] == "Someone Else"


def test_other_nations_personnel_over_the_api(client, people, personnel):
    h = people.headers("liaison_a")
    other = client.get(f"{API}/training/personnel/B-1001", headers=h)
    missing = client.get(f"{API}/training/personnel/B-9999", headers=h)
    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"].replace("B-1001", "X") == missing.json()["detail"].replace("B-9999", "X")
    r = client.post(
        f"{API}/training/personnel",
        headers=h,
        json={"service_number": "B-1001", "full_name": "Someone Else", "nation_ccode": TCC_A, "deployment_year": 2026},
    )
    assert r.status_code == 201
