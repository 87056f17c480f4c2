"""Scorecard statistics: exact values, missing stays missing, small cells suppressed."""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import pytest

from peacewatch.registry import cases, compliance, publication, stats, training

from .conftest import API, TCC_A, TCC_B, at


def _case(s, u, tcc, day, path=(), **kw):
    c = cases.create_case(
        s, u["coord"], mission="MONUSCO", tcc_ccode=tcc, category="sexual_abuse", summary="x", now=at(day)
    )
    for st in path:
        extra = {}
        if st == "national_investigation_appointed":
            extra = {"officer_name": "Maj. N"}
        if st == "outcome_reported":
            extra = {"outcome": kw.get("outcome", "prosecuted")}
        cases.transition_case(
            s,
            u["coord"],
            c.id,
            st,
            now=at(kw.get("answer_day", day))
            if st in ("national_investigation_appointed", "outcome_reported")
            else at(day),
            **extra,
        )
    return c


REFER = ("under_investigation", "substantiated", "referred_to_tcc")


def test_tcc_accountability_values_and_missing(registry, people):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        _case(s, u, TCC_A, "2025-03-01", REFER + ("national_investigation_appointed",), answer_day="2025-03-11")
        _case(s, u, TCC_A, "2025-05-01", REFER + ("outcome_reported",), outcome="convicted", answer_day="2025-05-21")
        _case(s, u, TCC_A, "2025-06-01", REFER)  # never answered
        _case(s, u, TCC_A, "2025-07-01")
        _case(s, u, TCC_B, "2025-02-01")  # an allegation, no referral
        df = stats.tcc_accountability(s, as_of=dt.date(2026, 1, 1))
    assert list(df.columns) == stats.TCC_COLUMNS
    a = df[df.tcc_ccode == TCC_A].iloc[0]
    assert (a.year, a.allegations, a.referrals, a.referrals_answered, a.referrals_overdue, a.prosecutions) == (
        2025,
        4,
        3,
        2,
        2,
        1,
    )  # the officer-only referral is past its outcome deadline too
    assert a.median_days_to_answer == pytest.approx(15.0)
    b = df[df.tcc_ccode == TCC_B].iloc[0]
    assert b.allegations == 1 and b.referrals == 0
    assert np.isnan(b.referrals_answered) and np.isnan(b.prosecutions) and np.isnan(b.median_days_to_answer)
    assert 2 not in df.tcc_ccode.tolist()  # a TCC without data has no row (not zeros)


def test_tcc_accountability_empty_and_year_filter(registry, people):
    with registry.session() as s:
        assert stats.tcc_accountability(s).empty
        u = {k: s.merge(v) for k, v in people.users.items()}
        _case(s, u, TCC_A, "2024-03-01")
        _case(s, u, TCC_A, "2025-03-01")
        assert stats.tcc_accountability(s, year=2025)["year"].tolist() == [2025]


def test_published_aggregates_suppress_cells_under_five(client, people, registry):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        for i in range(6):
            _case(s, u, TCC_A, f"2025-0{i + 1}-02", REFER)
        for i in range(2):
            _case(s, u, TCC_B, f"2025-0{i + 1}-02")
    rows = {r["tcc_ccode"]: r for r in client.get(f"{API}/aggregates/tcc", headers=people.headers("analyst")).json()}
    assert rows[TCC_A]["allegations"] == 6 and rows[TCC_A]["referrals"] == 6
    assert rows[TCC_A]["referrals_answered"] == 0  # zero identifies nobody
    assert rows[TCC_A]["median_days_to_answer"] is None
    assert rows[TCC_B]["allegations"] is None and rows[TCC_B]["suppressed_cells"] == 1
    assert rows[TCC_B]["referrals"] == 0


