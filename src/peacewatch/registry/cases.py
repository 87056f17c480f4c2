"""Cases: allegations against mission personnel, their life cycle and who may see what.

Visibility: investigators and coordinators see every case; a TCC liaison sees only cases of its own
TCC that have been referred to it; a reporter sees the cases it reported; analysts see no case
(only suppressed aggregates). Victim details live in their own encrypted table and are returned
only to investigators and coordinators. Every read and every change is written to the audit log,
and every change is also a :class:`~peacewatch.registry.models.CaseEvent`.

Each event carries a visibility (:data:`VISIBILITIES`): ``internal`` events (free-text notes by
default) are seen by investigators and coordinators only; ``tcc`` ones also by the TCC liaison,
``reporter`` ones also by the reporter, ``tcc_and_reporter`` by both (creation and status changes).
A liaison never learns who reported (the reporter's actions show no actor) and a reporter never
learns who investigates (no actors, no officer's name). :func:`case_dict` applies these rules.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any, Literal, cast, overload

from sqlalchemy import Row, Select, bindparam, false, func, select
from sqlalchemy.orm import Session

from peacewatch.registry import audit, workflow
from peacewatch.registry.auth import COORDINATOR, INVESTIGATOR, REPORTER, TCC_LIAISON
from peacewatch.registry.config import ReferralPolicy
from peacewatch.registry.crypto import decrypt_json, encrypt_json
from peacewatch.registry.errors import NotFound, ValidationFailed
from peacewatch.registry.models import Case, CaseEvent, Referral, User, VictimDetails, utcnow
from peacewatch.registry.referrals import open_referral, referral_dict
from peacewatch.registry.runtime import prebuilt

#: Roles that see every case, every event and the victim details (who may *do* what is decided by
#: :mod:`peacewatch.registry.policy`; this module only filters what each role sees).
FULL_ACCESS = (INVESTIGATOR, COORDINATOR)

INTERNAL, SHARED_TCC, SHARED_REPORTER, SHARED_BOTH = "internal", "tcc", "reporter", "tcc_and_reporter"
VISIBILITIES = (INTERNAL, SHARED_TCC, SHARED_REPORTER, SHARED_BOTH)
#: Visibility an event gets unless the author chooses another.
DEFAULT_VISIBILITY = {"created": SHARED_BOTH, "transition": SHARED_BOTH, "note": INTERNAL}
_SEEN_BY = {
    INTERNAL: set(FULL_ACCESS),
    SHARED_TCC: {*FULL_ACCESS, TCC_LIAISON},
    SHARED_REPORTER: {*FULL_ACCESS, REPORTER},
    SHARED_BOTH: {*FULL_ACCESS, TCC_LIAISON, REPORTER},
}
#: Detail fields a role outside FULL_ACCESS may see in events it may see.
_DETAIL_FOR = {
    TCC_LIAISON: {
        "mission",
        "tcc_ccode",
        "category",
        "repatriated",
        "officer_due",
        "outcome_due",
        "officer_name",
        "outcome",
        "text",
    },
    REPORTER: {"mission", "tcc_ccode", "category", "repatriated", "outcome", "text"},
}


def _note_visibility(user: User, visibility: str) -> str:
    """Check a note's visibility; a liaison's own note is always shared with its TCC."""
    if visibility not in VISIBILITIES:
        raise ValidationFailed(f"visibility {visibility!r} is unknown; use one of {', '.join(VISIBILITIES)}")
    if user.role == TCC_LIAISON and user.role not in _SEEN_BY[visibility]:
        return SHARED_TCC if visibility == INTERNAL else SHARED_BOTH
    return visibility


def create_case(
    session: Session,
    user: User,
    *,
    mission: str,
    tcc_ccode: int,
    category: str,
    summary: str,
    subject_name: str | None = None,
    incident_date: dt.date | None = None,
    victim: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Record a new allegation (status ``reported``).

    Parameters
    ----------
    session
        Open session; the caller commits.
    user
        A reporter, investigator or coordinator.
    mission
        Mission acronym, e.g. ``MINUSTAH``.
    tcc_ccode
        COW code of the subject's troop-contributing country.
    category
        ``sexual_exploitation``, ``sexual_abuse`` or ``trafficking_related``.
    summary
        What is alleged (no victim identifiers: those go in ``victim``).
    subject_name
        Name of the accused, if known.
    incident_date
        Date of the alleged incident.
    victim
        Victim details (name, age, contact, ...) stored encrypted in a separate table.
    now
        Time of the report (default: now, UTC); set when importing historical cases.
    """
    mission = (mission or "").strip()
    if not mission:
        raise ValidationFailed("mission is required (e.g. 'MINUSTAH')")
    if category not in workflow.CATEGORIES:
        raise ValidationFailed(f"category {category!r} is unknown; use one of {', '.join(workflow.CATEGORIES)}")
    if not isinstance(tcc_ccode, int) or not (1 <= tcc_ccode <= 999):
        raise ValidationFailed(f"tcc_ccode {tcc_ccode!r} is not a COW country code (an integer 1-999)")
    if not (summary or "").strip():
        raise ValidationFailed("summary is required")
    now = now or utcnow()
    created = CaseEvent(
        at=now,
        actor_id=user.id,
        kind="created",
        to_status=workflow.REPORTED,
        detail=json.dumps({"mission": mission, "tcc_ccode": tcc_ccode, "category": category}),
        visibility=DEFAULT_VISIBILITY["created"],
    )
    # The new case's referral (none) and events are set here, so showing it needs no further query.
    case = Case(
        mission=mission,
        tcc_ccode=tcc_ccode,
        category=category,
        status=workflow.REPORTED,
        summary=summary.strip(),
        subject_name=(subject_name or None),
        incident_date=incident_date,
        reported_at=now,
        reported_by=user.id,
        repatriated=False,
        updated_at=now,
        referral=None,
        events=[created],
    )
    session.add(case)
    session.flush()
    if victim:
        session.add(VictimDetails(case_id=case.id, ciphertext=encrypt_json(victim), updated_at=now))
        session.flush()
    audit.record(session, user.username, "create", "case", case.id, {"mission": mission, "tcc_ccode": tcc_ccode})
    return case


