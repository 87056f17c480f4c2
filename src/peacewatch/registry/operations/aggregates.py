"""Published aggregates (closed periods, small cells suppressed: the registry's published door,
:mod:`peacewatch.registry.publication`) and the audit check; every read is audited, whichever door
it comes through."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from peacewatch.registry import audit as audit_log
from peacewatch.registry import publication
from peacewatch.registry.models import User
from peacewatch.registry.schemas import PeriodIn, YearQuery


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-safe dicts (NaN becomes null)."""
    records: list[dict[str, Any]] = json.loads(df.to_json(orient="records"))
    return records


def _marked(published: pd.DataFrame, before: pd.DataFrame) -> list[dict[str, Any]]:
    """Records of ``published`` with ``suppressed``: the columns of each row blanked by the
    small-cell rule (blank in ``published``, known in ``before``), so a screen can tell
    "suppressed" from "not applicable". Both tables list the same rows in the same order."""
    recs = _records(published)
    cols = [c for c in published.columns if c in before.columns]
    blank_now, known_before = published[cols].isna().to_numpy(), before[cols].notna().to_numpy()
    for i, rec in enumerate(recs):
        rec["suppressed"] = [c for j, c in enumerate(cols) if blank_now[i, j] and known_before[i, j]]
    return recs


def _read(session: Session, user: User, which: str, q: YearQuery) -> int | None:
    year = q.year
    audit_log.record(session, user.username, "read", "aggregate", which, {"year": year} if year else None)
    return year


def tcc(session: Session, user: User, q: YearQuery, *, marks: bool = False) -> list[dict[str, Any]]:
    """TCC accountability per closed year, small cells suppressed; with ``marks`` each row also lists
    the columns that were suppressed (values stay blank)."""
    year = _read(session, user, "tcc", q)
    published = publication.published(session, "tcc", year)
    if not marks:
        return _records(published)
    return _marked(published, publication.frozen(session, "tcc", year))


def tcc_scorecard_live(session: Session, user: User, as_of: dt.date | None = None) -> pd.DataFrame:
    """The TCC scorecard's registry frame with the live true counts of every year, the open one
    included, unsuppressed (:func:`~peacewatch.registry.publication.staff_scorecard_frame`; staff
    only, audited): what a coordinator's scorecard grades on."""
    audit_log.record(session, user.username, "read", "aggregate", "tcc_scorecard_live", None)
    return publication.staff_scorecard_frame(session, user, as_of=as_of)


def tcc_live(session: Session, user: User, q: YearQuery) -> list[dict[str, Any]]:
    """The TCC scorecard's registry counts by the year each event happened, live and unsuppressed,
    the open year included (coordinators and investigators only: staff; audited)."""
    year = q.year
    audit_log.record(session, user.username, "read", "aggregate", "tcc_live", {"year": year} if year else None)
    return _records(publication.live(session, user, "tcc_events", year))


def close_period(session: Session, user: User, data: PeriodIn) -> dict[str, Any]:
    """Close an ended year for publication before its grace period is over (coordinators; audited):
    its statistics are frozen now and published from then on."""
    year = data.year
    closed = publication.close_period_as(session, user, year)
    return {"year": year, "closed": closed, "closed_years": publication.closed_years(session)}


def compliance(session: Session, user: User, q: YearQuery) -> list[dict[str, Any]]:
    """Compliance with the 2004 NATO THB policy per nation-year (nation-level facts)."""
    year = _read(session, user, "compliance", q)
    return _records(publication.published(session, "compliance", year).drop(columns="suppressed_cells"))


def training(
    session: Session, user: User, q: YearQuery, *, unsuppressed: bool = False, marks: bool = False
) -> list[dict[str, Any]]:
    """Training completion per closed nation-year, small cells suppressed; ``unsuppressed``
    (coordinators only) gives the exact live counts of every year; with ``marks`` each published row
    lists its suppressed columns."""
    year = _read(session, user, "training_unsuppressed" if unsuppressed else "training", q)
    if unsuppressed:
        return _records(publication.live(session, user, "training", year))
    published = publication.published(session, "training", year)
    if not marks:
        return _records(published)
    return _marked(published, publication.frozen(session, "training", year))


def verify_audit(session: Session, user: User) -> dict[str, Any]:
    """Recompute the audit log (coordinators)."""
    r = audit_log.verify(session)
    return {"ok": r.ok, "entries": r.entries, "first_bad_seq": r.first_bad_seq, "problem": r.problem}
