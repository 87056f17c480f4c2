"""The registry's published read door: everything public about the registry comes from here.

Publication rule (see also :mod:`peacewatch.registry.stats` for the suppression itself):

* **Closed periods only.** A year is published once it is *closed*: its statistics are computed as
  of its last day and stored in ``published_periods`` (:func:`close_period`). Published numbers are
  derived from that stored snapshot and never recomputed, so polling before and after a new case,
  answer or training module cannot isolate it. A year closes by itself :data:`GRACE_DAYS` days
  after it ended (national reports and late registrations of the year arrive by then), on the
  first publication read after that, or earlier when a coordinator closes it
  (:func:`close_period_as`).
* **One suppression.** :func:`published` blanks counts 1..k-1, their complements (``{part: whole}``
  pairs such as referrals / answered) and every value derived from a blank count.
* **Live figures are for staff.** :func:`live` (coordinators, investigators) gives the true counts
  of every year including the open one; :func:`frozen` gives the true counts of closed years for
  grading inside the scorecards (never shown as such).

The scorecards and the web app read registry statistics only through this module.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peacewatch.registry import audit, events, stats
from peacewatch.registry.compliance import PROVISIONS
from peacewatch.registry.config import DEFAULT_DB_FILE, min_cell, out_dir
from peacewatch.registry.errors import DatabaseProblem, ValidationFailed
from peacewatch.registry.models import (
    Case,
    NationalReport,
    Person,
    PublishedPeriod,
    Referral,
    User,
    utcnow,
)

__all__ = [
    "GRACE_DAYS",
    "TABLES",
    "DatabaseProblem",
    "close_ended_periods",
    "close_period",
    "closed_years",
    "default_registry_file",
    "frozen",
    "live",
    "min_cell",
    "published",
    "read_session",
    "scorecard_frame",
    "staff_scorecard_frame",
]

#: Days after the end of a year before it closes by itself.
GRACE_DAYS = 90


@dataclass(frozen=True)
class _Table:
    """One published table: its key, columns and suppression pairs."""

    key: str
    columns: list[str]
    counts: list[str]
    derived: Mapping[str, str | list[str]] = field(default_factory=dict)
    parts: Mapping[str, str | list[str]] = field(default_factory=dict)


_TRAINING = ["nation_ccode", "year", "personnel", "trained", "completion_rate"]
_COMPLIANCE = ["nation_ccode", "year", *PROVISIONS, "provisions_reported", "compliance_score"]

#: The registry's published tables by name.
TABLES: dict[str, _Table] = {
    "tcc": _Table(
        "tcc_ccode",
        stats.TCC_COLUMNS,
        ["allegations", "referrals", "referrals_answered", "referrals_overdue", "prosecutions"],
        {"median_days_to_answer": "referrals_answered"},
        stats.TCC_PARTS,
    ),
    "tcc_events": _Table("tcc_ccode", ["tcc_ccode", "year", *events.COUNTS], list(events.COUNTS), {}, events.PARTS),
    "training": _Table(
        "nation_ccode",
        _TRAINING,
        ["personnel", "trained"],
        {"completion_rate": ["personnel", "trained"]},
        {"trained": "personnel"},
    ),
    # a national report states policies, not facts about people: nothing to suppress
    "compliance": _Table("nation_ccode", _COMPLIANCE, []),
}


def _check_table(table: str) -> _Table:
    if table not in TABLES:
        raise ValidationFailed(f"no published table {table!r}; use one of {', '.join(TABLES)}")
    return TABLES[table]


def _compute(session: Session, table: str, year: int) -> pd.DataFrame:
    """True counts of ``table`` for the ended ``year``, as of its last day."""
    end = dt.date(year, 12, 31)
    if table == "tcc":
        return stats.tcc_accountability(session, year, as_of=end, at_period_end=True)
    if table == "tcc_events":
        ev = events.tcc_events(session, as_of=end)
        return ev[ev["year"] == year]
    if table == "training":
        return stats.training_completion(session, year, at_period_end=True)
    return stats.compliance_by_nation(session, year)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns)
    floats = {c: "float64" for c in columns[2:]}
    return out.astype({columns[0]: "int64", "year": "int64", **floats})


def _today(as_of: dt.date | None) -> dt.date:
    return as_of or utcnow().date()


def close_period(session: Session, year: int, *, as_of: dt.date | None = None, actor: str = "registry") -> bool:
    """Freeze ``year``'s statistics (true counts as of December 31) in ``published_periods``.

    Returns ``False`` when the year was already closed (a closed year is never recomputed).
    Refuses a year that has not ended.
    """
    today = _today(as_of)
    if year >= today.year:
        raise ValidationFailed(f"year {year} has not ended; a period can be closed from 1 January {year + 1}")
    if session.get(PublishedPeriod, year) is not None:
        return False
    snapshot = {name: json.loads(_compute(session, name, year).to_json(orient="records")) for name in TABLES}
    try:
        with session.begin_nested():  # two first readers at once: one snapshot wins, both are equal
            session.add(PublishedPeriod(year=year, closed_on=today, tables=json.dumps(snapshot, sort_keys=True)))
    except IntegrityError:
        return False
    audit.record(session, actor, "close", "period", year)
    return True


def close_period_as(session: Session, user: User, year: int, *, as_of: dt.date | None = None) -> bool:
    """A coordinator closes ``year`` before its grace period ends (see :func:`close_period`)."""
    return close_period(session, year, as_of=as_of, actor=user.username)


def _first_data_year(session: Session) -> int | None:
    years = [
        session.execute(select(func.min(Case.reported_at))).scalar(),
        session.execute(select(func.min(Referral.referred_at))).scalar(),
        session.execute(select(func.min(Person.deployment_year))).scalar(),
        session.execute(select(func.min(NationalReport.year))).scalar(),
    ]
    found = [y if isinstance(y, int) else y.year for y in years if y is not None]
    return min(found, default=None)


def _pending_years(session: Session, today: dt.date) -> list[int]:
    """Years with registry data whose grace period has passed and that are not closed yet."""
    first = _first_data_year(session)
    last = (today - dt.timedelta(days=GRACE_DAYS)).year - 1  # last year whose grace has passed
    if first is None or first > last:
        return []
    done = set(session.execute(select(PublishedPeriod.year)).scalars())
    return [y for y in range(first, last + 1) if y not in done]


def close_ended_periods(session: Session, as_of: dt.date | None = None) -> list[int]:
    """Close every year with registry data whose grace period has passed; the years closed now."""
    today = _today(as_of)
    return [y for y in _pending_years(session, today) if close_period(session, y, as_of=today)]


def _snapshots(session: Session, year: int | None, as_of: dt.date | None) -> list[str]:
    """The stored snapshots (JSON) of closed years, closing the years due first. A read-only
    session cannot write: the years due are closed (and read) in a short writing session."""

    def read(s: Session) -> list[str]:
        stmt = select(PublishedPeriod.tables).order_by(PublishedPeriod.year)
        if year is not None:
            stmt = stmt.where(PublishedPeriod.year == year)
        return list(s.execute(stmt).scalars())

    today = _today(as_of)
    if not session.info.get("pw_read_only"):
        close_ended_periods(session, today)
        return read(session)
    if not _pending_years(session, today):
        return read(session)
    registry = session.info.get("pw_registry")
    if registry is None:
        raise RuntimeError(
            "publication reads need a session of Registry.session(): a year due to close "
            "is closed in a writing session of the same registry"
        )
    with registry.session() as writer:
        close_ended_periods(writer, today)
        payloads = read(writer)
    return payloads


def closed_years(session: Session) -> list[int]:
    """Years whose statistics are frozen (published)."""
    return sorted(session.execute(select(PublishedPeriod.year)).scalars())


def frozen(session: Session, table: str, year: int | None = None, as_of: dt.date | None = None) -> pd.DataFrame:
    """True counts of closed years as frozen at their close (for grading inside the scorecards and
    for marking suppressed cells; never shown as such)."""
    spec = _check_table(table)
    rows = [r for payload in _snapshots(session, year, as_of) for r in json.loads(payload).get(table, [])]
    return _frame(rows, spec.columns).sort_values([spec.key, "year"]).reset_index(drop=True)


def published(
    session: Session, table: str, year: int | None = None, k: int | None = None, as_of: dt.date | None = None
) -> pd.DataFrame:
    """THE publication function: ``table`` of closed years, small cells, their complements and
    their derived values blanked; a ``suppressed_cells`` column counts the blanks per row."""
    spec = _check_table(table)
    return stats.suppress_small_cells(
        frozen(session, table, year, as_of), spec.counts, spec.derived, k, parts=spec.parts
    )


def live(
    session: Session, user: User, table: str, year: int | None = None, as_of: dt.date | None = None
) -> pd.DataFrame:
    """True counts of every year with data, the open one included, as of today: for staff only, so
    reached through operations the policy lets staff perform (``aggregates.tcc_live``, ...)."""
    spec = _check_table(table)
    if table == "tcc_events":
        out = events.tcc_events(session, as_of=as_of)
    elif table == "tcc":
        out = stats.tcc_accountability(session, as_of=as_of)
    elif table == "training":
        out = stats.training_completion(session)
    else:
        out = stats.compliance_by_nation(session)
    if year is not None:
        out = out[out["year"] == year]
    return out[spec.columns].reset_index(drop=True)


# --------------------------------------------------------------------------- the TCC scorecard's seam
#: Columns of the TCC scorecard's registry frame besides the event counts.
_CARD_EXTRA = {"training": ["completion_rate"], "compliance": ["compliance_score", "provisions_reported"]}


def _card_frame(
    counts: pd.DataFrame,
    shown: pd.DataFrame,
    training: pd.DataFrame,
    compliance: pd.DataFrame,
    training_true: pd.DataFrame,
) -> pd.DataFrame:
    keys = ["tcc_ccode", "year"]
    out = shown[keys + list(events.COUNTS)].set_index(keys)
    raw = counts.set_index(keys)[list(events.COUNTS)].add_prefix("raw_")
    parts = [out, raw]
    for name, frame in (("training", training), ("compliance", compliance)):
        parts.append(frame.rename(columns={"nation_ccode": "tcc_ccode"}).set_index(keys)[_CARD_EXTRA[name]])
    # the true completion rate the grade decides on (a suppressed rate must not drop out of the grade)
    parts.append(
        training_true.rename(columns={"nation_ccode": "tcc_ccode"})
        .set_index(keys)[["completion_rate"]]
        .add_prefix("raw_")
    )
    return pd.concat(parts, axis=1).reset_index().astype({"tcc_ccode": "int64", "year": "int64"})


def scorecard_frame(session: Session, as_of: dt.date | None = None) -> pd.DataFrame:
    """The public TCC scorecard's registry input, closed years only.

    Columns ``tcc_ccode, year``, the published (suppressed) counts of :data:`events.COUNTS`, the
    true frozen counts the grades decide on as ``raw_<count>`` (for grading only: the scorecards
    must show the published columns), the published ``completion_rate`` (its frozen true value as
    ``raw_completion_rate``) and the compliance columns.
    """
    counts = frozen(session, "tcc_events", as_of=as_of)
    shown = published(session, "tcc_events", as_of=as_of)
    return _card_frame(
        counts,
        shown,
        published(session, "training", as_of=as_of),
        published(session, "compliance", as_of=as_of),
        frozen(session, "training", as_of=as_of),
    )


def staff_scorecard_frame(session: Session, user: User, as_of: dt.date | None = None) -> pd.DataFrame:
    """Like :func:`scorecard_frame` but with the live true counts of every year, the open one
    included, shown unsuppressed (staff only: coordinators, investigators)."""
    counts = live(session, user, "tcc_events", as_of=as_of)
    training = live(session, user, "training")
    return _card_frame(counts, counts, training, live(session, user, "compliance"), training)


def default_registry_file() -> Path:
    """Where the default registry lives (``out/peacewatch.sqlite``; it may not exist): readers that
    open no named registry look here."""
    return out_dir(create=False) / DEFAULT_DB_FILE


@contextmanager
def read_session(database_url: str) -> Iterator[Session]:
    """A read-only session on the existing registry at ``database_url`` for reading its published
    statistics (the scorecards' command line); leaving it ends the session and disposes the engine.
    A read never creates or migrates: a typo'd URL is an error naming it, not a new empty registry."""
    from peacewatch.registry.service import Registry

    registry = Registry(database_url, existing_only=True)
    try:
        with registry.session(read_only=True) as session:
            yield session
    finally:
        registry.dispose()
