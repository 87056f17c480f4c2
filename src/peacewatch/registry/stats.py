"""Statistics that feed the scorecards, and the small-cell suppression applied before publication.

Rules shared by every table here:

* one row per unit-year that has registry data; unit-years without any data are absent;
* a value that cannot be known stays missing (NaN), never 0 — e.g. ``referrals_answered`` of a
  TCC-year without referrals, ``median_days_to_answer`` without answers, a provision a nation did
  not report on;
* nothing here is published as is: the registry's one published door is
  :func:`peacewatch.registry.publication.published` (``/aggregates``, the scorecards and the
  dashboard), which serves closed periods frozen at their close and suppresses them with
  :func:`suppress_small_cells`.

Publication rule ("publish aggregates, never people"):

1. **Closed periods.** A year is published once it is closed, and every value of it is evaluated
   as of its last day (a referral answered later does not change that year's ``referrals_answered``)
   and frozen (:mod:`peacewatch.registry.publication`). So a published number does not move when one
   new allegation, answer or training module arrives: polling before and after cannot isolate it.
2. **Primary suppression.** A count of 1..k-1 (k >= 5, ``PEACEWATCH_MIN_CELL``) is blanked; 0 stays.
3. **Complementary suppression.** A count that is part of another published count is blanked when
   the difference (the rest) is 1..k-1, or when the count it is part of is blanked (unless it is 0).
   So ``referrals 6, answered 5`` does not publish ``answered`` (1 unanswered), and
   ``personnel 10, trained 8`` does not publish ``trained`` (2 untrained).
4. **Derived values.** A rate, share, median or difference is blank whenever any count it is
   computed from is blank: ``personnel 10, trained 2`` publishes neither ``trained`` nor the rate 0.2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import SimpleNamespace
from typing import cast

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from peacewatch.registry.compliance import PROVISIONS, STATUSES
from peacewatch.registry.config import min_cell
from peacewatch.registry.models import (
    Case,
    NationalReport,
    Person,
    Referral,
    TrainingCompletion,
    TrainingModule,
    utcnow,
)
from peacewatch.registry.referrals import OverdueItem, overdue_items
from peacewatch.registry.training import required_modules
from peacewatch.registry.workflow import PROSECUTION_OUTCOMES

TCC_COLUMNS = [
    "tcc_ccode",
    "year",
    "allegations",
    "referrals",
    "referrals_answered",
    "referrals_overdue",
    "prosecutions",
    "median_days_to_answer",
]


def tcc_accountability(
    session: Session, year: int | None = None, as_of: dt.date | None = None, at_period_end: bool = False
) -> pd.DataFrame:
    """Per TCC and year: allegations, referrals and how the TCC answered them.

    Parameters
    ----------
    session
        Open session.
    year
        Keep only this year (allegations by year reported, referrals by year referred).
    as_of
        Date at which ``referrals_overdue`` is evaluated (default today, UTC).
    at_period_end
        Evaluate each year as of its last day instead: answers, outcomes and overdue status after
        December 31 of the referral's year are not counted (what a closed year's snapshot holds:
        :func:`peacewatch.registry.publication.close_period`).

    Returns
    -------
    pandas.DataFrame
        Columns ``tcc_ccode, year, allegations, referrals, referrals_answered, referrals_overdue,
        prosecutions, median_days_to_answer`` (float; NaN when not applicable: the answer columns of a
        TCC-year without referrals, the median without answers). ``referrals_answered`` counts
        referrals where the TCC named an officer or reported an outcome; ``prosecutions`` counts
        reported outcomes ``prosecuted``, ``convicted`` or ``acquitted``.
    """
    as_of = as_of or utcnow().date()
    cases = session.execute(select(Case.tcc_ccode, Case.reported_at)).all()
    alleg = pd.DataFrame(cases, columns=["tcc_ccode", "reported_at"])
    alleg["year"] = pd.to_datetime(alleg["reported_at"]).dt.year
    alleg = alleg.groupby(["tcc_ccode", "year"]).size().rename("allegations")

    refs = list(session.execute(select(Referral)).scalars())
    rows = []
    for r in refs:
        end = dt.datetime(r.referred_at.year + 1, 1, 1) if at_period_end else dt.datetime.max

        def known(t: dt.datetime | None, end: dt.datetime = end) -> bool:  # known by the end of the period
            return t is not None and t < end

        answered_at = min(
            [t for t in (r.officer_named_at, r.outcome_reported_at) if t is not None and known(t)], default=None
        )
        rows.append(
            {
                "tcc_ccode": r.tcc_ccode,
                "year": r.referred_at.year,
                "answered": answered_at is not None,
                "overdue": bool(_overdue_at(r, dt.date(r.referred_at.year, 12, 31) if at_period_end else as_of)),
                "prosecuted": r.outcome in PROSECUTION_OUTCOMES and known(r.outcome_reported_at),
                "days_to_answer": (answered_at - r.referred_at).total_seconds() / 86400 if answered_at else np.nan,
            }
        )
    ref = pd.DataFrame(rows, columns=["tcc_ccode", "year", "answered", "overdue", "prosecuted", "days_to_answer"])
    ref_agg = ref.groupby(["tcc_ccode", "year"]).agg(
        referrals=("answered", "size"),
        referrals_answered=("answered", "sum"),
        referrals_overdue=("overdue", "sum"),
        prosecutions=("prosecuted", "sum"),
        median_days_to_answer=("days_to_answer", "median"),
    )
    out = pd.concat([alleg, ref_agg], axis=1).reset_index()
    if out.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c in ("tcc_ccode", "year") else "float64") for c in TCC_COLUMNS}
        )
    out = out.rename(columns={"level_0": "tcc_ccode", "level_1": "year"})
    # Both counts are facts of the registry for a TCC-year that appears at all: 0, not missing.
    out["allegations"] = out["allegations"].fillna(0)
    out["referrals"] = out["referrals"].fillna(0)
    for col in ("referrals_answered", "referrals_overdue", "prosecutions"):
        out.loc[out["referrals"] == 0, col] = np.nan
    out = out[TCC_COLUMNS].astype({c: "float64" for c in TCC_COLUMNS[2:]})
    out["tcc_ccode"] = out["tcc_ccode"].astype("int64")
    out["year"] = out["year"].astype("int64")
    if year is not None:
        out = out[out["year"] == year]
    return out.sort_values(["tcc_ccode", "year"]).reset_index(drop=True)


def _overdue_at(referral: Referral, day: dt.date) -> list[OverdueItem]:
    """Overdue items of ``referral`` on ``day``, ignoring answers given after that day."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    if all(t is None or t < end for t in (referral.officer_named_at, referral.outcome_reported_at)):
        return overdue_items(referral, day)
    # Pretend the later answers have not happened yet, without touching the stored row.
    before = lambda t: t if t is not None and t < end else None  # noqa: E731
    ghost = SimpleNamespace(
        officer_due=referral.officer_due,
        outcome_due=referral.outcome_due,
        officer_named_at=before(referral.officer_named_at),
        outcome_reported_at=before(referral.outcome_reported_at),
    )
    # A stand-in with the four deadline fields, which are all that overdue_items reads.
    return overdue_items(cast(Referral, ghost), day)


