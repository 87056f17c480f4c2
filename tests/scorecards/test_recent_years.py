"""Scorecards through 2025: grades from secondary copies marked as such, TCC grades that move with
registry activity (counted by the year events happened) and the suspension recommendation."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from peacewatch.bounds import current_year
from peacewatch.scorecards import explain, grade_table

INDIA = 750


def comp(g, name):
    return next(c for c in g.components if c.indicator == name)


def ev(component, field):
    return next(e.value for e in component.evidence if e.field == field)


def test_host_grades_reach_2025_and_mark_secondary_and_older_evidence():
    t = grade_table("hosts")
    graded = t[t["grade"] != "No data"].groupby("year").size()
    assert graded.index.max() == 2025
    assert not set(range(2016, 2020)) & set(graded.index)  # no published tier 2016-2019: no grade
    g = explain("hosts", 404, 2024)  # Guinea-Bissau, Tier 2 Watch List in a secondary copy of the 2024 report
    assert g.published_tier == "Tier 2 Watch List" and g.published_tier_source == "tip_tiers_recent"
    assert g.grade.startswith("Grade ") and g.grade != g.published_tier
    tip = comp(g, "tip_tier")
    assert tip.score == 3.5
    label = next(e for e in tip.evidence if e.field == "tip_tier_label")
    assert label.secondary and label.year == 2024 and "factbook" in label.note and label.flags == ["secondary copy"]
    palermo = next(e for e in comp(g, "palermo").evidence if e.field == "palermo_party")
    assert palermo.older and palermo.year == 2011  # ratification records end in 2011
    text = g.explain()
    assert "published TIP tier: Tier 2 Watch List (secondary copy)" in text and "[secondary copy]" in text
    row = t[(t["key"] == 404) & (t["year"] == 2024)].iloc[0]
    assert row["mark_tip_tier"] == "secondary copy" and row["year_tip_tier"] == 2024
    assert row["mark_palermo"] == "older than the graded year" and row["year_palermo"] == 2011
    canada = explain("hosts", 20, 2024)  # not on the partial 2024 list: tier unknown, so no grade
    assert canada.published_tier is None and canada.grade == "No data"
    kelley = t[(t["key"] == 41) & (t["year"] == 2010)].iloc[0]
    assert kelley["published_tier_source"] == "kelley_tip" and kelley["mark_tip_tier"] == ""


def test_cli_json_and_csv_carry_the_marks(tmp_path):
    from peacewatch.cli import app

    r = CliRunner()
    res = r.invoke(app, ["score", "hosts", "--year", "2024", "--format", "csv", "--out", str(tmp_path / "h.csv")])
    assert res.exit_code == 0, res.output
    csv = pd.read_csv(tmp_path / "h.csv").set_index("key")
    assert csv.loc[404, "published_tier"] == "Tier 2 Watch List" and csv.loc[404, "mark_tip_tier"] == "secondary copy"
    assert not csv["grade"].str.startswith("Tier").any()
    res = r.invoke(app, ["score", "hosts", "--year", "2024", "--format", "json", "--out", str(tmp_path / "h.json")])
    assert res.exit_code == 0, res.output
    gb = next(g for g in json.loads((tmp_path / "h.json").read_text())["grades"] if g["key"] == 404)
    ev = next(
        e for c in gb["components"] if c["indicator"] == "tip_tier" for e in c["evidence"] if e["field"] == "tip_tier"
    )
    assert ev["secondary"] is True and ev["year"] == 2024 and gb["published_tier"] == "Tier 2 Watch List"
    res = r.invoke(app, ["score", "hosts", "--year", "2024"])
    assert res.exit_code == 0 and "Grade" in res.output and "(secondary copy)" in res.output


def test_deployed_only_says_why_after_2016(tmp_path):
    """IPI and Bara & Hultman end 2016: 2017-2024 hosts come from the Geo-PKO maps (TCCMap), and a year
    without any deployment data says so instead of printing an empty table silently (issue 23)."""
    from peacewatch.cli import app
    from peacewatch.sources.catalog import Catalog

    r = CliRunner()
    res = r.invoke(
        app,
        ["score", "hosts", "--year", "2020", "--deployed-only", "--format", "csv", "--out", str(tmp_path / "h.csv")],
    )
    assert res.exit_code == 0, res.output
    listed = set(pd.read_csv(tmp_path / "h.csv")["key"])
    # every host of a mission the TCCMap lists in 2020 (South Sudan for UNMISS, Lebanon for UNIFIL, ...)
    tcc_map = pd.read_csv(Catalog().path("geo_pko", "tcc_map"))
    assert {"UNMISS", "UNIFIL", "MINUSCA"} <= set(tcc_map.loc[tcc_map["year"] == 2020, "mission"])
    assert {626, 660, 482} <= listed
    assert "Geo-PKO maps" in res.stderr and f"{len(listed)} states listed" in res.stderr
    res = r.invoke(app, ["score", "hosts", "--year", "2025", "--deployed-only", "--format", "csv"])
    assert res.exit_code == 0 and res.stdout.strip().count("\n") == 0  # the header only
    assert "no state is known to host peacekeepers" in res.stderr and "0 states listed" in res.stderr


# --------------------------------------------------------------------------- registry-driven TCC grades
@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A temporary SQLite registry with a coordinator and India's liaison (service functions only)."""
    from peacewatch.registry import auth
    from peacewatch.registry.service import Registry

    monkeypatch.setenv("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    monkeypatch.delenv("PEACEWATCH_MIN_CELL", raising=False)
    monkeypatch.setattr(auth, "_SCRYPT", {"n": 2**4, "r": 8, "p": 1})
    reg = Registry(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    with reg.session() as s:
        users = {
            name: auth.create_user(s, name, f"{name}-password", role, tcc).user.id
            for name, role, tcc in [("coord", auth.COORDINATOR, None), ("liaison", auth.TCC_LIAISON, INDIA)]
        }
    yield reg, users
    reg.dispose()


def _user(s, uid):
    from peacewatch.registry.models import User

    return s.get(User, uid)


def _refer_cases(reg, users, n: int, when: dt.datetime, tcc: int = INDIA) -> list[int]:
    """n substantiated cases against a TCC's personnel (India by default), referred to it on ``when``."""
    from peacewatch.registry.cases import create_case, transition_case

    ids = []
    with reg.session() as s:
        coord = _user(s, users["coord"])
        for i in range(n):
            case = create_case(
                s,
                coord,
                mission="UNMISS",
                tcc_ccode=tcc,
                category="sexual_exploitation",
                summary=f"test allegation {i}",
                now=when,
            )
            for status in ("under_investigation", "substantiated", "referred_to_tcc"):
                transition_case(s, coord, case.id, status, now=when)
            ids.append(case.id)
    return ids


def _tcc(reg, users, year, tcc: int = INDIA, as_of: dt.date | None = None):
    """A TCC's grade of ``year`` as staff see it (a coordinator): the open year's live registry counts,
    evaluated at ``as_of``, come only through the registry's staff door (the public card has closed
    years only, issue 20); read through the card's one registry function, components.registry_counts."""
    from peacewatch.registry.policy import Actor

    with reg.session(read_only=True) as s:
        coord = Actor(s, _user(s, users["coord"]), read_only=True)
        t = grade_table("tccs", year, registry=s, as_of=as_of, user=coord).set_index("key")
        g = explain("tccs", tcc, year, registry=s, as_of=as_of, user=coord)
    return t.loc[tcc], g


def test_only_staff_read_the_live_tcc_counts(registry):
    """The staff grade path asks the registry's policy: a TCC liaison passed as the reader is refused
    (it read the live, unsuppressed counts when the role check moved into the policy table)."""
    import pytest

    from peacewatch.registry.errors import Forbidden
    from peacewatch.registry.policy import Actor

    reg, users = registry
    with reg.session(read_only=True) as s:
        liaison = Actor(s, _user(s, users["liaison"]), read_only=True)
        with pytest.raises(Forbidden):
            grade_table("tccs", dt.date.today().year, registry=s, user=liaison)


def test_public_tcc_card_shows_nothing_of_the_open_year(registry):
    """Issue 20: 5 referrals of this year, 4 answered, must not reach the public card."""
    from peacewatch.registry.cases import transition_case

    reg, users = registry
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ids = _refer_cases(reg, users, 6, today - dt.timedelta(days=2))
    with reg.session() as s:
        liaison = _user(s, users["liaison"])
        for cid in ids[:5]:
            transition_case(s, liaison, cid, "national_investigation_appointed", officer_name="Col. A", now=today)
    with reg.session() as s:  # what the public scorecard (and its JSON / CSV twins) is built from
        t = grade_table("tccs", today.year, registry=s)
    row = t[t["key"] == INDIA]
    counts = [c for c in t.columns if c.startswith("n_")]
    assert counts and (row.empty or row[counts].isna().all(axis=None))
    assert row.empty or not row.iloc[0]["registry_data"]
    staff, _ = _tcc(reg, users, today.year)
    assert staff["registry_data"]


def test_tcc_grade_moves_with_registry_activity(registry):
    from peacewatch.registry.cases import transition_case

    reg, users = registry
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    when = today - dt.timedelta(days=100)  # officer deadline (10 working days) and outcome deadline (90 days) passed
    year = when.year
    assert year <= current_year()

    with reg.session() as s:  # empty registry: India has no grade from registry data in that year
        t = grade_table("tccs", year, registry=s)
    before = t[t["key"] == INDIA]
    assert before.empty or before.iloc[0]["grade"] == "No data" or math.isnan(before.iloc[0]["s_referrals_answered"])

    ids = _refer_cases(reg, users, 5, when)
    row, g = _tcc(reg, users, year)
    assert row["s_referrals_answered"] == 0 and row["s_prosecutions"] == 0  # 5 past both deadlines, none answered
    assert row["grade"] != "No data"
    low_score = row["score"]
    # 5 allegations against India's thousands of personnel are not "significant" per 1,000 deployed:
    # no suspension, and the rate behind that is shown
    assert row["suspension"] == "" and not g.suspension["flagged"] and row["registry_data"]
    rate = g.suspension["counts"]["significant_allegations: allegations per 1,000 deployed (threshold 2)"]
    assert rate is not None and rate < 2
    # 5 allegations that year, set against India's latest known deployment (an older year, marked)
    assert row["s_allegations_rate"] == row["s_allegations_rate"]  # not NaN
    assert row["mark_allegations_rate"] == "older than the graded year" and row["year_allegations_rate"] < year
    deployed = next(e for e in comp(g, "allegations_rate").evidence if e.field == "deployed")
    assert deployed.older and deployed.year == row["year_allegations_rate"]

    # India reports prosecutions: the current grade rises
    with reg.session() as s:
        liaison = _user(s, users["liaison"])
        for cid in ids:
            transition_case(s, liaison, cid, "outcome_reported", outcome="prosecuted", now=today)
    row, g = _tcc(reg, users, today.year)
    assert row["s_referrals_answered"] == 10 and row["s_prosecutions"] == 10
    if today.year == year:
        assert row["score"] > low_score
    assert row["grade"] in ("Grade A", "Grade B")


def test_referrals_made_today_are_not_held_against_a_tcc_before_their_deadlines(registry, tmp_path):
    """Six referrals made today: no answer is due yet, so neither the answer rate nor the prosecution
    rate counts them (issue 23: they used to score 0/6 and a Grade C); with --as-of after the officer
    deadline (10 working days) they count as unanswered, after the outcome deadline (90 days) as
    unprosecuted. Allegations per 1,000 deployed count at once (an allegation is not a deadline)."""
    from peacewatch.cli import app

    reg, users = registry
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    _refer_cases(reg, users, 6, today)
    row, g = _tcc(reg, users, today.year)
    assert math.isnan(row["s_referrals_answered"]) and math.isnan(row["s_prosecutions"])
    assert ev(comp(g, "referrals_answered"), "referrals") == 0
    assert row["grade"] != "Grade C"
    later = today.date() + dt.timedelta(days=30)
    row, _ = _tcc(reg, users, later.year, as_of=later)
    assert row["s_referrals_answered"] == 0 and math.isnan(row["s_prosecutions"])
    much_later = today.date() + dt.timedelta(days=120)
    row, _ = _tcc(reg, users, much_later.year, as_of=much_later)
    assert row["s_prosecutions"] == 0
    # the public command line reads closed years only (issue 20), so the open year's referrals are not on
    # it whatever --as-of says (a closed year is frozen at its close, deadlines as of 31 December); it takes
    # --as-of up to the end of next year and says when a date is out of range
    db = f"sqlite:///{reg.engine.url.database}"
    res = CliRunner().invoke(
        app,
        [
            "score",
            "tccs",
            "--year",
            "2024",
            "--as-of",
            much_later.isoformat(),
            "--db",
            db,
            "--format",
            "csv",
            "--out",
            str(tmp_path / "t.csv"),
        ],
    )
    assert res.exit_code == 0, res.output
    public = pd.read_csv(tmp_path / "t.csv").set_index("key")
    assert INDIA not in public.index or math.isnan(public.loc[INDIA, "s_prosecutions"])
    bad = CliRunner().invoke(app, ["score", "tccs", "--year", str(today.year), "--as-of", f"{today.year + 2}-01-01"])
    assert bad.exit_code != 0 and "--as-of" in bad.output and "outside" in bad.output


def test_tcc_without_registry_data_says_so(registry):
    reg, _ = registry
    with reg.session() as s:
        g = explain("tccs", INDIA, 2012, registry=s)
    assert g.suspension["registry_data"] is False and not g.suspension["flagged"]
    assert "suspension of new deployments: no registry data" in g.explain()


def test_suspension_needs_significant_allegations_and_no_prosecution(registry):
    """The accountability paper's rule: significant allegations (per 1,000 deployed) AND failure to
    prosecute. Kenya (150 troops on the 2024 Geo-PKO maps) with 5 allegations, 5 substantiated cases
    closed without prosecution: suspension recommended and the grade capped at Grade C; India with the
    same counts against thousands of personnel is not flagged (issue 23)."""
    from peacewatch.registry.cases import transition_case
    from peacewatch.sources.catalog import Catalog

    kenya = 501
    tcc_map = pd.read_csv(Catalog().path("geo_pko", "tcc_map"))
    overview = ", ".join(tcc_map.loc[tcc_map["year"] == 2024, "year.overview"])
    assert [x for x in overview.split(", ") if x.startswith("Kenya")] == ["Kenya (150)"]

    reg, users = registry
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    when = today - dt.timedelta(days=3)
    for tcc in (kenya, INDIA):
        ids = _refer_cases(reg, users, 5, when, tcc)
        with reg.session() as s:  # answered on time, but no prosecution of 5 substantiated cases
            coord = _user(s, users["coord"])
            for cid in ids:
                transition_case(s, coord, cid, "outcome_reported", outcome="disciplinary_action", now=today)
    row, g = _tcc(reg, users, today.year, kenya)
    assert row["suspension"] == "significant_allegations;no_prosecution_after_substantiated_cases"
    assert row["n_significant_allegations"] == 5 and row["n_no_prosecution_after_substantiated_cases"] == 5
    assert row["n_no_prosecution_after_substantiated_cases_prosecutions"] == 0
    # person-years in the window: 2024 (150 on the maps) and this year (the latest known, 150 again)
    person_years = 150 * len({2024, today.year})
    assert row["deployed_significant_allegations"] == person_years
    assert row["rate_significant_allegations"] == pytest.approx(1000 * 5 / person_years)
    assert row["grade"] == "Grade C" and "suspension:suspend_new_deployments" in row["rules"]
    assert g.suspension["flagged"] and g.suspension["max_grade"] == "Grade C"
    assert (
        g.suspension["counts"]["significant_allegations: personnel deployed (person-years) (3 years)"] == person_years
    )
    india, gi = _tcc(reg, users, today.year, INDIA)
    assert india["suspension"] == "" and not gi.suspension["flagged"]
    assert (
        india["n_no_prosecution_after_substantiated_cases"] == 5
    )  # failed to prosecute, but allegations not significant


def test_grades_use_true_counts_and_publish_suppressed_ones(registry):
    """Three referrals of a closed year past their deadline are a small cell: the published count is
    blank, yet the grade is computed on the true 0 of 3 (issue 23: a suppressed cell used to drop out of
    the grade), and the answer-rate score itself is not shown on the public card, since beside the other
    published figures it would give the small cell away (issue 20)."""
    from peacewatch.registry.publication import close_period_as

    reg, users = registry
    year = current_year() - 1
    _refer_cases(reg, users, 3, dt.datetime(year, 6, 2, 10))
    with reg.session() as s:  # the coordinator closes the year (it would close by itself 90 days after its end)
        close_period_as(s, _user(s, users["coord"]), year)
    staff, _ = _tcc(reg, users, year)
    assert staff["s_referrals_answered"] == 0  # staff see the live true counts, unsuppressed
    with reg.session() as s:
        row = grade_table("tccs", year, registry=s).set_index("key").loc[INDIA]
        g = explain("tccs", INDIA, year, registry=s)
    assert math.isnan(row["s_referrals_answered"]) and math.isnan(row["s_allegations_rate"])  # blanked when shown
    assert row["score"] == pytest.approx(staff["score"]) and row["grade"] == staff["grade"]  # graded on 0 of 3
    c = comp(g, "referrals_answered")
    assert c.score is None and "suppressed in publication" in c.missing
    shown = next(e for e in c.evidence if e.field == "referrals")
    assert shown.value is None or math.isnan(shown.value)  # 3 is below the smallest published cell (5)
    assert "suppressed" in shown.note


def test_a_window_sum_over_a_suppressed_year_is_not_published(registry):
    """Allegations 3 (a small cell, suppressed) two years ago and 6 last year: the suspension rule's
    3-year sum (9) is decided on but not shown publicly, since 9 minus the published 6 would reveal the
    3 (issue 20); staff see 9."""
    from peacewatch.registry.publication import close_period_as

    reg, users = registry
    first, second = current_year() - 2, current_year() - 1
    _refer_cases(reg, users, 3, dt.datetime(first, 6, 2, 10))
    _refer_cases(reg, users, 6, dt.datetime(second, 6, 2, 10))
    with reg.session() as s:
        coord = _user(s, users["coord"])
        for year in (first, second):
            close_period_as(s, coord, year)
    staff, _ = _tcc(reg, users, second)
    assert staff["n_significant_allegations"] == 9
    with reg.session() as s:
        row = grade_table("tccs", second, registry=s).set_index("key").loc[INDIA]
        g = explain("tccs", INDIA, second, registry=s)
    assert ev(comp(g, "allegations_rate"), "allegations") == 6  # the year's own count is published
    assert math.isnan(row["n_significant_allegations"]) and math.isnan(row["rate_significant_allegations"])
    assert g.suspension["counts"]["significant_allegations: allegations (3 years)"] is None


def test_registry_events_are_counted_in_the_year_they_happened(registry):
    """Referred in November 2024, officer named February 2025, prosecution reported March 2026:
    each event lands in its own year, and the referral awaits an answer in 2024 and 2025 only."""
    from peacewatch.registry.cases import transition_case
    from peacewatch.registry.events import tcc_events

    reg, users = registry
    ids = _refer_cases(reg, users, 1, dt.datetime(2024, 11, 4, 10))
    with reg.session() as s:
        liaison = _user(s, users["liaison"])
        transition_case(
            s,
            liaison,
            ids[0],
            "national_investigation_appointed",
            officer_name="Col. A",
            now=dt.datetime(2025, 2, 3, 10),
        )
        transition_case(s, liaison, ids[0], "outcome_reported", outcome="convicted", now=dt.datetime(2026, 3, 2, 10))
        ev = tcc_events(s, as_of=dt.date(2026, 6, 1)).set_index("year")
    assert list(ev.index) == [2024, 2025, 2026] and set(ev["tcc_ccode"]) == {INDIA}
    assert ev.loc[2024, ["allegations", "referrals_made", "referrals", "referrals_answered"]].tolist() == [1, 1, 1, 0]
    # officer due 10 working days after 4 Nov 2024 (18 Nov): overdue at the end of 2024, answered in 2025
    assert ev.loc[2024, "referrals_overdue"] == 1 and ev.loc[2025, "referrals_answered"] == 1
    assert ev.loc[2025, "referrals"] == 1 and math.isnan(ev.loc[2026, "referrals_answered"])  # nothing awaited in 2026
    # outcome due 90 days after referral (2 Feb 2025): overdue at the end of 2025, reported in 2026
    assert ev.loc[2025, "referrals_overdue"] == 1 and ev.loc[2026, "referrals_overdue"] == 0
    assert ev.loc[2026, ["outcomes", "prosecutions", "referrals_awaiting_outcome"]].tolist() == [1, 1, 1]
    assert ev.loc[2025, "prosecutions"] == 0


def test_palermo_status_after_2011_is_the_latest_known_marked_older():
    """Ratification records end in 2011: South Sudan (Tier 3 in 2023) and Sudan keep their status at
    the end of 2011 (not party) as evidence of 2011, marked older, instead of "No data" (issue 23)."""
    from peacewatch.sources.catalog import Catalog

    ks = pd.read_stata(Catalog().path("kelley_tip", "ks_replication"), columns=["cowcode", "year", "ratproto2000"])
    assert not ks.loc[ks["cowcode"] == 625, "ratproto2000"].eq(1).any()  # Sudan: no ratification through 2011
    for ccode in (626, 625):
        g = explain("hosts", ccode, 2023)
        palermo = comp(g, "palermo")
        (evidence,) = palermo.evidence
        assert palermo.score == 0 and evidence.year == 2011 and evidence.older and "end of 2011" in evidence.note
        assert g.grade != "No data"
    assert explain("hosts", 626, 2023).published_tier == "Tier 3"
    row = grade_table("hosts", 2023).set_index("key").loc[626]
    assert row["mark_palermo"] == "older than the graded year" and row["year_palermo"] == 2011
