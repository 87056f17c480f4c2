"""Errors raised by :mod:`peacewatch.models`; each message names the offending field and the fix."""

from __future__ import annotations

from peacewatch.errors import PeacewatchError


class ModelError(PeacewatchError, ValueError):
    """Base class of model errors (a ``ValueError`` so callers can catch either)."""


class UnknownIOError(ModelError):
    """An IO name that COW IGO membership data (and the override file) do not know."""


class UnknownMissionError(ModelError):
    """A mission with no contributor data for the requested year."""


class SpecificationError(ModelError):
    """A specification that cannot be built: unknown name, unknown variable, bad YAML."""


class EmptySampleError(ModelError):
    """No complete observations left after dropping rows with missing values."""


class SeparationError(ModelError):
    """(Quasi-)perfect separation: the maximum-likelihood estimate does not exist."""
