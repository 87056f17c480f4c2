"""Registry counts for the TCC scorecard, by the year each event happened (read-only).

Moved here from ``peacewatch.scorecards.registry_events``: the scorecards read registry data only
through :mod:`peacewatch.registry.publication` (published counts of closed years, and the true
counts they grade on), never the registry's tables.

The registry's own statistics (``peacewatch.registry.stats.tcc_accountability``) count a referral's
answer and outcome in the year it was *referred*, so a grade for the current year would not move when
a TCC answers an old referral. The scorecard instead counts every event in the year it happened:

* ``allegations``: cases recorded (``reported_at``) that year;
* ``referrals_made``: substantiated cases referred to the TCC that year;
* ``referrals``: referrals held against the TCC that year: not answered before the year began, and
  either answered that year or past the deadline for an answer (naming a national investigation
  officer) by the end of the year (for the current year: at ``as_of``), so a referral made today is
  not counted before its deadline passes; ``referrals_answered``: answers given that year (an
  officer named or an outcome reported, whichever came first);
* ``referrals_awaiting_outcome`` and ``outcomes``: the same for the outcome (its own deadline);
  ``prosecutions``: outcomes reported that year that are prosecutions (prosecuted, convicted,
  acquitted);
* ``outcomes_due``: referrals whose outcome was reported that year, or whose outcome deadline passed
  that year without one (the cases on which a prosecution could have been reported by then);
* ``referrals_overdue``: referrals with a deadline (officer or outcome) passed unanswered at the end
  of the year (for the current year: at ``as_of``).

A fact dated after ``as_of`` (an answer, an outcome) is ignored, so the counts of a year evaluated at
its last day are what was known then. This module only reads (``SELECT``) the ``cases`` and
``referrals`` tables; it never writes. What is published goes through
:func:`peacewatch.registry.publication.published`.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from peacewatch.registry.models import Case, Referral
from peacewatch.registry.workflow import PROSECUTION_OUTCOMES

COUNTS = [
    "allegations",
    "referrals_made",
    "referrals",
    "referrals_answered",
    "referrals_awaiting_outcome",
    "outcomes",
    "outcomes_due",
    "prosecutions",
    "referrals_overdue",
]
#: Shares computed from counts: NaN when nothing was awaited (an answer rate needs a base).
DERIVED = {"referrals_answered": "referrals", "prosecutions": "referrals_awaiting_outcome"}
#: ``{part: whole(s)}`` between the counts, wholes first, for complementary suppression: a published
#: whole minus a published part must not be a small cell either.
PARTS: dict[str, str | list[str]] = {
    "referrals_made": "allegations",
    "referrals_answered": "referrals",
    "referrals_overdue": "referrals",
    "outcomes": ["referrals_awaiting_outcome", "outcomes_due"],
    "prosecutions": "outcomes",
}


def _year_end(year: int, as_of: dt.date) -> dt.date:
    return min(dt.date(year, 12, 31), as_of)


def _overdue(due: dt.date, done: dt.datetime | None, at: dt.date) -> bool:
    """A deadline ``due`` is overdue at ``at`` when it passed and nothing was done by then."""
    return at > due and (done is None or done.date() > at)


def _held_against(done: dt.datetime | None, due: dt.date, year: int, end: dt.date) -> bool:
    """Whether a referral counts in the denominator of ``year`` (evaluated at ``end``): still awaited
    when the year began, and either done that year or its deadline ``due`` passed by ``end``."""
    if done is not None and done.year < year:
        return False
    return (done is not None and done.year == year) or end > due


def tcc_events(session: Session, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per TCC and year (up to ``as_of``'s year): the counts of :data:`COUNTS`, by year of the event.

    Parameters
    ----------
    session
        Open registry session (only read).
    as_of
        Date the current year is evaluated at (default: today, UTC).

    Returns
    -------
    pandas.DataFrame
        ``tcc_ccode, year`` and :data:`COUNTS` (float). A TCC-year appears when anything happened or
        was pending; ``referrals_answered`` / ``prosecutions`` are NaN when nothing was awaiting.
    """
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    rows: dict[tuple[int, int], dict[str, float]] = {}

    def add(tcc: int, year: int, col: str, n: float = 1.0) -> None:
        if year <= as_of.year:
            rows.setdefault((int(tcc), int(year)), dict.fromkeys(COUNTS, 0.0))[col] += n

    def known(t: dt.datetime | None) -> dt.datetime | None:  # facts after as_of were not known then
        return t if t is not None and t.date() <= as_of else None

    for tcc, reported in session.execute(select(Case.tcc_ccode, Case.reported_at)):
        if reported.date() <= as_of:
            add(tcc, reported.year, "allegations")
    for row in session.execute(select(Referral)).scalars():
        if row.referred_at.date() > as_of:
            continue
        reported_at = known(row.outcome_reported_at)
        r = _Facts(
            row.tcc_ccode,
            row.referred_at,
            row.officer_due,
            row.outcome_due,
            known(row.officer_named_at),
            reported_at,
            row.outcome if reported_at else None,
        )
        answered = min([t for t in (r.officer_named_at, r.outcome_reported_at) if t is not None], default=None)
        start = r.referred_at.year
        add(r.tcc_ccode, start, "referrals_made")
        for year in range(start, as_of.year + 1):
            end = _year_end(year, as_of)
            # a referral weighs on the TCC once its deadline has passed (or when it answered that year):
            # referrals made today are not held against it before the time it is given has run out
            if _held_against(answered, r.officer_due, year, end):
                add(r.tcc_ccode, year, "referrals")
            if _held_against(r.outcome_reported_at, r.outcome_due, year, end):
                add(r.tcc_ccode, year, "referrals_awaiting_outcome")
            if _overdue(r.officer_due, answered, end) or _overdue(r.outcome_due, r.outcome_reported_at, end):
                add(r.tcc_ccode, year, "referrals_overdue")
        if answered is not None:
            add(r.tcc_ccode, answered.year, "referrals_answered")
        if r.outcome_reported_at is not None:
            add(r.tcc_ccode, r.outcome_reported_at.year, "outcomes_due")
        elif r.outcome_due < as_of:
            add(r.tcc_ccode, r.outcome_due.year, "outcomes_due")
        if r.outcome_reported_at is not None:
            add(r.tcc_ccode, r.outcome_reported_at.year, "outcomes")
            if r.outcome in PROSECUTION_OUTCOMES:
                add(r.tcc_ccode, r.outcome_reported_at.year, "prosecutions")
    if not rows:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="int64" if c in ("tcc_ccode", "year") else "float64")
                for c in ["tcc_ccode", "year", *COUNTS]
            }
        )
    out = pd.DataFrame([{"tcc_ccode": k[0], "year": k[1], **v} for k, v in rows.items()])
    for share, base in DERIVED.items():  # an answer rate needs something awaiting an answer
        out.loc[out[base] == 0, share] = np.nan
    return out.sort_values(["tcc_ccode", "year"]).reset_index(drop=True)


class _Facts(NamedTuple):
    """A referral as known at a date (later answers and outcomes left out)."""

    tcc_ccode: int
    referred_at: dt.datetime
    officer_due: dt.date
    outcome_due: dt.date
    officer_named_at: dt.datetime | None
    outcome_reported_at: dt.datetime | None
    outcome: str | None
