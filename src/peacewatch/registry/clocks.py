"""Where a referral's clocks stand on a given day: days left or late on each deadline, whether the
outcome deadline was extended, and when the referral escalates next if it stays unanswered.

Pure functions of a :class:`~peacewatch.registry.models.Referral`, a day and the
:class:`~peacewatch.registry.config.ReferralPolicy`, so screens and tests can pass a fixed "today".
The escalation rule is the one :func:`peacewatch.registry.referrals.escalate_overdue` applies.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from peacewatch.registry.config import ReferralPolicy

if TYPE_CHECKING:
    from peacewatch.registry.models import Referral

#: Who an escalation level goes to (as in :data:`peacewatch.registry.referrals.ESCALATION_TARGETS`).
TARGETS = {1: "mission_head", 2: "coordinator"}


def countdown(due: dt.date, today: dt.date) -> str:
    """ "14 days left", "1 day left", "due today", "1 day late", "3 days late".

    A deadline is late from the day after it (as in the overdue lists: overdue when today > due).
    """
    days = (due - today).days
    if days == 0:
        return "due today"
    n = abs(days)
    unit = "day" if n == 1 else "days"
    return f"{n} {unit} left" if days > 0 else f"{n} {unit} late"


def _deadline(due: dt.date, answered_at: dt.datetime | None, today: dt.date, *, moot: bool = False) -> dict[str, Any]:
    out = {
        "due": due.isoformat(),
        "days_left": (due - today).days,
        "answered_on": None,
        "state": "open",
        "text": countdown(due, today),
    }
    if answered_at is not None:
        out.update(
            answered_on=answered_at.date().isoformat(),
            state="answered",
            text=f"answered {answered_at.date().isoformat()}",
        )
    elif moot:
        # The outcome was reported first: naming an officer is no longer owed.
        out.update(state="not_needed", text="not needed (outcome reported)")
    elif today > due:
        out["state"] = "late"
    return out


def next_escalation(referral: Referral, today: dt.date, policy: ReferralPolicy) -> dict[str, Any] | None:
    """The day the referral becomes due for its next escalation and to whom, or None (answered,
    or already at the last level).

    Level 1 (mission head) is due the day after the first unanswered deadline; level 2
    (coordinator) ``policy.escalation_days`` after level 1, if still overdue then. The day is
    never before ``today``: escalation already due shows as due today.
    """
    if referral.outcome_reported_at is not None or referral.escalation_level >= 2:
        return None
    open_dues = [referral.outcome_due]
    if referral.officer_named_at is None:
        open_dues.append(referral.officer_due)
    first_late = min(open_dues) + dt.timedelta(days=1)
    if referral.escalation_level == 0:
        day, level = first_late, 1
    else:
        last = referral.last_escalated_at
        after = (last + dt.timedelta(days=policy.escalation_days)).date() if last is not None else today
        # Still overdue then? Only if the earliest open deadline has passed by that day.
        day, level = max(after, first_late), 2
    day = max(day, today)
    return {"on": day.isoformat(), "level": level, "target": TARGETS[level], "in_days": (day - today).days}


def referral_clock(referral: Referral, today: dt.date, policy: ReferralPolicy | None = None) -> dict[str, Any]:
    """Countdowns of both deadlines, the extension and the next escalation of ``referral`` on ``today``."""
    policy = policy or ReferralPolicy.from_env()
    outcome_in = referral.outcome_reported_at is not None
    return {
        "referral_id": referral.id,
        "case_id": referral.case_id,
        "today": today.isoformat(),
        "officer": _deadline(referral.officer_due, referral.officer_named_at, today, moot=outcome_in),
        "outcome": _deadline(referral.outcome_due, referral.outcome_reported_at, today),
        "outcome_extended": bool(referral.outcome_extended),
        "escalation_level": referral.escalation_level,
        "escalated_to": TARGETS.get(referral.escalation_level),
        "next_escalation": next_escalation(referral, today, policy),
    }
