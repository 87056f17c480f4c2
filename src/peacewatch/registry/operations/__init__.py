"""The registry's operations: one function per operation.

Each function takes the session and the acting :class:`~peacewatch.registry.models.User` (login
and the anonymous intake operations take the :class:`~peacewatch.registry.service.Registry` and no
user, so that their rate limits are checked before any transaction opens) and its input already
validated with the API's pydantic schemas (:mod:`peacewatch.registry.schemas`); it does the work,
writes the audit entry and returns plain JSON-ready data. Each is declared once in
:mod:`peacewatch.registry.policy`, whose dispatcher checks the role and validates the input before
calling it: the API, the CLI and the web screens perform operations through that dispatcher and do
nothing else (no role checks, no validation of their own).
"""

from peacewatch.registry.operations import (  # noqa: F401
    aggregates,
    audit_trail,
    cases,
    intake,
    nations,
    referrals,
    users,
    vetting,
)
from peacewatch.registry.operations.base import ANONYMOUS, valid_id, validate  # noqa: F401
