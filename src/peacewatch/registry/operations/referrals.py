"""Operations on referral clocks: list, overdue deadlines, countdowns, escalation (and its preview),
one extension."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from peacewatch.registry import audit, clocks, referrals
from peacewatch.registry.config import ReferralPolicy
from peacewatch.registry.models import Case, Referral, User, utcnow
from peacewatch.registry.schemas import ExtendIn, OverdueQuery


def list_referrals(session: Session, user: User) -> list[dict[str, Any]]:
    """Referrals visible to ``user`` (a TCC liaison: its own TCC's); audited."""
    return [referrals.referral_dict(r) for r in referrals.list_referrals(session, user)]


def list_overdue(session: Session, user: User, q: OverdueQuery) -> list[dict[str, Any]]:
    """Overdue deadlines as of a date (default today); audited."""
    return [i.as_dict() for i in referrals.list_overdue(session, user, q.as_of)]


def clocks_for_cases(
    session: Session,
    user: User,
    ids: list[int],
    today: dt.date | None = None,
    *,
    may: Callable[[str], bool],
) -> dict[int, dict[str, Any]]:
    """``{case id: clock}`` for the referred cases among ``case_ids`` that ``user`` may see: days
    left or late on each deadline, "(extended)", the next escalation (see :mod:`peacewatch.registry.clocks`).

    Roles that may not list referrals (``may``: the policy's answer) get an empty answer rather
    than an error, so every case screen can ask. ``today`` defaults to the registry's clock (UTC).
    The read is audited like the case reads it accompanies.
    """
    if not may("referrals.list_referrals") or not ids:
        return {}
    stmt = referrals.visible_referrals(session, user).where(Referral.case_id.in_(ids))
    today = today or utcnow().date()
    policy = ReferralPolicy.from_env()
    out = {r.case_id: clocks.referral_clock(r, today, policy) for r in session.execute(stmt).scalars()}
    audit.record(session, user.username, "read", "referral_clocks", "*", {"case_ids": sorted(out)})
    return out


def _case_facts(session: Session, case_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(Case.id, Case.mission, Case.tcc_ccode, Case.category).where(Case.id.in_(case_ids)))
    return {cid: {"mission": m, "tcc_ccode": t, "category": c} for cid, m, t, c in rows}


def preview_escalation(session: Session, user: User, q: OverdueQuery) -> dict[str, Any]:
    """What escalation would do as of a date (default today), without escalating (investigators,
    coordinators; audited): each case with its referral, the level, to whom and why."""
    as_of = q.as_of or utcnow().date()
    found = referrals.preview_escalation(session, user, as_of)
    facts = _case_facts(session, [r.case_id for r, _, _ in found])
    rows = [
        {
            "case_id": r.case_id,
            "referral_id": r.id,
            **facts.get(r.case_id, {}),
            "from_level": r.escalation_level,
            "level": level,
            "target": referrals.ESCALATION_TARGETS[level],
            "reason": reason,
        }
        for r, level, reason in found
    ]
    return {"as_of": as_of.isoformat(), "escalations": rows}


def escalate(session: Session, user: User) -> list[dict[str, Any]]:
    """Escalate overdue referrals one level (investigators, coordinators); each result names its case."""
    done = referrals.escalate_overdue(session, user)
    case_of = (
        dict(
            session.execute(select(Referral.id, Referral.case_id).where(Referral.id.in_([e.referral_id for e in done])))
            .tuples()
            .all()
        )
        if done
        else {}
    )
    facts = _case_facts(session, list(case_of.values()))
    # Each escalated referral was read just above, so its case id is there.
    return [
        {
            "referral_id": e.referral_id,
            "case_id": case_of.get(e.referral_id),
            **facts.get(cast(int, case_of.get(e.referral_id)), {}),
            "level": e.level,
            "target": e.target,
            "reason": e.reason,
        }
        for e in done
    ]


def extend(session: Session, user: User, rid: int, data: ExtendIn) -> dict[str, Any]:
    """Extend the outcome deadline once (coordinators): ``days`` after the referral or the date
    ``until``, with the ``reason``."""
    return referrals.referral_dict(
        referrals.extend_outcome_deadline(session, user, rid, data.days, until=data.until, reason=data.reason)
    )