def _can_see(user: User, case: Case | CaseView) -> bool:
    if user.role in FULL_ACCESS:
        return True
    if user.role == TCC_LIAISON:
        return case.tcc_ccode == user.tcc_ccode and case.referral is not None
    if user.role == REPORTER:
        return case.reported_by == user.id
    return False


# Reads for display go through plain table columns: no ORM loading, identity map or relationship
# bookkeeping for objects that are only turned into JSON. Each case row carries its referral's
# columns (at most one referral per case), prefixed.
_CASES, _REFERRALS, _EVENTS = Case.__table__, Referral.__table__, CaseEvent.__table__
_REF = "referral__"
_CASE_AND_REFERRAL = select(_CASES, *[c.label(_REF + c.name) for c in _REFERRALS.c]).select_from(
    _CASES.outerjoin(_REFERRALS, _REFERRALS.c.case_id == _CASES.c.id)
)
# Statements of every case read, built once (runtime.prebuilt says why).
_CASE_READ = _CASE_AND_REFERRAL.where(_CASES.c.id == bindparam("case_id"))
_EVENTS_READ = select(_EVENTS).where(_EVENTS.c.case_id == bindparam("case_id")).order_by(_EVENTS.c.id)
_ACTOR_NAMES = select(User.id, User.username).where(User.id.in_(bindparam("ids", expanding=True)))


class CaseView(SimpleNamespace):
    """A case read for display: the attributes of :class:`Case`, ``referral`` (a namespace with the
    attributes of :class:`Referral` and ``case``, or None) and ``events`` (namespaces with those of
    :class:`CaseEvent`, oldest first; empty unless they were read). Not tracked by the session."""


