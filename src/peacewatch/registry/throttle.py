"""Rate limits of the registry's doors, created once per app and shared by the API and the web forms.

Built on the ``limits`` library (moving windows, keyed counters in memory). Keys are HMACs of the
client address (or username) under a random per-process salt that is never written anywhere, so
the counters cannot be turned back into addresses; memory counters also forget a key when its
window has passed. With several worker processes each keeps its own counters.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import time
import unicodedata

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from peacewatch.registry.errors import RateLimited
from peacewatch.registry.settings import SecuritySettings


def _wait(seconds: float) -> str:
    if seconds < 90:
        return "in a minute"
    minutes = math.ceil(seconds / 60)
    return f"in {minutes} minutes" if minutes < 90 else f"in {math.ceil(minutes / 60)} hours"


def network_of(client: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of an address; non-addresses stand for themselves."""
    try:
        addr = ipaddress.ip_address(client or "")
    except ValueError:
        return client or ""
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


class Throttle:
    """Every rate limit of the registry.

    Parameters
    ----------
    settings
        Limits in ``limits`` notation (default :class:`SecuritySettings` from the environment).
    """

    def __init__(self, settings: SecuritySettings | None = None):
        s = settings or SecuritySettings()
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._salt = secrets.token_bytes(32)
        self.login_client = parse_many(s.login_per_client)
        self.login_account = parse_many(s.login_per_account)
        self.intake_client = parse_many(s.intake_per_client)
        self.intake_network = parse_many(s.intake_per_network)
        self.intake_overall = parse_many(s.intake_overall)
        self.lookup_client = parse_many(s.lookup_per_client)
        self.lookup_overall = parse_many(s.lookup_overall)

    def _key(self, value: str | None) -> str:
        return hmac.new(self._salt, (value or "").encode(), hashlib.sha256).hexdigest()

    def _retry_after(self, items: list[RateLimitItem], *ids: str) -> float:
        waits = [max(0.0, self._limiter.get_window_stats(i, *ids).reset_time - time.time())
                 for i in items if not self._limiter.test(i, *ids)]
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
    @staticmethod
    def _account(username: str) -> str:
        return unicodedata.normalize("NFKC", username or "").strip().casefold()

    def check_login(self, client: str | None, username: str) -> None:
        """Before a login attempt: refuse while this client or this account is over its budget."""
        account = ("login-account", self._key(self._account(username)))
        wait = self._retry_after(self.login_account, *account)
        if wait > 0:
            raise RateLimited(f"too many failed logins for this account; try again {_wait(wait)} "
                              "(each further failure makes the wait longer)", retry_after=wait)
        self._take([(self.login_client, ("login-client", self._key(client)),
                     "too many login attempts from this connection; try again {wait}")])

    def login_failed(self, client: str | None, username: str) -> None:
        """Count a failed attempt against the account, whichever address it came from."""
        for item in self.login_account:
            self._limiter.hit(item, "login-account", self._key(self._account(username)))

    def login_succeeded(self, username: str) -> None:
        """A correct password ends the account's back-off."""
        for item in self.login_account:
            self._limiter.clear(item, "login-account", self._key(self._account(username)))

    # --- anonymous intake -----------------------------------------------------------------------
    def intake(self, client: str | None) -> None:
        """Before an anonymous report or added message."""
        self._take([
            (self.intake_client, ("intake-client", self._key(client)),
             "you have sent several reports in a short time; please wait and try again {wait}"),
            (self.intake_network, ("intake-network", self._key(network_of(client))),
             "many reports are arriving from your network; please try again {wait}"),
            (self.intake_overall, ("intake-overall",),
             "the reporting channel is receiving too many reports right now; please try again {wait}"),
        ])

    def lookup(self, client: str | None) -> None:
        """Before a receipt look-up."""
        self._take([
            (self.lookup_client, ("lookup-client", self._key(client)),
             "too many receipt look-ups from this connection; please try again {wait}"),
            (self.lookup_overall, ("lookup-overall",),
             "too many receipt look-ups right now; please try again {wait}"),
        ])
