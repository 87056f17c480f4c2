"""Operations on cases: create, list, read, move through the life cycle, read victim details."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from peacewatch.registry import auth, cases
from peacewatch.registry.models import Case, User, utcnow
from peacewatch.registry.operations.base import validate, valid_id
from peacewatch.registry.referrals import overdue_items
from peacewatch.registry.schemas import CaseIn, CaseQuery, NoteIn, TransitionIn


def _view(case: Case, user: User, session: Session | None = None) -> dict:
    out = cases.case_dict(case, user, session)
    # The registry's clock (UTC), as in its overdue lists.
    out["overdue"] = [i.as_dict() for i in overdue_items(case.referral, utcnow().date())] if case.referral else []
    return out


def may_create(session: Session, user: User) -> None:
    """Raise Forbidden unless ``user`` may record allegations (the new-case form asks first)."""
    auth.require_role(user, *cases.CREATE_ROLES)


def create_case(session: Session, user: User, body: Any) -> dict:
    """Record an allegation (reporters, investigators, coordinators)."""
    may_create(session, user)
    data = validate(CaseIn, body)
    victim = data.victim.model_dump(exclude_none=True) if data.victim else None
    c = cases.create_case(session, user, mission=data.mission, tcc_ccode=data.tcc_ccode, category=data.category,
                          summary=data.summary, subject_name=data.subject_name, incident_date=data.incident_date,
                          victim=victim or None)
    return _view(c, user, session)


def list_cases(session: Session, user: User, query: Any = None) -> list[dict]:
    """Cases visible to ``user``, newest first (audited), each with its overdue deadlines."""
    q = validate(CaseQuery, query or {})
    rows = cases.list_cases(session, user, status=q.status, tcc_ccode=q.tcc_ccode, mission=q.mission,
                            limit=q.limit, offset=q.offset)
    return [_view(c, user) for c in rows]


def get_case(session: Session, user: User, case_id: Any) -> dict:
    """One case with its events (audited); 404 for a case that is missing or not visible."""
    return _view(cases.get_case(session, user, valid_id(case_id, "case_id")), user, session)


def transition_case(session: Session, user: User, case_id: Any, body: Any) -> dict:
    """Move a case to a new status if the state machine and the role allow it."""
    cid = valid_id(case_id, "case_id")
    data = validate(TransitionIn, body)
    c = cases.transition_case(session, user, cid, data.to_status, note=data.note, officer_name=data.officer_name,
                              outcome=data.outcome, repatriated=data.repatriated,
                              note_visibility=data.note_visibility)
    return _view(c, user, session)


def add_note(session: Session, user: User, case_id: Any, body: Any) -> dict:
    """Add a note to a case; its ``visibility`` says who besides investigators may read it."""
    cid = valid_id(case_id, "case_id")
    data = validate(NoteIn, body)
    cases.add_note(session, user, cid, data.text, data.visibility)
    session.expire_all()
    return _view(cases.get_case(session, user, cid), user, session)


def victim_details(session: Session, user: User, case_id: Any) -> dict:
    """Decrypted victim details (investigators, coordinators; audited)."""
    cid = valid_id(case_id, "case_id")
    return {"case_id": cid, "victim": cases.victim_details(session, user, cid)}