def _case_view(row: Row[Any]) -> CaseView:
    values = row._asdict()
    referral = {c.name: values.pop(_REF + c.name) for c in _REFERRALS.c}
    view = CaseView(**values, referral=None, events=[])
    if referral["id"] is not None:
        view.referral = SimpleNamespace(**referral, case=view)  # as Referral.case: deadlines name the mission
    return view


@prebuilt
def _list_statement(scope: str, by_status: bool, by_tcc: bool, by_mission: bool) -> Select[Any]:
    """The case-list query of one shape (who asks, which filters), built once; values are parameters."""
    # The referral is shown with each case: joined in the same query, not one query per case.
    stmt = _CASE_AND_REFERRAL.order_by(_CASES.c.id.desc())
    if scope == TCC_LIAISON:
        stmt = stmt.where(_REFERRALS.c.id.is_not(None), _CASES.c.tcc_ccode == bindparam("own_tcc"))
    elif scope == REPORTER:
        stmt = stmt.where(_CASES.c.reported_by == bindparam("own_id"))
    elif scope == "none":
        stmt = stmt.where(false())
    if by_status:
        stmt = stmt.where(_CASES.c.status == bindparam("status"))
    if by_tcc:
        stmt = stmt.where(_CASES.c.tcc_ccode == bindparam("tcc_ccode"))
    if by_mission:
        # Case-insensitive: new cases are stored in canonical form (upper case), older ones as typed.
        stmt = stmt.where(func.upper(_CASES.c.mission) == bindparam("mission"))
    return stmt.limit(bindparam("limit")).offset(bindparam("offset"))


@overload
def _load_visible(session: Session, user: User, case_id: int, with_events: Literal[False] = False) -> Case: ...


@overload
def _load_visible(session: Session, user: User, case_id: int, with_events: Literal[True]) -> CaseView: ...


def _load_visible(session: Session, user: User, case_id: int, with_events: bool = False) -> Case | CaseView:
    # A read shows the referral and the events: read as plain rows (see CaseView). Writers load the
    # ORM object lazily: they add events after loading, and a loaded collection would not show them.
    case: Case | CaseView | None
    if with_events:
        row = session.execute(_CASE_READ, {"case_id": case_id}).first()
        case = _case_view(row) if row is not None else None
    else:
        case = session.get(Case, case_id)
    # Same answer for "missing" and "not yours": do not confirm that another TCC's case exists.
    if case is None or not _can_see(user, case):
        raise NotFound(f"no case {case_id} visible to you")
    if with_events:
        # with_events: a CaseView, read above.
        cast(CaseView, case).events = [
            SimpleNamespace(**r._asdict()) for r in session.execute(_EVENTS_READ, {"case_id": case_id})
        ]
    return case


def visible_status(session: Session, user: User, case_id: int) -> str:
    """The status of a case ``user`` may see (not audited: the operation that asks reads it again);
    :class:`NotFound` for a case that is missing or not visible."""
    return _load_visible(session, user, case_id).status


def get_case(session: Session, user: User, case_id: int) -> CaseView:
    """Return a case ``user`` may see with its referral and events, recording the read in the audit log."""
    case = _load_visible(session, user, case_id, with_events=True)
    audit.record(session, user.username, "read", "case", case.id)
    return case


def list_cases(
    session: Session,
    user: User,
    *,
    status: str | None = None,
    tcc_ccode: int | None = None,
    mission: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CaseView]:
    """Cases visible to ``user``, newest first, optionally filtered; the read is audited."""
    if status is not None and status not in workflow.STATES:
        raise ValidationFailed(f"status {status!r} is unknown; use one of {', '.join(workflow.STATES)}")
    # Like _can_see: a role that sees no case (analysts) lists none.
    scope = user.role if user.role in (TCC_LIAISON, REPORTER) else "all" if user.role in FULL_ACCESS else "none"
    stmt = _list_statement(scope, bool(status), tcc_ccode is not None, bool(mission))
    params = {
        "limit": max(1, min(limit, 1000)),
        "offset": max(0, offset),
        "status": status,
        "tcc_ccode": tcc_ccode,
        "mission": (mission or "").strip().upper(),
        "own_tcc": user.tcc_ccode,
        "own_id": user.id,
    }
    cases = [_case_view(row) for row in session.execute(stmt, params)]
    audit.record(session, user.username, "read", "case_list", "*", {"case_ids": [c.id for c in cases]})
    return cases


