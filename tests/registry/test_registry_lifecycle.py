"""The full case life cycle, invalid transitions and the events they leave."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from peacewatch.registry import cases, policy, workflow
from peacewatch.registry import operations as ops
from peacewatch.registry.errors import Forbidden, InvalidTransition, ValidationFailed
from peacewatch.registry.models import Case, CaseEvent, Referral, VictimDetails

from .conftest import API, CASE_BODY, TCC_A, at


def _walk(client, people, case_id, steps):
    for who, body in steps:
        r = client.post(f"{API}/cases/{case_id}/transitions", json=body, headers=people.headers(who))
        assert r.status_code == 200, r.text
    return r.json()


def test_full_life_cycle_through_the_api(client, people, registry):
    r = client.post(f"{API}/cases", json=CASE_BODY, headers=people.headers("rep"))
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["status"] == "reported" and case["allowed_next"] == ["under_investigation"]
    cid = case["id"]
    final = _walk(
        client,
        people,
        cid,
        [
            ("inv", {"to_status": "under_investigation"}),
            ("inv", {"to_status": "substantiated", "repatriated": True, "note": "OIOS report 2026/14"}),
            ("inv", {"to_status": "referred_to_tcc"}),
            ("liaison_a", {"to_status": "national_investigation_appointed", "officer_name": "Col. A. Rahman"}),
            ("liaison_a", {"to_status": "outcome_reported", "outcome": "convicted"}),
            ("coord", {"to_status": "closed"}),
        ],
    )
    assert final["status"] == "closed"
    assert final["repatriated"] is True and final["outcome"] == "convicted"
    assert final["referral"]["outcome"] == "convicted"
    assert final["referral"]["officer_named_at"] is not None
    kinds = [(e["kind"], e["from_status"], e["to_status"]) for e in final["events"]]
    assert kinds == [
        ("created", None, "reported"),
        ("transition", "reported", "under_investigation"),
        ("transition", "under_investigation", "substantiated"),
        ("note", None, None),  # the note is its own event, internal by default
        ("transition", "substantiated", "referred_to_tcc"),
        ("transition", "referred_to_tcc", "national_investigation_appointed"),
        ("transition", "national_investigation_appointed", "outcome_reported"),
        ("transition", "outcome_reported", "closed"),
    ]
    assert final["events"][3]["detail"] == {"text": "OIOS report 2026/14"}
    assert final["events"][3]["visibility"] == "internal"
    assert final["events"][5]["detail"]["officer_name"] == "Col. A. Rahman"
    assert final["events"][5]["actor"] == "liaison_a"
    # Victim details are stored apart and encrypted.
    with registry.session() as s:
        row = s.get(VictimDetails, cid)
        assert b"Marie-Claire" not in bytes(row.ciphertext)
    v = client.get(f"{API}/cases/{cid}/victim", headers=people.headers("inv")).json()
    assert v["victim"]["name"] == "Marie-Claire Joseph" and v["victim"]["age"] == 16


def test_unsubstantiated_branch_closes(registry, people):
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        c = cases.create_case(s, inv, mission="MONUSCO", tcc_ccode=TCC_A, category="sexual_abuse", summary="x")
        for status in ("under_investigation", "unsubstantiated", "closed"):
            cases.transition_case(s, inv, c.id, status)
        assert c.status == "closed"
        assert c.referral is None


@pytest.mark.parametrize(
    "path,target",
    [
        ([], "substantiated"),
        ([], "closed"),
        (["under_investigation"], "referred_to_tcc"),
        (["under_investigation", "unsubstantiated"], "referred_to_tcc"),
        (["under_investigation", "substantiated"], "closed"),
        (["under_investigation", "unsubstantiated", "closed"], "reported"),
    ],
)
def test_invalid_transitions_are_refused_with_the_allowed_moves(registry, people, path, target):
    with registry.session() as s:
        coord = s.merge(people.users["coord"])
        c = cases.create_case(s, coord, mission="MINUSMA", tcc_ccode=TCC_A, category="sexual_abuse", summary="x")
        for status in path:
            cases.transition_case(s, coord, c.id, status)
        before = c.status
        with pytest.raises(InvalidTransition) as err:
            cases.transition_case(s, coord, c.id, target)
        allowed = list(workflow.TRANSITIONS[before])
        assert f"from {before!r} to {target!r}" in str(err.value)
        for a in allowed:
            assert a in str(err.value)
        assert c.status == before


def test_invalid_transition_over_http_is_409_and_changes_nothing(client, people, registry):
    cid = client.post(f"{API}/cases", json=CASE_BODY, headers=people.headers("inv")).json()["id"]
    r = client.post(f"{API}/cases/{cid}/transitions", json={"to_status": "closed"}, headers=people.headers("inv"))
    assert r.status_code == 409
    assert "allowed next statuses: under_investigation" in r.json()["detail"]
    with registry.session() as s:
        assert s.get(Case, cid).status == "reported"
        assert len(s.execute(select(CaseEvent).where(CaseEvent.case_id == cid)).all()) == 1


def test_roles_per_transition(registry, people):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        c = cases.create_case(
            s, u["rep"], mission="UNMIL", tcc_ccode=TCC_A, category="trafficking_related", summary="x"
        )
        with pytest.raises(Forbidden):
            policy.Actor(s, u["rep"], False)(ops.cases.transition_case, c.id, {"to_status": "under_investigation"})
        cases.transition_case(s, u["inv"], c.id, "under_investigation")
        cases.transition_case(s, u["inv"], c.id, "substantiated")
        cases.transition_case(s, u["inv"], c.id, "referred_to_tcc")
        # Only the TCC (or the coordinator) names its officer; an investigator may not.
        with pytest.raises(Forbidden, match="may not move a case to 'national_investigation_appointed'"):
            policy.Actor(s, u["inv"], False)(
                ops.cases.transition_case, c.id, {"to_status": "national_investigation_appointed", "officer_name": "x"}
            )
        with pytest.raises(ValidationFailed, match="officer_name is required"):
            cases.transition_case(s, u["liaison_a"], c.id, "national_investigation_appointed")
        with pytest.raises(ValidationFailed, match="outcome 'jail' is unknown"):
            cases.transition_case(s, u["liaison_a"], c.id, "outcome_reported", outcome="jail")
        cases.transition_case(s, u["liaison_a"], c.id, "outcome_reported", outcome="no_action")
        assert c.status == "outcome_reported" and c.referral.outcome == "no_action"


def test_referral_deadlines_are_fixed_at_referral(registry, people, monkeypatch):
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        c = cases.create_case(
            s, inv, mission="UNMISS", tcc_ccode=TCC_A, category="sexual_abuse", summary="x", now=at("2026-01-02")
        )
        cases.transition_case(s, inv, c.id, "under_investigation", now=at("2026-01-02"))
        cases.transition_case(s, inv, c.id, "substantiated", now=at("2026-01-02"))
        # Friday 2 January 2026 + 10 working days = Friday 16 January; + 90 days = 2 April.
        cases.transition_case(s, inv, c.id, "referred_to_tcc", now=at("2026-01-02"))
        ref = c.referral
        assert ref.officer_due == dt.date(2026, 1, 16)
        assert ref.outcome_due == dt.date(2026, 4, 2)
        ev = s.execute(
            select(CaseEvent).where(CaseEvent.case_id == c.id, CaseEvent.to_status == "referred_to_tcc")
        ).scalar_one()
        assert json.loads(ev.detail)["officer_due"] == "2026-01-16"
    # A configured policy applies to new referrals only.
    monkeypatch.setenv("PEACEWATCH_REFERRAL_OFFICER_WORKING_DAYS", "5")
    monkeypatch.setenv("PEACEWATCH_REFERRAL_OUTCOME_DAYS", "30")
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        c2 = cases.create_case(s, inv, mission="UNMISS", tcc_ccode=TCC_A, category="sexual_abuse", summary="y")
        for st in ("under_investigation", "substantiated"):
            cases.transition_case(s, inv, c2.id, st)
        cases.transition_case(s, inv, c2.id, "referred_to_tcc", now=at("2026-03-02"))
        assert c2.referral.officer_due == dt.date(2026, 3, 9)
        assert c2.referral.outcome_due == dt.date(2026, 4, 1)
        assert s.get(Referral, ref.id).officer_due == dt.date(2026, 1, 16)


def test_bad_case_input_is_refused_and_stores_nothing(client, people, registry):
    bad = dict(CASE_BODY, category="theft")
    r = client.post(f"{API}/cases", json=bad, headers=people.headers("inv"))
    assert r.status_code == 422 and "category" in r.text
    r = client.post(f"{API}/cases", json=dict(CASE_BODY, tcc_ccode=5000), headers=people.headers("inv"))
    assert r.status_code == 422
    with registry.session() as s:
        assert s.execute(select(Case)).first() is None