def compliance_by_nation(session: Session, year: int | None = None) -> pd.DataFrame:
    """Per nation and year: each 2004 NATO THB policy provision scored 1 (met), 0.5 (partial), 0
    (not met) or NaN (not reported), plus ``provisions_reported`` and ``compliance_score`` (mean of
    the reported provisions; NaN when none was reported).

    Returns
    -------
    pandas.DataFrame
        Columns ``nation_ccode, year, <one per provision>, provisions_reported, compliance_score``.
    """
    stmt = select(NationalReport)
    if year is not None:
        stmt = stmt.where(NationalReport.year == year)
    rows = [
        {
            "nation_ccode": r.nation_ccode,
            "year": r.year,
            **{p: STATUSES.get(getattr(r, p), np.nan) if getattr(r, p) is not None else np.nan for p in PROVISIONS},
        }
        for r in session.execute(stmt).scalars()
    ]
    cols = ["nation_ccode", "year", *PROVISIONS, "provisions_reported", "compliance_score"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("nation_ccode", "year") else "float64") for c in cols})
    out = pd.DataFrame(rows)
    prov = out[list(PROVISIONS)].astype(float)
    out["provisions_reported"] = prov.notna().sum(axis=1).astype(float)
    out["compliance_score"] = prov.mean(axis=1, skipna=True)  # all-NaN row -> NaN
    return out[cols].sort_values(["nation_ccode", "year"]).reset_index(drop=True)


