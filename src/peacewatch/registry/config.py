"""Settings of the registry: database URL, output directory, secret key, referral policy.

Everything is read through :mod:`peacewatch.settings` at call time (not import time) so that tests
and the CLI can point the registry at another database by setting ``PEACEWATCH_DB_URL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peacewatch.settings import current

DEFAULT_DB_FILE = "peacewatch.sqlite"
KEY_FILE = "registry.key"


def out_dir(create: bool = True) -> Path:
    """Return the output directory (env ``PEACEWATCH_OUT_DIR``, default ``out/``), created if
    missing unless ``create`` is false."""
    path = current().out_dir
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(explicit: str | None = None) -> str:
    """Return the database URL: ``explicit``, else env ``PEACEWATCH_DB_URL``, else SQLite under out/.

    Parameters
    ----------
    explicit
        A SQLAlchemy URL that overrides the environment.
    """
    if explicit:
        return explicit
    env = current().db_url
    if env:
        return env
    return f"sqlite:///{(out_dir() / DEFAULT_DB_FILE).as_posix()}"


@dataclass(frozen=True)
class ReferralPolicy:
    """Deadlines applied to a referral to a troop-contributing country (TCC).

    The deadlines are copied onto each referral when it is created, so a later change of policy
    never moves the clock of a referral already sent.

    Attributes
    ----------
    officer_working_days
        Working days (Mon-Fri) the TCC has to name a national investigation officer.
    outcome_days
        Calendar days the TCC has to report the outcome of its investigation.
    outcome_days_extended
        Longest outcome deadline a coordinator may grant by extension.
    escalation_days
        Days after an escalation to the mission head before a still-overdue referral goes on to
        the coordinator.
    """

    officer_working_days: int = 10
    outcome_days: int = 90
    outcome_days_extended: int = 180
    escalation_days: int = 10

    @classmethod
    def from_env(cls) -> ReferralPolicy:
        """Build the policy from the ``PEACEWATCH_REFERRAL_*`` settings (:mod:`peacewatch.settings`)."""
        s = current()
        policy = cls(
            officer_working_days=s.referral_officer_working_days,
            outcome_days=s.referral_outcome_days,
            outcome_days_extended=s.referral_outcome_days_extended,
            escalation_days=s.referral_escalation_days,
        )
        if policy.outcome_days_extended < policy.outcome_days:
            raise ValueError("PEACEWATCH_REFERRAL_OUTCOME_DAYS_EXTENDED must be >= PEACEWATCH_REFERRAL_OUTCOME_DAYS")
        return policy


#: Smallest count published in an aggregate; smaller non-zero cells are suppressed.
DEFAULT_MIN_CELL = 5


def min_cell() -> int:
    """Return the suppression threshold k for published aggregates (env ``PEACEWATCH_MIN_CELL``, >= 5)."""
    value = current().min_cell
    # Never below 5: a lower threshold would let small groups of victims be re-identified.
    return max(value, DEFAULT_MIN_CELL)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session token lives.

    A session ends at whichever comes first: ``idle`` without any request, ``absolute`` after it
    was issued, logout, or the account's deactivation. Browser logins (``login``) are short;
    tokens issued to scripts by ``registry init`` / ``users create`` (``api``) last longer.
    Read from ``PEACEWATCH_SESSION_IDLE_MINUTES``, ``PEACEWATCH_SESSION_ABSOLUTE_HOURS``,
    ``PEACEWATCH_API_TOKEN_IDLE_DAYS`` and ``PEACEWATCH_API_TOKEN_ABSOLUTE_DAYS``.
    """

    login_idle_minutes: int = 30
    login_absolute_hours: int = 12
    api_idle_days: int = 30
    api_absolute_days: int = 90

    @classmethod
    def from_env(cls) -> SessionPolicy:
        """Build the policy from the settings (:mod:`peacewatch.settings`)."""
        s = current()
        return cls(
            login_idle_minutes=s.session_idle_minutes,
            login_absolute_hours=s.session_absolute_hours,
            api_idle_days=s.api_token_idle_days,
            api_absolute_days=s.api_token_absolute_days,
        )
