"""Operations on accounts: log in, who am I, create, list, deactivate and reactivate users, reset a
password, end a user's sessions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from peacewatch.registry import auth
from peacewatch.registry.errors import Unauthorized
from peacewatch.registry.models import User
from peacewatch.registry.schemas import LoginIn, PasswordResetIn, UserIn
from peacewatch.registry.service import Registry
from peacewatch.registry.throttle import LoginPass, Throttle, device_token, known_device


def user_dict(u: User) -> dict[str, Any]:
    """Public view of an account (never its hashes)."""
    return {"id": u.id, "username": u.username, "role": u.role, "tcc_ccode": u.tcc_ccode, "active": u.active}


def admit_login(
    registry: Registry,
    data: LoginIn,
    *,
    throttle: Throttle | None = None,
    client: str | None = None,
    device: str | None = None,
) -> LoginPass | None:
    """Apply a login's rate limits, touching neither the database nor a password hash: the API runs
    this on the event loop, so a refused attempt of a flood is answered at once instead of queueing
    for a login thread behind the password checks (then :func:`login` with ``admitted=`` the pass,
    which it ends). Raises :class:`~peacewatch.registry.errors.RateLimited` while a budget is spent."""
    return throttle.admit_login(client, data.username, device) if throttle is not None else None


def login(
    registry: Registry,
    data: LoginIn,
    *,
    throttle: Throttle | None = None,
    client: str | None = None,
    device: str | None = None,
    admitted: LoginPass | None = None,
) -> dict[str, Any]:
    """Check a username and password and issue a token, plus ``device``: a known-device token
    for the ``pw_device`` cookie (:func:`peacewatch.registry.throttle.device_token`).

    Takes the :class:`~peacewatch.registry.service.Registry` rather than a session: input and rate
    limits are checked before any transaction is opened, so a flood of refused attempts never waits
    for (or holds) a database lock. ``admitted`` is the pass :func:`admit_login` gave already (else
    the limits are applied here). ``throttle`` (a
    :class:`peacewatch.registry.throttle.Throttle`) refuses the attempt with
    :class:`~peacewatch.registry.errors.RateLimited` while the client or the account is over its
    budget; failed attempts count against both, a success clears the account's back-off.
    ``device`` is the caller's ``pw_device`` cookie: a device that logged in to this account
    before is not held back by the account's back-off (strangers cannot lock the owner out) nor by
    the network and overall limits.
    """
    attempt = (
        admitted
        if admitted is not None
        else admit_login(registry, data, throttle=throttle, client=client, device=device)
    )
    try:
        try:
            # The password check (scrypt, deliberately slow) runs in a read-only session: a wrong
            # password never holds the database write lock; only a right one opens a short write.
            with registry.session(read_only=True) as session:
                user_id = auth.authenticate(session, data.username, data.password)
        finally:
            if attempt is not None:
                attempt.done()
        with registry.session() as session:
            new = auth.issue_token(session, user_id)
            out = {
                "token": new.token,
                "username": new.user.username,
                "role": new.user.role,
                "tcc_ccode": new.user.tcc_ccode,
            }
    except Unauthorized:
        if throttle is not None:
            throttle.login_failed(client, data.username, device)
        raise
    if throttle is not None:
        throttle.login_succeeded(data.username)
    known = known_device(data.username, device) is not None
    return {**out, "device": device if known else device_token(data.username)}


def logout(registry: Registry, token: str | None) -> bool:
    """End the session of ``token`` on the server (audited); a copied cookie stops working.

    Takes the registry like :func:`login`: an unknown or expired token is not an error here,
    logging out always succeeds for the caller.
    """
    if not token:
        return False
    with registry.session() as session:
        return auth.logout(session, token)


def me(session: Session, user: User) -> dict[str, Any]:
    """The calling user (any role)."""
    return {"username": user.username, "role": user.role, "tcc_ccode": user.tcc_ccode}


def create_user(session: Session, user: User, data: UserIn) -> dict[str, Any]:
    """Create an account (coordinators); the token is returned once."""
    new = auth.create_user(session, data.username, data.password, data.role, data.tcc_ccode, actor=user.username)
    return {**user_dict(new.user), "token": new.token}


def list_users(session: Session, user: User) -> list[dict[str, Any]]:
    """Every account (coordinators)."""
    return [user_dict(x) for x in auth.list_users(session)]


def deactivate_user(session: Session, user: User, username: str) -> dict[str, Any]:
    """Disable an account's login and end every session it holds at once (coordinators).

    The last active coordinator cannot be deactivated (nobody could manage users afterwards).
    """
    return user_dict(auth.deactivate_user(session, user, username))


def reactivate_user(session: Session, user: User, username: str) -> dict[str, Any]:
    """Allow a deactivated account to log in again (coordinators); its old sessions stay ended."""
    return user_dict(auth.reactivate_user(session, user, username))


def reset_password(session: Session, user: User, username: str, data: PasswordResetIn) -> dict[str, Any]:
    """Set a new password for an account and end every session it holds (coordinators); the
    password is never returned."""
    target, ended = auth.reset_password(session, user, username, data.password)
    return {**user_dict(target), "sessions_ended": ended}


def revoke_sessions(session: Session, user: User, username: str) -> dict[str, Any]:
    """End every session and script token of an account without deactivating it (coordinators)."""
    target, ended = auth.revoke_sessions(session, user, username)
    return {**user_dict(target), "sessions_ended": ended}
