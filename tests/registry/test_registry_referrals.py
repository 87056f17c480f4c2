"""Referral clocks: overdue lists, two-level escalation, extensions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from peacewatch.registry import cases, policy, referrals
from peacewatch.registry import operations as ops
from peacewatch.registry.errors import Conflict, Forbidden, ValidationFailed
from peacewatch.registry.models import CaseEvent, Escalation

from .conftest import TCC_A, TCC_B, at


def _referred(s, inv, tcc, day):
    c = cases.create_case(s, inv, mission="MINUSCA", tcc_ccode=tcc, category="sexual_abuse", summary="x", now=at(day))
    for st in ("under_investigation", "substantiated", "referred_to_tcc"):
        cases.transition_case(s, inv, c.id, st, now=at(day))
    return c


def test_overdue_listing_and_escalation_ladder(registry, people):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        a = _referred(s, u["inv"], TCC_A, "2026-01-02")  # officer due 16 Jan, outcome due 2 Apr
        b = _referred(s, u["inv"], TCC_B, "2026-01-02")
        cases.transition_case(
            s, u["liaison_b"], b.id, "national_investigation_appointed", officer_name="Maj. B", now=at("2026-01-10")
        )
        assert referrals.list_overdue(s, u["coord"], dt.date(2026, 1, 16)) == []
        items = referrals.list_overdue(s, u["coord"], dt.date(2026, 1, 19))
        assert [(i.referral.case_id, i.deadline, i.days_overdue) for i in items] == [(a.id, "officer", 3)]
        # Liaisons only see their own TCC's overdue items.
        assert referrals.list_overdue(s, u["liaison_b"], dt.date(2026, 1, 19)) == []
        assert len(referrals.list_overdue(s, u["liaison_a"], dt.date(2026, 1, 19))) == 1

        first = referrals.escalate_overdue(s, u["coord"], now=at("2026-01-19"))
        assert [(e.referral_id, e.level, e.target) for e in first] == [(a.referral.id, 1, "mission_head")]
        assert "officer deadline 2026-01-16 missed by 3 days" in first[0].reason
        # Same day again: nothing new. Before escalation_days (10) have passed: nothing new.
        assert referrals.escalate_overdue(s, u["coord"], now=at("2026-01-19", 18)) == []
        assert referrals.escalate_overdue(s, u["coord"], now=at("2026-01-28")) == []
        second = referrals.escalate_overdue(s, u["coord"], now=at("2026-01-29"))
        assert [(e.level, e.target) for e in second] == [(2, "coordinator")]
        assert referrals.escalate_overdue(s, u["coord"], now=at("2026-03-01")) == []
        # After the outcome deadline, B is overdue on the outcome only (it named an officer).
        late = referrals.list_overdue(s, u["coord"], dt.date(2026, 4, 3))
        assert sorted((i.referral.case_id, i.deadline) for i in late) == [
            (a.id, "officer"),
            (a.id, "outcome"),
            (b.id, "outcome"),
        ]
        third = referrals.escalate_overdue(s, u["coord"], now=at("2026-04-03"))
        assert [(e.referral_id, e.level) for e in third] == [(b.referral.id, 1)]
        kinds = s.execute(select(CaseEvent.kind).where(CaseEvent.case_id == a.id)).scalars().all()
        assert kinds.count("escalation") == 2
        assert len(s.execute(select(Escalation)).all()) == 3
        # Answering stops the clock.
        cases.transition_case(s, u["liaison_a"], a.id, "outcome_reported", outcome="prosecuted", now=at("2026-04-05"))
        assert [i.referral.case_id for i in referrals.list_overdue(s, u["coord"], dt.date(2026, 4, 6))] == [b.id]
        with pytest.raises(Forbidden):
            policy.Actor(s, u["liaison_a"], False)(ops.referrals.escalate)


def test_extension_once_and_within_policy(registry, people):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        a = _referred(s, u["inv"], TCC_A, "2026-01-02")
        with pytest.raises(Forbidden):
            policy.Actor(s, u["inv"], False)(ops.referrals.extend, a.referral.id, {"days": 180})
        with pytest.raises(ValidationFailed, match="at most 180"):
            referrals.extend_outcome_deadline(s, u["coord"], a.referral.id, 200)
        r = referrals.extend_outcome_deadline(s, u["coord"], a.referral.id, 180)
        assert r.outcome_due == dt.date(2026, 7, 1)
        assert [i.deadline for i in referrals.list_overdue(s, u["coord"], dt.date(2026, 4, 3))] == ["officer"]
        with pytest.raises(Conflict, match="already been extended"):
            referrals.extend_outcome_deadline(s, u["coord"], a.referral.id, 150)


def test_working_days_skip_weekends():
    assert referrals.add_working_days(dt.date(2026, 1, 2), 10) == dt.date(2026, 1, 16)  # Fri -> Fri
    assert referrals.add_working_days(dt.date(2026, 1, 3), 1) == dt.date(2026, 1, 6)  # Sat -> Tue
    assert referrals.add_working_days(dt.date(2026, 1, 5), 5) == dt.date(2026, 1, 12)  # Mon -> Mon
