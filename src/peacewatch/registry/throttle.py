"""Rate limits of the registry's doors, created once per app and shared by the API and the web forms.

Built on the ``limits`` library (moving windows, keyed counters in memory). Keys are HMACs of the
client address (or username) under a random per-process salt that is never written anywhere, so
the counters cannot be turned back into addresses; memory counters also forget a key when its
window has passed. With several worker processes each keeps its own counters.

Login (following OWASP's authentication guidance on account lockout): failed passwords count
against the *account* (a back-off whose wait grows with each failure, from any address), but a
stranger must not be able to lock the owner out with it. A successful login hands the browser a
*known-device* token (:func:`device_token`: a random nonce and its HMAC with the account under the
registry key, the ``pw_device`` cookie). A login presenting a valid token for that account skips the
account back-off, the per-network and the overall limits and has its own small failure budget.
Logins from unknown devices also count per address, per network (/24 IPv4, /64 IPv6) and overall,
and a refused attempt is answered before the password hash runs. The overall budget alone still
lets a burst through that takes many seconds to hash (a flood from many networks spends it at once),
so only :data:`LOGIN_CHECKS_WAITING` password checks of unknown devices may be running or waiting at
a time in a process; past that an attempt is refused at once, and a known device's login never
queues behind more than those few checks.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import threading
import time
import unicodedata

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from peacewatch.registry.crypto import keyed_hash
from peacewatch.registry.errors import KeyProblem, RateLimited
from peacewatch.registry.settings import SecuritySettings
from peacewatch.settings import security


def _wait(seconds: float) -> str:
    if seconds < 90:
        return "in a minute"
    minutes = math.ceil(seconds / 60)
    return f"in {minutes} minutes" if minutes < 90 else f"in {math.ceil(minutes / 60)} hours"


def network_of(client: str | None, v6_prefix: int = 48) -> str:
    """The /24 (IPv4) or /``v6_prefix`` (IPv6, default 48) network of an address; non-addresses
    stand for themselves."""
    try:
        addr = ipaddress.ip_address(client or "")
    except ValueError:
        return client or ""
    prefix = 24 if addr.version == 4 else v6_prefix
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _account(username: str) -> str:
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


#: Password checks of logins from unknown devices that may be running or waiting for the hashing
#: slot (``auth._HASHING``) at once in a process; a further attempt is refused at once (429). Small:
#: a known device's login waits behind at most these, however large the flood.
LOGIN_CHECKS_WAITING = 2

#: Name of the known-device cookie.
DEVICE_COOKIE = "pw_device"


def _device_mac(username: str, nonce: str) -> str | None:
    try:
        return keyed_hash(_account(username) + "|" + nonce, "login-device")
    except KeyProblem:  # no registry key configured: no known devices
        return None


def device_token(username: str) -> str | None:
    """A new known-device token for ``username``'s account: ``<nonce>.<HMAC(account, nonce)>``
    under the registry key (``None`` without one). It names nothing (no account, no time) and is
    only valid with the account it was made for."""
    nonce = secrets.token_urlsafe(16)
    mac = _device_mac(username, nonce)
    return f"{nonce}.{mac}" if mac else None


def known_device(username: str, token: str | None) -> str | None:
    """The token's nonce when ``token`` was issued for ``username``'s account, else ``None``."""
    nonce, _, mac = (token or "").partition(".")
    if not nonce or not mac or len(token or "") > 200:
        return None
    expected = _device_mac(username, nonce)
    return nonce if expected and hmac.compare_digest(expected, mac) else None


_PASSES = threading.Lock()


class LoginPass:
    """An admitted login attempt (:meth:`Throttle.admit_login`): ``known`` when it comes from a
    known device of the account; :meth:`done` when its password check is over (idempotent)."""

    __slots__ = ("known", "_release")

    def __init__(self, known: bool, release: threading.Semaphore | None):
        self.known = known
        self._release = release

    def done(self) -> None:
        """Free the attempt's place among the password checks (once; later calls do nothing)."""
        with _PASSES:  # the route and its login thread may both end a cancelled attempt
            release, self._release = self._release, None
        if release is not None:
            release.release()