def training_completion(session: Session, year: int | None = None, at_period_end: bool = False) -> pd.DataFrame:
    """Per nation and deployment year: registered personnel and how many completed every module
    required for their audience.

    Returns
    -------
    pandas.DataFrame
        Columns ``nation_ccode, year, personnel, trained, completion_rate``; ``trained`` and
        ``completion_rate`` are NaN while no training module is defined. With ``at_period_end``
        only completions dated within the deployment year (or before) count.
    """
    modules = list(session.execute(select(TrainingModule)).scalars())
    stmt = select(Person)
    if year is not None:
        stmt = stmt.where(Person.deployment_year == year)
    people = list(session.execute(stmt).scalars())
    cols = ["nation_ccode", "year", "personnel", "trained", "completion_rate"]
    if not people:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("nation_ccode", "year") else "float64") for c in cols})
    done: dict[int, list[tuple[int, dt.date]]] = {}
    for pid, mid, day in session.execute(
        select(TrainingCompletion.person_id, TrainingCompletion.module_id, TrainingCompletion.completed_on)
    ):
        done.setdefault(pid, []).append((mid, day))
    rows = []
    for p in people:
        need = {m.id for m in required_modules(modules, p.audience)}
        have = {mid for mid, day in done.get(p.id, []) if not at_period_end or day.year <= p.deployment_year}
        trained = float(need <= have) if need else np.nan
        rows.append({"nation_ccode": p.nation_ccode, "year": p.deployment_year, "trained": trained})
    df = pd.DataFrame(rows)
    out = df.groupby(["nation_ccode", "year"]).agg(
        personnel=("trained", "size"), trained=("trained", lambda s: s.sum(min_count=1))
    )
    out["personnel"] = out["personnel"].astype(float)
    out["completion_rate"] = out["trained"] / out["personnel"]
    return out.reset_index()[cols].sort_values(["nation_ccode", "year"]).reset_index(drop=True)


def suppress_small_cells(
    df: pd.DataFrame,
    counts: list[str],
    derived: Mapping[str, str | list[str]] | None = None,
    k: int | None = None,
    parts: Mapping[str, str | list[str]] | None = None,
) -> pd.DataFrame:
    """Blank small cells, their complements and everything computed from them, before publication.

    Parameters
    ----------
    df
        Table to publish.
    counts
        Count columns: values 1..k-1 become NaN (0 stays: it identifies nobody).
    derived
        ``{column: base column(s)}``: the column (a rate, median, share ...) is blanked where any
        base is blank after suppression, or 1..k-1.
    k
        Threshold (default :func:`peacewatch.registry.config.min_cell`, never below 5).
    parts
        ``{part: whole or [wholes]}`` between count columns, listed wholes first: the part is
        blanked where a whole is published and ``whole - part`` is 1..k-1 (the rest would be a
        small cell), or where a whole is blanked (unless the part is 0).

    Returns
    -------
    pandas.DataFrame
        A copy, with a ``suppressed_cells`` column counting blanked cells per row.

    Examples
    --------
    >>> t = pd.DataFrame({"personnel": [10.0, 10.0], "trained": [2.0, 8.0], "completion_rate": [0.2, 0.8]})
    >>> suppress_small_cells(t, ["personnel", "trained"], {"completion_rate": ["personnel", "trained"]},
    ...                      parts={"trained": "personnel"})[["trained", "completion_rate", "suppressed_cells"]]
       trained  completion_rate  suppressed_cells
    0      NaN              NaN                 2
    1      NaN              NaN                 2
    """
    k = max(k or min_cell(), 5)
    out = df.copy()
    flags = pd.Series(0, index=out.index)

    def blank(col: str, mask: pd.Series) -> None:
        nonlocal flags
        mask = mask & out[col].notna()
        flags = flags + mask.astype(int)
        out.loc[mask, col] = np.nan

    for col in counts:
        blank(col, (out[col] > 0) & (out[col] < k))
    for part, wholes in (parts or {}).items():
        for whole in [wholes] if isinstance(wholes, str) else wholes:
            rest = df[whole] - df[part]
            shown = out[whole].notna()  # the rest can only be worked out from a published whole
            blank(part, (shown & (rest > 0) & (rest < k)) | (~shown & df[whole].notna() & (out[part] != 0)))
    for col, bases in (derived or {}).items():
        bases = [bases] if isinstance(bases, str) else list(bases)
        small = pd.Series(False, index=out.index)
        for base in bases:
            small |= (out[base].isna() & df[base].notna()) | ((df[base] > 0) & (df[base] < k))
        blank(col, small)
    out["suppressed_cells"] = flags
    return out


#: Counts of the TCC table and which count each is part of (wholes first).
TCC_PARTS = {
    "referrals": "allegations",
    "referrals_answered": "referrals",
    "referrals_overdue": "referrals",
    "prosecutions": "referrals_answered",
}
