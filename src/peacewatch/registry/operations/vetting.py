"""Operations of vetting: misconduct records, roster screenings and the human decision on each hit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from peacewatch.registry import vetting
from peacewatch.registry.models import User
from peacewatch.registry.schemas import DecisionIn, RecordIn, RecordsImportIn, ScreeningIn
from peacewatch.registry.screening_jobs import ScreeningJob, ScreeningJobs


def add_record(session: Session, user: User, d: RecordIn) -> dict[str, Any]:
    """Add one misconduct record (investigators, coordinators)."""
    r = vetting.add_record(
        session,
        user,
        full_name=d.full_name,
        date_of_birth=d.date_of_birth,
        nationality_ccode=d.nationality_ccode,
        category=d.category,
        source=d.source,
        case_id=d.case_id,
    )
    return {"id": r.id, "full_name": r.full_name}


def import_records(session: Session, user: User, d: RecordsImportIn) -> dict[str, Any]:
    """Import misconduct records from CSV text; all rows or none."""
    return {"imported": vetting.import_records_csv(session, user, d.csv, d.label), "label": d.label}


def screen(
    session: Session, user: User, d: ScreeningIn, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Screen a roster (CSV text) against the misconduct records; returns the hits to decide on.

    ``progress``, if given, is called with (rows screened, rows in the roster) as the work goes on.
    """
    rows = vetting.parse_roster(d.csv, d.label)
    tick = None if progress is None else (lambda done: progress(done, len(rows)))
    # Smaller chunks when someone watches, so the display moves (the hits are the same).
    chunking: dict[str, Any] = {"chunk": 500} if progress else {}
    sc = vetting.screen_roster(session, user, rows, d.label, d.threshold, progress=tick, **chunking)
    return {"screening_id": sc.id, "roster_rows": sc.roster_rows, "hits": vetting.screening_hits(session, user, sc.id)}


def screening_hits(session: Session, user: User, screening_id: int) -> list[dict[str, Any]]:
    """Hits of a screening with the matched records; audited."""
    return vetting.screening_hits(session, user, screening_id)


def decide(session: Session, user: User, hit_id: int, d: DecisionIn) -> dict[str, Any]:
    """Record the human decision on a hit (final)."""
    h = vetting.decide(session, user, hit_id, d.decision, d.note)
    assert h.decided_at is not None  # set by the decision just made
    return {"hit_id": h.id, "decision": h.decision, "decided_at": h.decided_at.isoformat()}


def list_screenings(session: Session, user: User) -> list[dict[str, Any]]:
    """Past screenings, newest first, with rows screened, flagged and cleared; audited."""
    return vetting.list_screenings(session, user)


def screening_summary(session: Session, user: User, screening_id: int) -> dict[str, Any]:
    """Counts of one screening (rows screened, flagged, cleared); audited."""
    return vetting.screening_summary(session, user, screening_id)


def submit_job(
    session: Session, user: User, jobs: ScreeningJobs, upload: BinaryIO, label: str, threshold: float
) -> ScreeningJob:
    """Queue a background screening of the roster CSV in ``upload`` on ``jobs``; audited."""
    return jobs.submit(session, user, upload, label, threshold)


def job_status(session: Session, user: User, jobs: ScreeningJobs, job_id: str) -> dict[str, Any]:
    """Progress of a background screening ``user`` started (else 404, as for no such job)."""
    return jobs.status(user, job_id).as_dict()
