"""Users, roles, passwords and sessions.

Passwords are hashed with scrypt (``hashlib.scrypt``, n=2**14, r=8, p=1, random 16-byte salt) and
must have at least 12 characters and a zxcvbn strength score of at least 3. Usernames follow
:mod:`peacewatch.registry.usernames`. Every login (and every script token from ``create_user``)
is a row of ``sessions`` holding only the SHA-256 of a 256-bit random token; a session ends when
idle too long, at its absolute expiry, on logout, or when its user is deactivated
(:class:`~peacewatch.registry.config.SessionPolicy`). A user may hold several sessions at once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, bindparam, func, select, update
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from peacewatch.memo import memoize
from peacewatch.registry import audit
from peacewatch.registry.caches import RecentTouches
from peacewatch.registry.config import SessionPolicy
from peacewatch.registry.errors import (
    Conflict,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from peacewatch.registry.models import User, UserSession, utcnow
from peacewatch.registry.runtime import HASHING_SLOTS
from peacewatch.registry.usernames import (
    normalise_username,
    username_key,
    username_skeleton,
)

REPORTER = "reporter"
INVESTIGATOR = "investigator"
TCC_LIAISON = "tcc_liaison"
COORDINATOR = "coordinator"
ANALYST = "analyst"
ROLES = (REPORTER, INVESTIGATOR, TCC_LIAISON, COORDINATOR, ANALYST)

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn 0-4; 3 = "safely unguessable: moderate protection from offline attacks"
# last_seen_at is written at most this often, so that reads do not each cost a write.
_TOUCH_EVERY = dt.timedelta(seconds=60)
# scrypt releases the GIL: hash on at most runtime.HASHING_SLOTS threads at once (runtime says why).
_HASHING = threading.BoundedSemaphore(HASHING_SLOTS)


def hash_password(password: str) -> str:
    """Return ``scrypt$n$r$p$salt$hash`` for ``password``."""
    salt = secrets.token_bytes(16)
    with _HASHING:
        digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt)}${b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a :func:`hash_password` string."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    with _HASHING:
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(got, base64.b64decode(digest))


@memoize(maxsize=4)  # process-wide: a function of the scrypt parameters only
def _dummy_hash(n: int, r: int, p: int) -> str:
    """A hash with the current parameters, checked when the username is unknown (same work)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secrets.token_bytes(16), salt=salt, dklen=32, n=n, r=r, p=p)
    return f"scrypt${n}${r}${p}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


#: Words of this site and of the calendar that people build passwords on ("peacewatch2026!",
#: "Summer2026!!!"): given to zxcvbn as user inputs, and the password must stay strong without them.
SITE_WORDS = (
    "peacewatch",
    "peace",
    "watch",
    "registry",
    "summer",
    "winter",
    "spring",
    "autumn",
    "fall",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
#: zxcvbn refuses longer passwords; longer ones are scored on their first characters (all are hashed).
ZXCVBN_MAX_CHARS = 72


def _site_inputs(username: str) -> list[str]:
    year = utcnow().year
    return [x for x in (username, *SITE_WORDS, *(str(y) for y in range(year - 2, year + 3))) if x]


def check_password_policy(password: str | None, username: str = "") -> None:
    """Raise :class:`ValidationFailed` saying why ``password`` is too weak, else return.

    At least :data:`MIN_PASSWORD_LENGTH` characters and a zxcvbn score of at least
    :data:`MIN_PASSWORD_SCORE` (zxcvbn penalises common passwords, repeats, sequences, keyboard
    patterns, dates and the username itself, given with :data:`SITE_WORDS` and the years around
    today as user inputs), also once the site's words, season and month names and those years are
    taken out. Passwords of any
    length are accepted; zxcvbn scores the first :data:`ZXCVBN_MAX_CHARS` characters.
    """
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters "
            f"(it has {len(password)}); a few unrelated words are easiest to remember"
        )
    inputs = _site_inputs(username)
    scored = password[:ZXCVBN_MAX_CHARS]
    result = zxcvbn(scored, user_inputs=inputs)
    if result["score"] < MIN_PASSWORD_SCORE:
        feedback = result.get("feedback") or {}
        why = " ".join(x for x in [feedback.get("warning") or "", *(feedback.get("suggestions") or [])] if x)
        raise ValidationFailed(
            "password is too easy to guess"
            + (f": {why}" if why else "")
            + " (add another uncommon word or two)" * (not why)
        )
    site = sorted(inputs[1:] if username else inputs, key=len, reverse=True)  # zxcvbn already weighs the username
    rest = re.sub("|".join(re.escape(w) for w in site), "", scored, flags=re.IGNORECASE)
    if not rest or zxcvbn(rest, user_inputs=inputs)["score"] < MIN_PASSWORD_SCORE:
        raise ValidationFailed(
            "password is built on the site's name, a season, a month or a year; add a few unrelated words"
        )