def test_compliance_by_nation(registry, people):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        compliance.submit_report(
            s, u["coord"], 2, 2006, {"ratification": "met", "training": "partial", "legislation": "not_met"}
        )
        compliance.submit_report(s, u["liaison_a"], TCC_A, 2006, {})
        df = stats.compliance_by_nation(s)
    us = df[df.nation_ccode == 2].iloc[0]
    assert (us.ratification, us.training, us.legislation) == (1.0, 0.5, 0.0)
    assert np.isnan(us.whistleblower_policy) and us.provisions_reported == 3
    assert us.compliance_score == pytest.approx(0.5)
    pk = df[df.nation_ccode == TCC_A].iloc[0]
    assert pk.provisions_reported == 0 and np.isnan(pk.compliance_score)


def test_training_completion(registry, people):
    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        training.add_person(s, u["coord"], "A1", "n", TCC_A, 2026)
        assert np.isnan(stats.training_completion(s).iloc[0].completion_rate)  # no module defined yet
        training.add_module(s, u["coord"], "THB-1", "THB awareness")
        training.add_module(s, u["coord"], "THB-MP", "Investigating THB", "military_police")
        training.add_person(s, u["coord"], "A2", "n", TCC_A, 2026, "military_police")
        training.add_person(s, u["liaison_a"], "A3", "n", TCC_A, 2026)
        for sn, mod in [("A1", "THB-1"), ("A2", "THB-1"), ("A3", "THB-1")]:
            training.record_completion(s, u["coord"], sn, mod, dt.date(2026, 1, 5))
        df = stats.training_completion(s)
        row = df.iloc[0]
        assert (row.nation_ccode, row.year, row.personnel, row.trained) == (TCC_A, 2026, 3, 2)
        assert row.completion_rate == pytest.approx(2 / 3)
        rec = training.person_record(s, u["coord"], "A2")
        assert [(m["code"], m["completed_on"]) for m in rec["modules"]] == [("THB-1", "2026-01-05"), ("THB-MP", None)]
        assert publication.published(s, "training", as_of=dt.date(2026, 12, 31)).empty  # year not over
        pub = publication.published(s, "training", as_of=dt.date(2027, 4, 1))
        assert np.isnan(pub.iloc[0].personnel) and np.isnan(pub.iloc[0].completion_rate)


def test_codes_differing_only_by_whitespace_are_conflicts_not_server_errors(registry, people):
    # found by schemathesis: " X" passed the duplicate check but was stored as "X" (a 500 on insert)
    from peacewatch.registry.errors import Conflict

    with registry.session() as s:
        u = {k: s.merge(v) for k, v in people.users.items()}
        training.add_module(s, u["coord"], "THB-1", "THB awareness")
        with pytest.raises(Conflict, match="THB-1"):
            training.add_module(s, u["coord"], " THB-1 ", "again")
        training.add_person(s, u["coord"], "A1", "n", TCC_A, 2026)
        with pytest.raises(Conflict, match="A1"):
            training.add_person(s, u["coord"], "A1 ", "n", TCC_A, 2026)
        done = training.record_completion(s, u["coord"], " A1", "THB-1 ", dt.date(2026, 1, 5))
        assert done.person_id is not None


def test_csv_uploads_with_carriage_returns_or_oversized_fields(registry, people):
    # found by schemathesis: a bare CR in a field raised csv.Error (a 500)
    from peacewatch.registry import vetting
    from peacewatch.registry.errors import ValidationFailed

    rows = vetting.parse_roster('name,date_of_birth,nationality\r\n"Jean\rPaul",1980-01-02,41\r\n', "up.csv")
    assert [(r.row_number, r.name) for r in rows] == [(2, "Jean\rPaul")]
    # the limit is process-wide (other libraries raise it on import): pin the default for this check
    previous = csv.field_size_limit(131_072)
    try:
        with pytest.raises(ValidationFailed, match=r"up.csv row 2: not readable as CSV"):
            vetting.parse_roster("name,date_of_birth,nationality\n" + "x" * 200_000 + ",1980-01-02,41\n", "up.csv")
    finally:
        csv.field_size_limit(previous)
