"""Referral clocks: deadlines for the troop-contributing country, overdue lists and escalation.

A referral is opened when a substantiated case is referred to its TCC. Its deadlines are fixed at
that moment from the :class:`~peacewatch.registry.config.ReferralPolicy`: name a national
investigation officer within N working days (Mon-Fri; public holidays are not modelled) and report
the outcome within M calendar days (extendable once by a coordinator up to the policy maximum).
Overdue referrals escalate first to the mission head, then, if still overdue after
``escalation_days``, to the coordinator.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import ScalarResult, Select, false, select
from sqlalchemy.orm import Session

from peacewatch.registry import audit
from peacewatch.registry.auth import COORDINATOR, INVESTIGATOR, TCC_LIAISON
from peacewatch.registry.config import ReferralPolicy
from peacewatch.registry.errors import Conflict, NotFound, ValidationFailed
from peacewatch.registry.models import Case, CaseEvent, Escalation, Referral, User, utcnow

ESCALATION_TARGETS = {1: "mission_head", 2: "coordinator"}


def add_working_days(start: dt.date, days: int) -> dt.date:
    """Return the date ``days`` working days (Mon-Fri) after ``start``."""
    day: dt.date = np.busday_offset(np.datetime64(start, "D"), days, roll="forward").astype(dt.date)
    return day


def open_referral(session: Session, case: Case, now: dt.datetime, policy: ReferralPolicy | None = None) -> Referral:
    """Create the referral of ``case`` to its TCC with deadlines from ``policy``."""
    policy = policy or ReferralPolicy.from_env()
    if case.referral is not None:
        raise Conflict(f"case {case.id} has already been referred (referral {case.referral.id})")
    day = now.date()
    referral = Referral(
        case_id=case.id,
        tcc_ccode=case.tcc_ccode,
        referred_at=now,
        officer_due=add_working_days(day, policy.officer_working_days),
        outcome_due=day + dt.timedelta(days=policy.outcome_days),
        outcome_extended=False,
        escalation_level=0,
    )
    session.add(referral)
    case.referral = referral
    session.flush()
    return referral


@dataclass
class OverdueItem:
    """One overdue deadline of a referral."""

    referral: Referral
    deadline: str  # "officer" or "outcome"
    due: dt.date
    days_overdue: int

    def as_dict(self) -> dict[str, Any]:
        r = self.referral
        return {
            "referral_id": r.id,
            "case_id": r.case_id,
            "tcc_ccode": r.tcc_ccode,
            "mission": r.case.mission,
            "deadline": self.deadline,
            "due": self.due.isoformat(),
            "days_overdue": self.days_overdue,
            "escalation_level": r.escalation_level,
            "escalated_to": ESCALATION_TARGETS.get(r.escalation_level),
        }


def overdue_items(referral: Referral, as_of: dt.date) -> list[OverdueItem]:
    """The deadlines of ``referral`` that have passed unanswered by ``as_of``."""
    items = []
    if referral.officer_named_at is None and referral.outcome_reported_at is None and as_of > referral.officer_due:
        items.append(OverdueItem(referral, "officer", referral.officer_due, (as_of - referral.officer_due).days))
    if referral.outcome_reported_at is None and as_of > referral.outcome_due:
        items.append(OverdueItem(referral, "outcome", referral.outcome_due, (as_of - referral.outcome_due).days))
    return items


def visible_referrals(session: Session, user: User) -> Select[tuple[Referral]]:
    """Select statement of the referrals ``user`` may see (a TCC liaison: only its own TCC)."""
    stmt = select(Referral).order_by(Referral.id)
    if user.role == TCC_LIAISON:
        stmt = stmt.where(Referral.tcc_ccode == user.tcc_ccode)
    elif user.role not in (INVESTIGATOR, COORDINATOR):
        stmt = stmt.where(false())  # reporters and analysts follow no referral
    return stmt


def list_referrals(session: Session, user: User) -> list[Referral]:
    """Referrals ``user`` may see, by id; the read is audited."""
    rows = list(session.execute(visible_referrals(session, user)).scalars())
    audit.record(session, user.username, "read", "referral_list", "*", {"count": len(rows)})
    return rows


def list_overdue(session: Session, user: User, as_of: dt.date | None = None) -> list[OverdueItem]:
    """All overdue deadlines visible to ``user`` as of ``as_of`` (default today, UTC)."""
    as_of = as_of or utcnow().date()
    stmt = visible_referrals(session, user).where(Referral.outcome_reported_at.is_(None))
    items: list[OverdueItem] = []
    for referral in session.execute(stmt).scalars():
        items.extend(overdue_items(referral, as_of))
    audit.record(
        session, user.username, "list", "overdue_referrals", "*", {"as_of": as_of.isoformat(), "count": len(items)}
    )
    return items


def _escalation_due(referral: Referral, now: dt.datetime, policy: ReferralPolicy) -> tuple[int, str] | None:
    """The level ``referral`` escalates to at ``now`` and why, or None when nothing is due."""
    items = overdue_items(referral, now.date())
    if not items:
        return None
    level = referral.escalation_level
    if level == 0:
        new_level = 1
    elif (
        level == 1
        and referral.last_escalated_at is not None
        and (now - referral.last_escalated_at >= dt.timedelta(days=policy.escalation_days))
    ):
        new_level = 2
    else:
        return None
    reason = "; ".join(f"{i.deadline} deadline {i.due.isoformat()} missed by {i.days_overdue} days" for i in items)
    return new_level, reason


def _unanswered(session: Session) -> ScalarResult[Referral]:
    stmt = select(Referral).where(Referral.outcome_reported_at.is_(None)).order_by(Referral.id)
    return session.execute(stmt).scalars()


def escalate_overdue(
    session: Session, user: User, now: dt.datetime | None = None, policy: ReferralPolicy | None = None
) -> list[Escalation]:
    """Escalate every overdue referral one level where due, and record each escalation.

    Level 1 goes to the mission head as soon as a deadline is missed; level 2 goes to the
    coordinator when the referral is still overdue ``policy.escalation_days`` after level 1.
    Running it twice on the same day escalates nothing new.
    """
    policy = policy or ReferralPolicy.from_env()
    now = now or utcnow()
    created: list[Escalation] = []
    for referral in _unanswered(session):
        due = _escalation_due(referral, now, policy)
        if due is None:
            continue
        new_level, reason = due
        esc = Escalation(
            referral_id=referral.id, level=new_level, target=ESCALATION_TARGETS[new_level], reason=reason, at=now
        )
        session.add(esc)
        referral.escalation_level = new_level
        referral.last_escalated_at = now
        session.add(
            CaseEvent(
                case_id=referral.case_id,
                at=now,
                actor_id=user.id,
                kind="escalation",
                detail=json.dumps({"level": new_level, "target": esc.target, "reason": reason}),
            )
        )
        session.flush()
        audit.record(
            session, user.username, "escalate", "referral", referral.id, {"level": new_level, "target": esc.target}
        )
        created.append(esc)
    return created


def preview_escalation(
    session: Session, user: User, as_of: dt.date, policy: ReferralPolicy | None = None
) -> list[tuple[Referral, int, str]]:
    """What :func:`escalate_overdue` would do if run on ``as_of`` (read-only; audited):
    ``(referral, new level, reason)`` for each referral that would escalate.

    Earlier escalations are taken as they stand today; nothing is written but the audit entry.
    """
    policy = policy or ReferralPolicy.from_env()
    # Today: as the escalate button would run now; another day: by the end of that day.
    now = utcnow()
    at = now if as_of == now.date() else dt.datetime.combine(as_of, dt.time(23, 59, 59))
    out = []
    for referral in _unanswered(session):
        due = _escalation_due(referral, at, policy)
        if due is not None:
            out.append((referral, *due))
    audit.record(session, user.username, "preview", "escalation", "*", {"as_of": as_of.isoformat(), "count": len(out)})
    return out


def extend_outcome_deadline(
    session: Session,
    user: User,
    referral_id: int,
    days: int | None = None,
    policy: ReferralPolicy | None = None,
    *,
    until: dt.date | None = None,
    reason: str | None = None,
) -> Referral:
    """Extend a referral's outcome deadline (once, coordinator only) to ``days`` after referral or
    to the date ``until``; ``reason`` (why the TCC needs longer) goes into the timeline and the audit log."""
    policy = policy or ReferralPolicy.from_env()
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound(f"no referral with id {referral_id}")
    if referral.outcome_extended:
        raise Conflict(f"referral {referral_id} has already been extended once")
    referred = referral.referred_at.date()
    if until is not None:
        days = (until - referred).days
        if not (policy.outcome_days < days <= policy.outcome_days_extended):
            first = referred + dt.timedelta(days=policy.outcome_days + 1)
            last = referred + dt.timedelta(days=policy.outcome_days_extended)
            raise ValidationFailed(
                f"the new outcome deadline must be from {first} to {last} "
                f"(more than {policy.outcome_days} and at most {policy.outcome_days_extended} "
                "days after the referral)",
                [{"loc": ["body", "until"], "msg": f"choose a date from {first} to {last}", "type": "value_error"}],
            )
    if days is None or not (policy.outcome_days < days <= policy.outcome_days_extended):
        raise ValidationFailed(
            f"days must be more than {policy.outcome_days} and at most {policy.outcome_days_extended}"
        )
    referral.outcome_due = referred + dt.timedelta(days=days)
    referral.outcome_extended = True
    detail = {"outcome_due": referral.outcome_due.isoformat(), **({"reason": reason} if reason else {})}
    session.add(CaseEvent(case_id=referral.case_id, actor_id=user.id, kind="extension", detail=json.dumps(detail)))
    audit.record(session, user.username, "extend", "referral", referral.id, detail)
    return referral


def referral_dict(r: Referral) -> dict[str, Any]:
    """Plain JSON view of a referral."""
    iso = lambda v: v.isoformat() if v is not None else None  # noqa: E731
    return {
        "id": r.id,
        "case_id": r.case_id,
        "tcc_ccode": r.tcc_ccode,
        "referred_at": iso(r.referred_at),
        "officer_due": iso(r.officer_due),
        "outcome_due": iso(r.outcome_due),
        "outcome_extended": r.outcome_extended,
        "officer_named_at": iso(r.officer_named_at),
        "outcome_reported_at": iso(r.outcome_reported_at),
        "outcome": r.outcome,
        "escalation_level": r.escalation_level,
        "escalated_to": ESCALATION_TARGETS.get(r.escalation_level),
    }
