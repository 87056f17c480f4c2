"""Exceptions of the registry service layer; the API maps each to an HTTP status."""

from __future__ import annotations


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
    status_code = 422


class RateLimited(RegistryError):
    status_code = 429


class KeyProblem(RegistryError):
    """The encryption key is missing or does not decrypt the stored data."""

    status_code = 500


class UnsafeFile(RegistryError):
    """A database, key or checkpoint file is readable by group or others."""

    status_code = 500


class AuditProblem(RegistryError):
    """The audit log could not be sequenced, signed or checked (message says what failed)."""

    status_code = 500
