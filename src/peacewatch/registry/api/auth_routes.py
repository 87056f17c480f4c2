"""Routes of accounts: login, logout, me, users."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from peacewatch.registry import operations as ops
from peacewatch.registry.api.deps import AUTHED, COOKIE, Caller, Deps, client_address, responses, set_login_cookies
from peacewatch.registry.schemas import LoginIn, PasswordResetIn, UserIn
from peacewatch.registry.throttle import DEVICE_COOKIE


def router(deps: Deps) -> APIRouter:
    r = APIRouter(tags=["auth"])
    Acting = Annotated[Caller, Depends(deps.acting)]

    @r.post("/login", responses=responses(401, 413, 429))
    async def login(body: LoginIn, request: Request, response: Response) -> dict[str, Any]:
        """Check username and password; return a new token and set it as the ``pw_token`` cookie
        (and the ``pw_device`` known-device cookie: see :mod:`peacewatch.registry.throttle`)."""
        client, device = client_address(request), request.cookies.get(DEVICE_COOKIE)
        # Rate limits on the event loop (in memory, no hashing): a refused attempt of a flood is
        # answered at once instead of queueing for a login thread behind the password checks.
        admitted = deps.perform_now(ops.users.admit_login, body, throttle=deps.throttle, client=client, device=device)
        try:
            out = await deps.call_login(
                ops.users.login, body, throttle=deps.throttle, client=client, device=device, admitted=admitted
            )
        finally:
            if admitted is not None:  # e.g. the client went away before its check ran
                admitted.done()
        set_login_cookies(response, request, out.pop("device"), out["token"])
        return out

    @r.post("/logout", responses=responses(413))
    async def logout(request: Request, response: Response) -> dict[str, Any]:
        """End the caller's session on the server (if any) and clear the ``pw_token`` cookie.

        Needs no valid token (logging out always succeeds), so the token is read from the request
        rather than declared as a credential.
        """
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        tok = bearer.strip() if scheme.lower() == "bearer" and bearer.strip() else request.cookies.get(COOKIE)
        await deps.call(ops.users.logout, tok)
        response.delete_cookie(COOKIE)
        return {"ok": True}

    @r.get("/me", responses=responses(401, 429))
    async def me(acting: Acting) -> dict[str, Any]:
        """The calling user."""
        return await acting(ops.users.me)

    @r.post("/users", status_code=201, responses=responses(*AUTHED, 409))
    async def create_user(body: UserIn, acting: Acting) -> dict[str, Any]:
        """Create a user (coordinators); the token is shown once."""
        return await acting(ops.users.create_user, body)

    @r.get("/users", responses=responses(*AUTHED))
    async def list_users(acting: Acting) -> list[dict[str, Any]]:
        """All users (coordinators)."""
        return await acting(ops.users.list_users)

    @r.post("/users/{username}/deactivate", responses=responses(*AUTHED, 404, 409))
    async def deactivate_user(
        username: Annotated[str, Path(min_length=1, max_length=80)], acting: Acting
    ) -> dict[str, Any]:
        """Disable a user's login and end all its sessions at once (coordinators)."""
        return await acting(ops.users.deactivate_user, username)

    @r.post("/users/{username}/reactivate", responses=responses(*AUTHED, 404))
    async def reactivate_user(
        username: Annotated[str, Path(min_length=1, max_length=80)], acting: Acting
    ) -> dict[str, Any]:
        """Allow a deactivated user to log in again (coordinators)."""
        return await acting(ops.users.reactivate_user, username)

    @r.post("/users/{username}/password", responses=responses(*AUTHED, 404))
    async def reset_password(
        username: Annotated[str, Path(min_length=1, max_length=80)], body: PasswordResetIn, acting: Acting
    ) -> dict[str, Any]:
        """Set a new password for a user and end all its sessions (coordinators)."""
        return await acting(ops.users.reset_password, username, body)

    @r.post("/users/{username}/revoke-sessions", responses=responses(*AUTHED, 404))
    async def revoke_sessions(
        username: Annotated[str, Path(min_length=1, max_length=80)], acting: Acting
    ) -> dict[str, Any]:
        """End every session and token of a user without deactivating it (coordinators)."""
        return await acting(ops.users.revoke_sessions, username)

    return r
