"""``peacewatch run``: the main job on embedded defaults (mounted by :mod:`peacewatch.cli`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``run`` command to the top-level app."""
