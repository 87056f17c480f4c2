"""Settings of the web app."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebSettings:
    """What the web app shows and where the registry lives.

    Attributes
    ----------
    db_url
        SQLAlchemy URL of the registry database; ``None`` uses the registry's own default
        (env ``PEACEWATCH_DB_URL``, else ``out/peacewatch.sqlite``).
    secure_cookies
        Mark the login cookie ``Secure`` (set when served over HTTPS).
    preload
        Build the panel when the app starts rather than on the first request.
    """

    db_url: str | None = None
    secure_cookies: bool = False
    preload: bool = True
