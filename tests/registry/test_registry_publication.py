"""Publication (issue 20): everything public about the registry comes from frozen closed periods
through one door (``registry.publication``), with complementary suppression; the open year is for
staff only; differencing two public answers over time isolates no small cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from peacewatch.registry import auth, cases, policy, publication, stats, training
from peacewatch.registry import operations as ops
from peacewatch.registry.errors import Forbidden, ValidationFailed

from .conftest import API, TCC_A, at

REFER = ("under_investigation", "substantiated", "referred_to_tcc")
LATER = dt.date(2026, 6, 1)  # "today": 2025 has ended and its grace period has passed


def _users(s, people):
    return {k: auth.user_for_token(s, people.tokens[k]) for k in people.tokens}


def _case(s, u, day, path=REFER, answer_day=None):
    c = cases.create_case(
        s, u["coord"], mission="MONUSCO", tcc_ccode=TCC_A, category="sexual_abuse", summary="x", now=at(day)
    )
    for st in path:
        cases.transition_case(s, u["coord"], c.id, st, now=at(day))
    if answer_day:
        cases.transition_case(
            s, u["coord"], c.id, "national_investigation_appointed", officer_name="Maj. N", now=at(answer_day)
        )
    return c


def _issue_example(s, u):
    """The issue's TCC: 6 allegations referred in 2025, 5 of them answered."""
    for i in range(5):
        _case(s, u, f"2025-0{i + 1}-02", answer_day=f"2025-0{i + 1}-10")
    _case(s, u, "2025-07-02")


