"""Countdowns of referral deadlines and the next escalation date on a fixed "today"; the read
functions behind the new registry screens (past screenings, report previews)."""

from __future__ import annotations

import datetime as dt

import pytest

from peacewatch.registry import cases, clocks, policy, referrals
from peacewatch.registry import operations as ops
from peacewatch.registry.config import ReferralPolicy
from peacewatch.registry.errors import Forbidden

from .conftest import TCC_A, TCC_B, at

POLICY = ReferralPolicy()  # 10 working days, 90 days, extension to 180, 10 days between levels


def _as(session, user):
    """The user acting through the registry's dispatcher (role check and validation) in ``session``."""
    return policy.Actor(session, user, False)


def _referred(s, inv, tcc, day):
    c = cases.create_case(s, inv, mission="MINUSCA", tcc_ccode=tcc, category="sexual_abuse", summary="x", now=at(day))
    for st in ("under_investigation", "substantiated", "referred_to_tcc"):
        cases.transition_case(s, inv, c.id, st, now=at(day), policy=POLICY)
    return c


def test_countdown_words():
    today = dt.date(2026, 3, 10)
    assert clocks.countdown(dt.date(2026, 3, 24), today) == "14 days left"
    assert clocks.countdown(dt.date(2026, 3, 11), today) == "1 day left"
    assert clocks.countdown(today, today) == "due today"
    assert clocks.countdown(dt.date(2026, 3, 9), today) == "1 day late"
    assert clocks.countdown(dt.date(2026, 3, 7), today) == "3 days late"


def test_clock_of_a_referral_through_its_life(registry, people):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        c = _referred(s, u["inv"], TCC_A, "2026-01-02")  # Friday: officer due Fri 16 Jan, outcome due 2 Apr
        r = c.referral
        k = clocks.referral_clock(r, dt.date(2026, 1, 2), POLICY)
        assert (k["officer"]["due"], k["officer"]["text"]) == ("2026-01-16", "14 days left")
        assert (k["outcome"]["due"], k["outcome"]["text"]) == ("2026-04-02", "90 days left")
        assert k["next_escalation"] == {"on": "2026-01-17", "level": 1, "target": "mission_head", "in_days": 15}
        assert not k["outcome_extended"]

        late = clocks.referral_clock(r, dt.date(2026, 1, 19), POLICY)
        assert late["officer"]["state"] == "late" and late["officer"]["text"] == "3 days late"
        assert late["next_escalation"]["on"] == "2026-01-19" and late["next_escalation"]["in_days"] == 0

        referrals.escalate_overdue(s, u["coord"], now=at("2026-01-19"), policy=POLICY)
        after = clocks.referral_clock(r, dt.date(2026, 1, 20), POLICY)
        assert after["escalated_to"] == "mission_head"
        assert after["next_escalation"] == {"on": "2026-01-29", "level": 2, "target": "coordinator", "in_days": 9}

        referrals.extend_outcome_deadline(s, u["coord"], r.id, 120, policy=POLICY)
        cases.transition_case(
            s, u["liaison_a"], c.id, "national_investigation_appointed", officer_name="Maj. A", now=at("2026-01-21")
        )
        named = clocks.referral_clock(r, dt.date(2026, 1, 22), POLICY)
        assert named["outcome_extended"] and named["outcome"]["due"] == "2026-05-02"
        assert named["officer"]["text"] == "answered 2026-01-21"
        # Only the outcome deadline is still open; the ladder goes on from it being missed.
        assert named["next_escalation"]["on"] == "2026-05-03"
        cases.transition_case(s, u["liaison_a"], c.id, "outcome_reported", outcome="convicted", now=at("2026-02-01"))
        done = clocks.referral_clock(r, dt.date(2026, 2, 2), POLICY)
        assert done["next_escalation"] is None and done["outcome"]["state"] == "answered"


