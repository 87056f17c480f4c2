"""The base class of every error peacewatch reports to a user as one line (never a traceback).

The command line (:mod:`peacewatch.cli_boundary`) prints these as ``error: <message>`` and exits with
status 2; each area's own error classes derive from :class:`PeacewatchError`.
"""

from __future__ import annotations


class PeacewatchError(Exception):
    """A problem the user can fix; the message says what is wrong and how to fix it."""


class InputError(PeacewatchError, ValueError):
    """An option or form value outside what peacewatch accepts (see :mod:`peacewatch.bounds`)."""
