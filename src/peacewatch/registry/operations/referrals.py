"""Operations on referral clocks: list, overdue deadlines, escalation, one extension."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from peacewatch.registry import referrals
from peacewatch.registry.models import User
from peacewatch.registry.operations.base import validate, valid_id
from peacewatch.registry.schemas import ExtendIn, OverdueQuery


def list_referrals(session: Session, user: User) -> list[dict]:
    """Referrals visible to ``user`` (a TCC liaison: its own TCC's); audited."""
    return [referrals.referral_dict(r) for r in referrals.list_referrals(session, user)]


def list_overdue(session: Session, user: User, query: Any = None) -> list[dict]:
    """Overdue deadlines as of a date (default today); audited."""
    q = validate(OverdueQuery, query or {})
    return [i.as_dict() for i in referrals.list_overdue(session, user, q.as_of)]


def escalate(session: Session, user: User) -> list[dict]:
    """Escalate overdue referrals one level (investigators, coordinators)."""
    return [{"referral_id": e.referral_id, "level": e.level, "target": e.target, "reason": e.reason}
            for e in referrals.escalate_overdue(session, user)]


def extend(session: Session, user: User, referral_id: Any, body: Any) -> dict:
    """Extend the outcome deadline once (coordinators)."""
    rid = valid_id(referral_id, "referral_id")
    data = validate(ExtendIn, body)
    return referrals.referral_dict(referrals.extend_outcome_deadline(session, user, rid, data.days))
