"""The case state machine: states, allowed transitions and who may make them.

reported -> under_investigation -> substantiated -> referred_to_tcc -> national_investigation_appointed
-> outcome_reported -> closed, with unsubstantiated -> closed as the other branch. A TCC may also
report its outcome without first naming an officer (referred_to_tcc -> outcome_reported).
"""

from __future__ import annotations

from peacewatch.registry.auth import COORDINATOR, INVESTIGATOR, TCC_LIAISON
from peacewatch.registry.errors import InvalidTransition

REPORTED = "reported"
UNDER_INVESTIGATION = "under_investigation"
SUBSTANTIATED = "substantiated"
UNSUBSTANTIATED = "unsubstantiated"
REFERRED_TO_TCC = "referred_to_tcc"
NATIONAL_INVESTIGATION_APPOINTED = "national_investigation_appointed"
OUTCOME_REPORTED = "outcome_reported"
CLOSED = "closed"

STATES = (
    REPORTED,
    UNDER_INVESTIGATION,
    SUBSTANTIATED,
    UNSUBSTANTIATED,
    REFERRED_TO_TCC,
    NATIONAL_INVESTIGATION_APPOINTED,
    OUTCOME_REPORTED,
    CLOSED,
)

#: from-state -> {to-state: roles allowed to make that move}
TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    REPORTED: {UNDER_INVESTIGATION: (INVESTIGATOR, COORDINATOR)},
    UNDER_INVESTIGATION: {
        SUBSTANTIATED: (INVESTIGATOR, COORDINATOR),
        UNSUBSTANTIATED: (INVESTIGATOR, COORDINATOR),
    },
    SUBSTANTIATED: {REFERRED_TO_TCC: (INVESTIGATOR, COORDINATOR)},
    UNSUBSTANTIATED: {CLOSED: (INVESTIGATOR, COORDINATOR)},
    REFERRED_TO_TCC: {
        NATIONAL_INVESTIGATION_APPOINTED: (TCC_LIAISON, COORDINATOR),
        OUTCOME_REPORTED: (TCC_LIAISON, COORDINATOR),
    },
    NATIONAL_INVESTIGATION_APPOINTED: {OUTCOME_REPORTED: (TCC_LIAISON, COORDINATOR)},
    OUTCOME_REPORTED: {CLOSED: (INVESTIGATOR, COORDINATOR)},
    CLOSED: {},
}

CATEGORIES = ("sexual_exploitation", "sexual_abuse", "trafficking_related")

#: Outcomes a TCC can report; ``prosecuted`` and ``convicted`` count as prosecutions.
OUTCOMES = (
    "prosecuted",
    "convicted",
    "acquitted",
    "disciplinary_action",
    "administrative_action",
    "no_action",
    "allegation_not_substantiated_by_tcc",
)
PROSECUTION_OUTCOMES = ("prosecuted", "convicted", "acquitted")


def check_transition(current: str, target: str) -> tuple[str, ...]:
    """Return the roles that may move a case from ``current`` to ``target``.

    Raises
    ------
    InvalidTransition
        If ``target`` is not a state, or not reachable from ``current`` in one step; the message
        lists the moves that are allowed.
    """
    if target not in STATES:
        raise InvalidTransition(f"unknown status {target!r}; statuses are: {', '.join(STATES)}")
    allowed = TRANSITIONS[current]
    if target not in allowed:
        options = ", ".join(allowed) or "none (the case is closed)"
        raise InvalidTransition(f"cannot move a case from {current!r} to {target!r}; allowed next statuses: {options}")
    return allowed[target]
