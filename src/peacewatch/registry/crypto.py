"""Encryption at rest (Fernet) of victim details and whistleblower messages.

The key comes from env ``PEACEWATCH_SECRET_KEY`` (a Fernet key, urlsafe base64 of 32 bytes) or from
the key file ``out/registry.key`` that ``peacewatch registry init`` creates with mode 0600.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from peacewatch.registry.config import KEY_FILE, out_dir
from peacewatch.registry.errors import KeyProblem
from peacewatch.registry.files import check_private
from peacewatch.settings import current


def key_file() -> Path:
    """Path of the key file under the output directory."""
    return out_dir() / KEY_FILE


def create_key_file(path: Path | None = None) -> Path:
    """Create a new key file (mode 0600) unless one exists; return its path."""
    path = path or key_file()
    if path.exists():
        check_private(path)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(Fernet.generate_key())
    return path


def load_key() -> bytes:
    """Return the Fernet key, or raise :class:`KeyProblem` saying where to put one."""
    secret = current().secret_key
    env = secret.get_secret_value().strip() if secret else ""
    if env:
        raw = env.encode()
        source = "environment variable PEACEWATCH_SECRET_KEY"
    else:
        path = key_file()
        if not path.exists():
            raise KeyProblem(
                f"no encryption key: set PEACEWATCH_SECRET_KEY or run `peacewatch registry init` to create {path}"
            )
        check_private(path)
        raw = path.read_bytes().strip()
        source = str(path)
    try:
        Fernet(raw)
    except (ValueError, TypeError) as exc:
        raise KeyProblem(
            f"the key in {source} is not a valid Fernet key (44 characters of urlsafe base64); "
            "generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
        ) from exc
    return raw


def encrypt_json(value: dict[str, Any], day_only: bool = False) -> bytes:
    """Encrypt a JSON-serialisable dict.

    A Fernet token carries its creation time in clear, to the second. With ``day_only`` that time
    is midnight UTC of today, so the token of an anonymous message does not time it.
    """
    data = json.dumps(value, sort_keys=True).encode()
    if day_only:
        today = dt.datetime.now(dt.UTC).date()
        midnight = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
        return Fernet(load_key()).encrypt_at_time(data, int(midnight.timestamp()))
    return Fernet(load_key()).encrypt(data)


def decrypt_json(token: bytes) -> dict[str, Any]:
    """Decrypt what :func:`encrypt_json` produced; a wrong key raises :class:`KeyProblem`."""
    try:
        value: dict[str, Any] = json.loads(Fernet(load_key()).decrypt(bytes(token)))
        return value
    except InvalidToken as exc:
        raise KeyProblem(
            "stored data cannot be decrypted with the configured key: PEACEWATCH_SECRET_KEY or the key file "
            "is not the one the data was written with"
        ) from exc


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under a key derived from the secret key (for receipts)."""
    derived = hashlib.sha256(b"peacewatch:" + purpose.encode() + b":" + load_key()).digest()
    return hmac.new(derived, value.encode(), hashlib.sha256).hexdigest()