def token_hash(token: str) -> str:
    """SHA-256 of a session token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class NewUser:
    """A user and a fresh session token (shown once; only its hash is stored)."""

    user: User
    token: str


def _open_session(
    session: Session, user: User, kind: str, now: dt.datetime, policy: SessionPolicy | None = None
) -> str:
    policy = policy or SessionPolicy.from_env()
    absolute = (
        dt.timedelta(hours=policy.login_absolute_hours)
        if kind == "login"
        else dt.timedelta(days=policy.api_absolute_days)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(token),
            kind=kind,
            created_at=now,
            last_seen_at=now,
            expires_at=now + absolute,
        )
    )
    session.flush()
    return token


def _idle_limit(kind: str, policy: SessionPolicy) -> dt.timedelta:
    return (
        dt.timedelta(minutes=policy.login_idle_minutes) if kind == "login" else dt.timedelta(days=policy.api_idle_days)
    )


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    tcc_ccode: int | None = None,
    actor: str = "system",
) -> NewUser:
    """Create a user with a role and a script token.

    Parameters
    ----------
    session
        Open session (the caller commits).
    username, password
        Login name (see :mod:`peacewatch.registry.usernames`; unique after NFKC + casefold) and
        password (see :func:`check_password_policy`).
    role
        One of ``reporter``, ``investigator``, ``tcc_liaison``, ``coordinator``, ``analyst``.
    tcc_ccode
        COW code of the troop-contributing country; required for ``tcc_liaison`` only.
    actor
        Username recorded in the audit log.

    Returns
    -------
    NewUser
        The user and a token of kind ``api`` (see :class:`~peacewatch.registry.config.SessionPolicy`).
    """
    username = normalise_username(username)
    if role not in ROLES:
        raise ValidationFailed(f"role {role!r} is unknown; use one of {', '.join(ROLES)}")
    check_password_policy(password, username)
    if role == TCC_LIAISON and tcc_ccode is None:
        raise ValidationFailed("a tcc_liaison needs tcc_ccode (the COW code of the country they represent)")
    if role != TCC_LIAISON and tcc_ccode is not None:
        raise ValidationFailed("only a tcc_liaison belongs to a TCC; leave tcc_ccode empty for other roles")
    key = username_key(username)
    if session.execute(select(User.id).where(User.username_key == key)).first():
        raise Conflict(f"username {username!r} is taken (or differs from an existing one only by case or width)")
    _refuse_look_alike(session, username)
    now = utcnow()
    user = User(
        username=username,
        username_key=key,
        password_hash=hash_password(password),
        role=role,
        tcc_ccode=tcc_ccode,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    token = _open_session(session, user, "api", now)
    audit.record(
        session, actor, "create", "user", user.id, {"username": username, "role": role, "tcc_ccode": tcc_ccode}
    )
    return NewUser(user, token)


def _refuse_look_alike(session: Session, username: str) -> None:
    """Refuse a name whose TR39 skeleton is that of an existing user (``ınv1`` beside ``inv1``)."""
    mine = username_skeleton(username)
    for other in session.execute(select(User.username)).scalars():
        if username_skeleton(other) == mine:
            raise Conflict(
                f"username {username!r} looks like the existing user {other!r} "
                "(same letters to the eye); choose a clearly different name"
            )


def authenticate(session: Session, username: str, password: str) -> int:
    """Return the id of the active user ``username`` if ``password`` is right (reads only).

    An unknown or deactivated username costs the same scrypt check as a known one, so the answer
    time does not tell which usernames exist.
    """
    try:
        key = username_key(normalise_username(username))
    except ValidationFailed:
        key = None
    row = (
        session.execute(select(User.id, User.active, User.password_hash).where(User.username_key == key)).first()
        if key
        else None
    )
    if row is None:
        check_password(password or "", _dummy_hash(_SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"]))
        ok = False
    else:
        ok = check_password(password or "", row.password_hash) and row.active
    if not ok:
        # Same message either way: do not reveal which usernames exist or are deactivated.
        raise Unauthorized("wrong username or password")
    assert row is not None  # ok is False without a row
    user_id: int = row.id
    return user_id


def issue_token(session: Session, user_id: int, *, now: dt.datetime | None = None) -> NewUser:
    """Open a new session for an authenticated user (its other sessions stay open); audited."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthorized("wrong username or password")
    now = now or utcnow()
    token = _open_session(session, user, "login", now)
    audit.record(session, user.username, "login", "user", user.id)
    return NewUser(user, token)