def test_clocks_follow_referral_visibility(registry, people):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        a = _referred(s, u["inv"], TCC_A, "2026-01-02")
        b = _referred(s, u["inv"], TCC_B, "2026-01-02")
        today = dt.date(2026, 1, 12)
        assert set(_as(s, u["coord"])(ops.referrals.clocks_for_cases, [a.id, b.id], today=today)) == {
            a.id,
            b.id,
        }
        # A liaison sees its own TCC's clock only; a reporter and an analyst get none.
        assert set(_as(s, u["liaison_a"])(ops.referrals.clocks_for_cases, [a.id, b.id], today=today)) == {a.id}
        assert _as(s, u["rep"])(ops.referrals.clocks_for_cases, [a.id], today=today) == {}
        assert _as(s, u["analyst"])(ops.referrals.clocks_for_cases, [a.id], today=today) == {}
        assert (
            _as(s, u["coord"])(ops.referrals.clocks_for_cases, [a.id], today=today)[a.id]["officer"]["text"]
            == "4 days left"
        )


def test_escalation_preview_writes_nothing(registry, people):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        a = _referred(s, u["inv"], TCC_A, "2026-01-02")
        ahead = _as(s, u["coord"])(ops.referrals.preview_escalation, {"as_of": "2026-01-20"})
        row = [e for e in ahead["escalations"] if e["case_id"] == a.id][0]
        assert (row["level"], row["target"], row["mission"], row["tcc_ccode"]) == (1, "mission_head", "MINUSCA", TCC_A)
        assert "officer deadline 2026-01-16 missed by 4 days" in row["reason"]
        assert s.get(type(a.referral), a.referral.id).escalation_level == 0
        assert [
            e
            for e in _as(s, u["coord"])(ops.referrals.preview_escalation, {"as_of": "2026-01-16"})["escalations"]
            if e["case_id"] == a.id
        ] == []


def test_past_screenings_count_flagged_and_cleared_rows(registry, people):
    from peacewatch.registry import vetting

    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        vetting.add_record(
            s,
            u["inv"],
            full_name="Imran Qureshi",
            date_of_birth=dt.date(1980, 1, 1),
            nationality_ccode=TCC_A,
            category="sexual_abuse",
        )
        roster = "name,date_of_birth,nationality\nImran Qureshi,1980-01-01,770\nJane Roe,1990-01-01,2\nAli Khan,,770\n"
        sc = vetting.screen_roster(s, u["coord"], vetting.parse_roster(roster), "march roster")
        listed = _as(s, u["inv"])(ops.vetting.list_screenings)
        row = [x for x in listed if x["screening_id"] == sc.id][0]
        assert (row["run_by"], row["label"], row["rows_screened"], row["flagged"], row["cleared"]) == (
            people.users["coord"].username,
            "march roster",
            3,
            1,
            2,
        )
        hit = vetting.screening_hits(s, u["inv"], sc.id)[0]["hit_id"]
        vetting.decide(s, u["inv"], hit, "confirmed_match")
        summary = _as(s, u["coord"])(ops.vetting.screening_summary, sc.id)
        assert (summary["confirmed"], summary["awaiting_decision"], summary["cleared"]) == (1, 0, 2)
        for role in ("rep", "liaison_a", "analyst"):
            with pytest.raises(Forbidden):
                _as(s, u[role])(ops.vetting.list_screenings)


def test_report_previews_for_staff_only(registry, people):
    from peacewatch.registry import intake

    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        intake.submit_report(s, "  Short   note\nabout the gate ")
        intake.submit_report(s, "x" * 200)
        ids = [r["id"] for r in intake.list_reports(s, u["coord"])]
        previews = _as(s, u["inv"])(ops.intake.message_previews, ids)
        assert sorted(previews.values(), key=len) == ["Short note about the gate", "x" * 80 + "…"]
        for role in ("rep", "liaison_a", "analyst"):
            with pytest.raises(Forbidden):
                _as(s, u[role])(ops.intake.message_previews, ids)
