"""The first coordinator's credentials, written to an owner-only file instead of the terminal.

``registry init`` and ``peacewatch run`` create the first coordinator; its password and token must
not reach a terminal scroll-back, a CI log or a shell history, so both go to a 0600 file whose path
is printed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from peacewatch.registry.files import write_private

#: File name of the first coordinator's credentials, in the output directory.
CREDENTIALS_FILE = "registry-coordinator.txt"
_NAME_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/1, o/0 look-alikes


def default_admin_username() -> str:
    """A first coordinator's username nobody can guess (``coordinator-`` and 8 random characters,
    40 bits): a known name is half of a password-guessing or lock-out attack."""
    return "coordinator-" + "".join(secrets.choice(_NAME_ALPHABET) for _ in range(8))


def write_credentials(path: Path, username: str, token: str, password: str | None = None) -> Path:
    """Write the first coordinator's username, token and (when generated) password to ``path`` (0600).

    ``password`` is left out when the person running the command chose it themselves.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# peacewatch registry: the first coordinator, created {stamp}.",
        "# Log in at /registry with the username and password; scripts and the CLI use the token",
        "# (--token or PEACEWATCH_TOKEN). Store them somewhere safe, then delete this file.",
        f"username: {username}",
    ]
    if password is not None:
        lines.append(f"password: {password}")
    lines.append(f"token: {token}")
    write_private(path, ("\n".join(lines) + "\n").encode())
    return path