# Built once, it runs on every request (runtime.prebuilt says why). Plain columns through the
# session's connection: no ORM loading or identity map.
_TOKEN_LOOKUP = (
    select(
        UserSession.id.label("session_id"),
        UserSession.kind,
        UserSession.last_seen_at,
        UserSession.expires_at,
        UserSession.revoked_at,
        User.id.label("user_id"),
        User.username,
        User.role,
        User.tcc_ccode,
        User.active,
    )
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)
_TOUCH = update(UserSession).where(UserSession.id == bindparam("session_id")).values(last_seen_at=bindparam("seen"))


def user_for_token(session: Session, token: str | None, *, now: dt.datetime | None = None) -> User:
    """Return the active user owning a live session ``token`` or raise :class:`Unauthorized`.

    Refused: unknown tokens, revoked sessions (logout, deactivation), sessions idle longer than
    the policy allows or past their absolute expiry, and tokens of deactivated users. The user is
    read afresh on every call (this lookup is also the revocation check) and returned as a
    detached :class:`User` holding its id, username, role, TCC and active flag; an operation that
    changes an account loads that account itself.
    """
    if not token:
        raise Unauthorized("missing credentials: send 'Authorization: Bearer <token>' or the pw_token cookie")
    # The session and its user in one statement (this runs on every request).
    conn = session.connection()
    found = conn.execute(_TOKEN_LOOKUP, {"token_hash": token_hash(token)}).first()
    if found is None or found.revoked_at is not None:
        raise Unauthorized("invalid or revoked token; log in again")
    now = now or utcnow()
    policy = SessionPolicy.from_env()
    if now >= found.expires_at or now - found.last_seen_at > _idle_limit(found.kind, policy):
        raise Unauthorized("session expired; log in again")
    if not found.active:
        raise Unauthorized("invalid or revoked token; log in again")
    if now - found.last_seen_at >= _TOUCH_EVERY:
        if session.info.get("pw_read_only"):
            # A read-only session may not write. Opening a second connection here, while this one is
            # held, exhausted the pool under load (every request of a busy token wanted its touch in
            # the same second) and stalled the server: Registry.session records it after closing.
            session.info["pw_touch"] = (found.session_id, now)
        else:
            conn.execute(_TOUCH, {"session_id": found.session_id, "seen": now})
    return User(
        id=found.user_id, username=found.username, role=found.role, tcc_ccode=found.tcc_ccode, active=found.active
    )


