"""CLI commands of peacewatch.sources (mounted by :mod:peacewatch.cli)."""

from __future__ import annotations

import typer

app = typer.Typer(help="sources commands", no_args_is_help=True)