def transition_case(
    session: Session,
    user: User,
    case_id: int,
    to_status: str,
    *,
    note: str | None = None,
    officer_name: str | None = None,
    outcome: str | None = None,
    repatriated: bool | None = None,
    now: dt.datetime | None = None,
    policy: ReferralPolicy | None = None,
    note_visibility: str = INTERNAL,
) -> Case:
    """Move a case to ``to_status`` if the state machine and the user's role allow it.

    Parameters
    ----------
    to_status
        Target status; see :mod:`peacewatch.registry.workflow` for the allowed moves.
    note
        Free-text note, stored as a separate ``note`` event.
    note_visibility
        Who besides investigators and coordinators may read the note (default ``internal``).
    officer_name
        Required for ``national_investigation_appointed``: the national investigation officer.
    outcome
        Required for ``outcome_reported``: one of :data:`peacewatch.registry.workflow.OUTCOMES`.
    repatriated
        With ``substantiated``: whether the subject was repatriated.
    now
        Time of the change (default now, UTC).

    Raises
    ------
    InvalidTransition
        The move is not allowed from the current status (message lists allowed moves).

    Whether the user's role may make the move is decided before, by :mod:`peacewatch.registry.policy`.
    """
    case = _load_visible(session, user, case_id)
    workflow.check_transition(case.status, to_status)
    now = now or utcnow()
    note_visibility = _note_visibility(user, note_visibility)
    detail: dict[str, Any] = {}
    if to_status == workflow.SUBSTANTIATED and repatriated is not None:
        case.repatriated = bool(repatriated)
        detail["repatriated"] = bool(repatriated)
    if to_status == workflow.REFERRED_TO_TCC:
        referral = open_referral(session, case, now, policy)
        detail.update(officer_due=referral.officer_due.isoformat(), outcome_due=referral.outcome_due.isoformat())
    if to_status == workflow.NATIONAL_INVESTIGATION_APPOINTED:
        if not (officer_name or "").strip():
            raise ValidationFailed(
                "officer_name is required when a national investigation officer is appointed",
                [
                    {
                        "loc": ["body", "officer_name"],
                        "msg": "name the national investigation officer",
                        "type": "missing",
                    }
                ],
            )
        # The workflow reaches this status only from a referred case; the name was checked above.
        assert case.referral is not None and officer_name is not None
        case.referral.officer_named_at = now
        case.referral.officer_name = officer_name.strip()
        detail["officer_name"] = officer_name.strip()
    if to_status == workflow.OUTCOME_REPORTED:
        if not outcome:
            raise ValidationFailed(
                "outcome: choose the outcome the TCC reported",
                [{"loc": ["body", "outcome"], "msg": "choose the outcome the TCC reported", "type": "missing"}],
            )
        if outcome not in workflow.OUTCOMES:
            raise ValidationFailed(f"outcome {outcome!r} is unknown; use one of {', '.join(workflow.OUTCOMES)}")
        assert case.referral is not None  # the workflow reaches this status only from a referred case
        case.referral.outcome = outcome
        case.referral.outcome_reported_at = now
        case.outcome = outcome
        detail["outcome"] = outcome
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            actor_id=user.id,
            kind="transition",
            from_status=case.status,
            to_status=to_status,
            detail=json.dumps(detail),
            visibility=DEFAULT_VISIBILITY["transition"],
        )
    )
    if (note or "").strip():
        assert note is not None  # non-blank, checked just above
        session.add(
            CaseEvent(
                case_id=case.id,
                at=now,
                actor_id=user.id,
                kind="note",
                detail=json.dumps({"text": note.strip()}),
                visibility=note_visibility,
            )
        )
    audit.record(session, user.username, "transition", "case", case.id, {"from": case.status, "to": to_status})
    case.status = to_status
    case.updated_at = now
    session.flush()
    return case