class Throttle:
    """Every rate limit of the registry.

    Parameters
    ----------
    settings
        Limits in ``limits`` notation (default :class:`SecuritySettings` from the environment).
    """

    def __init__(self, settings: SecuritySettings | None = None):
        s = settings or security()
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._salt = secrets.token_bytes(32)
        self.login_client = parse_many(s.login_per_client)
        self.login_account = parse_many(s.login_per_account)
        self.login_network = parse_many(s.login_per_network)
        self.login_overall = parse_many(s.login_overall)
        self.login_device = parse_many(s.login_per_device)
        self.intake_client = parse_many(s.intake_per_client)
        self.intake_network = parse_many(s.intake_per_network)
        self.intake_overall = parse_many(s.intake_overall)
        self.intake_quiet = parse_many(s.intake_quiet_network)
        self.lookup_client = parse_many(s.lookup_per_client)
        self.lookup_overall = parse_many(s.lookup_overall)
        self._checks = threading.BoundedSemaphore(LOGIN_CHECKS_WAITING)

    def _key(self, value: str | None) -> str:
        return hmac.new(self._salt, (value or "").encode(), hashlib.sha256).hexdigest()

    def _retry_after(self, items: list[RateLimitItem], *ids: str) -> float:
        waits = [
            max(0.0, self._limiter.get_window_stats(i, *ids).reset_time - time.time())
            for i in items
            if not self._limiter.test(i, *ids)
        ]
        return max(waits, default=0.0)

    def _take(self, checks: list[tuple[list[RateLimitItem], tuple[str, ...], str]]) -> None:
        """Refuse if any check is exhausted (with that check's message), else count one in each."""
        for items, ids, message in checks:
            wait = self._retry_after(items, *ids)
            if wait > 0:
                raise RateLimited(message.format(wait=_wait(wait)), retry_after=wait)
        for items, ids, _ in checks:
            for item in items:
                self._limiter.hit(item, *ids)

    # --- login --------------------------------------------------------------------------------
    def admit_login(self, client: str | None, username: str, device: str | None = None) -> LoginPass:
        """Before a login attempt: refuse while a budget is spent or while
        :data:`LOGIN_CHECKS_WAITING` password checks of unknown devices are under way; else a
        :class:`LoginPass` whose ``known`` says that ``device`` (the ``pw_device`` cookie) is a
        known device of this account (then the account back-off, the network and the overall
        limits do not apply, only the device's own failure budget). Cheap and in memory only: the
        API runs it on the event loop, so a refused attempt never waits for a login thread. Call
        the pass's ``done()`` after the password check."""
        nonce = known_device(username, device)
        client_check = (
            self.login_client,
            ("login-client", self._key(client)),
            "too many login attempts from this connection; try again {wait}",
        )
        if nonce is not None:
            wait = self._retry_after(self.login_device, *self._device(username, nonce))
            if wait > 0:
                raise RateLimited(f"too many failed logins from this device; try again {_wait(wait)}", retry_after=wait)
            self._take([client_check])
            return LoginPass(True, None)
        account = ("login-account", self._key(_account(username)))
        wait = self._retry_after(self.login_account, *account)
        if wait > 0:
            raise RateLimited(
                f"too many failed logins for this account; try again {_wait(wait)} "
                "(each further failure makes the wait longer; a device you logged in "
                "with before is not held back)",
                retry_after=wait,
            )
        if not self._checks.acquire(blocking=False):
            raise RateLimited(
                "too many login attempts right now; try again in a few seconds, "
                "or from a device you logged in with before",
                retry_after=2,
            )
        admitted = LoginPass(False, self._checks)
        try:
            self._take(
                [
                    client_check,
                    (
                        self.login_network,
                        ("login-network", self._key(network_of(client, 64))),
                        "too many login attempts from your network; try again {wait}",
                    ),
                    (
                        self.login_overall,
                        ("login-overall",),
                        (
                            "too many login attempts right now; try again {wait}, "
                            "or from a device you logged in with before"
                        ),
                    ),
                ]
            )
        except RateLimited:
            admitted.done()
            raise
        return admitted

    def login_failed(self, client: str | None, username: str, device: str | None = None) -> None:
        """Count a failed attempt: against the known device it came from, else against the
        account (whichever address it came from)."""
        nonce = known_device(username, device)
        if nonce is not None:
            for item in self.login_device:
                self._limiter.hit(item, *self._device(username, nonce))
            return
        for item in self.login_account:
            self._limiter.hit(item, "login-account", self._key(_account(username)))

    def _device(self, username: str, nonce: str) -> tuple[str, str]:
        return ("login-device", self._key(_account(username) + "|" + nonce))

    def login_succeeded(self, username: str) -> None:
        """A correct password ends the account's back-off."""
        for item in self.login_account:
            self._limiter.clear(item, "login-account", self._key(_account(username)))

    # --- anonymous intake -----------------------------------------------------------------------
    def intake(self, client: str | None) -> None:
        """Before an anonymous report or added message.

        The overall budget protects the server, but spent by a flood from many networks it would
        close the channel for everyone; so a quiet network (fewer reports than its small quiet
        allowance in the window) is let through even then. A flood can pass it only by that
        allowance per network it controls."""
        network = self._key(network_of(client))
        checks = [
            (
                self.intake_client,
                ("intake-client", self._key(client)),
                "you have sent several reports in a short time; please wait and try again {wait}",
            ),
            (
                self.intake_network,
                ("intake-network", network),
                "many reports are arriving from your network; please try again {wait}",
            ),
        ]
        overall = (
            self.intake_overall,
            ("intake-overall",),
            "the reporting channel is receiving too many reports right now; please try again {wait}",
        )
        quiet = (self.intake_quiet, ("intake-quiet", network), "")
        if self._retry_after(self.intake_quiet, *quiet[1]) > 0:
            self._take([*checks, overall])
            return
        self._take([*checks, quiet])
        for item in self.intake_overall:  # the load still counts towards the overall budget
            self._limiter.hit(item, "intake-overall")

    def lookup(self, client: str | None) -> None:
        """Before a receipt look-up."""
        self._take(
            [
                (
                    self.lookup_client,
                    ("lookup-client", self._key(client)),
                    "too many receipt look-ups from this connection; please try again {wait}",
                ),
                (
                    self.lookup_overall,
                    ("lookup-overall",),
                    "too many receipt look-ups right now; please try again {wait}",
                ),
            ]
        )
