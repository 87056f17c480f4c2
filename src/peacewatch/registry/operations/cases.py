"""Operations on cases: create, list, read, move through the life cycle, read victim details."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.orm import Session

from peacewatch.registry import cases, workflow
from peacewatch.registry.errors import InvalidTransition
from peacewatch.registry.models import Case, User, utcnow
from peacewatch.registry.referrals import overdue_items
from peacewatch.registry.schemas import CaseIn, CaseQuery, NoteIn, ReferIn, TransitionIn


def _view(case: Case | cases.CaseView, user: User, session: Session | None = None) -> dict[str, Any]:
    # case_dict reads only the attributes a CaseView shares with Case (its annotation says Case).
    out = cases.case_dict(cast(Case, case), user, session)
    # The registry's clock (UTC), as in its overdue lists.
    out["overdue"] = [i.as_dict() for i in overdue_items(case.referral, utcnow().date())] if case.referral else []
    return out


def create_case(session: Session, user: User, data: CaseIn) -> dict[str, Any]:
    """Record an allegation (reporters, investigators, coordinators)."""
    victim = data.victim.model_dump(exclude_none=True) if data.victim else None
    c = cases.create_case(
        session,
        user,
        mission=data.mission,
        tcc_ccode=data.tcc_ccode,
        category=data.category,
        summary=data.summary,
        subject_name=data.subject_name,
        incident_date=data.incident_date,
        victim=victim or None,
    )
    return _view(c, user, session)


def list_cases(session: Session, user: User, q: CaseQuery) -> list[dict[str, Any]]:
    """Cases visible to ``user``, newest first (audited), each with its overdue deadlines."""
    rows = cases.list_cases(
        session, user, status=q.status, tcc_ccode=q.tcc_ccode, mission=q.mission, limit=q.limit, offset=q.offset
    )
    return [_view(c, user) for c in rows]


def get_case(session: Session, user: User, case_id: int) -> dict[str, Any]:
    """One case with its events (audited); 404 for a case that is missing or not visible."""
    return _view(cases.get_case(session, user, case_id), user, session)


def transition_case(session: Session, user: User, case_id: int, data: TransitionIn) -> dict[str, Any]:
    """Move a case to a new status if the state machine allows it (the role: the policy)."""
    c = cases.transition_case(
        session,
        user,
        case_id,
        data.to_status,
        note=data.note,
        officer_name=data.officer_name,
        outcome=data.outcome,
        repatriated=data.repatriated,
        note_visibility=data.note_visibility,
    )
    return _view(c, user, session)


#: The steps from each status to "referred to the TCC" (the path of a substantiated allegation).
REFER_PATH = {
    workflow.REPORTED: (workflow.UNDER_INVESTIGATION, workflow.SUBSTANTIATED, workflow.REFERRED_TO_TCC),
    workflow.UNDER_INVESTIGATION: (workflow.SUBSTANTIATED, workflow.REFERRED_TO_TCC),
    workflow.SUBSTANTIATED: (workflow.REFERRED_TO_TCC,),
}


def refer_to_tcc(session: Session, user: User, cid: int, data: ReferIn) -> dict[str, Any]:
    """Record a substantiated allegation and refer it to its TCC in one action (investigators,
    coordinators): from "reported" or "under investigation" the case moves through each status on
    the way, each step checked by the state machine and the role, each a timeline event and an
    audit entry, all in one transaction (all or none). ``repatriated`` goes with "substantiated",
    the note with the referral."""
    case = cases.get_case(session, user, cid)
    path = REFER_PATH.get(case.status)
    if path is None:
        raise InvalidTransition(
            f"case {cid} is {case.status.replace('_', ' ')}: only a reported, investigated or "
            "substantiated case can be referred to its TCC"
        )
    for step in path:
        last = step == workflow.REFERRED_TO_TCC
        c = cases.transition_case(
            session,
            user,
            cid,
            step,
            repatriated=data.repatriated if step == workflow.SUBSTANTIATED else None,
            note=data.note if last else None,
            note_visibility=data.note_visibility if last else "internal",
        )
    return _view(c, user, session)


def add_note(session: Session, user: User, cid: int, data: NoteIn) -> dict[str, Any]:
    """Add a note to a case; its ``visibility`` says who besides investigators may read it."""
    cases.add_note(session, user, cid, data.text, data.visibility)
    session.expire_all()
    return _view(cases.get_case(session, user, cid), user, session)


def victim_details(session: Session, user: User, case_id: int) -> dict[str, Any]:
    """Decrypted victim details (investigators, coordinators; audited)."""
    return {"case_id": case_id, "victim": cases.victim_details(session, user, case_id)}