def add_note(
    session: Session, user: User, case_id: int, text: str, visibility: str = INTERNAL, now: dt.datetime | None = None
) -> CaseEvent:
    """Add a free-text note to a case (investigators, coordinators; a liaison on its referred cases).

    ``visibility`` says who else may read it (default ``internal``). A liaison's note is shared with
    the TCC at least, since the liaison must be able to read its own note.
    """
    case = _load_visible(session, user, case_id)
    visibility = _note_visibility(user, visibility)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("note text is required")
    event = CaseEvent(
        case_id=case.id,
        at=now or utcnow(),
        actor_id=user.id,
        kind="note",
        detail=json.dumps({"text": text}),
        visibility=visibility,
    )
    session.add(event)
    session.flush()
    audit.record(session, user.username, "note", "case", case.id, {"visibility": visibility})
    return event


def visible_events(case: Case | CaseView, user: User) -> list[CaseEvent]:
    """The events of ``case`` that ``user``'s role may see."""
    return [e for e in case.events if user.role in _SEEN_BY.get(e.visibility or INTERNAL, _SEEN_BY[INTERNAL])]


def victim_details(session: Session, user: User, case_id: int) -> dict[str, Any] | None:
    """Decrypt the victim details of a case (investigators and coordinators only); audited."""
    case = _load_visible(session, user, case_id)
    row = session.get(VictimDetails, case.id)
    audit.record(session, user.username, "read", "victim_details", case.id)
    return decrypt_json(row.ciphertext) if row else None


def case_dict(case: Case | CaseView, user: User, session: Session | None = None) -> dict[str, Any]:
    """JSON view of a case for ``user``: the subject's name only for those who handle it."""
    iso = lambda v: v.isoformat() if v is not None else None  # noqa: E731
    out = {
        "id": case.id,
        "mission": case.mission,
        "tcc_ccode": case.tcc_ccode,
        "category": case.category,
        "status": case.status,
        "summary": case.summary,
        "incident_date": iso(case.incident_date),
        "reported_at": iso(case.reported_at),
        "updated_at": iso(case.updated_at),
        "repatriated": case.repatriated,
        "outcome": case.outcome,
        "allowed_next": list(workflow.TRANSITIONS[case.status]),
        "referral": referral_dict(case.referral) if case.referral else None,
    }
    if user.role in FULL_ACCESS or user.role == TCC_LIAISON:
        out["subject_name"] = case.subject_name
    if session is not None:
        events = visible_events(case, user)
        actor_ids = {e.actor_id for e in events if e.actor_id is not None}
        names: dict[int | None, str] = (
            dict(session.execute(_ACTOR_NAMES, {"ids": sorted(actor_ids)}).tuples().all()) if actor_ids else {}
        )
        out["events"] = [_event_dict(e, case, user, names) for e in events]
    return out


def _event_dict(e: CaseEvent, case: Case | CaseView, user: User, names: dict[int | None, str]) -> dict[str, Any]:
    """One event as ``user`` may see it: actors and detail fields filtered by role."""
    iso = lambda v: v.isoformat() if v is not None else None  # noqa: E731
    detail = json.loads(e.detail or "{}")
    if user.role in FULL_ACCESS:
        actor = names.get(e.actor_id)
    else:
        # Events written before notes were separate events may carry a "note": never shown here.
        detail = {k: v for k, v in detail.items() if k in _DETAIL_FOR.get(user.role, set())}
        # A liaison sees staff by name but never the person who reported (retaliation risk);
        # a reporter sees nobody's name.
        actor = names.get(e.actor_id) if user.role == TCC_LIAISON and e.actor_id != case.reported_by else None
    return {
        "at": iso(e.at),
        "kind": e.kind,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "visibility": e.visibility,
        "actor": actor,
        "detail": detail,
    }
