"""Security settings of the registry's doors: :class:`peacewatch.settings.SecuritySettings` (every
``PEACEWATCH_*`` variable is defined in :mod:`peacewatch.settings`), named here for the registry's callers."""

from __future__ import annotations

from peacewatch.settings import SecuritySettings

__all__ = ["SecuritySettings"]
