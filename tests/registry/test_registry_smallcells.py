"""Small cells (issue: registry hardening): complementary suppression and publication by closed
period, reproducing the issue's examples."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from peacewatch.registry import auth, cases, compliance, publication, stats, training

from .conftest import API, TCC_A, TCC_B, at

REFER = ("under_investigation", "substantiated", "referred_to_tcc")
NEXT_YEAR = dt.date(2026, 4, 15)  # "today" for publication: 2025 is closed (its grace is over), 2026 open


def _users(s, people):
    return {k: auth.user_for_token(s, people.tokens[k]) for k in people.tokens}


def _personnel(s, u, nation, year, n, trained):
    for i in range(n):
        training.add_person(s, u["coord"], f"{nation}-{year}-{i}", f"Person {i}", nation, year)
        if i < trained:
            training.record_completion(
                s, u["coord"], f"{nation}-{year}-{i}", "THB-1", dt.date(year, 3, 1), nation_ccode=nation
            )


@pytest.mark.parametrize(
    "trained, published_trained, published_rate",
    [
        (2, None, None),  # the issue: 10 personnel, 2 trained must not publish 0.2
        (8, None, None),  # 2 untrained: the complement is a small cell
        (5, 5.0, 0.5),
        (0, 0.0, 0.0),  # zero identifies nobody
        (10, 10.0, 1.0),
    ],
)
def test_training_completion_rate_is_blank_when_a_part_is(registry, people, trained, published_trained, published_rate):
    with registry.session() as s:
        u = _users(s, people)
        training.add_module(s, u["coord"], "THB-1", "THB awareness")
        _personnel(s, u, TCC_A, 2025, 10, trained)
        row = publication.published(s, "training", as_of=NEXT_YEAR).iloc[0]
    assert row.personnel == 10
    got = lambda v: None if np.isnan(v) else float(v)  # noqa: E731
    assert (got(row.trained), got(row.completion_rate)) == (published_trained, published_rate)


def test_training_issue_example_through_the_api(client, registry, people):
    with registry.session() as s:
        u = _users(s, people)
        training.add_module(s, u["coord"], "THB-1", "THB awareness")
        _personnel(s, u, TCC_A, 2025, 10, 2)
    rows = client.get(f"{API}/aggregates/training", headers=people.headers("analyst")).json()
    assert rows == [
        {
            "nation_ccode": TCC_A,
            "year": 2025,
            "personnel": 10.0,
            "trained": None,
            "completion_rate": None,
            "suppressed_cells": 2,
        }
    ]


def _case(s, u, tcc, day, path=(), answer_day=None, outcome=None):
    c = cases.create_case(
        s, u["coord"], mission="MONUSCO", tcc_ccode=tcc, category="sexual_abuse", summary="x", now=at(day)
    )
    for st in path:
        cases.transition_case(s, u["coord"], c.id, st, now=at(day))
    if answer_day:
        cases.transition_case(
            s, u["coord"], c.id, "national_investigation_appointed", officer_name="Maj. N", now=at(answer_day)
        )
        if outcome:
            cases.transition_case(s, u["coord"], c.id, "outcome_reported", outcome=outcome, now=at(answer_day))
    return c


def test_referrals_6_answered_5_does_not_reveal_the_unanswered_one(registry, people):
    with registry.session() as s:
        u = _users(s, people)
        for i in range(5):
            _case(s, u, TCC_A, f"2025-0{i + 1}-02", REFER, answer_day=f"2025-0{i + 1}-20", outcome="convicted")
        _case(s, u, TCC_A, "2025-07-02", REFER)
        raw = stats.tcc_accountability(s, at_period_end=True).iloc[0]
        pub = publication.published(s, "tcc", as_of=NEXT_YEAR).iloc[0]
    assert (raw.referrals, raw.referrals_answered, raw.prosecutions) == (6, 5, 5)
    assert pub.allegations == 6 and pub.referrals == 6
    assert np.isnan(pub.referrals_answered)  # 6 - 5 = 1 unanswered
    assert np.isnan(pub.prosecutions)  # part of a blanked count
    assert np.isnan(pub.median_days_to_answer)  # computed from a blanked count
    assert np.isnan(pub.referrals_overdue)  # 1 overdue: primary suppression
    assert pub.suppressed_cells == 4


def test_a_new_allegation_does_not_change_any_published_number(registry, people):
    """Polling before and after one new allegation (or a late answer) cannot isolate it."""
    with registry.session() as s:
        u = _users(s, people)
        for i in range(5):
            _case(s, u, TCC_A, f"2025-0{i + 1}-02", REFER)
        before = publication.published(s, "tcc", as_of=NEXT_YEAR)
        # A new allegation today, and a 2025 referral answered today (after its year closed):
        _case(s, u, TCC_A, "2026-01-14")
        late = s.query(cases.Case).filter(cases.Case.tcc_ccode == TCC_A).order_by(cases.Case.id).first()
        cases.transition_case(
            s, u["coord"], late.id, "national_investigation_appointed", officer_name="Maj. N", now=at("2026-01-14")
        )
        after = publication.published(s, "tcc", as_of=NEXT_YEAR)
        # The unpublished statistics do see both changes.
        live = stats.tcc_accountability(s)
    pd.testing.assert_frame_equal(before, after)
    assert before.iloc[0].allegations == 5 and before.iloc[0].referrals_answered == 0
    assert list(before["year"]) == [2025]
    assert live.set_index("year").loc[2025, "referrals_answered"] == 1 and 2026 in set(live["year"])


def test_open_year_is_not_published_until_it_ends(registry, people):
    with registry.session() as s:
        u = _users(s, people)
        for i in range(6):
            _case(s, u, TCC_B, f"2026-0{i + 1}-02")
        assert publication.published(s, "tcc", as_of=dt.date(2026, 12, 31)).empty
        assert publication.published(s, "tcc", as_of=dt.date(2027, 3, 1)).empty  # ended, grace not over
        assert publication.published(s, "tcc", as_of=dt.date(2027, 4, 1)).iloc[0].allegations == 6


def test_compliance_is_published_for_ended_years_only(client, registry, people):
    with registry.session() as s:
        u = _users(s, people)
        compliance.submit_report(s, u["coord"], TCC_A, 2025, {"ratification": "met"})
        compliance.submit_report(s, u["coord"], TCC_A, 2100, {"ratification": "not_met"})
    rows = client.get(f"{API}/aggregates/compliance", headers=people.headers("analyst")).json()
    assert [(r["nation_ccode"], r["year"], r["ratification"]) for r in rows] == [(TCC_A, 2025, 1.0)]


def test_suppression_applies_the_whole_rule_to_any_yearly_table():
    table = pd.DataFrame(
        {
            "tcc_ccode": [1, 1],
            "year": [2025, 2026],
            "referrals": [6.0, 9.0],
            "answered": [5.0, 9.0],
            "answer_rate": [5 / 6, 1.0],
        }
    )
    out = stats.suppress_small_cells(
        table, ["referrals", "answered"], {"answer_rate": ["referrals", "answered"]}, parts={"answered": "referrals"}
    )
    assert out.iloc[0].referrals == 6 and np.isnan(out.iloc[0].answered) and np.isnan(out.iloc[0].answer_rate)
    assert out.iloc[1].answered == 9 and out.iloc[1].answer_rate == 1.0  # nothing small: all published
