"""Security settings of the registry's doors (environment ``PEACEWATCH_*``, read with pydantic-settings).

Rate limits are strings in the ``limits`` notation, several windows separated by ``;``
(e.g. ``5/minute;20/hour``): a request must fit every window.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SecuritySettings(BaseSettings):
    """Limits, proxies and secrets of the web app and the API.

    Attributes
    ----------
    trusted_proxies
        Comma-separated addresses or networks of reverse proxies whose ``X-Forwarded-For`` is believed
        (``PEACEWATCH_TRUSTED_PROXIES``); empty (the default): the header is ignored and the client is
        the connecting address.
    max_body_bytes
        Largest request body of any route (413 above it).
    max_upload_bytes
        Largest body of the routes that take a CSV file (vetting uploads).
    csrf_secret
        Key that signs the web forms' CSRF tokens; default: random per process (set it when several
        worker processes serve the app).
    login_per_client, login_per_account
        Login attempts per client address, and failed attempts per account (windows stacked so the
        wait grows with each failure, whatever address they come from; not applied to a device the
        account logged in from before).
    login_per_network, login_overall, login_per_device
        Login attempts from unknown devices per network (/24 IPv4, /64 IPv6) and for everyone
        together, and attempts from one known device (see :mod:`peacewatch.registry.throttle`).
    intake_per_client, intake_per_network, intake_overall
        Anonymous reports per client address, per network (/24 for IPv4, /48 for IPv6) and for
        everyone together: one client rotating addresses inside its network cannot use up the
        overall budget.
    lookup_per_client, lookup_overall
        Receipt look-ups (reading a thread).
    """

    model_config = SettingsConfigDict(env_prefix="PEACEWATCH_", extra="ignore")

    trusted_proxies: str = ""
    max_body_bytes: int = Field(1_000_000, ge=1_000)
    max_upload_bytes: int = Field(6_000_000, ge=1_000)
    csrf_secret: str | None = None
    login_per_client: str = "20/minute"
    login_per_account: str = "5/minute;10/15 minutes;20/hour;50/day"
    login_per_network: str = "60/minute"
    login_overall: str = "300/minute"
    login_per_device: str = "10/15 minutes;30/day"
    intake_per_client: str = "5/minute;30/hour"
    intake_per_network: str = "20/minute"
    intake_overall: str = "600/minute"
    lookup_per_client: str = "30/minute"
    lookup_overall: str = "1200/minute"

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"PEACEWATCH_TRUSTED_PROXIES: {part!r} is not an IP address or network "
                                 "(write e.g. 127.0.0.1,10.0.0.0/8)") from None
        return value

    def proxy_list(self) -> list[str]:
        """The trusted proxies as a list (empty: trust no forwarding header)."""
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]
