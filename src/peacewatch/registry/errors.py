"""Exceptions of the registry service layer; the API maps each to an HTTP status."""

from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    """Base class: a request the registry refuses, with a message that says how to fix it."""

    status_code = 400


class NotFound(RegistryError):
    status_code = 404


class Forbidden(RegistryError):
    status_code = 403


class Unauthorized(RegistryError):
    status_code = 401


class InvalidTransition(RegistryError):
    status_code = 409


class Conflict(RegistryError):
    status_code = 409


class ValidationFailed(RegistryError):
    """Input the registry refuses; ``problems`` lists ``{"loc", "msg", "type"}`` per field (never the input)."""

    status_code = 422

    def __init__(self, message: str, problems: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.problems = problems or [{"loc": [], "msg": message, "type": "value_error"}]


class RateLimited(RegistryError):
    """Over a rate limit; ``retry_after`` is the wait in seconds (sent as the Retry-After header)."""

    status_code = 429

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class KeyProblem(RegistryError):
    """The encryption key is missing or does not decrypt the stored data."""

    status_code = 500


class UnsafeFile(RegistryError):
    """A database, key or checkpoint file is readable by group or others."""

    status_code = 500


class AuditProblem(RegistryError):
    """The audit log could not be sequenced, signed or checked (message says what failed)."""

    status_code = 500


class DatabaseProblem(RegistryError):
    """The registry database cannot be opened as asked: a malformed URL, a missing driver, a refused
    connection, a wrong password, a missing database or one that is not a peacewatch registry."""

    status_code = 503
