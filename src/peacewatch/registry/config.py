"""Settings of the registry: database URL, output directory, secret key, referral policy.

Everything is read from the environment at call time (not import time) so that tests and the CLI
can point the registry at another database by setting ``PEACEWATCH_DB_URL``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB_FILE = "peacewatch.sqlite"
KEY_FILE = "registry.key"


def out_dir(create: bool = True) -> Path:
    """Return the output directory (env ``PEACEWATCH_OUT_DIR``, default ``out/``), created if
    missing unless ``create`` is false."""
    path = Path(os.environ.get("PEACEWATCH_OUT_DIR", "out"))
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
    env = os.environ.get("PEACEWATCH_DB_URL")
    if env:
        return env
    return f"sqlite:///{(out_dir() / DEFAULT_DB_FILE).as_posix()}"


def positive_int_env(name: str, default: int, *, unit: str | None = None, blank_is_default: bool = False) -> int:
    """A positive integer from environment variable ``name`` (``default`` when unset or empty).

    ``unit`` names what the number counts in the error message ("days"); with ``blank_is_default``
    a value of only spaces counts as unset.
    """
    raw = os.environ.get(name, "")
    if blank_is_default:
        raw = raw.strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        hint = f"; set it to a number of {unit}" if unit else ""
        raise ValueError(f"environment variable {name}={raw!r} is not an integer{hint}") from exc
    if value <= 0:
        raise ValueError(f"environment variable {name}={raw!r} must be "
                         + (f"a positive number of {unit}" if unit else "positive"))
    return value


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
    def from_env(cls) -> "ReferralPolicy":
        """Build the policy from ``PEACEWATCH_REFERRAL_*`` environment variables (defaults otherwise)."""
        def _int(name: str, default: int) -> int:
            return positive_int_env(name, default, unit="days")

        d = cls()
        policy = cls(
            officer_working_days=_int("PEACEWATCH_REFERRAL_OFFICER_WORKING_DAYS", d.officer_working_days),
            outcome_days=_int("PEACEWATCH_REFERRAL_OUTCOME_DAYS", d.outcome_days),
            outcome_days_extended=_int("PEACEWATCH_REFERRAL_OUTCOME_DAYS_EXTENDED", d.outcome_days_extended),
            escalation_days=_int("PEACEWATCH_REFERRAL_ESCALATION_DAYS", d.escalation_days),
        )
        if policy.outcome_days_extended < policy.outcome_days:
            raise ValueError("PEACEWATCH_REFERRAL_OUTCOME_DAYS_EXTENDED must be >= PEACEWATCH_REFERRAL_OUTCOME_DAYS")
        return policy


#: Smallest count published in an aggregate; smaller non-zero cells are suppressed.
DEFAULT_MIN_CELL = 5


def min_cell() -> int:
    """Return the suppression threshold k for published aggregates (env ``PEACEWATCH_MIN_CELL``, >= 5)."""
    raw = os.environ.get("PEACEWATCH_MIN_CELL", "")
    value = int(raw) if raw.strip() else DEFAULT_MIN_CELL
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
    def from_env(cls) -> "SessionPolicy":
        """Build the policy from the environment (defaults otherwise)."""
        def _int(name: str, default: int) -> int:
            return positive_int_env(name, default, blank_is_default=True)

        d = cls()
        return cls(
            login_idle_minutes=_int("PEACEWATCH_SESSION_IDLE_MINUTES", d.login_idle_minutes),
            login_absolute_hours=_int("PEACEWATCH_SESSION_ABSOLUTE_HOURS", d.login_absolute_hours),
            api_idle_days=_int("PEACEWATCH_API_TOKEN_IDLE_DAYS", d.api_idle_days),
            api_absolute_days=_int("PEACEWATCH_API_TOKEN_ABSOLUTE_DAYS", d.api_absolute_days),
        )
