"""Statistics that feed the scorecards, and their published (suppressed) versions.

Rules shared by every table here:

* one row per unit-year that has registry data; unit-years without any data are absent;
* a value that cannot be known stays missing (NaN), never 0 — e.g. ``referrals_answered`` of a
  TCC-year without referrals, ``median_days_to_answer`` without answers, a provision a nation did
  not report on;
* :func:`suppress_small_cells` blanks counts 1..k-1 (k >= 5) and the rates/medians computed from
  them before anything is published to analysts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from peacewatch.registry.compliance import PROVISIONS, STATUSES
from peacewatch.registry.config import min_cell
from peacewatch.registry.models import Case, NationalReport, Person, Referral, TrainingCompletion, TrainingModule, utcnow
from peacewatch.registry.referrals import overdue_items
from peacewatch.registry.training import required_modules
from peacewatch.registry.workflow import PROSECUTION_OUTCOMES

TCC_COLUMNS = ["tcc_ccode", "year", "allegations", "referrals", "referrals_answered", "referrals_overdue",
               "prosecutions", "median_days_to_answer"]


def tcc_accountability(session: Session, year: int | None = None, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per TCC and year: allegations, referrals and how the TCC answered them.

    Parameters
    ----------
    session
        Open session.
    year
        Keep only this year (allegations by year reported, referrals by year referred).
    as_of
        Date at which ``referrals_overdue`` is evaluated (default today, UTC).

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
        answered_at = min([t for t in (r.officer_named_at, r.outcome_reported_at) if t is not None], default=None)
        rows.append({
            "tcc_ccode": r.tcc_ccode, "year": r.referred_at.year,
            "answered": answered_at is not None,
            "overdue": bool(overdue_items(r, as_of)),
            "prosecuted": r.outcome in PROSECUTION_OUTCOMES,
            "days_to_answer": (answered_at - r.referred_at).total_seconds() / 86400 if answered_at else np.nan,
        })
    ref = pd.DataFrame(rows, columns=["tcc_ccode", "year", "answered", "overdue", "prosecuted", "days_to_answer"])
    ref_agg = ref.groupby(["tcc_ccode", "year"]).agg(
        referrals=("answered", "size"), referrals_answered=("answered", "sum"),
        referrals_overdue=("overdue", "sum"), prosecutions=("prosecuted", "sum"),
        median_days_to_answer=("days_to_answer", "median"),
    )
    out = pd.concat([alleg, ref_agg], axis=1).reset_index()
    if out.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("tcc_ccode", "year") else "float64") for c in TCC_COLUMNS})
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
    rows = [{"nation_ccode": r.nation_ccode, "year": r.year,
             **{p: STATUSES.get(getattr(r, p), np.nan) if getattr(r, p) is not None else np.nan for p in PROVISIONS}}
            for r in session.execute(stmt).scalars()]
    cols = ["nation_ccode", "year", *PROVISIONS, "provisions_reported", "compliance_score"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("nation_ccode", "year") else "float64") for c in cols})
    out = pd.DataFrame(rows)
    prov = out[list(PROVISIONS)].astype(float)
    out["provisions_reported"] = prov.notna().sum(axis=1).astype(float)
    out["compliance_score"] = prov.mean(axis=1, skipna=True)  # all-NaN row -> NaN
    return out[cols].sort_values(["nation_ccode", "year"]).reset_index(drop=True)


def training_completion(session: Session, year: int | None = None) -> pd.DataFrame:
    """Per nation and deployment year: registered personnel and how many completed every module
    required for their audience.

    Returns
    -------
    pandas.DataFrame
        Columns ``nation_ccode, year, personnel, trained, completion_rate``; ``trained`` and
        ``completion_rate`` are NaN while no training module is defined.
    """
    modules = list(session.execute(select(TrainingModule)).scalars())
    stmt = select(Person)
    if year is not None:
        stmt = stmt.where(Person.deployment_year == year)
    people = list(session.execute(stmt).scalars())
    cols = ["nation_ccode", "year", "personnel", "trained", "completion_rate"]
    if not people:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("nation_ccode", "year") else "float64") for c in cols})
    done: dict[int, set[int]] = {}
    for pid, mid in session.execute(select(TrainingCompletion.person_id, TrainingCompletion.module_id)):
        done.setdefault(pid, set()).add(mid)
    rows = []
    for p in people:
        need = {m.id for m in required_modules(modules, p.audience)}
        trained = float(need <= done.get(p.id, set())) if need else np.nan
        rows.append({"nation_ccode": p.nation_ccode, "year": p.deployment_year, "trained": trained})
    df = pd.DataFrame(rows)
    out = df.groupby(["nation_ccode", "year"]).agg(personnel=("trained", "size"),
                                                    trained=("trained", lambda s: s.sum(min_count=1)))
    out["personnel"] = out["personnel"].astype(float)
    out["completion_rate"] = out["trained"] / out["personnel"]
    return out.reset_index()[cols].sort_values(["nation_ccode", "year"]).reset_index(drop=True)


def suppress_small_cells(df: pd.DataFrame, counts: list[str], derived: dict[str, str] | None = None,
                         k: int | None = None) -> pd.DataFrame:
    """Blank small cells before publication.

    Parameters
    ----------
    df
        Table to publish.
    counts
        Count columns: values 1..k-1 become NaN (0 stays: it identifies nobody).
    derived
        ``{column: base_count_column}``: the column is blanked where its base count is below k.
    k
        Threshold (default :func:`peacewatch.registry.config.min_cell`, never below 5).

    Returns
    -------
    pandas.DataFrame
        A copy, with a ``suppressed_cells`` column counting blanked cells per row.
    """
    k = max(k or min_cell(), 5)
    out = df.copy()
    flags = pd.Series(0, index=out.index)
    for col in counts:
        small = out[col].notna() & (out[col] > 0) & (out[col] < k)
        flags += small.astype(int)
        out.loc[small, col] = np.nan
    for col, base in (derived or {}).items():
        small = out[col].notna() & ~(df[base] >= k)
        flags += small.astype(int)
        out.loc[small, col] = np.nan
    out["suppressed_cells"] = flags
    return out


def published_tcc_accountability(session: Session, year: int | None = None, k: int | None = None) -> pd.DataFrame:
    """:func:`tcc_accountability` with small cells suppressed (what analysts see)."""
    return suppress_small_cells(
        tcc_accountability(session, year),
        ["allegations", "referrals", "referrals_answered", "referrals_overdue", "prosecutions"],
        {"median_days_to_answer": "referrals_answered"}, k,
    )


def published_training_completion(session: Session, year: int | None = None, k: int | None = None) -> pd.DataFrame:
    """:func:`training_completion` with small cells suppressed."""
    return suppress_small_cells(training_completion(session, year), ["personnel", "trained"],
                                {"completion_rate": "personnel"}, k)