def _small_cells(before: pd.DataFrame, after: pd.DataFrame, counts: list[str], k: int = 5) -> list[tuple]:
    """Cells whose published value moved by 1..k-1 between two answers (what differencing reveals)."""
    keys = ["tcc_ccode", "year"] if "tcc_ccode" in before else ["nation_ccode", "year"]
    both = before.merge(after, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    found = [(tuple(r[keys]), "row appeared or vanished") for _, r in both.iterrows() if r["_merge"] != "both"]
    for col in counts:
        diff = (both[f"{col}_b"] - both[f"{col}_a"]).abs()
        found += [(tuple(both.loc[i, keys]), col) for i in diff.index if 0 < diff[i] < k]
    return found


def test_part_whole_pairs_hide_the_one_unanswered_referral(registry, people):
    with registry.session() as s:
        _issue_example(s, _users(s, people))
        ev = publication.published(s, "tcc_events", as_of=LATER).set_index("year").loc[2025]
        acc = publication.published(s, "tcc", as_of=LATER).set_index("year").loc[2025]
        true = publication.frozen(s, "tcc_events", as_of=LATER).set_index("year").loc[2025]
    assert (true.referrals_made, true.referrals_answered) == (6, 5)
    assert ev.referrals_made == 6 and np.isnan(ev.referrals_answered)  # 6 - 5 = 1 unanswered
    assert acc.referrals == 6 and np.isnan(acc.referrals_answered)


def test_the_open_year_is_never_public_and_polling_it_reveals_nothing(registry, people):
    this_year = dt.datetime.now(dt.UTC).year
    with registry.session() as s:
        u = _users(s, people)
        for i in range(10):
            _case(s, u, f"{this_year}-01-{i + 2:02d}")
        first = {t: publication.published(s, t) for t in publication.TABLES}
        frame_first = publication.scorecard_frame(s)
        _case(s, u, f"{this_year}-01-20")  # the 11th allegation of the issue's poll
        second = {t: publication.published(s, t) for t in publication.TABLES}
        frame_second = publication.scorecard_frame(s)
        staff = publication.live(s, u["coord"], "tcc_events").set_index("year")
        with pytest.raises(Forbidden):
            policy.Actor(s, u["analyst"], False)(ops.aggregates.tcc_live)
    assert all(this_year not in set(df["year"]) for df in first.values())
    assert this_year not in set(frame_first["year"])
    for t in publication.TABLES:
        pd.testing.assert_frame_equal(first[t], second[t])
    pd.testing.assert_frame_equal(frame_first, frame_second)
    assert staff.loc[this_year, "allegations"] == 11  # staff see the live count


def test_differencing_public_answers_over_time_finds_no_small_cell(registry, people):
    """Poll every public table, change the registry in every way the issue tried (file a case,
    answer a referral late, backdate a case into the closed year, add a training module), poll
    again: no cell moved by 1..4 and no row appeared."""
    with registry.session() as s:
        u = _users(s, people)
        _issue_example(s, u)
        training.add_module(s, u["coord"], "THB-1", "THB awareness")
        for i in range(10):
            training.add_person(s, u["coord"], f"SN-{i}", f"Person {i}", TCC_A, 2025, audience="all")
            if i < 7:
                training.record_completion(s, u["coord"], f"SN-{i}", "THB-1", dt.date(2025, 3, 1), nation_ccode=TCC_A)
        before = {t: publication.published(s, t, as_of=LATER) for t in publication.TABLES}
        _case(s, u, "2026-05-30")
        _case(s, u, "2025-12-30")  # recorded now with a 2025 date: the closed year does not move
        late = s.query(cases.Case).filter(cases.Case.tcc_ccode == TCC_A).order_by(cases.Case.reported_at).all()[-3]
        cases.transition_case(
            s, u["coord"], late.id, "national_investigation_appointed", officer_name="Maj. N", now=at("2026-05-31")
        )
        training.add_module(s, u["coord"], "THB-CMD", "Command responsibility", audience="commanders")
        after = {t: publication.published(s, t, as_of=LATER) for t in publication.TABLES}
        # the live statistics do see the changes (so the test can fail)
        assert stats.tcc_accountability(s, 2025, at_period_end=True).iloc[0].allegations == 7
    for t, spec in publication.TABLES.items():
        assert _small_cells(before[t], after[t], spec.counts) == [], t
        pd.testing.assert_frame_equal(before[t], after[t])


def test_a_closed_year_does_not_move_when_a_module_is_added(registry, people):
    """The issue: a commanders-only module moved one nation's 2025 "trained" from 7 to 5."""
    with registry.session() as s:
        u = _users(s, people)
        training.add_module(s, u["coord"], "THB-1", "THB awareness")
        for i in range(10):
            training.add_person(
                s, u["coord"], f"SN-{i}", f"Person {i}", TCC_A, 2025, audience="commanders" if i < 2 else "all"
            )
            if i < 7:
                training.record_completion(s, u["coord"], f"SN-{i}", "THB-1", dt.date(2025, 3, 1), nation_ccode=TCC_A)
        before = publication.frozen(s, "training", as_of=LATER)
        training.add_module(s, u["coord"], "THB-CMD", "Command responsibility", audience="commanders")
        after = publication.frozen(s, "training", as_of=LATER)
        recomputed = stats.training_completion(s, 2025, at_period_end=True)
    assert before.iloc[0].trained == 7 and recomputed.iloc[0].trained == 5
    pd.testing.assert_frame_equal(before, after)


def test_a_year_closes_after_its_grace_period_once_and_coordinators_may_close_earlier(registry, people):
    with registry.session() as s:
        u = _users(s, people)
        _issue_example(s, u)
        assert publication.published(s, "tcc", as_of=dt.date(2026, 2, 1)).empty  # grace not over
        with pytest.raises(Forbidden):
            policy.Actor(s, u["analyst"], False)(ops.aggregates.close_period, {"year": 2025})
        with pytest.raises(ValidationFailed):
            publication.close_period_as(s, u["coord"], 2026, as_of=dt.date(2026, 2, 1))
        assert publication.close_period_as(s, u["coord"], 2025, as_of=dt.date(2026, 2, 1)) is True
        assert publication.close_period_as(s, u["coord"], 2025, as_of=dt.date(2026, 2, 1)) is False
        assert publication.closed_years(s) == [2025]
        assert publication.published(s, "tcc", as_of=dt.date(2026, 2, 1)).iloc[0].allegations == 6


def test_a_read_only_reader_closes_the_due_year_in_its_own_writing_session(registry, people):
    with registry.session() as s:
        _issue_example(s, _users(s, people))
    with registry.session(read_only=True) as s:
        got = publication.published(s, "tcc", as_of=LATER)
    assert got.iloc[0].allegations == 6
    with registry.session() as s:
        assert publication.closed_years(s) == [2025]


def test_aggregates_api_reads_the_frozen_period(client, registry, people):
    with registry.session() as s:
        _issue_example(s, _users(s, people))
    rows = client.get(f"{API}/aggregates/tcc", headers=people.headers("analyst")).json()
    assert [(r["year"], r["referrals"], r["referrals_answered"]) for r in rows] == [(2025, 6.0, None)]
    with registry.session() as s:
        assert publication.closed_years(s) == [2025]


def test_live_counts_and_closing_through_the_api(client, registry, people):
    this_year = dt.datetime.now(dt.UTC).year
    with registry.session() as s:
        u = _users(s, people)
        for i in range(3):
            _case(s, u, f"{this_year}-01-0{i + 2}")
    live = client.get(f"{API}/aggregates/tcc/live", headers=people.headers("inv")).json()
    assert [(r["year"], r["allegations"]) for r in live] == [(this_year, 3.0)]
    assert client.get(f"{API}/aggregates/tcc/live", headers=people.headers("analyst")).status_code == 403
    assert client.get(f"{API}/aggregates/tcc", headers=people.headers("analyst")).json() == []
    early = client.post(f"{API}/aggregates/periods", json={"year": this_year}, headers=people.headers("coord"))
    assert early.status_code == 422 and "has not ended" in str(early.json()["detail"])
    ok = client.post(f"{API}/aggregates/periods", json={"year": this_year - 1}, headers=people.headers("coord"))
    assert ok.status_code == 200 and ok.json()["closed"] is True and this_year - 1 in ok.json()["closed_years"]