def touch_session(engine: Engine, recent: RecentTouches, session_id: int, now: dt.datetime) -> None:
    """Record activity of a session seen by a read-only request, in its own short transaction.

    Called with no connection held. Requests of one busy session arriving together write once per
    registry (``recent``, its caches' touches: the others see the touch just made), not once each.
    """
    if not recent.claim(session_id, now, _TOUCH_EVERY):
        return
    with engine.begin() as conn:
        conn.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.last_seen_at < now)
            .values(last_seen_at=now)
        )


def logout(session: Session, token: str | None, *, now: dt.datetime | None = None) -> bool:
    """End the session of ``token`` on the server (not only in the browser); True if one ended."""
    if not token:
        return False
    row = session.execute(select(UserSession).where(UserSession.token_hash == token_hash(token))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at, row.revoked_reason = now or utcnow(), "logout"
    user = session.get(User, row.user_id)
    audit.record(session, user.username if user else "unknown", "logout", "user", row.user_id, {"session": row.id})
    return True


def list_users(session: Session) -> list[User]:
    """All users ordered by id."""
    return list(session.execute(select(User).order_by(User.id)).scalars())


def _find_user(session: Session, username: str) -> User:
    try:
        key = username_key(normalise_username(username))
    except ValidationFailed:
        key = None
    user = session.execute(select(User).where(User.username_key == key)).scalar_one_or_none() if key else None
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def deactivate_user(session: Session, actor: User, username: str, *, now: dt.datetime | None = None) -> User:
    """Disable a user's login and end every session it holds (coordinators; audited).

    Refuses to deactivate the last active coordinator, which would leave nobody able to manage users.
    """
    user = _find_user(session, username)
    if user.active and user.role == COORDINATOR:
        others = session.execute(
            select(func.count(User.id)).where(User.role == COORDINATOR, User.active.is_(True), User.id != user.id)
        ).scalar_one()
        if not others:
            raise Conflict(f"{user.username} is the last active coordinator; create or reactivate another first")
    now = now or utcnow()
    ended = cast(
        CursorResult[Any],
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason="deactivated")
        ),
    ).rowcount
    user.active = False
    session.flush()
    audit.record(session, actor.username, "deactivate", "user", user.id, {"sessions_ended": ended})
    return user


def reactivate_user(session: Session, actor: User, username: str) -> User:
    """Allow a deactivated user to log in again (coordinators; audited). Old sessions stay ended."""
    user = _find_user(session, username)
    user.active = True
    session.flush()
    audit.record(session, actor.username, "reactivate", "user", user.id)
    return user


def _end_sessions(session: Session, user: User, reason: str, now: dt.datetime) -> int:
    ended: int = cast(
        CursorResult[Any],
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        ),
    ).rowcount
    return ended


def reset_password(
    session: Session, actor: User, username: str, password: str, *, now: dt.datetime | None = None
) -> tuple[User, int]:
    """Give a user a new password chosen by a coordinator and end every session it holds (audited).

    The password must pass :func:`check_password_policy`; the user keeps its role and status.
    Returns the user and how many sessions ended.
    """
    user = _find_user(session, username)
    check_password_policy(password, user.username)
    user.password_hash = hash_password(password)
    ended = _end_sessions(session, user, "password_reset", now or utcnow())
    session.flush()
    audit.record(session, actor.username, "reset_password", "user", user.id, {"sessions_ended": ended})
    return user, ended


def revoke_sessions(
    session: Session, actor: User, username: str, *, now: dt.datetime | None = None
) -> tuple[User, int]:
    """End every session and script token of a user at once without deactivating it (coordinators;
    audited): a lost laptop or a leaked token. The user can log in again with its password."""
    user = _find_user(session, username)
    ended = _end_sessions(session, user, "revoked", now or utcnow())
    session.flush()
    audit.record(session, actor.username, "revoke_sessions", "user", user.id, {"sessions_ended": ended})
    return user, ended
