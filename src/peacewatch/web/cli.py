"""``peacewatch serve`` (mounted by :mod:`peacewatch.cli`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the web commands to the top-level app."""
