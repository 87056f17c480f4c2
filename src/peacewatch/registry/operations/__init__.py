"""The registry's one door: one function per operation.

Each function takes the session and the acting :class:`~peacewatch.registry.models.User` (login
and the anonymous intake operations take the :class:`~peacewatch.registry.service.Registry` and no
user, so that their rate limits are checked before any transaction opens), validates its input with
the API's pydantic schemas (:mod:`peacewatch.registry.schemas`), checks the role, does the work and
writes the audit entry, and returns plain JSON-ready data. The API, the CLI and the web screens
call these functions and do nothing else: no role checks, no validation of their own.
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
