"""Users, roles, passwords and API tokens.

Passwords are hashed with scrypt (``hashlib.scrypt``, n=2**14, r=8, p=1, random 16-byte salt);
API tokens are 256-bit random strings of which only the SHA-256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, make_transient_to_detached

from peacewatch.registry import audit
from peacewatch.registry.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from peacewatch.registry.models import User

REPORTER = "reporter"
INVESTIGATOR = "investigator"
TCC_LIAISON = "tcc_liaison"
COORDINATOR = "coordinator"
ANALYST = "analyst"
ROLES = (REPORTER, INVESTIGATOR, TCC_LIAISON, COORDINATOR, ANALYST)

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
# scrypt releases the GIL: 30 simultaneous logins would each take a core's share for ~50 ms and
# starve every other request. Hash on at most half the cores at once; the rest keep serving.
_HASHING = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


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


def token_hash(token: str) -> str:
    """SHA-256 of an API token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class NewUser:
    """A created user and its API token (shown once; only its hash is stored)."""

    user: User
    token: str


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    tcc_ccode: int | None = None,
    actor: str = "system",
) -> NewUser:
    """Create a user with a role and a fresh API token.

    Parameters
    ----------
    session
        Open session (the caller commits).
    username, password
        Login name (unique) and password (at least 8 characters).
    role
        One of ``reporter``, ``investigator``, ``tcc_liaison``, ``coordinator``, ``analyst``.
    tcc_ccode
        COW code of the troop-contributing country; required for ``tcc_liaison`` only.
    actor
        Username recorded in the audit log.

    Returns
    -------
    NewUser
        The user and its token.
    """
    username = (username or "").strip()
    if not username or len(username) > 80:
        raise ValidationFailed("username must be 1-80 characters")
    if role not in ROLES:
        raise ValidationFailed(f"role {role!r} is unknown; use one of {', '.join(ROLES)}")
    if len(password or "") < 8:
        raise ValidationFailed("password must have at least 8 characters")
    if role == TCC_LIAISON and tcc_ccode is None:
        raise ValidationFailed("a tcc_liaison needs tcc_ccode (the COW code of the country they represent)")
    if role != TCC_LIAISON and tcc_ccode is not None:
        raise ValidationFailed("only a tcc_liaison belongs to a TCC; leave tcc_ccode empty for other roles")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict(f"username {username!r} is taken")
    token = secrets.token_urlsafe(32)
    user = User(
        username=username, password_hash=hash_password(password), role=role,
        tcc_ccode=tcc_ccode, token_hash=token_hash(token), active=True,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", "user", user.id, {"username": username, "role": role, "tcc_ccode": tcc_ccode})
    return NewUser(user, token)


def login(session: Session, username: str, password: str) -> NewUser:
    """Check a password and issue a new API token (the old one stops working).

    Prefer :func:`authenticate` in a read-only session followed by :func:`issue_token` in a
    writing one: then the slow password hash never runs while the database write lock is held.
    """
    return issue_token(session, authenticate(session, username, password))


def authenticate(session: Session, username: str, password: str) -> int:
    """Return the id of the active user ``username`` if ``password`` is right (reads only)."""
    row = session.execute(select(User.id, User.active, User.password_hash).where(User.username == username)).first()
    if row is None or not row.active or not check_password(password, row.password_hash):
        # Same message either way: do not reveal which usernames exist.
        raise Unauthorized("wrong username or password")
    return row.id


def issue_token(session: Session, user_id: int) -> NewUser:
    """Give an authenticated user a new API token (the old one stops working); audited."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthorized("wrong username or password")
    token = secrets.token_urlsafe(32)
    user.token_hash = token_hash(token)
    audit.record(session, user.username, "login", "user", user.id)
    return NewUser(user, token)


_USERS = User.__table__
# Hot path of every request: one precompiled Core statement on the unique token_hash index. It is
# also the revocation check (a new login replaces token_hash; deactivation clears active), so no
# cache can serve a revoked token; what a cache would save, ORM loading, is skipped instead.
_USER_BY_TOKEN = select(*_USERS.c).where(_USERS.c.token_hash == bindparam("token_hash"))


def user_for_token(session: Session, token: str | None) -> User:
    """Return the active user owning ``token`` or raise :class:`Unauthorized`.

    The user is attached to ``session`` (changes to it are flushed with the session) without an
    ORM query: the row comes from one Core statement.
    """
    if not token:
        raise Unauthorized("missing credentials: send 'Authorization: Bearer <token>' or the pw_token cookie")
    row = session.connection().execute(_USER_BY_TOKEN, {"token_hash": token_hash(token)}).first()
    if row is None or not row.active:
        raise Unauthorized("invalid or revoked token")
    key = session.identity_key(User, row.id)
    if key in session.identity_map:
        return session.identity_map[key]
    user = User(**row._mapping)
    make_transient_to_detached(user)
    session.add(user)
    return user


def require_role(user: User, *roles: str) -> None:
    """Raise :class:`Forbidden` unless ``user`` has one of ``roles``."""
    if user.role not in roles:
        raise Forbidden(f"role {user.role!r} may not do this; allowed: {', '.join(roles)}")


def list_users(session: Session) -> list[User]:
    """All users ordered by id."""
    return list(session.execute(select(User).order_by(User.id)).scalars())


def deactivate_user(session: Session, username: str, actor: str) -> User:
    """Disable a user's login and token."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user named {username!r}")
    user.active = False
    audit.record(session, actor, "deactivate", "user", user.id)
    return user
