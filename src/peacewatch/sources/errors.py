"""Errors raised by the source catalog and loaders; each says what is wrong and how to fix it."""

from __future__ import annotations

from peacewatch.errors import PeacewatchError


class PeacewatchDataError(PeacewatchError):
    """Base class for every data problem peacewatch reports to a user."""


class CatalogError(PeacewatchDataError):
    """A catalog YAML is missing, unreadable or names an unknown source/file."""


class MissingDataFileError(PeacewatchDataError):
    """A data file named in the catalog is not in the data directory."""


class ChecksumError(PeacewatchDataError):
    """A data file's sha256 differs from the one recorded in the catalog."""


class MalformedDataError(PeacewatchDataError):
    """A data file could not be parsed or breaks the shape the loader relies on."""


class DuplicateKeyError(PeacewatchDataError):
    """A table that must have one row per key (e.g. country-year) has duplicates."""


class UnmappedCountryError(PeacewatchDataError):
    """Country names or codes in a source that the crosswalk cannot map."""
