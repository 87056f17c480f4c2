"""CLI commands of peacewatch.panel (mounted by :mod:peacewatch.cli)."""

from __future__ import annotations

import typer

app = typer.Typer(help="panel commands", no_args_is_help=True)
