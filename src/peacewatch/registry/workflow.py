"""The case state machine: states and allowed transitions (who may make them: :mod:`peacewatch.registry.policy`).

reported -> under_investigation -> substantiated -> referred_to_tcc -> national_investigation_appointed
-> outcome_reported -> closed, with unsubstantiated -> closed as the other branch. A TCC may also
report its outcome without first naming an officer (referred_to_tcc -> outcome_reported).
"""

from __future__ import annotations

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

#: from-state -> the states a case may move to next (who may make each move:
#: :data:`peacewatch.registry.policy.TRANSITION_ROLES`).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    REPORTED: (UNDER_INVESTIGATION,),
    UNDER_INVESTIGATION: (SUBSTANTIATED, UNSUBSTANTIATED),
    SUBSTANTIATED: (REFERRED_TO_TCC,),
    UNSUBSTANTIATED: (CLOSED,),
    REFERRED_TO_TCC: (NATIONAL_INVESTIGATION_APPOINTED, OUTCOME_REPORTED),
    NATIONAL_INVESTIGATION_APPOINTED: (OUTCOME_REPORTED,),
    OUTCOME_REPORTED: (CLOSED,),
    CLOSED: (),
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


def check_transition(current: str, target: str) -> None:
    """Check that the state machine allows a move from ``current`` to ``target``.

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
